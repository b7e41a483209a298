// Revocation under ConflictException faults: DeleteAccountAssignment fails half the time (as it does right after
// a grant), and the workflow's retries still revoke every grant, exactly once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SSO_PARAMETERS, newDataDir, ssoRequest, startHarness, type Harness } from './harness.js';

const FAULTS = 'sso-admin.DeleteAccountAssignment=ConflictException:0.5';
// Distinct principals, so each grant creates and deletes its own assignment.
const PRINCIPALS = Array.from(
  { length: 8 },
  (_, i) => `f81d4fae-7dec-11d0-a765-00a0c91e7c${String(i).padStart(2, '0')}`,
);
// Two grants of one assignment under the same faults: only the later end may delete it.
const SHARED = 'f81d4fae-7dec-11d0-a765-00a0c91e7cff';
const FIXTURES = JSON.stringify({
  sso: {
    instanceArn: SSO_PARAMETERS.InstanceArn,
    permissionSets: [SSO_PARAMETERS.PermissionSetArn],
    principals: [...PRINCIPALS, SHARED].map((id) => ({ id, type: 'USER' })),
    accounts: ['111111111111'],
    provisioningSeconds: 1,
  },
});

type View = { requestId: string; status: string; events: Array<{ type: string; detail: Record<string, unknown> }> };

let h: Harness;
let alice: string;

beforeAll(async () => {
  // Its own policy with a day's approval window: the local policy's hour is 7.2 s at this time scale, and on a
  // loaded 2-core machine an approval once landed after it, so the grant EXPIRED and the test timed out.
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
  h = await startHarness({ dataDir, policyFile, faults: FAULTS, fixtures: FIXTURES, timeScale: 0.002 });
  alice = await h.token('alice@example.com');
});

afterAll(async () => {
  await h.close();
});

const grant = async (PrincipalId: string, durationMinutes: number): Promise<string> => {
  const submitted = await h.call('POST', '/requests', {
    token: alice,
    body: { ...ssoRequest({ PrincipalId }), durationMinutes },
  });
  expect(submitted.status).toBe(202);
  const { requestId } = submitted.body as { requestId: string };
  const links = await h.waitForLinks(requestId, 2);
  await h.call('POST', [...links.values()][0]!, {
    rawBody: 'decision=approve',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  });
  return requestId;
};

const assignedPrincipals = async (): Promise<string[]> => {
  const sso = new SSOAdminClient(h.aws);
  const listed = await sso.send(
    new ListAccountAssignmentsCommand({
      InstanceArn: SSO_PARAMETERS.InstanceArn,
      AccountId: '111111111111',
      PermissionSetArn: SSO_PARAMETERS.PermissionSetArn,
      MaxResults: 100,
    }),
  );
  sso.destroy();
  return (listed.AccountAssignments ?? []).map((a) => a.PrincipalId ?? '');
};

const conflictsSeen = (view: View): number =>
  view.events.filter((e) => e.type === 'revocation_error' && e.detail.error === 'ConflictException').length;

describe('with ConflictException on half of the deletions', () => {
  it('revokes every grant: REVOKED once each, every assignment gone, the retries in the events', async () => {
    // Prepare
    const ids = await Promise.all(PRINCIPALS.map((principal) => grant(principal, 30)));
    // Act
    const finals = (await Promise.all(
      ids.map((id) =>
        h.waitForStatus(id, alice, ['REVOKED', 'REVOKE_FAILED', 'FAILED', 'COMPLETED', 'EXPIRED'], 120_000),
      ),
    )) as unknown as View[];
    // Assess
    expect(finals.map((f) => f.status)).toEqual(ids.map(() => 'REVOKED'));
    for (const final of finals) {
      expect(final.events.filter((e) => e.type === 'revoked')).toHaveLength(1);
      expect(final.events.filter((e) => e.type === 'active')).toHaveLength(1);
    }
    expect(finals.reduce((sum, f) => sum + conflictsSeen(f), 0)).toBeGreaterThan(0);
    const left = await assignedPrincipals();
    expect(left.filter((p) => PRINCIPALS.includes(p))).toEqual([]);
  });

  it('two overlapping grants of one assignment: the later end deletes it despite the faults, the earlier never does', async () => {
    // Prepare
    const long = await grant(SHARED, 60);
    await h.waitForStatus(long, alice, ['ACTIVE']);
    const short = await grant(SHARED, 15);
    // Act
    const shortEnded = (await h.waitForStatus(
      short,
      alice,
      ['REVOKED', 'REVOKE_FAILED', 'FAILED'],
      60_000,
    )) as unknown as View;
    const between = await assignedPrincipals();
    const longEnded = (await h.waitForStatus(
      long,
      alice,
      ['REVOKED', 'REVOKE_FAILED', 'FAILED'],
      60_000,
    )) as unknown as View;
    // Assess
    expect(shortEnded.status).toBe('REVOKED');
    expect(shortEnded.events.find((e) => e.type === 'revoked')?.detail).toMatchObject({ deleted: false });
    expect(between).toContain(SHARED);
    expect(longEnded.status).toBe('REVOKED');
    expect(longEnded.events.find((e) => e.type === 'revoked')?.detail).toMatchObject({ deleted: true });
    expect(await assignedPrincipals()).not.toContain(SHARED);
  });
});
