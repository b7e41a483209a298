// End-to-end helpers: the real local stack (dynalite, the real ASL, real handlers) driven over HTTP, and
// real AWS SDK v3 clients pointed at its emulated AWS endpoint.
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { SFNClient, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../local/stack.js';
import { assertNoSecretsLeaked, captureLogs, recordResponse } from './leakAudit.js';

// Re-exported so the e2e suites keep importing everything they need from the harness.
export { PROTON_CONNECTION_IDS, SSO_PARAMETERS, protonRequest, ssoRequest } from '../fixtures/requests.js';

export const newDataDir = (): string => mkdtempSync(join(tmpdir(), 'access-approvals-e2e-'));

export interface Harness {
  stack: LocalStack;
  /** Audits everything this test file saw for leaked secrets, then stops the stack. */
  close(): Promise<void>;
  aws: {
    region: string;
    endpoint: string;
    credentials: { accessKeyId: string; secretAccessKey: string };
    maxAttempts: number;
  };
  token(email: string): Promise<string>;
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string },
  ): Promise<{ status: number; body: unknown; text: string; headers: Headers }>;
  outbox(requestId: string): Promise<Array<{ approver: string; kind: string; approvalUrl?: string; text: string }>>;
  waitForLinks(requestId: string, count: number): Promise<Map<string, string>>;
  waitForMessages(
    requestId: string,
    kind: 'approval' | 'outcome',
    count: number,
  ): Promise<Awaited<ReturnType<Harness['outbox']>>>;
  waitForStatus(
    requestId: string,
    token: string,
    statuses: string[],
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** The stored request item (DynamoDB JSON), read consistently. */
  readItem(requestId: string): Promise<Record<string, unknown> | undefined>;
  /** Waits until the request's events include `type` (e.g. `notified`, written just after the links go out). */
  waitForEvent(requestId: string, type: string): Promise<void>;
  itemCount(): Promise<number>;
  executionCount(): Promise<number>;
  /** The stack's Slack signing secret, generated into <dataDir>/secrets.json unless one was given. */
  slackSigningSecret(): string;
  /**
   * POSTs a Slack interaction `payload` to /slack/interactions, form-encoded and signed as Slack does. `timestamp`
   * (epoch seconds) defaults to now; `signature: null` sends no signature headers at all.
   */
  slackClick(
    payload: unknown,
    options?: { secret?: string; timestamp?: number; signature?: string | null },
  ): Promise<Awaited<ReturnType<Harness['call']>>>;
}

export const startHarness = async (options: Partial<LocalStackOptions> = {}): Promise<Harness> => {
  captureLogs();
  const stack = await startLocalStack({
    port: 0,
    awsPort: 0,
    dataDir: options.dataDir ?? newDataDir(),
    quiet: true,
    timeScale: 0.01,
    ...options,
  });
  const aws = {
    region: 'us-east-1',
    endpoint: stack.awsUrl,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  const dynamodb = new DynamoDBClient(aws);
  const sfn = new SFNClient(aws);

  const call: Harness['call'] = async (method, path, { token, body, headers = {}, rawBody } = {}) => {
    const response = await fetch(`${stack.httpUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: rawBody ?? (body !== undefined ? JSON.stringify(body) : undefined),
    });
    const text = await response.text();
    recordResponse(text);
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // HTML or empty bodies stay as text.
    }
    return { status: response.status, body: parsed, text, headers: response.headers };
  };

  const outbox: Harness['outbox'] = async (requestId) =>
    (await call('GET', `/local/outbox?requestId=${encodeURIComponent(requestId)}`)).body as Awaited<
      ReturnType<Harness['outbox']>
    >;

  const poll = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const slackSigningSecret = (): string =>
    (JSON.parse(readFileSync(join(stack.dataDir, 'secrets.json'), 'utf8')) as { slackSigningSecret: string })
      .slackSigningSecret;

  return {
    stack,
    close: async () => {
      try {
        await assertNoSecretsLeaked(stack);
      } finally {
        await stack.close();
      }
    },
    aws,
    call,
    outbox,
    token: async (email) =>
      ((await call('POST', '/local/tokens', { body: { sub: email.split('@')[0], email } })).body as { token: string })
        .token,
    waitForMessages: (requestId, kind, count) =>
      poll(`${count} ${kind} message(s) for ${requestId}`, async () => {
        const messages = (await outbox(requestId)).filter((m) => m.kind === kind);
        return messages.length >= count ? messages : undefined;
      }),
    waitForLinks: (requestId, count) =>
      poll(`${count} approval link(s) for ${requestId}`, async () => {
        const links = (await outbox(requestId)).filter((m) => m.kind === 'approval' && m.approvalUrl);
        return links.length >= count
          ? new Map(links.map((m) => [m.approver, new URL(m.approvalUrl!).pathname]))
          : undefined;
      }),
    waitForStatus: (requestId, token, statuses, timeoutMs) =>
      poll(
        `${requestId} to reach ${statuses.join('/')}`,
        async () => {
          const { status, body } = await call('GET', `/requests/${requestId}`, { token });
          return status === 200 && statuses.includes((body as { status: string }).status)
            ? (body as Record<string, unknown>)
            : undefined;
        },
        timeoutMs,
      ),
    slackSigningSecret,
    slackClick: (payload, { secret, timestamp = Math.floor(Date.now() / 1000), signature } = {}) => {
      const rawBody = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
      // Signed here from Slack's documented recipe, independently of the code under test.
      const signed = `v0=${createHmac('sha256', secret ?? slackSigningSecret())
        .update(`v0:${timestamp}:${rawBody}`)
        .digest('hex')}`;
      const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
      if (signature !== null)
        Object.assign(headers, {
          'x-slack-request-timestamp': String(timestamp),
          'x-slack-signature': signature ?? signed,
        });
      return call('POST', '/slack/interactions', { rawBody, headers });
    },
    readItem: async (requestId) =>
      (
        await dynamodb.send(
          new GetItemCommand({
            TableName: stack.tableName,
            Key: { pk: { S: `REQUEST#${requestId}` }, sk: { S: 'REQUEST' } },
            ConsistentRead: true,
          }),
        )
      ).Item,
    waitForEvent: async (requestId, type) => {
      await poll(`a ${type} event on ${requestId}`, async () => {
        const { Item } = await dynamodb.send(
          new GetItemCommand({
            TableName: stack.tableName,
            Key: { pk: { S: `REQUEST#${requestId}` }, sk: { S: 'REQUEST' } },
            ConsistentRead: true,
          }),
        );
        return Item?.events?.L?.some((e) => e.M?.type?.S === type) ? true : undefined;
      });
    },
    // Tests may scan: they check that nothing at all was written.
    itemCount: async () =>
      (await dynamodb.send(new ScanCommand({ TableName: stack.tableName, Select: 'COUNT' }))).Count ?? 0,
    executionCount: async () =>
      (await sfn.send(new ListExecutionsCommand({ stateMachineArn: stack.stateMachineArn }))).executions?.length ?? 0,
  };
};
