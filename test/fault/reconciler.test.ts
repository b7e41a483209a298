// The reconciler on the real local stack (dynalite, the real ASL and handlers, the SSO Admin emulator), run on demand
// with LocalStack.reconcileNow() (its timer is off here, so each run is the test's):
// - unmanaged assignments in two watched accounts: reported and kept in one, removed in the other, one record each,
//   queryable by auditors only;
// - requests whose workflow was lost while APPROVED end settled, never FAILED without verification: absent →
//   FAILED verified absent; created → recorded ACTIVE, then revoked by the reconciler at its end.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { newDataDir, SSO_PARAMETERS, ssoRequest, startHarness, type Harness } from '../e2e/harness.js';

const HEIDI = 'f1d3e02c-c5f3-496e-b6b6-8aa6c32c492a';
const BOB_USER = '6db8ea34-00a8-4c51-9ef8-3ddeea34495c';
const CAROL_USER = 'd2a79bfb-e8ed-4d8a-bf56-8e3055a9c629';
const KEPT = '111111111111';
const REMOVED = '222222222222';
const TIME_SCALE = 0.01;

type View = {
  requestId: string;
  status: string;
  activeUntil?: string;
  error?: { name: string; message: string };
  events: Array<{ at: string; type: string; detail: Record<string, unknown> }>;
};
type Finding = {
  findingId: string;
  accountId: string;
  principalId: string;
  status: string;
  events: Array<{ type: string }>;
};

const dataDir = newDataDir();
const policyFile = join(dataDir, 'policy.json');
const fixtures = JSON.stringify({
  sso: {
    assignments: [KEPT, REMOVED].map((accountId) => ({
      accountId,
      permissionSetArn: SSO_PARAMETERS.PermissionSetArn,
      principalType: 'USER',
      principalId: HEIDI,
    })),
  },
});

let h: Harness;
let sso: SSOAdminClient;
let alice: string;
let dana: string;

const start = async (faults = '') => {
  h = await startHarness({ dataDir, policyFile, fixtures, faults, timeScale: TIME_SCALE, reconcileIntervalSeconds: 0 });
  sso = new SSOAdminClient(h.aws);
  alice = await h.token('alice@example.com');
  dana = await h.token('dana@example.com');
};
const restart = async (faults = '') => {
  sso.destroy();
  await h.close();
  await start(faults);
};

beforeAll(async () => {
  writeFileSync(
    policyFile,
    JSON.stringify({
      auditors: ['dana@example.com'],
      rules: [
        {
          action: 'sso:CreateAccountAssignment',
          approvers: ['bob@example.com', 'carol@example.com'],
          maxDurationMinutes: 60,
        },
      ],
      reconcile: { watch: [{ accounts: [KEPT] }, { accounts: [REMOVED], removeUnmanaged: true }] },
    }),
  );
  await start();
});

afterAll(async () => {
  sso.destroy();
  await h.close();
});

const isAssigned = async (accountId: string, principalId: string): Promise<boolean> => {
  const listed = await sso.send(
    new ListAccountAssignmentsCommand({
      InstanceArn: SSO_PARAMETERS.InstanceArn,
      AccountId: accountId,
      PermissionSetArn: SSO_PARAMETERS.PermissionSetArn,
      MaxResults: 100,
    }),
  );
  return (listed.AccountAssignments ?? []).some((a) => a.PrincipalId === principalId);
};

const until = async (what: string, probe: () => Promise<boolean>, timeoutMs = 15_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

const findings = async (query = '', token = dana) => h.call('GET', `/reconciliation/findings${query}`, { token });

const submitApproved = async (PrincipalId: string, durationMinutes?: number): Promise<string> => {
  const submitted = await h.call('POST', '/requests', {
    token: alice,
    body: { ...ssoRequest({ PrincipalId }), ...(durationMinutes ? { durationMinutes } : {}) },
  });
  expect(submitted.status).toBe(202);
  const { requestId } = submitted.body as { requestId: string };
  const links = await h.waitForLinks(requestId, 2);
  await h.call('POST', links.get('bob@example.com')!, {
    rawBody: 'decision=approve',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  });
  return requestId;
};

const view = async (requestId: string): Promise<View> =>
  (await h.call('GET', `/requests/${requestId}`, { token: alice })).body as View;

describe('unmanaged assignments in two watched accounts', () => {
  it('are reported once each, kept where policy says report, removed where it says remove, and only auditors see them', async () => {
    // Prepare: heidi holds the permission set on both accounts, granted by nobody through us (fixture)
    expect(await isAssigned(KEPT, HEIDI)).toBe(true);
    expect(await isAssigned(REMOVED, HEIDI)).toBe(true);

    // Act
    const first = await h.stack.reconcileNow();
    await until('the removal to finish', async () => !(await isAssigned(REMOVED, HEIDI)));
    const second = await h.stack.reconcileNow();
    const all = await findings();
    const kept = await findings(`?accountId=${KEPT}&status=REPORTED`);
    const refused = await findings('', alice);
    const bad = await findings('?accountId=12345&status=OPEN&limit=0');

    // Assess
    expect(first.unmanaged).toMatchObject({ accountsWatched: 2, accountsListed: 2, newlyReported: 2, removed: 1 });
    expect(second.unmanaged).toMatchObject({ newlyReported: 0, removed: 0, gone: 1 });
    expect(await isAssigned(KEPT, HEIDI)).toBe(true);
    expect(all.status).toBe(200);
    const items = (all.body as { items: Finding[] }).items;
    expect(items.map((f) => [f.accountId, f.principalId, f.status]).sort()).toEqual([
      [KEPT, HEIDI, 'REPORTED'],
      [REMOVED, HEIDI, 'GONE'],
    ]);
    expect(items.find((f) => f.accountId === REMOVED)?.events.map((e) => e.type)).toEqual([
      'reported',
      'removed',
      'gone',
    ]);
    expect(items.find((f) => f.accountId === KEPT)?.events.map((e) => e.type)).toEqual(['reported']);
    expect((kept.body as { items: Finding[] }).items.map((f) => f.accountId)).toEqual([KEPT]);
    expect(kept.headers.get('x-index')).toBe('byFindingAccount');
    expect(refused.status).toBe(403);
    expect(bad.status).toBe(400);
    expect(
      (bad.body as { error: { details: Array<{ path: string }> } }).error.details.map((d) => d.path).sort(),
    ).toEqual(['accountId', 'limit', 'status']);
  });
});

describe('a workflow lost while APPROVED (local restart)', () => {
  it('with no creation accepted: OUTCOME_UNKNOWN at restart, then FAILED with the assignment verified absent', async () => {
    // Prepare: every creation is throttled, so the request stays APPROVED, retrying, when the stack stops
    await restart('sso-admin.CreateAccountAssignment=ThrottlingException:1');
    const requestId = await submitApproved(BOB_USER);
    await h.waitForEvent(requestId, 'provisioning_error');
    await restart();

    // Act
    const atRestart = await view(requestId);
    const summary = await h.stack.reconcileNow();
    const settled = await view(requestId);

    // Assess
    expect(atRestart.status).toBe('OUTCOME_UNKNOWN');
    expect(summary.outcomeUnknown).toMatchObject({ examined: 1, failedAbsent: 1 });
    expect(settled.status).toBe('FAILED');
    expect(settled.error?.name).toBe('AssignmentVerifiedAbsent');
    expect(settled.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['outcome_unknown', 'assignment_verified_absent', 'failed']),
    );
    expect(settled.events.find((e) => e.type === 'assignment_verified_absent')?.detail).toMatchObject({
      by: 'reconciler',
      verifiedBy: 'ListAccountAssignments',
    });
    expect(await isAssigned(SSO_PARAMETERS.TargetId, BOB_USER)).toBe(false);
  });

  it('with the creation accepted: recorded ACTIVE from its first attempt, then revoked by the reconciler at its end', async () => {
    // Prepare: the creation is accepted but its status can never be read, so the workflow is still verifying
    await restart('sso-admin.DescribeAccountAssignmentCreationStatus=InternalServerException:1');
    const requestId = await submitApproved(CAROL_USER, 1);
    await h.waitForEvent(requestId, 'provisioning_attempt');
    await restart();
    await until('the assignment to exist', () => isAssigned(SSO_PARAMETERS.TargetId, CAROL_USER));

    // Act
    const first = await h.stack.reconcileNow();
    const recorded = await view(requestId);
    await until('the grant to end', async () => Date.now() > Date.parse(recorded.activeUntil ?? ''));
    const second = await h.stack.reconcileNow();
    const ended = await view(requestId);

    // Assess
    expect(first.outcomeUnknown).toMatchObject({ granted: 1 });
    expect(recorded.status).toBe('ACTIVE');
    const attemptAt = recorded.events.find((e) => e.type === 'provisioning_attempt');
    expect(recorded.events.find((e) => e.type === 'active')?.detail).toMatchObject({ settledBy: 'reconciler' });
    // One minute of AWS time (0.6 s at this scale), counted from the creation attempt, not from the settling.
    expect(Date.parse(recorded.activeUntil ?? '')).toBeLessThanOrEqual(
      Date.parse(attemptAt?.at ?? '') + 60_000 * TIME_SCALE,
    );
    expect(second.grantsPastEnd).toMatchObject({ revoked: 1 });
    expect(ended.status).toBe('REVOKED');
    expect(ended.events.find((e) => e.type === 'revoked')?.detail).toMatchObject({
      by: 'reconciler',
      reason: 'workflow lost',
      deleted: true,
      verified: 'ABSENT',
    });
    expect(await isAssigned(SSO_PARAMETERS.TargetId, CAROL_USER)).toBe(false);
  });
});
