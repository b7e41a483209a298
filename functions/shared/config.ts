// Configuration is read from the environment once, on first use, and a missing value fails loudly by name.
import { ConfigError } from './errors.js';

const cache = new Map<string, string>();

export const requireEnv = (name: string): string => {
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const value = process.env[name];
  if (value === undefined || value.trim() === '') {
    throw new ConfigError(`Missing required environment variable ${name}`);
  }
  cache.set(name, value);
  return value;
};

export const optionalEnv = (name: string): string | undefined => {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value;
};

export const config = {
  tableName: () => requireEnv('TABLE_NAME'),
  stateMachineArn: () => requireEnv('STATE_MACHINE_ARN'),
  policyFile: () => requireEnv('POLICY_FILE'),
  publicBaseUrl: () => requireEnv('PUBLIC_BASE_URL').replace(/\/+$/, ''),
  /** Local stack only: where notifications go when no Slack token is configured. */
  outboxFile: () => optionalEnv('OUTBOX_FILE'),
  /** Tests and the local stack only: a fake Slack Web API base URL. */
  slackApiUrl: () => optionalEnv('SLACK_API_URL'),
};
