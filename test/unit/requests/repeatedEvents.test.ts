// A revocation's transient errors against dynalite: a day of them (up to 2,880 retries) must not outgrow DynamoDB's
// 400 KB item limit. Each is counted with the latest kept, and appended to the events only while it says something
// new (the first few, a change of error, every 100th), never past the events cap.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable, startDynalite, type LocalDynamo } from '../../../local/dynamodb.js';
import { loadServerlessConfig } from '../../../local/serverlessConfig.js';
import { requestKey } from '../../../functions/requests/keys.js';
import {
  createRequestRepository,
  event,
  REPEATED_EVENT_BOUNDS,
  type RequestRepository,
} from '../../../functions/requests/repository.js';
import { revocationError } from '../../../functions/provisioning/attempts.js';

const TABLE = 'repeated-events-test';
let dynamo: LocalDynamo;
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let repository: RequestRepository;
let next = 0;

const activeRequest = async (): Promise<string> => {
  const requestId = `req-${++next}`;
  await db.send(new PutCommand({ TableName: TABLE, Item: { ...requestKey(requestId), status: 'ACTIVE', events: [] } }));
  return requestId;
};

const storedItem = async (requestId: string) =>
  (await db.send(new GetCommand({ TableName: TABLE, Key: requestKey(requestId), ConsistentRead: true }))).Item as {
    events: Array<{ type: string; detail: string }>;
    revocationErrors: number;
    lastRevocationError: { key: string };
    revocationStartedAt: string;
  };

/** One retried revocation error, recorded as the revoke task records it. */
const recordError = (requestId: string, at: number, name: string) =>
  repository.appendEventNoting(
    requestId,
    event(new Date(at).toISOString(), 'revocation_error', { operation: 'DeleteAccountAssignment', error: name }),
    ['ACTIVE'],
    'revocationStartedAt',
    revocationError(`DeleteAccountAssignment:${name}`),
  );

beforeAll(async () => {
  dynamo = await startDynalite();
  client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  db = DynamoDBDocumentClient.from(client);
  await ensureTable(client, TABLE, loadServerlessConfig().table);
  repository = createRequestRepository({ db, tableName: TABLE });
});

afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

describe('repeated revocation errors', () => {
  it('250 of the same error: all counted, 12 stored (the first 10, the 100th, the 200th), the budget noted once', async () => {
    // Prepare
    const requestId = await activeRequest();
    const start = Date.parse('2026-12-03T12:00:00Z');

    // Act
    const marks: Array<string | undefined> = [];
    for (let i = 0; i < 250; i++) marks.push(await recordError(requestId, start + i * 30_000, 'ThrottlingException'));

    // Assess
    const item = await storedItem(requestId);
    expect(item.revocationErrors).toBe(250);
    expect(item.lastRevocationError.key).toBe('DeleteAccountAssignment:ThrottlingException');
    expect(item.events).toHaveLength(12);
    expect(item.events.map((e) => (JSON.parse(e.detail) as { count: number }).count).slice(-2)).toEqual([100, 200]);
    expect(new Set(marks)).toEqual(new Set([new Date(start).toISOString()]));
    expect(item.revocationStartedAt).toBe(new Date(start).toISOString());
  });

  it('an error that changes name every time: each change stored, until the events cap', async () => {
    // Prepare
    const requestId = await activeRequest();
    const start = Date.parse('2026-12-03T12:00:00Z');

    // Act
    for (let i = 0; i < REPEATED_EVENT_BOUNDS.maxEvents + 20; i++)
      await recordError(requestId, start + i * 1000, i % 2 === 0 ? 'ThrottlingException' : 'ConflictException');

    // Assess
    const item = await storedItem(requestId);
    expect(item.revocationErrors).toBe(REPEATED_EVENT_BOUNDS.maxEvents + 20);
    expect(item.events).toHaveLength(REPEATED_EVENT_BOUNDS.maxEvents);
  });

  it('a request no longer ACTIVE: nothing written, no budget mark returned', async () => {
    // Prepare
    const requestId = await activeRequest();
    await db.send(
      new PutCommand({ TableName: TABLE, Item: { ...requestKey(requestId), status: 'REVOKED', events: [] } }),
    );

    // Act
    const mark = await recordError(requestId, Date.parse('2026-12-03T12:00:00Z'), 'ThrottlingException');

    // Assess
    expect(mark).toBeUndefined();
    expect((await storedItem(requestId)).events).toEqual([]);
  });
});
