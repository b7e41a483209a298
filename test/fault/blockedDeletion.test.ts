// Identity Center refuses every deletion with ConflictException for the first 40 minutes of AWS time (from the stack's start), so a
// one-minute grant's removal is blocked for over 20 minutes past its end. The grant must still end REVOKED with the
// assignment gone, and revoke_overdue must be raised along the way (once), loudly, to the requester, every approver
// and every auditor. Whichever retries finish the removal (the workflow's own, or the reconciler's after a
// REVOKE_FAILED), the final word is REVOKED.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { newDataDir, SSO_PARAMETERS, ssoRequest, startHarness, type Harness } from '../e2e/harness.js';

const TIME_SCALE = 0.005;
const BLOCKED_AWS_SECONDS = 2_400;
const FAULTS = `sso-admin.DeleteAccountAssignment=ConflictException:1@0-${BLOCKED_AWS_SECONDS}`;
const GRACE = '82a09ac6-f0f9-40b0-8221-1d08d0bfae4e';

type View = {
  status: string;
  activeUntil?: string;
  events: Array<{ at: string; type: string; detail: Record<string, unknown> }>;
};

let h: Harness;
let alice: string;
let startedAt: number;

beforeAll(async () => {
  const dataDir = newDataDir();
  const policyFile = join(dataDir, 'policy.json');
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
    }),
  );
  // Before the stack starts, so the fault window (counted from the stack's start) ends no earlier than computed below.
  startedAt = Date.now();
  h = await startHarness({ dataDir, policyFile, faults: FAULTS, timeScale: TIME_SCALE });
  alice = await h.token('alice@example.com');
});

afterAll(async () => {
  await h.close();
});

describe('a deletion blocked for over 20 minutes of AWS time', () => {
  it('ends REVOKED with the assignment gone, raising revoke_overdue once, loudly, along the way', async () => {
    // Prepare
    const submitted = await h.call('POST', '/requests', {
      token: alice,
      body: { ...ssoRequest({ PrincipalId: GRACE }), durationMinutes: 1 },
    });
    const { requestId } = submitted.body as { requestId: string };
    const links = await h.waitForLinks(requestId, 2);
    await h.call('POST', links.get('bob@example.com')!, {
      rawBody: 'decision=approve',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    const active = (await h.waitForStatus(requestId, alice, ['ACTIVE'], 10_000)) as unknown as View;
    const end = Date.parse(active.activeUntil ?? '');
    const blockedUntil = startedAt + BLOCKED_AWS_SECONDS * 1000 * TIME_SCALE;

    // Act
    const final = (await h.waitForStatus(requestId, alice, ['REVOKED'], 60_000)) as unknown as View;
    const deadline = Date.now() + 10_000;
    let alarms: Awaited<ReturnType<Harness['outbox']>> = [];
    while (Date.now() < deadline) {
      alarms = (await h.outbox(requestId)).filter((m) => m.kind === 'notice' && /REVOKE OVERDUE/.test(m.text));
      if (alarms.length >= 4) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // Assess: blocked for at least 20 minutes of AWS time past the grant's end
    expect(blockedUntil - end).toBeGreaterThanOrEqual(20 * 60 * 1000 * TIME_SCALE);
    expect(final.status).toBe('REVOKED');
    const types = final.events.map((e) => e.type);
    expect(types).toContain('revocation_error');
    expect(types.filter((t) => t === 'revoke_overdue')).toHaveLength(1);
    const overdue = final.events.find((e) => e.type === 'revoke_overdue')!;
    expect(Date.parse(overdue.at) - end).toBeGreaterThanOrEqual(10 * 60 * 1000 * TIME_SCALE);
    expect(overdue.detail).toMatchObject({ by: 'reconciler', activeUntil: active.activeUntil });
    const revoked = final.events.filter((e) => e.type === 'revoked');
    expect(revoked).toHaveLength(1);
    expect(Date.parse(revoked[0]!.at)).toBeGreaterThanOrEqual(blockedUntil - 50);
    expect(alarms.map((m) => m.approver).sort()).toEqual([
      'alice@example.com',
      'bob@example.com',
      'carol@example.com',
      'dana@example.com',
    ]);
    const sso = new SSOAdminClient(h.aws);
    const listed = await sso.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: SSO_PARAMETERS.InstanceArn,
        AccountId: SSO_PARAMETERS.TargetId,
        PermissionSetArn: SSO_PARAMETERS.PermissionSetArn,
      }),
    );
    sso.destroy();
    expect((listed.AccountAssignments ?? []).map((a) => a.PrincipalId)).not.toContain(GRACE);
  });
});
