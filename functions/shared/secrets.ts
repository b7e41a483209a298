// Signing secrets. In AWS they are SecureString parameters read at run time (cached for five minutes), so
// they never sit in the CloudFormation template or function configuration; locally the stack passes them in
// the environment.
import { getParameter } from '@aws-lambda-powertools/parameters/ssm';
import { ConfigError } from './errors.js';
import { optionalEnv } from './config.js';

const fromEnvOrParameter = async (valueVar: string, parameterVar: string): Promise<string> => {
  const direct = optionalEnv(valueVar);
  if (direct) return direct;
  const parameterName = optionalEnv(parameterVar);
  if (!parameterName) throw new ConfigError(`Set ${valueVar} or ${parameterVar}`);
  const value = await getParameter(parameterName, { decrypt: true, maxAge: 300 });
  if (!value) throw new ConfigError(`SSM parameter named by ${parameterVar} is empty`);
  return value;
};

/** Optional: without a bot token, notifications go to the outbox. */
export const slackBotToken = async (): Promise<string | undefined> =>
  optionalEnv('SLACK_BOT_TOKEN') || optionalEnv('SLACK_BOT_TOKEN_PARAMETER')
    ? fromEnvOrParameter('SLACK_BOT_TOKEN', 'SLACK_BOT_TOKEN_PARAMETER')
    : undefined;

export const slackSigningSecret = (): Promise<string> =>
  fromEnvOrParameter('SLACK_SIGNING_SECRET', 'SLACK_SIGNING_SECRET_PARAMETER');

export const linkSigningSecret = (): Promise<string> =>
  fromEnvOrParameter('LINK_SIGNING_SECRET', 'LINK_SIGNING_SECRET_PARAMETER');
