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

/** Identity Center's documented quota: account-assignment creations in progress at once, per instance. */
const DEFAULT_SSO_CREATION_SLOTS = 15;

const positiveInteger = (name: string, fallback: number): number => {
  const raw = optionalEnv(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1)
    throw new ConfigError(`${name} must be a whole number of at least 1, got "${raw}"`);
  return value;
};

const positiveNumber = (name: string, fallback: number): number => {
  const raw = optionalEnv(name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) throw new ConfigError(`${name} must be a positive number, got "${raw}"`);
  return value;
};

/** Identity Center's documented rate: 20 calls per second, shared by every account-access API of an instance. */
const DEFAULT_SSO_TPS_BUDGET = 20;

// The API models' patterns (SSO Admin InstanceArn; Identity Store IdentityStoreId), so a typo fails at start-up
// naming the variable rather than as a ValidationException on some later call.
const INSTANCE_ARN_PATTERN =
  /^arn:(aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b):sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/;
const IDENTITY_STORE_ID_PATTERN = /^(d-[0-9a-f]{10}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

const matching = (name: string, pattern: RegExp, what: string): string | undefined => {
  const value = optionalEnv(name);
  if (value !== undefined && !pattern.test(value))
    throw new ConfigError(`${name} must be ${what}, got "${value}" (leave it empty to discover it with ListInstances)`);
  return value;
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
  /** Admission slots for CreateAccountAssignment (provisioning/creationSlots.ts); lower it if other tools share the quota. */
  ssoCreationSlots: () => positiveInteger('SSO_CREATION_SLOTS', DEFAULT_SSO_CREATION_SLOTS),
  /**
   * Identity Center calls per second that this deployment may make, all functions together
   * (provisioning/identityCenterBudget.ts); lower it to leave headroom for other tools on the same instance.
   */
  ssoTpsBudget: () => positiveNumber('SSO_TPS_BUDGET', DEFAULT_SSO_TPS_BUDGET),
  /**
   * Wall seconds per AWS second. Only the local stack sets LOCAL_TIME_SCALE (e.g. 0.01), and it scales its waits,
   * retries and emulated limits by it; code that turns an AWS duration into a wall time (a grant's end, a rate, a
   * lease, the reconciler's period) multiplies by this so that it agrees with them. Unset in AWS: 1.
   */
  timeScale: () => positiveNumber('LOCAL_TIME_SCALE', 1),
  /** The Identity Center instance; unset means discover it (and the identity store) with ListInstances. */
  ssoInstanceArn: () =>
    matching(
      'SSO_INSTANCE_ARN',
      INSTANCE_ARN_PATTERN,
      'an Identity Center instance ARN (arn:aws:sso:::instance/ssoins-…)',
    ),
  /** The instance's identity store; unset means discover it (and the instance) with ListInstances. */
  identityStoreId: () => matching('IDENTITY_STORE_ID', IDENTITY_STORE_ID_PATTERN, 'an identity store id (d-…)'),
};
