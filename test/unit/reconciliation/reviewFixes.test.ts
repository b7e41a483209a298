// The review fixes of issue 13 on the reconciler, against the same mocked AWS and recording fakes as reconciler.test.ts:
// what is never believed, what is never sent twice, and what one failing item no longer stops.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  ListAccountAssignmentsCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListPermissionSetsCommand,
} from '@aws-sdk/client-sso-admin';
import { GetCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { reconcile } from '../../../functions/reconciliation/reconciler.js';
import { createRunLease, RUN_LEASE_KEY, type RunLease } from '../../../functions/reconciliation/runLease.js';
import { event } from '../../../functions/requests/repository.js';
import { SSO_PARAMETERS } from '../../fixtures/requests.js';
import {
  db,
  ddbMock,
  ssoMock,
  sfnMock,
  NOW,
  grant,
  setUp,
  world,
  listed,
  deletion,
  statusWrites,
  eventsWritten,
} from '../../fixtures/reconcilerWorld.js';

beforeEach(() => {
  ddbMock.reset();
  ssoMock.reset();
  sfnMock.reset();
});

const PAST_END = { activeUntil: '2026-11-21T11:59:00.000Z' };

describe('a removal the ledger says is not ours is verified before REVOKED', () => {
  it('"already ended" while the assignment is listed and nothing explains it: an error, never REVOKED', async () => {
    // Prepare
    const w = world({ byStatus: { ACTIVE: [grant('ACTIVE', PAST_END)] }, ledger: { grants: {}, version: 3 } });
    const deps = setUp(w);
    deps.ledger.end = async () => ({ delete: false, reason: 'this grant had already ended' });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED' });
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(true));

    // Act
    const summary = await reconcile(deps);

    // Assess
    expect(statusWrites(w)).toEqual([]);
    expect(summary.grantsPastEnd).toMatchObject({ examined: 1, revoked: 0, errors: 1 });
    expect(ssoMock.commandCalls(DeleteAccountAssignmentCommand)).toHaveLength(0);
  });

  it('"already ended" and verified absent: REVOKED, saying it was verified', async () => {
    // Prepare
    const w = world({ byStatus: { ACTIVE: [grant('ACTIVE', PAST_END)] } });
    const deps = setUp(w);
    deps.ledger.end = async () => ({ delete: false, reason: 'this grant had already ended' });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED' });
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));

    // Act
    const summary = await reconcile(deps);

    // Assess
    expect(statusWrites(w)).toEqual(['REVOKED']);
    expect(eventsWritten(w)[0]?.detail).toMatchObject({ deleted: false, verified: 'ABSENT' });
    expect(summary.grantsPastEnd.revoked).toBe(1);
  });

  it('still held by another grant of ours: REVOKED without a listing (the assignment stays for the other grant)', async () => {
    // Prepare
    const w = world({ byStatus: { ACTIVE: [grant('ACTIVE', PAST_END)] }, ledger: { grants: { 'r-2': 'time-bound' } } });
    const deps = setUp(w);
    deps.ledger.end = async () => ({ delete: false, reason: 'still held by 1 other grant(s) of ours' });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED' });

    // Act
    const summary = await reconcile(deps);

    // Assess
    expect(statusWrites(w)).toEqual(['REVOKED']);
    expect(ssoMock.calls()).toHaveLength(0);
    expect(summary.grantsPastEnd.revoked).toBe(1);
  });
});

describe('a deletion already accepted is polled, never sent twice', () => {
  it("the workflow's own deletion id, with its claim still held, is polled instead of a second DeleteAccountAssignment", async () => {
    // Prepare
    const item = grant('ACTIVE', {
      ...PAST_END,
      events: [
        event('2026-11-21T11:59:01.000Z', 'revocation_attempt', {
          operation: 'DeleteAccountAssignment',
          status: 'IN_PROGRESS',
          deletionRequestId: 'del-workflow',
        }),
      ],
    });
    const w = world({ byStatus: { ACTIVE: [item] }, ledger: { grants: {}, deleting: 'r-1' } });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'ABORTED' });
    ssoMock.on(DescribeAccountAssignmentDeletionStatusCommand).resolves(deletion('SUCCEEDED'));
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));

    // Act
    const summary = await reconcile(setUp(w));

    // Assess
    expect(ssoMock.commandCalls(DeleteAccountAssignmentCommand)).toHaveLength(0);
    expect(
      ssoMock.commandCalls(DescribeAccountAssignmentDeletionStatusCommand)[0]?.args[0].input
        .AccountAssignmentDeletionRequestId,
    ).toBe('del-workflow');
    expect(statusWrites(w)).toEqual(['REVOKED']);
    expect(w.calls).not.toContain('ledger end r-1');
    expect(summary.grantsPastEnd.revoked).toBe(1);
  });
});

describe('one failing item never stops its step', () => {
  it('a grant whose write throws is counted as an error and the next grant is still ended', async () => {
    // Prepare
    const first = grant('ACTIVE', { ...PAST_END, requestId: 'r-1' });
    const second = grant('ACTIVE', { ...PAST_END, requestId: 'r-2' });
    const w = world({ byStatus: { ACTIVE: [first, second] } });
    const deps = setUp(w);
    const get = deps.repository.get.bind(deps.repository);
    deps.repository.get = async (id: string) => {
      if (id === 'r-1')
        throw Object.assign(new Error('Item size has exceeded the maximum'), { name: 'ValidationException' });
      return get(id);
    };
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'ABORTED' });
    ssoMock.on(DeleteAccountAssignmentCommand).resolves(deletion('SUCCEEDED'));
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));

    // Act
    const summary = await reconcile(deps);

    // Assess
    expect(summary.grantsPastEnd).toMatchObject({ examined: 2, errors: 1, revoked: 1 });
    expect(w.calls).toContain('ledger end r-2');
    expect(summary.incomplete).toEqual([]);
  });

  it('a left-over removal whose ledger read throws is counted, and the next one is still finished', async () => {
    // Prepare
    const first = grant('REVOKE_FAILED', { requestId: 'r-1' });
    const second = grant('REVOKE_FAILED', { requestId: 'r-2' });
    const w = world({ byStatus: { REVOKE_FAILED: [first, second] }, ledger: { deleting: 'r-2' } });
    const deps = setUp(w);
    let reads = 0;
    const read = deps.ledger.get;
    deps.ledger.get = async (a) => {
      reads += 1;
      if (reads === 1) throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
      return read(a);
    };
    ssoMock.on(DeleteAccountAssignmentCommand).resolves(deletion('SUCCEEDED'));
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));

    // Act
    const summary = await reconcile(deps);

    // Assess
    expect(summary.leftoverRemovals).toMatchObject({ examined: 2, errors: 1, revoked: 1 });
    expect(summary.incomplete).toEqual([]);
  });
});

describe('step d: when a grant starts, when absence is concluded, and APPROVED requests whose workflow died', () => {
  const attempt = (at: string, creationRequestId?: string) =>
    event(at, 'provisioning_attempt', { operation: 'CreateAccountAssignment', creationRequestId });
  const refused = (at: string, error: string) =>
    event(at, 'provisioning_error', { operation: 'CreateAccountAssignment', error, message: error });

  it('counts the grant from the accepted creation, not from the contention errors before it', async () => {
    // Prepare: 25 minutes of throttling, then the creation accepted at 11:35
    const unknown = grant('OUTCOME_UNKNOWN', {
      events: [refused('2026-11-21T11:10:00.000Z', 'ThrottlingException'), attempt('2026-11-21T11:35:00.000Z', 'op-1')],
    });
    const w = world({ byStatus: { OUTCOME_UNKNOWN: [unknown] } });
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(true));

    // Act
    await reconcile(setUp(w));

    // Assess
    expect(statusWrites(w)).toEqual(['ACTIVE']);
    const values = Object.values((w.updates[0]?.ExpressionAttributeValues ?? {}) as Record<string, unknown>);
    expect(values).toContain('2026-11-21T12:35:00.000Z');
    expect(values).not.toContain('2026-11-21T12:10:00.000Z');
  });

  it('with no accepted creation recorded, counts from when it was verified present', async () => {
    // Prepare
    const unknown = grant('OUTCOME_UNKNOWN', {
      events: [refused('2026-11-21T11:10:00.000Z', 'InternalServerException')],
    });
    const w = world({ byStatus: { OUTCOME_UNKNOWN: [unknown] } });
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(true));

    // Act
    await reconcile(setUp(w));

    // Assess
    expect(statusWrites(w)).toEqual(['ACTIVE']);
    const values = Object.values((w.updates[0]?.ExpressionAttributeValues ?? {}) as Record<string, unknown>);
    expect(values).toContain('2026-11-21T13:00:00.000Z');
  });

  it('not listed, no creation id, the last attempt a minute ago and ambiguous (a timeout): left for a later run', async () => {
    // Prepare
    const unknown = grant('OUTCOME_UNKNOWN', { events: [refused('2026-11-21T11:59:00.000Z', 'TimeoutError')] });
    const w = world({ byStatus: { OUTCOME_UNKNOWN: [unknown] } });
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));

    // Act
    const summary = await reconcile(setUp(w));

    // Assess
    expect(w.updates).toEqual([]);
    expect(w.calls).not.toContain('ledger drop r-1');
    expect(summary.outcomeUnknown).toMatchObject({ pending: 1, failedAbsent: 0 });
  });

  it('not listed, no creation id, the same ambiguous attempt six minutes ago: FAILED, verified absent', async () => {
    // Prepare
    const unknown = grant('OUTCOME_UNKNOWN', { events: [refused('2026-11-21T11:54:00.000Z', 'TimeoutError')] });
    const w = world({ byStatus: { OUTCOME_UNKNOWN: [unknown] } });
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));

    // Act
    const summary = await reconcile(setUp(w));

    // Assess
    expect(statusWrites(w)).toEqual(['FAILED']);
    expect(summary.outcomeUnknown.failedAbsent).toBe(1);
  });

  it('not listed, every attempt a definite refusal (throttled): FAILED at once', async () => {
    // Prepare
    const unknown = grant('OUTCOME_UNKNOWN', { events: [refused('2026-11-21T11:59:30.000Z', 'ThrottlingException')] });
    const w = world({ byStatus: { OUTCOME_UNKNOWN: [unknown] } });
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));

    // Act
    const summary = await reconcile(setUp(w));

    // Assess
    expect(statusWrites(w)).toEqual(['FAILED']);
    expect(summary.outcomeUnknown.failedAbsent).toBe(1);
  });

  it('an APPROVED request past the margin whose execution is gone is settled; a running one is left to its workflow', async () => {
    // Prepare
    const dead = grant('APPROVED', {
      requestId: 'r-1',
      updatedAt: '2026-11-21T11:00:00.000Z',
      events: [attempt('2026-11-21T11:00:00.000Z', 'op-1')],
    });
    const running = grant('APPROVED', { requestId: 'r-2', updatedAt: '2026-11-21T11:00:00.000Z' });
    const w = world({ byStatus: { APPROVED: [dead, running] } });
    sfnMock
      .on(DescribeExecutionCommand)
      .callsFake((input: { executionArn: string }) =>
        input.executionArn.endsWith(':r-2')
          ? { status: 'RUNNING' }
          : Promise.reject(Object.assign(new Error('gone'), { name: 'ExecutionDoesNotExist' })),
      );
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(true));

    // Act
    const summary = await reconcile(setUp(w));

    // Assess
    const approvedQuery = ddbMock
      .commandCalls(QueryCommand)
      .map((c) => c.args[0].input)
      .find((input) => input.ExpressionAttributeValues?.[':status'] === 'APPROVED');
    expect(approvedQuery?.FilterExpression).toBe('updatedAt < :updatedBefore');
    expect(approvedQuery?.ExpressionAttributeValues?.[':updatedBefore']).toBe('2026-11-21T11:30:00.000Z');
    expect(statusWrites(w)).toEqual(['ACTIVE']);
    expect(w.updates[0]?.ConditionExpression).toBe('#status IN (:from0)');
    expect(((w.updates[0]?.ExpressionAttributeValues ?? {}) as Record<string, unknown>)[':from0']).toBe('APPROVED');
    expect(w.calls).toContain('ledger register r-1 time-bound');
    expect(summary.outcomeUnknown).toMatchObject({ approvedExamined: 2, approvedWithoutWorkflow: 1, granted: 1 });
  });
});

describe('one run at a time, and what a time-budget stop leaves', () => {
  const fakeLease = (answers: { acquire: boolean; renew?: boolean }, log: string[]): RunLease => ({
    acquire: async (untilMs) => {
      log.push(`acquire ${new Date(untilMs).toISOString()}`);
      return answers.acquire;
    },
    renew: async () => {
      log.push('renew');
      return answers.renew ?? true;
    },
    release: async () => void log.push('release'),
  });

  it('another run holding the lease: this run touches nothing and names every step skipped', async () => {
    // Prepare
    const log: string[] = [];
    const w = world({ byStatus: { ACTIVE: [grant('ACTIVE', PAST_END)] } });

    // Act
    const summary = await reconcile(setUp(w, { runLease: fakeLease({ acquire: false }, log) }));

    // Assess
    expect(log).toEqual(['acquire 2026-11-21T12:02:00.000Z']);
    expect(ddbMock.calls()).toHaveLength(0);
    expect(sfnMock.calls()).toHaveLength(0);
    expect(summary).toMatchObject({
      complete: false,
      leaseHeldByAnotherRun: true,
      skipped: ['grantsPastEnd', 'leftoverRemovals', 'outcomeUnknown', 'unmanaged'],
    });
  });

  it('holding the lease: the run goes on, renews it when half is used, and gives it back at the end', async () => {
    // Prepare: the clock moves a minute and a half on between the lease and the first check
    const log: string[] = [];
    let now = NOW.getTime();
    const w = world({ byStatus: { ACTIVE: [grant('ACTIVE', PAST_END)] } });
    const deps = setUp(w, { runLease: fakeLease({ acquire: true }, log), clock: { now: () => new Date(now) } });
    const acquire = deps.runLease!.acquire;
    deps.runLease!.acquire = async (untilMs) => {
      const taken = await acquire(untilMs);
      now += 90_000;
      return taken;
    };
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });

    // Act
    const summary = await reconcile(deps);

    // Assess
    expect(log).toEqual(['acquire 2026-11-21T12:02:00.000Z', 'renew', 'release']);
    expect(summary.grantsPastEnd.ownedByWorkflow).toBe(1);
    expect(summary.complete).toBe(true);
  });

  it('a renewal refused (another run took an expired lease): the run stops at its next check and says so', async () => {
    // Prepare
    const log: string[] = [];
    let now = NOW.getTime();
    const items = [
      grant('ACTIVE', { ...PAST_END, requestId: 'r-1' }),
      grant('ACTIVE', { ...PAST_END, requestId: 'r-2' }),
      grant('ACTIVE', { ...PAST_END, requestId: 'r-3' }),
    ];
    const w = world({ byStatus: { ACTIVE: items } });
    const deps = setUp(w, {
      runLease: fakeLease({ acquire: true, renew: false }, log),
      clock: { now: () => new Date(now) },
    });
    sfnMock.on(DescribeExecutionCommand).callsFake(() => {
      now += 90_000;
      return { status: 'RUNNING' };
    });

    // Act
    const summary = await reconcile(deps);

    // Assess
    expect(log).toContain('renew');
    // The second check (90 s on) renews in the background; the third finds the lease lost.
    expect(summary.grantsPastEnd.examined).toBe(2);
    expect(summary.incomplete).toEqual([{ step: 'grantsPastEnd', reason: 'time budget' }]);
  });

  it('a time-budget stop names every later step it skipped', async () => {
    // Prepare
    const w = world({ byStatus: { ACTIVE: [grant('ACTIVE', PAST_END)] } });

    // Act
    const summary = await reconcile(setUp(w, { remainingMs: () => 0 }));

    // Assess
    expect(summary.incomplete).toEqual([{ step: 'grantsPastEnd', reason: 'time budget' }]);
    expect(summary.skipped).toEqual(['leftoverRemovals', 'outcomeUnknown', 'unmanaged']);
  });

  it('the lease item: taken only when absent or expired, renewed and given back only by its holder', async () => {
    // Prepare
    ddbMock.on(UpdateCommand).resolves({});
    const lease = createRunLease({ db, tableName: 'requests', clock: { now: () => NOW } });

    // Act
    await lease.acquire(NOW.getTime() + 120_000);
    await lease.renew(NOW.getTime() + 240_000);
    await lease.release();

    // Assess
    const [acquire, renew, release] = ddbMock.commandCalls(UpdateCommand).map((c) => c.args[0].input);
    expect(acquire).toMatchObject({
      Key: RUN_LEASE_KEY,
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':until': '2026-11-21T12:02:00.000Z', ':now': NOW.toISOString() },
    });
    const holder = acquire?.ExpressionAttributeValues?.[':holder'];
    expect(typeof holder).toBe('string');
    expect(renew).toMatchObject({
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':holder': holder },
    });
    expect(release).toMatchObject({
      ConditionExpression: 'holder = :holder',
      ExpressionAttributeValues: { ':holder': holder },
    });
  });

  it('a lease held by a live run refuses the write, and acquire says false', async () => {
    // Prepare
    ddbMock
      .on(UpdateCommand)
      .rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));
    const lease = createRunLease({ db, tableName: 'requests', clock: { now: () => NOW } });

    // Act
    const taken = await lease.acquire(NOW.getTime() + 120_000);

    // Assess
    expect(taken).toBe(false);
  });
});

describe('step e: an unmanaged removal takes the same guards as a grant removal', () => {
  const PS = SSO_PARAMETERS.PermissionSetArn;
  const stranger = { PrincipalId: '9e58d1eb-67dd-4e32-b2f1-fd4694bd2c8b', PrincipalType: 'USER' as const };
  const watchRemove = { watch: [{ accounts: ['222222222222'], removeUnmanaged: true }] };
  const listing = () => {
    ssoMock.on(ListPermissionSetsCommand).resolves({ PermissionSets: [PS] });
    ssoMock.on(ListAccountsForProvisionedPermissionSetCommand).resolves({ AccountIds: ['222222222222'] });
    ssoMock.on(ListAccountAssignmentsCommand).resolves({ AccountAssignments: [stranger] });
  };

  it('an APPROVED request for the same principal, permission set and account keeps it in place (reported, not removed)', async () => {
    // Prepare
    const w = world();
    const deps = setUp(w, watchRemove);
    listing();
    const pending = grant('APPROVED', {
      parameters: JSON.stringify({ ...SSO_PARAMETERS, TargetId: '222222222222', PrincipalId: stranger.PrincipalId }),
    });
    ddbMock
      .on(QueryCommand, { IndexName: 'byTargetStatus' })
      .callsFake((input: { ExpressionAttributeValues: Record<string, string> }) => ({
        Items: input.ExpressionAttributeValues[':key']?.includes('APPROVED') ? [pending] : [],
      }));

    // Act
    const summary = await reconcile(deps);

    // Assess
    expect(ssoMock.commandCalls(DeleteAccountAssignmentCommand)).toHaveLength(0);
    expect(summary.unmanaged).toMatchObject({ unmanagedSeen: 1, newlyReported: 1, removed: 0, removalDeferred: 1 });
  });

  it('claims the ledger item and a deletion slot before deleting, and gives both back once the deletion is over', async () => {
    // Prepare
    const w = world();
    const slotLog: string[] = [];
    const deps = setUp(w, watchRemove);
    deps.assignment.deletionSlots = {
      acquire: async (_i: string, holder: string) => void slotLog.push(`acquire ${holder.slice(0, 10)}`),
      renew: async () => undefined,
      release: async (_i: string, holder: string) => void slotLog.push(`release ${holder.slice(0, 10)}`),
    } as unknown as NonNullable<typeof deps.assignment.deletionSlots>;
    listing();
    ssoMock.on(DeleteAccountAssignmentCommand).resolves(deletion('IN_PROGRESS'));
    ssoMock.on(DescribeAccountAssignmentDeletionStatusCommand).resolves(deletion('SUCCEEDED'));

    // Act
    const summary = await reconcile(deps);

    // Assess
    const ledgerWrites = w.updates.filter((u) => String((u.Key as { pk: string }).pk).startsWith('ASSIGNMENT'));
    expect(ledgerWrites.map((u) => u.ConditionExpression)).toEqual([
      'attribute_not_exists(deleting) AND (attribute_not_exists(grants) OR size(grants) = :zero)',
      'deleting = :holder',
    ]);
    expect(slotLog).toEqual(['acquire unmanaged:', 'release unmanaged:']);
    expect(summary.unmanaged).toMatchObject({ removed: 1, removalDeferred: 0 });
  });

  it('a ledger item claimed meanwhile (a grant of ours arrived): no deletion, deferred', async () => {
    // Prepare
    const w = world();
    const deps = setUp(w, watchRemove);
    listing();
    ddbMock
      .on(UpdateCommand)
      .rejects(Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' }));

    // Act
    const summary = await reconcile(deps);

    // Assess
    expect(ssoMock.commandCalls(DeleteAccountAssignmentCommand)).toHaveLength(0);
    expect(summary.unmanaged).toMatchObject({ removed: 0, removalDeferred: 1, errors: 0 });
  });
});

describe('step e keeps a cursor across runs', () => {
  it('starts after the last account listed in full, and records each account it lists', async () => {
    // Prepare
    const w = world();
    const deps = setUp(w, { watch: [{ accounts: ['111111111111', '222222222222', '333333333333'] }] });
    ddbMock.on(GetCommand, { Key: { pk: 'RECONCILER#CURSOR', sk: 'UNMANAGED' } }).resolves({
      Item: { lastAccountId: '111111111111' },
    });
    ssoMock.on(ListPermissionSetsCommand).resolves({ PermissionSets: [SSO_PARAMETERS.PermissionSetArn] });
    ssoMock
      .on(ListAccountsForProvisionedPermissionSetCommand)
      .resolves({ AccountIds: ['111111111111', '222222222222', '333333333333'] });
    ssoMock.on(ListAccountAssignmentsCommand).resolves({ AccountAssignments: [] });

    // Act
    await reconcile(deps);

    // Assess
    expect(ssoMock.commandCalls(ListAccountAssignmentsCommand).map((c) => c.args[0].input.AccountId)).toEqual([
      '222222222222',
      '333333333333',
      '111111111111',
    ]);
    const cursorWrites = w.updates
      .filter((u) => (u.Key as { pk: string }).pk === 'RECONCILER#CURSOR')
      .map((u) => (u.ExpressionAttributeValues as Record<string, unknown>)[':account']);
    expect(cursorWrites).toEqual(['222222222222', '333333333333', '111111111111']);
  });
});
