import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack } from '../../../local/stack.js';

let dataDir: string;
let stack: LocalStack | undefined;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'aa-stack-'));
});

afterAll(async () => {
  await stack?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const tokenFor = async (httpUrl: string, email: string): Promise<string> => {
  const answer = await fetch(`${httpUrl}/local/tokens`, { method: 'POST', body: JSON.stringify({ email }) });
  return ((await answer.json()) as { token: string }).token;
};

describe('startLocalStack', () => {
  it('serves the HTTP API and the AWS endpoint, and gives the handlers their environment', async () => {
    // Act
    stack = await startLocalStack({ port: 0, awsPort: 0, dataDir, quiet: true, timeScale: 0.01 });
    const token = await tokenFor(stack.httpUrl, 'alice@example.com');
    const missing = await fetch(`${stack.httpUrl}/requests/00000000-0000-4000-8000-000000000000`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const health = await fetch(stack.awsUrl);

    // Assess
    expect(stack.tableName).toBe('access-approvals-local-requests');
    expect(stack.stateMachineArn).toBe(
      'arn:aws:states:us-east-1:000000000000:stateMachine:access-approvals-local-approval',
    );
    expect(missing.status).toBe(404);
    expect(await health.json()).toEqual({
      status: 'ok',
      services: ['DynamoDB', 'states', 'sso-admin', 'proton', 'identitystore', 'organizations'],
    });
    expect(process.env).toMatchObject({
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: stack.awsUrl,
      TABLE_NAME: stack.tableName,
      STATE_MACHINE_ARN: stack.stateMachineArn,
      PUBLIC_BASE_URL: stack.httpUrl,
      OUTBOX_FILE: join(dataDir, 'outbox.jsonl'),
    });
    expect(process.env.SLACK_BOT_TOKEN).toBeUndefined();
  });

  it('restarts on the same data directory and ports, so tokens and cached handler clients stay valid', async () => {
    // Prepare
    const before = stack as LocalStack;
    const token = await tokenFor(before.httpUrl, 'alice@example.com');
    await before.close();

    // Act
    stack = await startLocalStack({ port: 0, awsPort: 0, dataDir, quiet: true });
    const answer = await fetch(`${stack.httpUrl}/requests/00000000-0000-4000-8000-000000000000`, {
      headers: { authorization: `Bearer ${token}` },
    });

    // Assess
    expect(stack.httpUrl).toBe(before.httpUrl);
    expect(stack.awsUrl).toBe(before.awsUrl);
    expect(answer.status).toBe(404);
  });

  it('refuses a second configuration in the same process, naming the variable, and leaves nothing running', async () => {
    // Prepare
    const otherDir = mkdtempSync(join(tmpdir(), 'aa-stack-other-'));

    // Act
    const second = startLocalStack({ port: 0, awsPort: 0, dataDir: otherDir, quiet: true });

    // Assess
    await expect(second).rejects.toThrow(
      /startLocalStack: (LINK_SIGNING_SECRET|OUTBOX_FILE|PUBLIC_BASE_URL|AWS_ENDPOINT_URL) differs/,
    );
    rmSync(otherDir, { recursive: true, force: true });
  });
});
