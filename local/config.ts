// The local stack's environment, read once at start-up. A bad value stops start-up with a message naming the
// variable, so a typo never silently becomes a default.

export interface LocalConfig {
  port: number;
  awsPort: number;
  dataDir: string;
  timeScale: number;
  fixtures?: string;
  faults?: string;
  policyFile: string;
  /** Unset means `http://127.0.0.1:<bound HTTP port>`, decided once the port is known. */
  publicBaseUrl?: string;
  linkSigningSecret?: string;
  slackSigningSecret?: string;
  slackBotToken?: string;
  /** A Slack Web API base URL other than slack.com, e.g. a fake Slack. */
  slackApiUrl?: string;
}

type Env = Record<string, string | undefined>;

// An empty variable (`PORT= npm start`) means unset, as shells and .env files commonly use it.
const read = (env: Env, name: string): string | undefined => {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
};

const port = (env: Env, name: string, fallback: number): number => {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value > 65535)
    throw new Error(`${name} must be a port number from 0 to 65535, got "${raw}"`);
  return value;
};

const positiveNumber = (env: Env, name: string, fallback: number): number => {
  const raw = read(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
};

const baseUrl = (env: Env, name: string): string | undefined => {
  const raw = read(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${name} must be an absolute http(s) URL, got "${raw}"`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new Error(`${name} must be an http(s) URL, got "${raw}"`);
  return raw.replace(/\/+$/, '');
};

export const readLocalConfig = (env: Env = process.env): LocalConfig => {
  const config: LocalConfig = {
    port: port(env, 'PORT', 3000),
    awsPort: port(env, 'AWS_PORT', 4566),
    dataDir: read(env, 'DATA_DIR') ?? '.data',
    timeScale: positiveNumber(env, 'LOCAL_TIME_SCALE', 1),
    fixtures: read(env, 'LOCAL_FIXTURES'),
    faults: read(env, 'LOCAL_FAULTS'),
    policyFile: read(env, 'POLICY_FILE') ?? 'config/policy.local.json',
    publicBaseUrl: baseUrl(env, 'PUBLIC_BASE_URL'),
    linkSigningSecret: read(env, 'LINK_SIGNING_SECRET'),
    slackSigningSecret: read(env, 'SLACK_SIGNING_SECRET'),
    slackBotToken: read(env, 'SLACK_BOT_TOKEN'),
    slackApiUrl: baseUrl(env, 'SLACK_API_URL'),
  };
  if (config.port !== 0 && config.port === config.awsPort) {
    throw new Error(`PORT and AWS_PORT must differ, both are ${config.port}`);
  }
  return config;
};
