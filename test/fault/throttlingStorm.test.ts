// A throttling storm: half of every Identity Center provisioning call (creation, its status, the listing, deletion
// and its status) is refused with ThrottlingException while 30 time-bound grants are approved together. Throttles are
// retried on time budgets, not small attempt counts, so no approved grant ends FAILED and none REVOKE_FAILED: each
// becomes ACTIVE, then REVOKED at its end, and no assignment is left behind.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { SSO_PARAMETERS, newDataDir, ssoRequest, startHarness, type Harness } from '../e2e/harness.js';

const GRANTS = 30;
const OPERATIONS = [
  'CreateAccountAssignment',
  'DescribeAccountAssignmentCreationStatus',
  'ListAccountAssignments',
  'DeleteAccountAssignment',
  'DescribeAccountAssignmentDeletionStatus',
];
const FAULTS = OPERATIONS.map((operation) => `sso-admin.${operation}=ThrottlingException:0.5`).join(',');
// Distinct principals, so each grant creates and deletes an assignment of its own.
const PRINCIPALS = Array.from(
  { length: GRANTS },
  (_, i) => `f81d4fae-7dec-11d0-a765-00a0c91e7d${String(i).padStart(2, '0')}`,
);
const FIXTURES = JSON.stringify({
  sso: {
    instanceArn: SSO_PARAMETERS.InstanceArn,
    permissionSets: [SSO_PARAMETERS.PermissionSetArn],
    principals: PRINCIPALS.map((id) => ({ id, type: 'USER' })),
    accounts: ['111111111111'],
    provisioningSeconds: 1,
  },
});

type View = { requestId: string; status: string; events: Array<{ type: string; detail: Record<string, unknown> }> };

let h: Harness;
let alice: string;

beforeAll(async () => {
  // A day's approval window, so a slow approval on a loaded machine cannot expire a request.
  const dataDir = newDataDir();
  const policyFile = join(dataDir, 'policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      approvalTimeoutSeconds: 86_400,
      auditors: ['dana@example.com'],
      rules: [{ action: 'sso:CreateAccountAssignment', approvers: ['bob@example.com', 'carol@example.com'] }],
    }),
  );
  // At 0.05, the creation's 30-minute contention budget is 90 s of wall time: under this storm 30 executions share
  // one local process, and at 0.01 (18 s) a loaded machine's Lambda latency alone could spend the AWS time.
  h = await startHarness({ dataDir, policyFile, faults: FAULTS, fixtures: FIXTURES, timeScale: 0.05 });
  alice = await h.token('alice@example.com');
});

afterAll(async () => {
  await h.close();
});

const submit = async (PrincipalId: string): Promise<{ requestId: string; link: string }> => {
  const submitted = await h.call('POST', '/requests', {
    token: alice,
    body: { ...ssoRequest({ PrincipalId }), durationMinutes: 3 },
  });
  expect(submitted.status).toBe(202);
  const { requestId } = submitted.body as { requestId: string };
  const links = await h.waitForLinks(requestId, 2);
  return { requestId, link: [...links.values()][0]! };
};

const approve = (link: string) =>
  h.call('POST', link, {
    rawBody: 'decision=approve',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  });

const errorsSeen = (views: View[], type: string, error: string): number =>
  views.reduce((sum, v) => sum + v.events.filter((e) => e.type === type && e.detail.error === error).length, 0);

describe('ThrottlingException on half of every provisioning call', () => {
  it('30 grants approved together all become ACTIVE and then REVOKED; none FAILED or REVOKE_FAILED', async () => {
    // Prepare
    const requests = [];
    for (const principal of PRINCIPALS) requests.push(await submit(principal));

    // Act: every approval within a moment, five at a time (30 decide calls at once can outlast the local Lambda
    // timeout on a loaded machine, which is not what this test is about)
    const decided = [];
    for (let i = 0; i < requests.length; i += 5)
      decided.push(...(await Promise.all(requests.slice(i, i + 5).map((r) => approve(r.link)))));
    const finals = (await Promise.all(
      requests.map((r) =>
        h.waitForStatus(
          r.requestId,
          alice,
          ['REVOKED', 'REVOKE_FAILED', 'FAILED', 'OUTCOME_UNKNOWN', 'COMPLETED', 'EXPIRED'],
          240_000,
        ),
      ),
    )) as unknown as View[];

    // Assess
    expect(decided.map((d) => d.status)).toEqual(requests.map(() => 200));
    const unexpected = finals
      .filter((f) => f.status !== 'REVOKED')
      .map((f) => ({ status: f.status, error: (f as { error?: unknown }).error, last: f.events.slice(-6) }));
    expect(unexpected).toEqual([]);
    for (const final of finals) {
      expect(final.events.filter((e) => e.type === 'active')).toHaveLength(1);
      expect(final.events.filter((e) => e.type === 'revoked')).toHaveLength(1);
    }
    // The storm was real: creations and deletions were throttled, and retried through it.
    expect(errorsSeen(finals, 'provisioning_error', 'ThrottlingException')).toBeGreaterThan(0);
    expect(errorsSeen(finals, 'revocation_error', 'ThrottlingException')).toBeGreaterThan(0);
    const sso = new SSOAdminClient({ ...h.aws, maxAttempts: 10 });
    const listed = await sso.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: SSO_PARAMETERS.InstanceArn,
        AccountId: '111111111111',
        PermissionSetArn: SSO_PARAMETERS.PermissionSetArn,
        MaxResults: 100,
      }),
    );
    sso.destroy();
    expect((listed.AccountAssignments ?? []).filter((a) => PRINCIPALS.includes(a.PrincipalId ?? ''))).toEqual([]);
  }, 300_000);
});
