// A revocation that cannot succeed (Identity Center refuses every deletion) ends REVOKE_FAILED, loudly: the
// approvers, the auditors and the requester are told, and the audit query finds it. Access is never left in
// place silently.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateAccountAssignmentCommand,
  ListAccountAssignmentsCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { SSO_PARAMETERS, newDataDir, ssoRequest, startHarness, type Harness } from './harness.js';

const FAULTS = 'sso-admin.DeleteAccountAssignment=AccessDeniedException:1.0';
const FAILING = 'f81d4fae-7dec-11d0-a765-00a0c91e7d01';
const PRE_EXISTING = 'f81d4fae-7dec-11d0-a765-00a0c91e7d02';
const LOUD = /REVOKE_FAILED|could not be revoked/i;

type View = {
  requestId: string;
  status: string;
  error?: { name: string; message: string };
  events: Array<{ type: string; detail: Record<string, unknown> }>;
};

let h: Harness;
let sso: SSOAdminClient;
let alice: string;
let dana: string;

beforeAll(async () => {
  const dataDir = newDataDir();
  const policyFile = join(dataDir, 'policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      approvalTimeoutSeconds: 86_400,
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
  const fixtures = JSON.stringify({
    sso: {
      instanceArn: SSO_PARAMETERS.InstanceArn,
      permissionSets: [SSO_PARAMETERS.PermissionSetArn],
      principals: [FAILING, PRE_EXISTING].map((id) => ({ id, type: 'USER' })),
      accounts: ['111111111111'],
      provisioningSeconds: 1,
    },
  });
  h = await startHarness({ dataDir, policyFile, fixtures, faults: FAULTS, timeScale: 0.002 });
  sso = new SSOAdminClient(h.aws);
  alice = await h.token('alice@example.com');
  dana = await h.token('dana@example.com');
});

afterAll(async () => {
  sso.destroy();
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
  await h.call('POST', links.get('bob@example.com')!, {
    rawBody: 'decision=approve',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  });
  return requestId;
};

const isAssigned = async (PrincipalId: string): Promise<boolean> => {
  const listed = await sso.send(
    new ListAccountAssignmentsCommand({
      InstanceArn: SSO_PARAMETERS.InstanceArn,
      AccountId: '111111111111',
      PermissionSetArn: SSO_PARAMETERS.PermissionSetArn,
      MaxResults: 100,
    }),
  );
  return (listed.AccountAssignments ?? []).some((a) => a.PrincipalId === PrincipalId);
};

/** Waits until every recipient has an outcome or notice message that says the revocation failed. */
const waitForLoudMessages = async (requestId: string, recipients: string[], timeoutMs = 15_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const loud = (await h.outbox(requestId)).filter(
      (m) => (m.kind === 'outcome' || m.kind === 'notice') && LOUD.test(m.text),
    );
    const told = new Set(loud.map((m) => m.approver));
    if (recipients.every((r) => told.has(r)) || Date.now() > deadline) return told;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};

describe('DeleteAccountAssignment always AccessDeniedException', () => {
  it('ends REVOKE_FAILED with the error, tells approvers, auditors and the requester, and the audit query finds it', async () => {
    // Prepare
    const requestId = await grant(FAILING, 30);
    // Act
    const final = (await h.waitForStatus(
      requestId,
      alice,
      ['REVOKED', 'REVOKE_FAILED', 'FAILED', 'COMPLETED'],
      45_000,
    )) as unknown as View;
    const told = await waitForLoudMessages(requestId, [
      'bob@example.com',
      'carol@example.com',
      'dana@example.com',
      'alice@example.com',
    ]);
    const audit = await h.call('GET', '/requests?status=REVOKE_FAILED', { token: dana });
    // Assess
    expect(final.status).toBe('REVOKE_FAILED');
    expect(final.error?.name).toBe('AccessDeniedException');
    expect(final.events.map((e) => e.type)).toEqual(
      expect.arrayContaining(['active', 'revocation_error', 'revoke_failed']),
    );
    expect(final.events.filter((e) => e.type === 'revoked')).toEqual([]);
    expect([...told].sort()).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com', 'dana@example.com']);
    // The access is still there, and says so: nothing pretends it was removed.
    expect(await isAssigned(FAILING)).toBe(true);
    expect(audit.status).toBe(200);
    expect((audit.body as { items: View[] }).items.map((i) => i.requestId)).toContain(requestId);
  });

  it('a grant that must not delete anything (pre-existing assignment) still ends REVOKED: no deletion is attempted', async () => {
    // Prepare
    await sso.send(
      new CreateAccountAssignmentCommand({
        ...SSO_PARAMETERS,
        PrincipalId: PRE_EXISTING,
        PrincipalType: 'USER',
        TargetType: 'AWS_ACCOUNT',
      }),
    );
    const deadline = Date.now() + 10_000;
    while (!(await isAssigned(PRE_EXISTING))) {
      if (Date.now() > deadline) throw new Error('the pre-existing assignment never appeared');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const requestId = await grant(PRE_EXISTING, 15);
    // Act
    const final = (await h.waitForStatus(
      requestId,
      alice,
      ['REVOKED', 'REVOKE_FAILED', 'FAILED', 'COMPLETED'],
      45_000,
    )) as unknown as View;
    // Assess
    expect(final.status).toBe('REVOKED');
    expect(final.events.find((e) => e.type === 'revoked')?.detail).toMatchObject({ deleted: false });
    expect(final.events.filter((e) => e.type === 'revocation_error')).toEqual([]);
    expect(await isAssigned(PRE_EXISTING)).toBe(true);
  });
});
