// The whole system on the local stack: HTTP API → submit → real ASL → notify → link → decide → provision
// against the emulated AWS, verified through real SDK clients.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { GetEnvironmentAccountConnectionCommand, ProtonClient } from '@aws-sdk/client-proton';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import {
  PROTON_CONNECTION_IDS,
  SSO_PARAMETERS,
  newDataDir,
  protonRequest,
  ssoRequest,
  startHarness,
  type Harness,
} from './harness.js';

let h: Harness;
let alice: string;
let bob: string;
let carol: string;
let eve: string;
const dataDir = newDataDir();

beforeAll(async () => {
  h = await startHarness({ dataDir });
  alice = await h.token('alice@example.com');
  bob = await h.token('bob@example.com');
  carol = await h.token('carol@example.com');
  eve = await h.token('eve@example.com');
});

afterAll(async () => {
  await h.close();
});

const submit = async (body: unknown, token = alice, headers: Record<string, string> = {}) =>
  h.call('POST', '/requests', { token, body, headers });
const decide = (linkPath: string, decision: string) =>
  h.call('POST', linkPath, {
    rawBody: `decision=${decision}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  });

describe('approve to COMPLETED', () => {
  it('grants an Identity Center assignment, visible through ListAccountAssignments', async () => {
    // Prepare
    const submitted = await submit(ssoRequest());
    expect(submitted.status).toBe(202);
    const { requestId } = submitted.body as { requestId: string };
    const links = await h.waitForLinks(requestId, 2);
    // Act
    const decided = await decide(links.get('bob@example.com')!, 'approve');
    const done = await h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED']);
    // Assess
    expect(decided.status).toBe(200);
    expect(done.status).toBe('COMPLETED');
    expect(done.approvals).toEqual([
      expect.objectContaining({ approver: 'bob@example.com', decision: 'approve', via: 'link' }),
    ]);
    const types = (done.events as Array<{ type: string }>).map((e) => e.type);
    expect(types).toEqual(
      expect.arrayContaining(['submitted', 'notified', 'decision', 'provisioning_attempt', 'status_poll', 'completed']),
    );
    const sso = new SSOAdminClient(h.aws);
    const listed = await sso.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: SSO_PARAMETERS.InstanceArn,
        AccountId: SSO_PARAMETERS.TargetId,
        PermissionSetArn: SSO_PARAMETERS.PermissionSetArn,
      }),
    );
    expect(listed.AccountAssignments).toContainEqual(
      expect.objectContaining({ PrincipalId: SSO_PARAMETERS.PrincipalId, PrincipalType: 'USER' }),
    );
    // The requester is told after the outcome is recorded, so the message may trail the status by a moment.
    const told = await h.waitForMessages(requestId, 'outcome', 1);
    expect(told).toEqual([expect.objectContaining({ approver: 'alice@example.com' })]);
  });

  it('accepts a Proton environment account connection, then CONNECTED through the SDK', async () => {
    // Prepare
    const submitted = await submit(protonRequest(PROTON_CONNECTION_IDS[0]!));
    const { requestId } = submitted.body as { requestId: string };
    const links = await h.waitForLinks(requestId, 2);
    // Act
    await decide(links.get('carol@example.com')!, 'approve');
    const done = await h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED']);
    // Assess
    expect(done.status).toBe('COMPLETED');
    expect(done.outcome).toMatchObject({ status: 'CONNECTED' });
    const proton = new ProtonClient(h.aws);
    const { environmentAccountConnection } = await proton.send(
      new GetEnvironmentAccountConnectionCommand({ id: PROTON_CONNECTION_IDS[0]! }),
    );
    expect(environmentAccountConnection?.status).toBe('CONNECTED');
  });
});

describe('deny', () => {
  it('ends DENIED, tells the requester, and provisions nothing', async () => {
    // Prepare
    const { requestId } = (await submit(protonRequest(PROTON_CONNECTION_IDS[1]!))).body as { requestId: string };
    const links = await h.waitForLinks(requestId, 2);
    // Act
    const denied = await decide(links.get('bob@example.com')!, 'deny');
    const done = await h.waitForStatus(requestId, alice, ['DENIED']);
    // Assess
    expect(denied.status).toBe(200);
    expect(done.approvals).toEqual([expect.objectContaining({ approver: 'bob@example.com', decision: 'deny' })]);
    await h.waitForStatus(requestId, alice, ['DENIED']);
    const proton = new ProtonClient(h.aws);
    const { environmentAccountConnection } = await proton.send(
      new GetEnvironmentAccountConnectionCommand({ id: PROTON_CONNECTION_IDS[1]! }),
    );
    expect(environmentAccountConnection?.status).toBe('PENDING');
    const late = await decide(links.get('carol@example.com')!, 'approve');
    expect(late.status).toBe(410);
  });
});

describe('bad input', () => {
  it.each([
    [
      'a body that is not JSON',
      { rawBody: '{not json', headers: { 'content-type': 'application/json' } },
      400,
      '(body)',
    ],
    ['an unknown action', { body: { ...ssoRequest(), action: 'iam:CreateUser' } }, 400, 'action'],
    ['a bad TargetId', { body: ssoRequest({ TargetId: '1234' }) }, 400, 'parameters.TargetId'],
    ['an uppercase Proton id', { body: protonRequest(PROTON_CONNECTION_IDS[0]!.toUpperCase()) }, 400, 'parameters.id'],
    ['an unknown field', { body: { ...ssoRequest(), extra: 1 } }, 400, 'extra'],
    ['no rule for the account', { body: ssoRequest({ TargetId: '999999999999' }) }, 403, undefined],
    ['a body over 32 KiB', { body: { ...ssoRequest(), justification: 'x'.repeat(33 * 1024) } }, 413, undefined],
  ])('%s: contract error body, nothing written or started', async (_case, request, status, path) => {
    // Prepare
    const itemsBefore = await h.itemCount();
    const executionsBefore = await h.executionCount();
    // Act
    const response = await h.call('POST', '/requests', { token: alice, ...request });
    // Assess
    expect(response.status).toBe(status);
    const error = (response.body as { error: { code: string; message: string; details?: Array<{ path: string }> } })
      .error;
    expect(typeof error.code).toBe('string');
    expect(typeof error.message).toBe('string');
    if (path) expect(error.details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
    expect(await h.itemCount()).toBe(itemsBefore);
    expect(await h.executionCount()).toBe(executionsBefore);
  });

  it('answers 401 without a token and 404 to someone who may not read a request', async () => {
    // Prepare
    const { requestId } = (await submit(ssoRequest())).body as { requestId: string };
    await h.waitForLinks(requestId, 2);
    // Act
    const anonymous = await h.call('POST', '/requests', { body: ssoRequest() });
    const stranger = await h.call('GET', `/requests/${requestId}`, { token: eve });
    const approver = await h.call('GET', `/requests/${requestId}`, { token: carol });
    // Assess
    expect(anonymous.status).toBe(401);
    expect(stranger.status).toBe(404);
    expect(approver.status).toBe(200);
  });

  it('replays an Idempotency-Key and refuses its reuse with another body', async () => {
    // Act
    const first = await submit(ssoRequest(), alice, { 'idempotency-key': 'e2e-key-1' });
    const again = await submit(ssoRequest(), alice, { 'idempotency-key': 'e2e-key-1' });
    const other = await submit({ ...ssoRequest(), justification: 'different' }, alice, {
      'idempotency-key': 'e2e-key-1',
    });
    // Assess
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(other.status).toBe(409);
    expect((other.body as { error: { code: string } }).error.code).toBe('IdempotencyConflict');
  });
});

describe('approval links', () => {
  it('a GET, with or without query parameters, shows the page and changes nothing', async () => {
    // Prepare
    const { requestId } = (await submit(ssoRequest())).body as { requestId: string };
    const links = await h.waitForLinks(requestId, 2);
    await h.waitForEvent(requestId, 'notified');
    const read = () => h.readItem(requestId);
    const before = await read();
    // Act
    const page = await h.call('GET', links.get('bob@example.com')!);
    const withParams = await h.call('GET', `${links.get('bob@example.com')!}?decision=approve`);
    // Assess
    expect(page.status).toBe(200);
    expect(page.text).toContain('Approve');
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(withParams.status).toBe(200);
    expect(await read()).toEqual(before);
  });

  it('refuses self-approval: the requester is never sent a link and cannot forge one', async () => {
    // Prepare: bob asks, so only carol may approve
    const { requestId, approvers } = (await submit(ssoRequest(), bob)).body as {
      requestId: string;
      approvers: string[];
    };
    // Act
    const links = await h.waitForLinks(requestId, 1);
    // Assess
    expect(approvers).toEqual(['carol@example.com']);
    expect([...links.keys()]).toEqual(['carol@example.com']);
  });

  it('twenty concurrent approvals of one request: exactly one succeeds and the workflow resumes once', async () => {
    // Prepare
    const { requestId } = (await submit(ssoRequest())).body as { requestId: string };
    const links = await h.waitForLinks(requestId, 2);
    const paths = [...links.values()];
    // Act
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => decide(paths[i % paths.length]!, 'approve')),
    );
    const done = await h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED']);
    // Assess
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.every((s) => s === 200 || s === 409 || s === 410)).toBe(true);
    expect(done.status).toBe('COMPLETED');
    expect(done.approvals).toHaveLength(1);
    const sfn = new SFNClient(h.aws);
    const history = await sfn.send(
      new GetExecutionHistoryCommand({
        executionArn: `${h.stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${requestId}`,
        maxResults: 1000,
      }),
    );
    const approvalExits = (history.events ?? []).filter(
      (e) => e.type === 'TaskStateExited' && e.stateExitedEventDetails?.name === 'RequestApproval',
    );
    expect(approvalExits).toHaveLength(1);
  });
});

describe('restart', () => {
  it('keeps every record when the stack restarts on the same data directory; a request whose workflow was lost is failed visibly', async () => {
    // Prepare: one request finished, one still waiting for approvers when the stack stops
    const done = (await submit(ssoRequest())).body as { requestId: string };
    const links = await h.waitForLinks(done.requestId, 2);
    await decide(links.get('bob@example.com')!, 'approve');
    await h.waitForStatus(done.requestId, alice, ['COMPLETED']);
    await h.waitForMessages(done.requestId, 'outcome', 1);
    const pending = (await submit(ssoRequest())).body as { requestId: string };
    await h.waitForEvent(pending.requestId, 'notified');
    const doneBefore = (await h.call('GET', `/requests/${done.requestId}`, { token: alice })).body;
    const pendingBefore = (await h.call('GET', `/requests/${pending.requestId}`, { token: alice })).body as {
      events: unknown[];
    };
    await h.stack.close();
    // Act
    h = await startHarness({ dataDir });
    const doneAfter = await h.call('GET', `/requests/${done.requestId}`, { token: alice });
    const pendingAfter = await h.call('GET', `/requests/${pending.requestId}`, { token: alice });
    // Assess: nothing lost; the local engine cannot resume a waiting workflow, so that request says so
    expect(doneAfter.status).toBe(200);
    expect(doneAfter.body).toEqual(doneBefore);
    const after = pendingAfter.body as { status: string; error: { name: string }; events: Array<{ type: string }> };
    expect(after.status).toBe('FAILED');
    expect(after.error.name).toBe('LocalEngineRestarted');
    expect(after.events.slice(0, pendingBefore.events.length)).toEqual(pendingBefore.events);
    expect(after.events.at(-1)?.type).toBe('failed');
  });
});
