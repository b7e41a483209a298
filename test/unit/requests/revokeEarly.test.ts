import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { ensureTable, startDynalite, type LocalDynamo } from '../../../local/dynamodb.js';
import { loadServerlessConfig } from '../../../local/serverlessConfig.js';
import { parsePolicy } from '../../../functions/policy/policy.js';
import { requestKey, statusIndexKeys } from '../../../functions/requests/keys.js';
import type { RequestItem, RequestStatus } from '../../../functions/requests/model.js';
import { createRequestRepository, event } from '../../../functions/requests/repository.js';
import { revokeEarly, type RevokeEarlyDeps } from '../../../functions/requests/revokeEarly.js';
import { RevokeConflictError } from '../../../functions/shared/errors.js';

const sfn = new SFNClient({ region: 'us-east-1' });
const sfnMock = mockClient(sfn);

const policy = parsePolicy({
  auditors: ['dana@example.com'],
  rules: [{ action: 'sso:CreateAccountAssignment', approvers: ['bob@example.com', 'carol@example.com'] }],
});

const NOW = new Date('2026-11-21T12:00:00.000Z');
const GRANT_TOKEN = 'grant-task-token';

const activeItem = (overrides: Partial<RequestItem> = {}): RequestItem => {
  const status: RequestStatus = overrides.status ?? 'ACTIVE';
  const identity = { requester: 'alice@example.com', targetId: '111111111111', action: 'sso:CreateAccountAssignment' };
  return {
    ...requestKey('r-1'),
    kind: 'REQUEST',
    requestId: 'r-1',
    action: identity.action,
    parameters: '{"TargetId":"111111111111"}',
    requester: identity.requester,
    justification: 'on-call',
    summary: 'Assign ps-1 to user u on account 111111111111 for 60 minutes',
    targetId: identity.targetId,
    status,
    ...statusIndexKeys(identity, status),
    createdAt: '2026-11-21T10:00:00.000Z',
    updatedAt: '2026-11-21T11:00:00.000Z',
    expiresAt: '2026-11-22T10:00:00.000Z',
    approvers: ['bob@example.com', 'carol@example.com'],
    minApprovals: 1,
    approvalCount: 1,
    decisions: { 'bob@example.com': 'approve' },
    approvals: [{ approver: 'bob@example.com', decision: 'approve', at: '2026-11-21T10:30:00.000Z', via: 'link' }],
    events: [event('2026-11-21T10:00:00.000Z', 'submitted')],
    durationMinutes: 60,
    activeUntil: '2026-11-21T12:30:00.000Z',
    ...overrides,
  };
};

/** In memory, with the same first-writer-wins rule as the real conditional write (tested below against dynalite). */
const fakeRepository = (initial: RequestItem | undefined, tokens: string[] = [GRANT_TOKEN]) => {
  let item = initial ? structuredClone(initial) : undefined;
  const claims: Array<{ by: string; at: string }> = [];
  const tokenReads: string[] = [];
  const repository: RevokeEarlyDeps['repository'] = {
    get: async () => (item ? structuredClone(item) : undefined),
    getTaskToken: async () => {
      // Each read gets the next stored token, standing in for the workflow replacing it between reads.
      const token = tokens.length > 1 ? tokens.shift() : tokens[0];
      if (token) tokenReads.push(token);
      return token;
    },
    markRevokeRequested: async (_requestId, by, at) => {
      if (item?.status !== 'ACTIVE' || item.revokeRequestedBy !== undefined) return false;
      item = { ...item, revokeRequestedBy: by, events: [...item.events, event(at, 'revoke_requested', { by })] };
      claims.push({ by, at });
      return true;
    },
    withdrawRevokeRequest: async (_requestId, by, at, reason) => {
      if (item?.status !== 'ACTIVE' || item.revokeRequestedBy !== by) return false;
      const { revokeRequestedBy: _withdrawn, ...rest } = item;
      item = { ...rest, events: [...item.events, event(at, 'revoke_request_failed', { by, error: reason })] };
      return true;
    },
  };
  return {
    repository,
    claims,
    tokenReads,
    current: () => item,
    setItem: (next: RequestItem): void => {
      item = next;
    },
  };
};

const depsWith = (repository: RevokeEarlyDeps['repository']): RevokeEarlyDeps => ({
  repository,
  sfn,
  clock: { now: () => NOW },
  policy,
});

const awsError = (name: string): Error => Object.assign(new Error(`${name} (mock)`), { name });

beforeEach(() => {
  sfnMock.reset();
  sfnMock.on(SendTaskSuccessCommand).resolves({});
});

describe('revokeEarly', () => {
  it.each(['alice@example.com', 'bob@example.com', 'carol@example.com', 'dana@example.com'])(
    '%s (requester, approver or auditor) ends an ACTIVE grant: claim recorded, then one SendTaskSuccess naming them',
    async (caller) => {
      // Prepare
      const fake = fakeRepository(activeItem());
      // Act
      const result = await revokeEarly({ requestId: 'r-1', caller }, depsWith(fake.repository));
      // Assess
      expect(result).toEqual({
        requestId: 'r-1',
        status: 'ACTIVE',
        revokeRequestedBy: caller,
        message: 'Revocation started',
      });
      expect(fake.claims).toEqual([{ by: caller, at: NOW.toISOString() }]);
      expect(fake.current()?.events.at(-1)).toEqual({
        at: NOW.toISOString(),
        type: 'revoke_requested',
        detail: JSON.stringify({ by: caller }),
      });
      const sent = sfnMock.commandCalls(SendTaskSuccessCommand);
      expect(sent).toHaveLength(1);
      expect(sent[0]!.args[0].input).toEqual({ taskToken: GRANT_TOKEN, output: JSON.stringify({ revokedBy: caller }) });
    },
  );

  it('answers 404 to a stranger, exactly as for a request that does not exist, and changes nothing', async () => {
    // Prepare
    const fake = fakeRepository(activeItem());
    const missing = fakeRepository(undefined);
    // Act
    const stranger = revokeEarly({ requestId: 'r-1', caller: 'eve@example.com' }, depsWith(fake.repository));
    const nothing = revokeEarly({ requestId: 'r-404', caller: 'alice@example.com' }, depsWith(missing.repository));
    // Assess
    await expect(stranger).rejects.toMatchObject({
      statusCode: 404,
      code: 'NotFound',
      message: 'Request r-1 not found',
    });
    await expect(nothing).rejects.toMatchObject({
      statusCode: 404,
      code: 'NotFound',
      message: 'Request r-404 not found',
    });
    expect(fake.claims).toEqual([]);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it.each<RequestStatus>(['PENDING_APPROVAL', 'APPROVED', 'COMPLETED', 'REVOKED', 'REVOKE_FAILED', 'DENIED', 'FAILED'])(
    'refuses a %s request with 409 RevokeConflict naming the status and carrying the request view',
    async (status) => {
      // Prepare
      const fake = fakeRepository(activeItem({ status }));
      // Act
      const attempt = revokeEarly({ requestId: 'r-1', caller: 'alice@example.com' }, depsWith(fake.repository));
      // Assess
      await expect(attempt).rejects.toBeInstanceOf(RevokeConflictError);
      await expect(attempt).rejects.toMatchObject({
        statusCode: 409,
        code: 'RevokeConflict',
        message: expect.stringContaining(status),
        request: expect.objectContaining({ requestId: 'r-1', status }),
      });
      expect(fake.claims).toEqual([]);
      expect(sfnMock.calls()).toHaveLength(0);
    },
  );

  it('refuses a second revoke with 409 naming who asked first, and resumes the workflow only once', async () => {
    // Prepare
    const fake = fakeRepository(activeItem());
    await revokeEarly({ requestId: 'r-1', caller: 'alice@example.com' }, depsWith(fake.repository));
    // Act
    const again = revokeEarly({ requestId: 'r-1', caller: 'bob@example.com' }, depsWith(fake.repository));
    // Assess
    await expect(again).rejects.toMatchObject({
      statusCode: 409,
      code: 'RevokeConflict',
      message: expect.stringContaining('alice@example.com'),
      request: expect.objectContaining({ status: 'ACTIVE', revokeRequestedBy: 'alice@example.com' }),
    });
    expect(fake.claims).toHaveLength(1);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('ten concurrent revokes: one 202, nine conflicts, one SendTaskSuccess', async () => {
    // Prepare
    const fake = fakeRepository(activeItem());
    const callers = Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? 'alice@example.com' : 'bob@example.com'));
    // Act
    const results = await Promise.allSettled(
      callers.map((caller) => revokeEarly({ requestId: 'r-1', caller }, depsWith(fake.repository))),
    );
    // Assess
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const refused = results
      .filter((r): r is PromiseRejectedResult => r.status === 'rejected')
      .map((r) => r.reason as RevokeConflictError);
    expect(refused).toHaveLength(9);
    expect(refused.every((e) => e instanceof RevokeConflictError)).toBe(true);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('losing the claim to a grant that just ended answers 409 with the state that won', async () => {
    // Prepare: the read sees ACTIVE, but the workflow records REVOKED before the claim lands
    const fake = fakeRepository(activeItem());
    const { repository } = fake;
    const racing: RevokeEarlyDeps['repository'] = {
      ...repository,
      markRevokeRequested: async (...args) => {
        fake.setItem(activeItem({ status: 'REVOKED' }));
        return repository.markRevokeRequested(...args);
      },
    };
    // Act
    const attempt = revokeEarly({ requestId: 'r-1', caller: 'alice@example.com' }, depsWith(racing));
    // Assess
    await expect(attempt).rejects.toMatchObject({
      statusCode: 409,
      message: expect.stringContaining('REVOKED'),
      request: expect.objectContaining({ status: 'REVOKED' }),
    });
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it.each(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'])(
    'still answers when the grant wait is already closed (%s)',
    async (name) => {
      // Prepare
      const fake = fakeRepository(activeItem());
      sfnMock.on(SendTaskSuccessCommand).rejects(awsError(name));
      // Act
      const result = await revokeEarly({ requestId: 'r-1', caller: 'alice@example.com' }, depsWith(fake.repository));
      // Assess
      expect(result).toMatchObject({
        status: 'ACTIVE',
        revokeRequestedBy: 'alice@example.com',
        message: 'Revocation started',
      });
      expect(fake.claims).toHaveLength(1);
      expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    },
  );

  it('tries the newer token once when the stored one was replaced while it was being sent', async () => {
    // Prepare: the first read returns the stale approval token, the re-read the grant's
    const fake = fakeRepository(activeItem(), ['approval-task-token', GRANT_TOKEN]);
    sfnMock.on(SendTaskSuccessCommand, { taskToken: 'approval-task-token' }).rejects(awsError('TaskTimedOut'));
    // Act
    await revokeEarly({ requestId: 'r-1', caller: 'carol@example.com' }, depsWith(fake.repository));
    // Assess
    expect(sfnMock.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken)).toEqual([
      'approval-task-token',
      GRANT_TOKEN,
    ]);
  });

  it('lets any other Step Functions error through, so the caller sees a failure rather than a false 202', async () => {
    // Prepare
    const fake = fakeRepository(activeItem());
    sfnMock.on(SendTaskSuccessCommand).rejects(awsError('ThrottlingException'));
    // Act
    const attempt = revokeEarly({ requestId: 'r-1', caller: 'alice@example.com' }, depsWith(fake.repository));
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('withdraws the claim when the workflow could not be resumed, so a retry ends the grant', async () => {
    // Prepare
    const fake = fakeRepository(activeItem());
    sfnMock.on(SendTaskSuccessCommand).rejectsOnce(awsError('ServiceUnavailable')).resolves({});
    // Act
    const first = revokeEarly({ requestId: 'r-1', caller: 'alice@example.com' }, depsWith(fake.repository));
    await expect(first).rejects.toMatchObject({ name: 'ServiceUnavailable' });
    const afterFailure = fake.current();
    const retry = await revokeEarly({ requestId: 'r-1', caller: 'alice@example.com' }, depsWith(fake.repository));
    // Assess
    expect(afterFailure?.revokeRequestedBy).toBeUndefined();
    expect(afterFailure?.events.map((e) => e.type)).toEqual(['submitted', 'revoke_requested', 'revoke_request_failed']);
    expect(retry).toMatchObject({ status: 'ACTIVE', revokeRequestedBy: 'alice@example.com' });
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(2);
  });
});

describe('repository.markRevokeRequested (dynalite)', () => {
  const TABLE = 'revoke-early-test';
  let dynamo: LocalDynamo;
  let client: DynamoDBClient;

  beforeAll(async () => {
    dynamo = await startDynalite();
    client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    await ensureTable(client, TABLE, loadServerlessConfig().table);
  });

  afterAll(async () => {
    client.destroy();
    await dynamo.close();
  });

  const put = async (item: RequestItem): Promise<void> => {
    await client.send(new PutItemCommand({ TableName: TABLE, Item: marshall(item, { removeUndefinedValues: true }) }));
  };
  const repositoryFor = () => createRequestRepository({ db: DynamoDBDocumentClient.from(client), tableName: TABLE });

  it('claims an ACTIVE request once: sets revokeRequestedBy and appends revoke_requested; a second claim is refused', async () => {
    // Prepare
    const item = activeItem({ requestId: 'm-1', ...requestKey('m-1') });
    await put(item);
    const repository = repositoryFor();
    // Act
    const first = await repository.markRevokeRequested('m-1', 'bob@example.com', NOW.toISOString());
    const second = await repository.markRevokeRequested('m-1', 'alice@example.com', NOW.toISOString());
    // Assess
    expect([first, second]).toEqual([true, false]);
    const stored = await repository.get('m-1');
    expect(stored?.revokeRequestedBy).toBe('bob@example.com');
    expect(stored?.updatedAt).toBe(NOW.toISOString());
    expect(stored?.events.map((e) => [e.type, e.detail])).toEqual([
      ['submitted', '{}'],
      ['revoke_requested', '{"by":"bob@example.com"}'],
    ]);
  });

  it('withdraws only the claimant’s own claim on an ACTIVE request, recording why', async () => {
    // Prepare
    const item = activeItem({ requestId: 'w-1', ...requestKey('w-1') });
    await put(item);
    const repository = repositoryFor();
    await repository.markRevokeRequested('w-1', 'bob@example.com', NOW.toISOString());
    // Act
    const byOther = await repository.withdrawRevokeRequest(
      'w-1',
      'alice@example.com',
      NOW.toISOString(),
      'ServiceUnavailable',
    );
    const byClaimant = await repository.withdrawRevokeRequest(
      'w-1',
      'bob@example.com',
      NOW.toISOString(),
      'ServiceUnavailable',
    );
    const reclaimed = await repository.markRevokeRequested('w-1', 'alice@example.com', NOW.toISOString());
    // Assess
    expect([byOther, byClaimant, reclaimed]).toEqual([false, true, true]);
    const stored = await repository.get('w-1');
    expect(stored?.revokeRequestedBy).toBe('alice@example.com');
    expect(stored?.events.map((e) => e.type)).toEqual([
      'submitted',
      'revoke_requested',
      'revoke_request_failed',
      'revoke_requested',
    ]);
  });

  it.each<RequestStatus>(['COMPLETED', 'REVOKED', 'PENDING_APPROVAL'])(
    'refuses a %s request and writes nothing',
    async (status) => {
      // Prepare
      const requestId = `m-${status}`;
      const item = activeItem({ requestId, ...requestKey(requestId), status });
      await put(item);
      const repository = repositoryFor();
      // Act
      const claimed = await repository.markRevokeRequested(requestId, 'bob@example.com', NOW.toISOString());
      // Assess
      expect(claimed).toBe(false);
      expect(await repository.get(requestId)).toEqual(item);
    },
  );

  it('refuses a request that does not exist without creating it', async () => {
    // Prepare
    const repository = repositoryFor();
    // Act
    const claimed = await repository.markRevokeRequested('m-missing', 'bob@example.com', NOW.toISOString());
    // Assess
    expect(claimed).toBe(false);
    expect(await repository.get('m-missing')).toBeUndefined();
  });
});
