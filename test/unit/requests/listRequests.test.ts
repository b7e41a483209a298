// GET /requests through its handler (middleware included), with DynamoDB mocked: a page whose request items
// DynamoDB keeps leaving unprocessed fails with 503 and Retry-After, never a page with rows missing.
import { beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { BatchGetCommand, DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Context } from 'aws-lambda';
import { CSV_TIME_MARGIN_MS, handler } from '../../../functions/listRequests.js';
import { approverKey, requestKey, statusIndexKeys } from '../../../functions/requests/keys.js';
import type { ApproverItem, RequestItem } from '../../../functions/requests/model.js';
import { BATCH_GET_ROUNDS, RETRY_AFTER_SECONDS } from '../../../functions/requests/queryRequests.js';
import type { HttpEvent, HttpResult } from '../../../functions/shared/http.js';

const TABLE = 'requests-unit';
// Every instance, including the one the handler creates for itself.
const dbMock = mockClient(DynamoDBDocumentClient);

beforeAll(() => {
  process.env.TABLE_NAME = TABLE;
  process.env.POLICY_FILE = 'config/policy.local.json';
  process.env.LINK_SIGNING_SECRET = 'unit-test-link-secret';
  process.env.AWS_REGION ??= 'us-east-1';
});

beforeEach(() => {
  dbMock.reset();
});

const AUDITOR = 'dana@example.com';
const APPROVER = 'bob@example.com';

const createdAt = (i: number): string => new Date(Date.UTC(2026, 10, 21, 12, 0, 0) - i * 60_000).toISOString();

/** The approver entries of `count` requests, newest first, as the byApprover index returns them. */
const approverEntries = (count: number): ApproverItem[] =>
  Array.from({ length: count }, (_, i) => ({
    ...approverKey(`r-${i}`, APPROVER),
    approver: APPROVER,
    requestId: `r-${i}`,
    createdAt: createdAt(i),
    ref: {
      action: 'sso:CreateAccountAssignment',
      targetId: '111111111111',
      requester: 'alice@example.com',
      status: 'COMPLETED',
    },
    approverStatus: `${APPROVER}#COMPLETED`,
    approverAction: `${APPROVER}#sso:CreateAccountAssignment`,
  }));

const requestItem = (requestId: string, i: number): RequestItem => ({
  ...requestKey(requestId),
  kind: 'REQUEST',
  requestId,
  action: 'sso:CreateAccountAssignment',
  parameters: '{"TargetId":"111111111111"}',
  requester: 'alice@example.com',
  justification: 'on-call',
  summary: 'Assign ps-1 to user u on account 111111111111',
  targetId: '111111111111',
  status: 'COMPLETED',
  ...statusIndexKeys(
    { requester: 'alice@example.com', targetId: '111111111111', action: 'sso:CreateAccountAssignment' },
    'COMPLETED',
  ),
  createdAt: createdAt(i),
  updatedAt: createdAt(i),
  expiresAt: '2026-11-22T12:00:00.000Z',
  approvers: [APPROVER],
  minApprovals: 1,
  approvalCount: 1,
  decisions: { [APPROVER]: 'approve' },
  approvals: [],
  events: [],
});

const idOf = (key: Record<string, unknown>): string => String(key.pk).slice('REQUEST#'.length);

type Keys = Array<Record<string, unknown>>;
const keysOf = (input: { RequestItems?: Record<string, { Keys?: Keys }> }): Keys =>
  input.RequestItems?.[TABLE]?.Keys ?? [];

/**
 * BatchGet as DynamoDB answers it under throttling: for the first `unprocessedRounds` calls, the last key of
 * every call comes back unprocessed; after that every key is answered.
 */
const batchGetLeavingOneKey = (unprocessedRounds: number): void => {
  let calls = 0;
  dbMock.on(BatchGetCommand).callsFake((input: { RequestItems?: Record<string, { Keys?: Keys }> }) => {
    calls += 1;
    const keys = keysOf(input);
    const answered = calls <= unprocessedRounds ? keys.slice(0, -1) : keys;
    const left = keys.slice(answered.length);
    return {
      Responses: { [TABLE]: answered.map((key) => requestItem(idOf(key), Number(idOf(key).slice(2)))) },
      ...(left.length ? { UnprocessedKeys: { [TABLE]: { Keys: left } } } : {}),
    };
  });
};

const listEvent = (query: Record<string, string>, headers: Record<string, string> = {}): HttpEvent =>
  ({
    version: '2.0',
    routeKey: 'GET /requests',
    rawPath: '/requests',
    rawQueryString: new URLSearchParams(query).toString(),
    headers,
    queryStringParameters: query,
    isBase64Encoded: false,
    requestContext: {
      requestId: 'unit-request-id',
      authorizer: { jwt: { claims: { email: AUDITOR, sub: 'dana' }, scopes: [] } },
    },
  }) as unknown as HttpEvent;

const context = {
  functionName: 'listRequests',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:listRequests',
  memoryLimitInMB: '256',
  awsRequestId: 'unit-aws-request-id',
  getRemainingTimeInMillis: () => 29_000,
} as unknown as Context;

const call = async (
  query: Record<string, string>,
  headers?: Record<string, string>,
  lambdaContext: Context = context,
): Promise<HttpResult> => (await handler(listEvent(query, headers), lambdaContext)) as HttpResult;

describe('GET /requests on an approver index, when DynamoDB leaves request items unprocessed', () => {
  it.each([
    ['a JSON page', { approver: APPROVER, limit: '5' }],
    ['the CSV export', { approver: APPROVER, format: 'csv' }],
  ])(
    'fails %s with 503, Retry-After and a contract error body when keys stay unprocessed: no partial answer',
    async (_what, query) => {
      // Prepare
      dbMock.on(QueryCommand).resolves({ Items: approverEntries(5), ScannedCount: 5 });
      batchGetLeavingOneKey(Number.POSITIVE_INFINITY);
      // Act
      const response = await call(query);
      // Assess
      expect(response.statusCode).toBe(503);
      expect(response.headers?.['retry-after']).toBe(String(RETRY_AFTER_SECONDS));
      expect(response.headers?.['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(String(response.body))).toEqual({
        error: { code: 'ServiceUnavailable', message: expect.stringContaining('try again') },
      });
      expect(dbMock.commandCalls(BatchGetCommand)).toHaveLength(BATCH_GET_ROUNDS);
    },
  );

  it('completes the page when keys come back unprocessed twice, then are answered', async () => {
    // Prepare
    dbMock.on(QueryCommand).resolves({ Items: approverEntries(5), ScannedCount: 5 });
    batchGetLeavingOneKey(2);
    // Act
    const response = await call({ approver: APPROVER, limit: '5' });
    // Assess
    expect(response.statusCode).toBe(200);
    const body = JSON.parse(String(response.body));
    expect(body.items.map((item: { requestId: string }) => item.requestId)).toEqual([
      'r-0',
      'r-1',
      'r-2',
      'r-3',
      'r-4',
    ]);
    expect(body.nextCursor).toBeUndefined();
    expect(response.headers?.['x-items-returned']).toBe('5');
    // The retries asked only for what was left: one key each.
    expect(dbMock.commandCalls(BatchGetCommand).map((c) => keysOf(c.args[0].input).length)).toEqual([5, 1, 1]);
  });

  it('reads a page of 200 approver entries in BatchGet calls of at most 100 keys, and returns every row', async () => {
    // Prepare: BatchGetItem refuses more than 100 keys in one call
    dbMock.on(QueryCommand).resolves({ Items: approverEntries(200), ScannedCount: 200 });
    batchGetLeavingOneKey(0);
    // Act
    const response = await call({ approver: APPROVER, limit: '200' });
    // Assess
    expect(response.statusCode).toBe(200);
    expect(JSON.parse(String(response.body)).items).toHaveLength(200);
    expect(dbMock.commandCalls(BatchGetCommand).map((c) => keysOf(c.args[0].input).length)).toEqual([100, 100]);
  });
});

describe('GET /requests on its examination budget', () => {
  /** A byTarget index of 2,500 items of which only two match the action filter, read as DynamoDB would. */
  const sparseIndex = (): void => {
    const total = 2_500;
    const matching = new Set([1_800, 2_400]);
    const itemAt = (index: number) => ({
      ...requestItem(`x-${index}`, index),
      action: matching.has(index) ? 'sso:CreateAccountAssignment' : 'proton:AcceptEnvironmentAccountConnection',
    });
    dbMock.on(QueryCommand).callsFake((input: { Limit?: number; ExclusiveStartKey?: Record<string, unknown> }) => {
      const from = input.ExclusiveStartKey ? Number(idOf(input.ExclusiveStartKey).slice(2)) + 1 : 0;
      const to = Math.min(total, from + (input.Limit ?? total));
      const read = Array.from({ length: to - from }, (_, i) => itemAt(from + i));
      const last = read.at(-1);
      return {
        Items: read.filter((item) => item.action === 'sso:CreateAccountAssignment'),
        ScannedCount: read.length,
        ...(to < total && last
          ? { LastEvaluatedKey: { pk: last.pk, sk: last.sk, targetId: last.targetId, createdAt: last.createdAt } }
          : {}),
      };
    });
  };

  it('answers a short page only with a cursor, and following the cursors finds every matching row', async () => {
    // Prepare
    sparseIndex();
    const query = { targetId: '111111111111', action: 'sso:CreateAccountAssignment', limit: '5' };
    // Act
    const pages: Array<{ ids: string[]; cursor?: string; examined: string }> = [];
    let cursor: string | undefined;
    do {
      const response = await call(cursor ? { ...query, cursor } : query);
      expect(response.statusCode).toBe(200);
      const body = JSON.parse(String(response.body));
      cursor = body.nextCursor;
      pages.push({
        ids: body.items.map((item: { requestId: string }) => item.requestId),
        cursor,
        examined: String(response.headers?.['x-items-examined']),
      });
    } while (cursor && pages.length < 10);
    // Assess
    expect(pages.flatMap((page) => page.ids)).toEqual(['x-1800', 'x-2400']);
    for (const page of pages.slice(0, -1)) {
      // Every page short of the limit that is not the last says it is partial: a cursor, and the whole budget spent.
      expect(page.cursor).toEqual(expect.any(String));
      expect(Number(page.examined)).toBeGreaterThanOrEqual(1_000);
    }
    expect(pages.at(-1)?.cursor).toBeUndefined();
  });

  it('stops a CSV export that runs short of Lambda time and says where to continue, rather than be cut off', async () => {
    // Prepare: plenty of time until the first page has been read, then less than the margin
    sparseIndex();
    const remainingMs = (): number => (dbMock.commandCalls(QueryCommand).length > 0 ? CSV_TIME_MARGIN_MS - 1 : 29_000);
    const shortOfTime = { ...context, getRemainingTimeInMillis: remainingMs } as Context;
    const query = { targetId: '111111111111', action: 'sso:CreateAccountAssignment', format: 'csv' };
    // Act
    const response = await call(query, {}, shortOfTime);
    // Assess: one page was read (it spent the examination budget without a match), then the export stopped
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['content-type']).toMatch(/^text\/csv/);
    expect(response.headers?.['x-next-cursor']).toEqual(expect.any(String));
    expect(String(response.body).trimEnd().split('\r\n')).toHaveLength(1);
  });
});
