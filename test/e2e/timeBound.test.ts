// Time-bound grants on the real local stack: granted, ACTIVE, then revoked on schedule or on request, and the
// overlap rules checked through real SDK ListAccountAssignments calls against the emulated Identity Center.
// At a time scale of 0.002 a minute of grant lasts 0.12 s, so a 60-minute grant ends after about 7 s.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateAccountAssignmentCommand,
  ListAccountAssignmentsCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import {
  PROTON_CONNECTION_IDS,
  SSO_PARAMETERS,
  newDataDir,
  protonRequest,
  ssoRequest,
  startHarness,
  type Harness,
} from './harness.js';

const TIME_SCALE = 0.002;
const MAX_MINUTES = 120;
const DEFAULT_MAX_MINUTES = 480;
const OTHER_ACCOUNT = '222222222222';

// One principal per scenario, so no test can see (or remove) another test's assignment.
const principal = (n: number): string => `f81d4fae-7dec-11d0-a765-00a0c91e7b${String(n).padStart(2, '0')}`;
const P = {
  scheduled: principal(1),
  overlap: principal(2),
  preExisting: principal(3),
  early: principal(4),
  earlyOverlap: principal(5),
  byAuditor: principal(6),
  permanent: principal(7),
};

type View = {
  requestId: string;
  status: string;
  activeUntil?: string;
  revokeRequestedBy?: string;
  events: Array<{ at: string; type: string; detail: Record<string, unknown> }>;
  error?: { name: string; message: string };
};
type ErrorBody = {
  error: { code: string; message: string; details?: Array<{ path: string; message: string }> };
  request?: View;
};

const SETTLED = ['ACTIVE', 'COMPLETED', 'FAILED', 'DENIED', 'EXPIRED', 'REVOKED', 'REVOKE_FAILED'];
const ENDED = ['REVOKED', 'REVOKE_FAILED', 'FAILED'];

let h: Harness;
let sso: SSOAdminClient;
let alice: string;
let eve: string;
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
          match: { TargetId: ['111111111111'] },
          approvers: ['bob@example.com', 'carol@example.com'],
          maxDurationMinutes: MAX_MINUTES,
        },
        // No maxDurationMinutes: the default applies.
        {
          action: 'sso:CreateAccountAssignment',
          match: { TargetId: [OTHER_ACCOUNT] },
          approvers: ['bob@example.com', 'carol@example.com'],
        },
        { action: 'proton:AcceptEnvironmentAccountConnection', approvers: ['carol@example.com'] },
      ],
    }),
  );
  const fixtures = JSON.stringify({
    sso: {
      instanceArn: SSO_PARAMETERS.InstanceArn,
      permissionSets: [SSO_PARAMETERS.PermissionSetArn],
      principals: Object.values(P).map((id) => ({ id, type: 'USER' })),
      accounts: ['111111111111', OTHER_ACCOUNT],
      provisioningSeconds: 1,
    },
  });
  h = await startHarness({ dataDir, policyFile, fixtures, timeScale: TIME_SCALE });
  sso = new SSOAdminClient(h.aws);
  alice = await h.token('alice@example.com');
  eve = await h.token('eve@example.com');
  dana = await h.token('dana@example.com');
});

afterAll(async () => {
  sso.destroy();
  await h.close();
});

const submitGrant = async (PrincipalId: string, durationMinutes?: number): Promise<string> => {
  const body = { ...ssoRequest({ PrincipalId }), ...(durationMinutes === undefined ? {} : { durationMinutes }) };
  const response = await h.call('POST', '/requests', { token: alice, body });
  expect(response.status).toBe(202);
  return (response.body as { requestId: string }).requestId;
};

const approve = async (requestId: string): Promise<void> => {
  const links = await h.waitForLinks(requestId, 2);
  const decided = await h.call('POST', links.get('bob@example.com')!, {
    rawBody: 'decision=approve',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  });
  expect(decided.status).toBe(200);
};

/** Submits, approves, and waits for the grant to be ACTIVE. */
const activeGrant = async (PrincipalId: string, durationMinutes: number): Promise<View> => {
  const requestId = await submitGrant(PrincipalId, durationMinutes);
  await approve(requestId);
  const view = (await h.waitForStatus(requestId, alice, SETTLED)) as unknown as View;
  expect(view.status).toBe('ACTIVE');
  return view;
};

const waitForEnd = async (requestId: string, timeoutMs = 45_000): Promise<View> =>
  (await h.waitForStatus(requestId, alice, ENDED, timeoutMs)) as unknown as View;

const isAssigned = async (PrincipalId: string, AccountId = '111111111111'): Promise<boolean> => {
  const listed = await sso.send(
    new ListAccountAssignmentsCommand({
      InstanceArn: SSO_PARAMETERS.InstanceArn,
      AccountId,
      PermissionSetArn: SSO_PARAMETERS.PermissionSetArn,
      MaxResults: 100,
    }),
  );
  return (listed.AccountAssignments ?? []).some((a) => a.PrincipalId === PrincipalId && a.PrincipalType === 'USER');
};

const eventsOf = (view: View, type: string) => view.events.filter((e) => e.type === type);

const revoke = (requestId: string, token: string) => h.call('POST', `/requests/${requestId}/revoke`, { token });

// First, while no workflow runs: these assert that nothing at all is written or started.
describe('bad durations', () => {
  it.each([
    [
      'Proton with durationMinutes',
      { ...protonRequest(PROTON_CONNECTION_IDS[0]!), durationMinutes: 30 },
      'durationMinutes',
      undefined,
    ],
    [
      'SSO above the rule limit',
      { ...ssoRequest({ PrincipalId: P.scheduled }), durationMinutes: MAX_MINUTES + 1 },
      'durationMinutes',
      String(MAX_MINUTES),
    ],
    [
      'SSO above the default limit',
      {
        ...ssoRequest({ PrincipalId: P.scheduled, TargetId: OTHER_ACCOUNT }),
        durationMinutes: DEFAULT_MAX_MINUTES + 1,
      },
      'durationMinutes',
      String(DEFAULT_MAX_MINUTES),
    ],
    ['zero minutes', { ...ssoRequest({ PrincipalId: P.scheduled }), durationMinutes: 0 }, 'durationMinutes', undefined],
    [
      'a fraction of a minute',
      { ...ssoRequest({ PrincipalId: P.scheduled }), durationMinutes: 1.5 },
      'durationMinutes',
      undefined,
    ],
    [
      'minutes as text',
      { ...ssoRequest({ PrincipalId: P.scheduled }), durationMinutes: '60' },
      'durationMinutes',
      undefined,
    ],
  ])('%s: 400 naming durationMinutes, nothing written or started', async (_case, body, path, limit) => {
    // Prepare
    const itemsBefore = await h.itemCount();
    const executionsBefore = await h.executionCount();
    // Act
    const response = await h.call('POST', '/requests', { token: alice, body });
    // Assess
    expect(response.status).toBe(400);
    const { error } = response.body as ErrorBody;
    expect(error.code).toBe('ValidationError');
    expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    if (limit) expect(error.message).toContain(limit);
    expect(await h.itemCount()).toBe(itemsBefore);
    expect(await h.executionCount()).toBe(executionsBefore);
  });
});

describe('scheduled end', () => {
  it('grants, is ACTIVE with activeUntil, then is revoked by itself and the assignment is gone', async () => {
    // Prepare
    const requestId = await submitGrant(P.scheduled, 60);
    // Act
    await approve(requestId);
    const active = (await h.waitForStatus(requestId, alice, SETTLED)) as unknown as View;
    const assignedWhileActive = await isAssigned(P.scheduled);
    const ended = await waitForEnd(requestId);
    // Assess
    expect(active.status).toBe('ACTIVE');
    expect(active.activeUntil).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/));
    expect(eventsOf(active, 'active')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ activeUntil: active.activeUntil }) }),
    ]);
    expect(assignedWhileActive).toBe(true);
    expect(ended.status).toBe('REVOKED');
    const types = ended.events.map((e) => e.type);
    expect(types.indexOf('completed')).toBeGreaterThan(-1);
    expect(types.indexOf('active')).toBeGreaterThan(types.indexOf('completed'));
    expect(types.indexOf('revoked')).toBeGreaterThan(types.indexOf('active'));
    expect(eventsOf(ended, 'revoked')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ deleted: true }) }),
    ]);
    expect(eventsOf(ended, 'revocation_attempt').length).toBeGreaterThan(0);
    expect(ended.revokeRequestedBy).toBeUndefined();
    expect(await isAssigned(P.scheduled)).toBe(false);
  });
});

describe('overlap safety', () => {
  it('two grants of the same assignment: the shorter ending leaves it in place, the longer ending removes it', async () => {
    // Prepare: the 90-minute grant first, so the 30-minute one surely ends first
    const long = await activeGrant(P.overlap, 90);
    const short = await activeGrant(P.overlap, 30);
    // Act
    const shortEnded = await waitForEnd(short.requestId);
    const longMeanwhile = (await h.call('GET', `/requests/${long.requestId}`, { token: alice })).body as View;
    const assignedBetween = await isAssigned(P.overlap);
    const longEnded = await waitForEnd(long.requestId);
    // Assess
    expect(shortEnded.status).toBe('REVOKED');
    expect(eventsOf(shortEnded, 'revoked')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ deleted: false }) }),
    ]);
    expect(longMeanwhile.status).toBe('ACTIVE');
    expect(assignedBetween).toBe(true);
    expect(longEnded.status).toBe('REVOKED');
    expect(eventsOf(longEnded, 'revoked')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ deleted: true }) }),
    ]);
    expect(await isAssigned(P.overlap)).toBe(false);
  });

  it('an assignment that existed before our grant survives the grant ending', async () => {
    // Prepare: created outside the system, straight through the SDK
    await sso.send(
      new CreateAccountAssignmentCommand({
        ...SSO_PARAMETERS,
        PrincipalId: P.preExisting,
        PrincipalType: 'USER',
        TargetType: 'AWS_ACCOUNT',
      }),
    );
    const deadline = Date.now() + 10_000;
    while (!(await isAssigned(P.preExisting))) {
      if (Date.now() > deadline) throw new Error('the pre-existing assignment never appeared');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const grant = await activeGrant(P.preExisting, 30);
    // Act
    const ended = await waitForEnd(grant.requestId);
    // Assess
    expect(ended.status).toBe('REVOKED');
    expect(eventsOf(ended, 'revoked')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ deleted: false }) }),
    ]);
    expect(await isAssigned(P.preExisting)).toBe(true);
  });
});

describe('early end: POST /requests/{id}/revoke', () => {
  it('the requester ends the grant now: 202, then REVOKED and gone; a second call is 409 with the state; a stranger gets 404', async () => {
    // Prepare: 120 minutes would last about 14 s
    const grant = await activeGrant(P.early, MAX_MINUTES);
    // Act
    const stranger = await revoke(grant.requestId, eve);
    const accepted = await revoke(grant.requestId, alice);
    const again = await revoke(grant.requestId, alice);
    const ended = await waitForEnd(grant.requestId, 8_000);
    const afterEnd = await revoke(grant.requestId, alice);
    // Assess
    expect(stranger.status).toBe(404);
    expect((stranger.body as ErrorBody).error.code).toBe('NotFound');
    expect(accepted.status).toBe(202);
    expect(accepted.body).toEqual({
      requestId: grant.requestId,
      status: 'ACTIVE',
      revokeRequestedBy: 'alice@example.com',
      message: 'Revocation started',
    });
    expect(again.status).toBe(409);
    const conflict = again.body as ErrorBody;
    expect(conflict.error.code).toBe('RevokeConflict');
    expect(conflict.request).toMatchObject({ requestId: grant.requestId, revokeRequestedBy: 'alice@example.com' });
    expect(conflict.error.message).toContain(conflict.request!.status);
    expect(ended.status).toBe('REVOKED');
    expect(ended.revokeRequestedBy).toBe('alice@example.com');
    expect(eventsOf(ended, 'revoke_requested')).toEqual([
      expect.objectContaining({ detail: { by: 'alice@example.com' } }),
    ]);
    expect(eventsOf(ended, 'revoked')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ deleted: true }) }),
    ]);
    expect(afterEnd.status).toBe(409);
    expect((afterEnd.body as ErrorBody).request).toMatchObject({ status: 'REVOKED' });
    expect((afterEnd.body as ErrorBody).error.message).toContain('REVOKED');
    expect(await isAssigned(P.early)).toBe(false);
  });

  it('an auditor may end a grant, and the events record who did', async () => {
    // Prepare
    const grant = await activeGrant(P.byAuditor, MAX_MINUTES);
    // Act
    const accepted = await revoke(grant.requestId, dana);
    const ended = await waitForEnd(grant.requestId, 8_000);
    // Assess
    expect(accepted.status).toBe(202);
    expect(ended.status).toBe('REVOKED');
    expect(eventsOf(ended, 'revoke_requested')).toEqual([
      expect.objectContaining({ detail: { by: 'dana@example.com' } }),
    ]);
    expect(await isAssigned(P.byAuditor)).toBe(false);
  });

  it('ending one of two overlapping grants early follows the same overlap rules', async () => {
    // Prepare
    const first = await activeGrant(P.earlyOverlap, MAX_MINUTES);
    const second = await activeGrant(P.earlyOverlap, MAX_MINUTES);
    // Act
    expect((await revoke(first.requestId, alice)).status).toBe(202);
    const firstEnded = await waitForEnd(first.requestId, 8_000);
    const assignedBetween = await isAssigned(P.earlyOverlap);
    expect((await revoke(second.requestId, alice)).status).toBe(202);
    const secondEnded = await waitForEnd(second.requestId, 8_000);
    // Assess
    expect(firstEnded.status).toBe('REVOKED');
    expect(eventsOf(firstEnded, 'revoked')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ deleted: false }) }),
    ]);
    expect(assignedBetween).toBe(true);
    expect(secondEnded.status).toBe('REVOKED');
    expect(eventsOf(secondEnded, 'revoked')).toEqual([
      expect.objectContaining({ detail: expect.objectContaining({ deleted: true }) }),
    ]);
    expect(await isAssigned(P.earlyOverlap)).toBe(false);
  });

  it('a request that is not an ACTIVE grant cannot be revoked: 409 naming its status, and a permanent grant stays', async () => {
    // Prepare
    const requestId = await submitGrant(P.permanent);
    await h.waitForLinks(requestId, 2);
    // Act
    const pending = await revoke(requestId, alice);
    await approve(requestId);
    const completed = (await h.waitForStatus(requestId, alice, SETTLED)) as unknown as View;
    const afterCompleted = await revoke(requestId, alice);
    // Assess
    expect(pending.status).toBe(409);
    expect((pending.body as ErrorBody).error).toMatchObject({
      code: 'RevokeConflict',
      message: expect.stringContaining('PENDING_APPROVAL'),
    });
    expect((pending.body as ErrorBody).request).toMatchObject({ requestId, status: 'PENDING_APPROVAL' });
    expect(completed.status).toBe('COMPLETED');
    expect(afterCompleted.status).toBe(409);
    expect((afterCompleted.body as ErrorBody).error.message).toContain('COMPLETED');
    expect(await isAssigned(P.permanent)).toBe(true);
  });

  it('answers 401 without a token and 404 for an unknown request', async () => {
    // Act
    const anonymous = await h.call('POST', '/requests/00000000-0000-4000-8000-000000000000/revoke');
    const unknown = await revoke('00000000-0000-4000-8000-000000000000', alice);
    // Assess
    expect(anonymous.status).toBe(401);
    expect(unknown.status).toBe(404);
  });
});
