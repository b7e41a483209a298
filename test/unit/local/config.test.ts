import { describe, it, expect } from '@jest/globals';
import { readLocalConfig } from '../../../local/config.js';

describe('readLocalConfig', () => {
  it('uses the documented defaults when nothing is set', () => {
    // Act
    const config = readLocalConfig({});

    // Assess
    expect(config).toEqual({
      port: 3000,
      awsPort: 4566,
      dataDir: '.data',
      timeScale: 1,
      policyFile: 'config/policy.local.json',
    });
  });

  it('reads every variable, treating empty ones as unset', () => {
    // Prepare
    const env = {
      PORT: '8080',
      AWS_PORT: '0',
      DATA_DIR: '/tmp/aa',
      LOCAL_TIME_SCALE: '0.01',
      LOCAL_FIXTURES: '{"sso":{}}',
      LOCAL_FAULTS: 'proton.AcceptEnvironmentAccountConnection=ConflictException:0.5',
      POLICY_FILE: 'config/other.json',
      PUBLIC_BASE_URL: 'https://approvals.example.test/',
      LINK_SIGNING_SECRET: 'link',
      SLACK_SIGNING_SECRET: '',
      SLACK_BOT_TOKEN: 'xoxb-1',
    };

    // Act
    const config = readLocalConfig(env);

    // Assess
    expect(config).toMatchObject({
      port: 8080,
      awsPort: 0,
      dataDir: '/tmp/aa',
      timeScale: 0.01,
      fixtures: '{"sso":{}}',
      faults: env.LOCAL_FAULTS,
      policyFile: 'config/other.json',
      publicBaseUrl: 'https://approvals.example.test',
      linkSigningSecret: 'link',
      slackBotToken: 'xoxb-1',
    });
    expect(config.slackSigningSecret).toBeUndefined();
  });

  it.each([
    [{ PORT: 'abc' }, 'PORT must be a port number'],
    [{ PORT: '70000' }, 'PORT must be a port number'],
    [{ AWS_PORT: '-1' }, 'AWS_PORT must be a port number'],
    [{ LOCAL_TIME_SCALE: '0' }, 'LOCAL_TIME_SCALE must be a positive number'],
    [{ LOCAL_TIME_SCALE: 'fast' }, 'LOCAL_TIME_SCALE must be a positive number'],
    [{ PUBLIC_BASE_URL: 'not a url' }, 'PUBLIC_BASE_URL must be an absolute http(s) URL'],
    [{ PUBLIC_BASE_URL: 'ftp://example.com' }, 'PUBLIC_BASE_URL must be an http(s) URL'],
    [{ PORT: '4000', AWS_PORT: '4000' }, 'PORT and AWS_PORT must differ'],
  ])('fails naming the variable for %j', (env, message) => {
    // Act
    const act = () => readLocalConfig(env);

    // Assess
    expect(act).toThrow(message);
  });
});
