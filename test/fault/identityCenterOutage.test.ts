// A two-minute outage of Identity Center: every SSO Admin call fails with InternalServerException for 120 s of AWS
// time (LOCAL_FAULTS window). Grants are approved before it (their deletions fall in it) and while it lasts (their
// creations do). The first server fault pauses the shared Identity Center budget; the tasks wait (IdentityCenterBusy,
// which costs no retry) while one probe at a time asks whether Identity Center answers again. No approved grant ends
// FAILED, OUTCOME_UNKNOWN or REVOKE_FAILED: every one is created and revoked once the outage is over.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SSO_PARAMETERS, newDataDir, ssoRequest, startHarness, type Harness } from '../e2e/harness.js';

// At this scale one wall second is 20 AWS seconds: the outage lasts 6 s of wall time, from 15 s after the stack started.
const TIME_SCALE = 0.05;
const OUTAGE = { fromSeconds: 300, toSeconds: 420 };
const FAULTS = `sso-admin.*=InternalServerException:1@${OUTAGE.fromSeconds}-${OUTAGE.toSeconds}`;
const BEFORE = 4;
const DURING = 8;
const PRINCIPALS = Array.from(
  { length: BEFORE + DURING },
  (_, i) => `f81d4fae-7dec-11d0-a765-00a0c91e7e${String(i).padStart(2, '0')}`,
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
let startedAt: number;

/** Wall ms at which the stack's AWS clock reads about `seconds` (a little later, see beforeAll). */
const wallAt = (seconds: number): number => startedAt + seconds * 1000 * TIME_SCALE;
const sleepUntil = async (wallMs: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, Math.max(0, wallMs - Date.now())));

beforeAll(async () => {
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
  h = await startHarness({ dataDir, policyFile, faults: FAULTS, fixtures: FIXTURES, timeScale: TIME_SCALE });
  // Just after the stack started: this clock runs a little behind the fault window's, never ahead of it.
  startedAt = Date.now();
  alice = await h.token('alice@example.com');
});

afterAll(async () => {
  await h.close();
});

const submit = async (PrincipalId: string, durationMinutes: number): Promise<{ requestId: string; link: string }> => {
  const submitted = await h.call('POST', '/requests', {
    token: alice,
    body: { ...ssoRequest({ PrincipalId }), durationMinutes },
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

describe('every Identity Center call fails with InternalServerException for two minutes', () => {
  it('no approved grant fails: each is created and revoked after the outage', async () => {
    // Prepare: every request is submitted before the outage (submit reads the directory from Identity Center)
    const early = [];
    for (const principal of PRINCIPALS.slice(0, BEFORE)) early.push(await submit(principal, 3));
    const late = [];
    for (const principal of PRINCIPALS.slice(BEFORE)) late.push(await submit(principal, 3));
    expect(Date.now()).toBeLessThan(wallAt(OUTAGE.fromSeconds - 60));

    // Act: the early grants become ACTIVE before the outage and end (3 AWS minutes) while it lasts; the late ones are
    // approved in three waves during it, so their creations meet it.
    await sleepUntil(wallAt(OUTAGE.fromSeconds - 120));
    await Promise.all(early.map((r) => approve(r.link)));
    const waves = [late.slice(0, 3), late.slice(3, 6), late.slice(6)];
    for (const [i, wave] of waves.entries()) {
      await sleepUntil(wallAt(OUTAGE.fromSeconds + 5 + i * 40));
      await Promise.all(wave.map((r) => approve(r.link)));
    }
    const finals = (await Promise.all(
      [...early, ...late].map((r) =>
        h.waitForStatus(
          r.requestId,
          alice,
          ['REVOKED', 'REVOKE_FAILED', 'FAILED', 'OUTCOME_UNKNOWN', 'COMPLETED', 'EXPIRED'],
          120_000,
        ),
      ),
    )) as unknown as View[];

    // Assess
    const unexpected = finals
      .filter((f) => f.status !== 'REVOKED')
      .map((f) => ({ status: f.status, error: (f as { error?: unknown }).error, last: f.events.slice(-6) }));
    expect(unexpected).toEqual([]);
    // The outage was met: tasks failed with the server fault or waited it out (IdentityCenterBusy) in the executions.
    const sfn = new SFNClient(h.aws);
    const failures: string[] = [];
    for (const r of [...early, ...late]) {
      const executionArn = `${h.stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${r.requestId}`;
      const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
      for (const e of events) if (e.taskFailedEventDetails?.error) failures.push(e.taskFailedEventDetails.error);
    }
    sfn.destroy();
    expect(failures).toContain('IdentityCenterBusy');
    expect(failures.filter((e) => e === 'InternalServerException').length).toBeLessThanOrEqual(BEFORE + DURING);
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
  }, 180_000);
});
