// The reconciler's steps against mocked AWS (aws-sdk-client-mock for DynamoDB, SSO Admin and Step Functions) and
// recording fakes for the ledger, the repository and the notifications: what each step calls, writes and reports.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import {
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  ListAccountAssignmentsCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListPermissionSetsCommand,
} from '@aws-sdk/client-sso-admin';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { reconcile } from '../../../functions/reconciliation/reconciler.js';
import type { RequestItem } from '../../../functions/requests/model.js';
import { event } from '../../../functions/requests/repository.js';
import { SSO_PARAMETERS } from '../../fixtures/requests.js';
import {
  ddbMock,
  ssoMock,
  sfnMock,
  NOW,
  conditionFailed,
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

describe('step a: grants past their end', () => {
  it('a grant whose workflow was lost (ABORTED) is removed, verified absent, and recorded REVOKED by the reconciler', async () => {
    // Prepare
    const w = world({ byStatus: { ACTIVE: [grant('ACTIVE', { activeUntil: '2026-11-21T11:59:00.000Z' })] } });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'ABORTED' });
    ssoMock.on(DeleteAccountAssignmentCommand).resolves(deletion('IN_PROGRESS'));
    ssoMock.on(DescribeAccountAssignmentDeletionStatusCommand).resolves(deletion('SUCCEEDED'));
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));

    // Act
    const summary = await reconcile(setUp(w));

    // Assess
    expect(sfnMock.commandCalls(DescribeExecutionCommand)[0]?.args[0].input.executionArn).toBe(
      'arn:aws:states:us-east-1:000000000000:execution:approvals-approval:r-1',
    );
    expect(statusWrites(w)).toEqual(['REVOKED']);
    expect(eventsWritten(w)).toEqual([
      {
        type: 'revoked',
        detail: expect.objectContaining({
          by: 'reconciler',
          reason: 'workflow lost',
          executionStatus: 'ABORTED',
          deleted: true,
          verified: 'ABSENT',
        }),
      },
    ]);
    // The REVOKED write is conditional on ACTIVE, so a workflow that finished meanwhile is never overwritten.
    expect(w.updates[0]?.ConditionExpression).toBe('#status IN (:from0)');
    expect(w.calls).toEqual(
      expect.arrayContaining(['ledger end r-1', 'ledger released r-1', 'sync REVOKED', 'notify outcome r-1']),
    );
    expect(summary.grantsPastEnd).toMatchObject({ examined: 1, revoked: 1, ownedByWorkflow: 0 });
    expect(summary.complete).toBe(true);
    expect(summary.ssoCalls).toBe(3);
  });

  it('a grant whose workflow still runs is left to it; 10 minutes past its end it raises revoke_overdue once', async () => {
    // Prepare
    const w = world({ byStatus: { ACTIVE: [grant('ACTIVE', { activeUntil: '2026-11-21T11:45:00.000Z' })] } });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });

    // Act
    const summary = await reconcile(setUp(w));
    const again = world({ byStatus: w.byStatus });
    const secondDeps = setUp(again);
    ddbMock.on(UpdateCommand).rejects(conditionFailed());
    const second = await reconcile(secondDeps);

    // Assess
    expect(ssoMock.calls()).toHaveLength(0);
    expect(summary.grantsPastEnd).toMatchObject({ ownedByWorkflow: 1, revoked: 0, revokeOverdueRaised: 1 });
    expect(eventsWritten(w)).toEqual([
      {
        type: 'revoke_overdue',
        detail: { by: 'reconciler', activeUntil: '2026-11-21T11:45:00.000Z', overdueMinutes: 15 },
      },
    ]);
    expect(w.updates[0]?.ConditionExpression).toContain('attribute_not_exists(#once)');
    expect(w.calls).toContain('notify overdue r-1 15');
    expect(second.grantsPastEnd.revokeOverdueRaised).toBe(0);
    expect(again.calls.filter((c) => c.startsWith('notify'))).toEqual([]);
  });

  it('counts 10 minutes in AWS time: at time scale 0.01, 6 wall seconds past the end is overdue', async () => {
    // Prepare
    const w = world({ byStatus: { ACTIVE: [grant('ACTIVE', { activeUntil: '2026-11-21T11:59:53.000Z' })] } });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });

    // Act
    const summary = await reconcile(setUp(w, { timeScale: 0.01 }));

    // Assess
    expect(summary.grantsPastEnd.revokeOverdueRaised).toBe(1);
    expect(w.calls).toContain('notify overdue r-1 12');
  });

  it('a deletion still IN_PROGRESS after the polls is kept on the request, and the next run only polls it', async () => {
    // Prepare
    const w = world({ byStatus: { ACTIVE: [grant('ACTIVE', { activeUntil: '2026-11-21T11:59:00.000Z' })] } });
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED' });
    ssoMock.on(DeleteAccountAssignmentCommand).resolves(deletion('IN_PROGRESS'));
    ssoMock.on(DescribeAccountAssignmentDeletionStatusCommand).resolves(deletion('IN_PROGRESS'));

    // Act
    const first = await reconcile(setUp(w));
    const stored = grant('ACTIVE', { activeUntil: '2026-11-21T11:59:00.000Z' }) as RequestItem &
      Record<string, unknown>;
    stored.reconcilerDeletionRequestId = 'del-1';
    const w2 = world({ byStatus: { ACTIVE: [stored] } });
    ssoMock.reset();
    ssoMock.on(DescribeAccountAssignmentDeletionStatusCommand).resolves(deletion('SUCCEEDED'));
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));
    const second = await reconcile(setUp(w2));

    // Assess
    expect(first.grantsPastEnd).toMatchObject({ deletionPending: 1, revoked: 0 });
    expect(((w.updates[0]?.ExpressionAttributeValues ?? {}) as Record<string, unknown>)[':a0']).toBe('del-1');
    expect(ssoMock.commandCalls(DeleteAccountAssignmentCommand)).toHaveLength(0);
    expect(second.grantsPastEnd).toMatchObject({ revoked: 1 });
    expect(eventsWritten(w2)[0]).toMatchObject({
      type: 'revoked',
      detail: { reason: 'workflow failed before revoking' },
    });
  });

  it('an error (ConflictException) leaves the grant ACTIVE for the next run and says so in the summary', async () => {
    // Prepare
    const w = world({ byStatus: { ACTIVE: [grant('ACTIVE', { activeUntil: '2026-11-21T11:59:00.000Z' })] } });
    sfnMock.on(DescribeExecutionCommand).rejects(Object.assign(new Error('gone'), { name: 'ExecutionDoesNotExist' }));
    ssoMock.on(DeleteAccountAssignmentCommand).rejects(Object.assign(new Error('busy'), { name: 'ConflictException' }));

    // Act
    const summary = await reconcile(setUp(w));

    // Assess
    expect(statusWrites(w)).toEqual([]);
    expect(summary.grantsPastEnd).toMatchObject({ errors: 1, revoked: 0 });
    expect(w.calls).toContain('event revocation_error');
  });

  it('stops on its time budget, says where, and reports the run incomplete', async () => {
    // Prepare
    const w = world({
      byStatus: {
        ACTIVE: [grant('ACTIVE', { activeUntil: '2026-11-21T11:59:00.000Z' })],
        OUTCOME_UNKNOWN: [grant('OUTCOME_UNKNOWN', { requestId: 'r-2' })],
      },
    });

    // Act
    const summary = await reconcile(setUp(w, { remainingMs: () => 0 }));

    // Assess
    expect(summary.complete).toBe(false);
    expect(summary.incomplete).toEqual([{ step: 'grantsPastEnd', reason: 'time budget' }]);
    expect(summary.grantsPastEnd.examined).toBe(0);
    expect(summary.outcomeUnknown.examined).toBe(0);
  });
});

describe('step c: left-over removals', () => {
  it('a REVOKE_FAILED grant whose deletion claim is left is removed and recorded REVOKED, keeping the earlier error', async () => {
    // Prepare
    const failed = grant('REVOKE_FAILED', { error: { name: 'ConflictException', cause: 'busy' } });
    const w = world({ byStatus: { REVOKE_FAILED: [failed] }, ledger: { deleting: 'r-1', grants: {} } });
    ssoMock.on(DeleteAccountAssignmentCommand).resolves(deletion('SUCCEEDED'));
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));

    // Act
    const summary = await reconcile(setUp(w));

    // Assess
    expect(statusWrites(w)).toEqual(['REVOKED']);
    expect(eventsWritten(w)[0]).toEqual({
      type: 'revoked',
      detail: expect.objectContaining({
        by: 'reconciler',
        reason: 'left-over removal finished after REVOKE_FAILED',
        previousError: { name: 'ConflictException', cause: 'busy' },
        verified: 'ABSENT',
      }),
    });
    expect(summary.leftoverRemovals).toMatchObject({ examined: 1, revoked: 1 });
  });

  it('a REVOKE_FAILED grant with nothing of ours left in the ledger is left alone, with no Identity Center call', async () => {
    // Prepare
    const w = world({ byStatus: { REVOKE_FAILED: [grant('REVOKE_FAILED')] }, ledger: { deleting: 'r-other' } });

    // Act
    const summary = await reconcile(setUp(w));

    // Assess
    expect(ssoMock.calls()).toHaveLength(0);
    expect(w.updates).toEqual([]);
    expect(summary.leftoverRemovals).toMatchObject({ examined: 1, nothingLeft: 1 });
  });

  it('a retry that still fails is recorded once per error, not every run', async () => {
    // Prepare
    const denied = () => Object.assign(new Error('no'), { name: 'AccessDeniedException' });
    const fresh = grant('REVOKE_FAILED');
    const seen = grant('REVOKE_FAILED', {
      events: [event('2026-11-21T11:00:00.000Z', 'reconciler_revocation_error', { error: 'AccessDeniedException' })],
    });
    const w1 = world({ byStatus: { REVOKE_FAILED: [fresh] }, ledger: { deleting: 'r-1' } });
    const w2 = world({ byStatus: { REVOKE_FAILED: [seen] }, ledger: { deleting: 'r-1' } });
    ssoMock.on(DeleteAccountAssignmentCommand).rejects(denied());

    // Act
    const first = await reconcile(setUp(w1));
    const second = await reconcile(setUp(w2));

    // Assess
    expect(eventsWritten(w1).map((e) => e.type)).toEqual(['reconciler_revocation_error']);
    expect(eventsWritten(w2)).toEqual([]);
    expect(first.leftoverRemovals.stillFailing).toBe(1);
    expect(second.leftoverRemovals.stillFailing).toBe(1);
  });
});

describe('step d: OUTCOME_UNKNOWN', () => {
  const attempt = (at: string, creationRequestId?: string) =>
    event(at, 'provisioning_attempt', { operation: 'CreateAccountAssignment', creationRequestId });

  it('listed: registered as ours and ACTIVE until the end counted from the earliest creation attempt', async () => {
    // Prepare
    const unknown = grant('OUTCOME_UNKNOWN', {
      events: [attempt('2026-11-21T11:30:00.000Z', 'op-1'), attempt('2026-11-21T11:40:00.000Z', 'op-2')],
    });
    const w = world({ byStatus: { OUTCOME_UNKNOWN: [unknown] } });
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(true));

    // Act
    const summary = await reconcile(setUp(w));

    // Assess
    expect(w.calls).toContain('ledger register r-1 time-bound');
    expect(statusWrites(w)).toEqual(['ACTIVE']);
    const values = (w.updates[0]?.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
    expect(Object.values(values)).toContain('2026-11-21T12:30:00.000Z');
    expect(eventsWritten(w).map((e) => e.type)).toEqual(['assignment_verified_present', 'completed', 'active']);
    expect(eventsWritten(w)[0]?.detail).toMatchObject({
      by: 'reconciler',
      preExisting: expect.stringContaining('unknown'),
    });
    expect(summary.outcomeUnknown).toMatchObject({ examined: 1, granted: 1 });
  });

  it('listed, permanent: COMPLETED', async () => {
    // Prepare
    const w = world({ byStatus: { OUTCOME_UNKNOWN: [grant('OUTCOME_UNKNOWN', { durationMinutes: undefined })] } });
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(true));

    // Act
    await reconcile(setUp(w));

    // Assess
    expect(w.calls).toContain('ledger register r-1 permanent');
    expect(statusWrites(w)).toEqual(['COMPLETED']);
  });

  it('not listed while its creation is IN_PROGRESS: left for the next run, nothing written', async () => {
    // Prepare
    const w = world({
      byStatus: { OUTCOME_UNKNOWN: [grant('OUTCOME_UNKNOWN', { events: [attempt(NOW.toISOString(), 'op-1')] })] },
    });
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));
    ssoMock
      .on(DescribeAccountAssignmentCreationStatusCommand)
      .resolves({ AccountAssignmentCreationStatus: { Status: 'IN_PROGRESS', RequestId: 'op-1' } });

    // Act
    const summary = await reconcile(setUp(w));

    // Assess
    expect(w.updates).toEqual([]);
    expect(summary.outcomeUnknown).toMatchObject({ pending: 1, failedAbsent: 0 });
  });

  it('not listed, creation FAILED (or never accepted): FAILED with the assignment verified absent', async () => {
    // Prepare
    const w = world({
      byStatus: { OUTCOME_UNKNOWN: [grant('OUTCOME_UNKNOWN', { events: [attempt(NOW.toISOString(), 'op-1')] })] },
    });
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));
    ssoMock
      .on(DescribeAccountAssignmentCreationStatusCommand)
      .resolves({ AccountAssignmentCreationStatus: { Status: 'FAILED', RequestId: 'op-1' } });

    // Act
    const summary = await reconcile(setUp(w));

    // Assess
    expect(w.calls).toContain('ledger drop r-1');
    expect(statusWrites(w)).toEqual(['FAILED']);
    const values = (w.updates[0]?.ExpressionAttributeValues ?? {}) as Record<string, unknown>;
    expect(Object.values(values)).toContainEqual(expect.objectContaining({ name: 'AssignmentVerifiedAbsent' }));
    expect(eventsWritten(w).map((e) => e.type)).toEqual(['assignment_verified_absent', 'failed']);
    expect(summary.outcomeUnknown.failedAbsent).toBe(1);
  });
});

describe('step e: unmanaged assignments', () => {
  const PS = SSO_PARAMETERS.PermissionSetArn;
  const stranger = { PrincipalId: '9e58d1eb-67dd-4e32-b2f1-fd4694bd2c8b', PrincipalType: 'USER' as const };
  const ours = { PrincipalId: SSO_PARAMETERS.PrincipalId, PrincipalType: 'USER' as const };

  it('reports an assignment no grant explains (one record), ignores ours, and removes only where policy allows', async () => {
    // Prepare
    const w = world();
    const deps = setUp(w, {
      watch: [{ accounts: ['111111111111'] }, { accounts: ['222222222222'], removeUnmanaged: true }],
    });
    deps.ledger.get = async (a) =>
      a.PrincipalId === ours.PrincipalId ? { grants: { 'r-9': 'time-bound' } } : undefined;
    ssoMock.on(ListPermissionSetsCommand).resolves({ PermissionSets: [PS] });
    ssoMock
      .on(ListAccountsForProvisionedPermissionSetCommand)
      .resolves({ AccountIds: ['111111111111', '222222222222', '333333333333'] });
    ssoMock.on(ListAccountAssignmentsCommand).resolves({ AccountAssignments: [ours, stranger] });
    ssoMock.on(DeleteAccountAssignmentCommand).resolves(deletion('IN_PROGRESS'));

    // Act
    const summary = await reconcile(deps);

    // Assess
    expect(summary.incomplete).toEqual([]);
    expect(w.puts.map((p) => [p.accountId, p.principalId, p.status])).toEqual([
      ['111111111111', stranger.PrincipalId, 'REPORTED'],
      ['222222222222', stranger.PrincipalId, 'REPORTED'],
    ]);
    const deletes = ssoMock.commandCalls(DeleteAccountAssignmentCommand).map((c) => c.args[0].input);
    expect(deletes).toEqual([expect.objectContaining({ TargetId: '222222222222', PrincipalId: stranger.PrincipalId })]);
    expect(summary.unmanaged).toMatchObject({
      accountsWatched: 2,
      accountsListed: 2,
      assignmentsSeen: 4,
      unmanagedSeen: 2,
      newlyReported: 2,
      removed: 1,
    });
  });

  it('a reported assignment no longer listed becomes GONE, with an event', async () => {
    // Prepare
    const finding = (principalId: string, findingId: string) => ({
      pk: `FINDING#${findingId}`,
      sk: 'FINDING',
      findingId,
      principalId,
      findingAccountId: '111111111111',
      status: 'REPORTED',
      version: 1,
      events: [],
    });
    const w = world({ findings: [finding('gone-principal', 'f-gone')] });
    const deps = setUp(w, { watch: [{ accounts: ['111111111111'] }] });
    ssoMock.on(ListPermissionSetsCommand).resolves({ PermissionSets: [PS] });
    ssoMock.on(ListAccountsForProvisionedPermissionSetCommand).resolves({ AccountIds: ['111111111111'] });
    ssoMock.on(ListAccountAssignmentsCommand).resolves({ AccountAssignments: [] });

    // Act
    const summary = await reconcile(deps);

    // Assess
    expect(summary.unmanaged.gone).toBe(1);
    expect(eventsWritten(w).map((e) => e.type)).toEqual(['gone']);
    expect(w.puts).toEqual([]);
  });
});
