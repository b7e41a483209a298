import { describe, it, expect, beforeEach, afterEach } from '@jest/globals';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadLocalSecrets } from '../../../local/secrets.js';

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'aa-secrets-'));
});

afterEach(() => {
  rmSync(dataDir, { recursive: true, force: true });
});

const BASE64URL_32_BYTES = /^[A-Za-z0-9_-]{43}$/;

describe('loadLocalSecrets', () => {
  it('generates distinct 32-byte secrets into a 0600 file in the data directory', () => {
    // Act
    const secrets = loadLocalSecrets(join(dataDir, 'nested'));

    // Assess
    expect(secrets.linkSigningSecret).toMatch(BASE64URL_32_BYTES);
    expect(secrets.slackSigningSecret).toMatch(BASE64URL_32_BYTES);
    expect(secrets.jwtSigningKey).toMatch(BASE64URL_32_BYTES);
    expect(new Set(Object.values(secrets)).size).toBe(3);
    const file = join(dataDir, 'nested', 'secrets.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual(secrets);
  });

  it('reuses the stored secrets after a restart', () => {
    // Prepare
    const first = loadLocalSecrets(dataDir);

    // Act
    const second = loadLocalSecrets(dataDir);

    // Assess
    expect(second).toEqual(first);
  });

  it('prefers secrets from the environment and never writes them to disk', () => {
    // Act
    const secrets = loadLocalSecrets(dataDir, {
      linkSigningSecret: 'from-env-link',
      slackSigningSecret: 'from-env-slack',
    });

    // Assess
    expect(secrets.linkSigningSecret).toBe('from-env-link');
    expect(secrets.slackSigningSecret).toBe('from-env-slack');
    const stored = readFileSync(join(dataDir, 'secrets.json'), 'utf8');
    expect(stored).not.toContain('from-env');
    expect(JSON.parse(stored)).toEqual({ jwtSigningKey: secrets.jwtSigningKey });
  });

  it('tightens the permissions of an existing file', () => {
    // Prepare
    const first = loadLocalSecrets(dataDir);
    chmodSync(join(dataDir, 'secrets.json'), 0o644);

    // Act
    const second = loadLocalSecrets(dataDir);

    // Assess
    expect(second).toEqual(first);
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
  });

  it('refuses a corrupt file, naming the file but not its content', () => {
    // Prepare
    writeFileSync(join(dataDir, 'secrets.json'), 'super-secret-garbage');

    // Act
    const act = () => loadLocalSecrets(dataDir);

    // Assess
    expect(act).toThrow(`${join(dataDir, 'secrets.json')} is not a JSON object`);
    expect(act).not.toThrow('super-secret-garbage');
  });
});
