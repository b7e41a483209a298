// Local secrets: taken from the environment when given, else generated once per data directory and kept in
// <dataDir>/secrets.json (mode 0600) so links and tokens stay valid across restarts. Values are never logged.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalSecrets {
  linkSigningSecret: string;
  slackSigningSecret: string;
  /** HS256 key of the emulated JWT authorizer, base64url. */
  jwtSigningKey: string;
}

const generate = (): string => randomBytes(32).toString('base64url');

const readStored = (file: string): Partial<LocalSecrets> => {
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not an object');
    return parsed as Partial<LocalSecrets>;
  } catch {
    // The content is secret, so the message names the file only.
    throw new Error(`DATA_DIR: ${file} is not a JSON object; delete it to generate new local secrets`);
  }
};

export const loadLocalSecrets = (
  dataDir: string,
  provided: { linkSigningSecret?: string; slackSigningSecret?: string } = {},
): LocalSecrets => {
  const file = join(dataDir, 'secrets.json');
  const stored = readStored(file);
  const next = { ...stored };
  let changed = false;
  const pick = (key: keyof LocalSecrets, fromEnv: string | undefined): string => {
    if (fromEnv !== undefined) return fromEnv;
    const existing = stored[key];
    if (typeof existing === 'string' && existing !== '') return existing;
    changed = true;
    next[key] = generate();
    return next[key];
  };
  const secrets: LocalSecrets = {
    linkSigningSecret: pick('linkSigningSecret', provided.linkSigningSecret),
    slackSigningSecret: pick('slackSigningSecret', provided.slackSigningSecret),
    jwtSigningKey: pick('jwtSigningKey', undefined),
  };
  mkdirSync(dataDir, { recursive: true });
  if (changed) {
    // Write-then-rename: a crash mid-write never leaves a truncated file that would change every secret.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${JSON.stringify(next, null, 2)}\n`, { mode: 0o600 });
    renameSync(temporary, file);
  }
  chmodSync(file, 0o600);
  return secrets;
};
