// Deciding while signed in, end to end: POST /requests/{requestId}/decision on the real local stack, with the JWT's
// identity, the real handlers and workflow, and the real Slack client talking to the fake Slack. It answers as a link
// does (200, 403, 409, 410; 400 naming the field, 404, 413), records `via: 'page'`, rewrites the approvers' Slack
// messages, and is first-writer-wins against a link and a Slack click on the same request. Approvers who are not
// auditors list what waits on them with GET /requests?approver=<self>.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../fixtures/fakeSlack.js';
import { newDataDir, ssoRequest, startHarness, type Harness } from './harness.js';

const BOT_TOKEN = 'xoxb-decide-signed-in';
const SLACK_IDS = { alice: 'U0ALICE', bob: 'U0BOB', carol: 'U0CAROL', dana: 'U0DANA' } as const;
/** Routed by the test policy below: one approval of three, two of three, or one with a window of 60 s (0.6 s here). */
const ACCOUNTS = { oneOfThree: '111111111111', twoOfThree: '222222222222', shortWindow: '444455556666' } as const;

let fake: FakeSlack;
let h: Harness;
const tokens = { alice: '', bob: '', carol: '', dana: '', erin: '', eve: '' };
type Who = keyof typeof tokens;

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN });
  const dataDir = newDataDir();
  const policyFile = join(dataDir, 'policy.json');
  // erin audits and approves nothing; eve is nobody to these requests.
  writeFileSync(
    policyFile,
    JSON.stringify({
      approvalTimeoutSeconds: 86_400,
      people: Object.entries(SLACK_IDS).map(([name, slackUserId]) => ({ id: `${name}@example.com`, slackUserId })),
      auditors: ['erin@example.com'],
      rules: [
        {
          action: 'sso:CreateAccountAssignment',
          match: { TargetId: [ACCOUNTS.oneOfThree] },
          approvers: ['bob@example.com', 'carol@example.com', 'dana@example.com'],
          minApprovals: 1,
        },
        {
          action: 'sso:CreateAccountAssignment',
          match: { TargetId: [ACCOUNTS.twoOfThree] },
          approvers: ['bob@example.com', 'carol@example.com', 'dana@example.com'],
          minApprovals: 2,
        },
        {
          action: 'sso:CreateAccountAssignment',
          match: { TargetId: [ACCOUNTS.shortWindow] },
          approvers: ['bob@example.com', 'carol@example.com'],
          approvalTimeoutSeconds: 60,
        },
      ],
    }),
  );
  h = await startHarness({ dataDir, policyFile, slackBotToken: BOT_TOKEN, slackApiUrl: fake.url });
  for (const name of Object.keys(tokens) as Who[]) tokens[name] = await h.token(`${name}@example.com`);
});

afterAll(async () => {
  await h.close();
  await fake.close();
});

const poll = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

type RequestBody = {
  status: string;
  approvals: Array<{ approver: string; decision: string; via: string; comment?: string }>;
  events: Array<{ type: string; detail: Record<string, unknown> }>;
};
const getRequest = async (requestId: string): Promise<RequestBody> =>
  (await h.call('GET', `/requests/${requestId}`, { token: tokens.alice })).body as RequestBody;

type Button = { action_id: string; value?: string; url?: string };
const buttons = (call: FakeSlackCall): Button[] =>
  ((call.args.blocks ?? []) as Array<{ type: string; elements?: Button[] }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);

/** Submits as alice for `account` and waits until every approver's DM is out (the `notified` event). */
const submitAndNotify = async (account: string): Promise<{ requestId: string; dms: Map<string, FakeSlackCall> }> => {
  const submitted = await h.call('POST', '/requests', { token: tokens.alice, body: ssoRequest({ TargetId: account }) });
  expect(submitted.status).toBe(202);
  const { requestId } = submitted.body as { requestId: string };
  await poll(`${requestId} to be notified`, async () =>
    (await getRequest(requestId)).events?.some((e) => e.type === 'notified') ? true : undefined,
  );
  const dms = fake
    .callsTo('chat.postMessage')
    .filter((call) => buttons(call).some((b) => b.value === requestId))
    .map((call): [string, FakeSlackCall] => [call.args.channel as string, call]);
  return { requestId, dms: new Map(dms) };
};

const decideOnPage = (requestId: string, who: Who, body: unknown, headers: Record<string, string> = {}) =>
  h.call('POST', `/requests/${encodeURIComponent(requestId)}/decision`, { token: tokens[who], body, headers });

const errorOf = (body: unknown) => (body as { error?: { code?: string; details?: Array<{ path: string }> } }).error;

describe('POST /requests/{requestId}/decision', () => {
  it('200: an approver approves while signed in; the link JSON comes back, via is page, and the Slack DMs are rewritten', async () => {
    // Prepare
    const { requestId, dms } = await submitAndNotify(ACCOUNTS.oneOfThree);
    // Act
    const response = await decideOnPage(requestId, 'bob', { decision: 'approve', comment: 'on call, fine' });
    // Assess
    expect(response.status).toBe(200);
    const body = response.body as { decision: string; approver: string; request: RequestBody & { requestId: string } };
    expect(body).toMatchObject({ decision: 'approve', approver: 'bob@example.com' });
    expect(body.request).toMatchObject({ requestId, status: 'APPROVED' });
    expect(dms.size).toBe(3);
    for (const [channel, posted] of dms) {
      const rewritten = fake
        .callsTo('chat.update')
        .filter((u) => u.args.channel === channel && u.args.ts === posted.response.ts);
      expect(rewritten.length).toBeGreaterThanOrEqual(1);
      expect(rewritten[0]!.args.text).toEqual(expect.stringContaining('Approved by bob@example.com'));
    }
    const done = await h.waitForStatus(requestId, tokens.alice, ['COMPLETED', 'FAILED']);
    expect(done.status).toBe('COMPLETED');
    expect(done.approvals).toEqual([
      {
        approver: 'bob@example.com',
        decision: 'approve',
        via: 'page',
        comment: 'on call, fine',
        at: expect.any(String),
      },
    ]);
    const decisionEvent = (done.events as RequestBody['events']).find((e) => e.type === 'decision');
    expect(decisionEvent?.detail).toMatchObject({ approver: 'bob@example.com', via: 'page' });
  });

  it('a deny ends the request DENIED', async () => {
    // Prepare
    const { requestId } = await submitAndNotify(ACCOUNTS.oneOfThree);
    // Act
    const response = await decideOnPage(requestId, 'carol', { decision: 'deny' });
    const done = await h.waitForStatus(requestId, tokens.alice, ['DENIED']);
    // Assess
    expect(response.status).toBe(200);
    expect(done.approvals).toEqual([expect.objectContaining({ approver: 'carol@example.com', via: 'page' })]);
  });

  it('409 for an approver deciding twice, while the quorum is still open', async () => {
    // Prepare
    const { requestId } = await submitAndNotify(ACCOUNTS.twoOfThree);
    expect((await decideOnPage(requestId, 'bob', { decision: 'approve' })).status).toBe(200);
    // Act
    const again = await decideOnPage(requestId, 'bob', { decision: 'deny' });
    // Assess
    expect(again.status).toBe(409);
    expect(errorOf(again.body)?.code).toBe('AlreadyDecided');
    const after = await getRequest(requestId);
    expect(after.status).toBe('PENDING_APPROVAL');
    expect(after.approvals).toHaveLength(1);
  });

  it('410 once the request is no longer pending: decided by someone else, or its window closed', async () => {
    // Prepare
    const decided = await submitAndNotify(ACCOUNTS.oneOfThree);
    expect((await decideOnPage(decided.requestId, 'dana', { decision: 'deny' })).status).toBe(200);
    const expiring = await submitAndNotify(ACCOUNTS.shortWindow);
    await h.waitForStatus(expiring.requestId, tokens.alice, ['EXPIRED']);
    // Act
    const late = await decideOnPage(decided.requestId, 'bob', { decision: 'approve' });
    const expired = await decideOnPage(expiring.requestId, 'carol', { decision: 'approve' });
    // Assess
    expect([late.status, expired.status]).toEqual([410, 410]);
    expect([errorOf(late.body)?.code, errorOf(expired.body)?.code]).toEqual(['NotPending', 'NotPending']);
    expect((await getRequest(decided.requestId)).approvals).toHaveLength(1);
    expect((await getRequest(expiring.requestId)).approvals).toEqual([]);
  });

  it('403 for the requester and for an auditor who is not an approver; 404 for a stranger and an unknown id', async () => {
    // Prepare
    const { requestId } = await submitAndNotify(ACCOUNTS.oneOfThree);
    const before = await getRequest(requestId);
    const itemsBefore = await h.itemCount();
    // Act
    const [requester, auditor, stranger, unknown] = await Promise.all([
      decideOnPage(requestId, 'alice', { decision: 'approve' }),
      decideOnPage(requestId, 'erin', { decision: 'approve' }),
      decideOnPage(requestId, 'eve', { decision: 'approve' }),
      decideOnPage('00000000-0000-4000-8000-000000000000', 'bob', { decision: 'approve' }),
    ]);
    // Assess
    expect([requester.status, auditor.status, stranger.status, unknown.status]).toEqual([403, 403, 404, 404]);
    expect(errorOf(requester.body)?.code).toBe('NotAnApprover');
    expect(errorOf(auditor.body)?.code).toBe('NotAnApprover');
    // The stranger's 404 is the unknown id's: it says nothing about the request.
    expect((errorOf(stranger.body) as { message?: string }).message).toBe(`Request ${requestId} not found`);
    expect(await getRequest(requestId)).toEqual(before);
    expect(await h.itemCount()).toBe(itemsBefore);
  });

  it('400 naming the field for a bad body, and 413 over 32 KiB; nothing is recorded', async () => {
    // Prepare
    const { requestId } = await submitAndNotify(ACCOUNTS.oneOfThree);
    const before = await getRequest(requestId);
    const path = `/requests/${requestId}/decision`;
    const send = (rawBody: string) =>
      h.call('POST', path, { token: tokens.bob, rawBody, headers: { 'content-type': 'application/json' } });
    // Act
    const answers = await Promise.all([
      send('decision=approve'),
      send(JSON.stringify({ decision: 'approve', approver: 'carol@example.com' })),
      send(JSON.stringify({ decision: 'yes' })),
      send(JSON.stringify({ decision: 'approve', comment: 'x'.repeat(1025) })),
      send(JSON.stringify(['approve'])),
      send(JSON.stringify({ decision: 'approve', comment: 'y'.repeat(33 * 1024) })),
    ]);
    // Assess
    expect(answers.map((a) => a.status)).toEqual([400, 400, 400, 400, 400, 413]);
    expect(answers.slice(0, 5).map((a) => errorOf(a.body)?.details?.map((d) => d.path))).toEqual([
      ['(body)'],
      ['approver'],
      ['decision'],
      ['comment'],
      ['(body)'],
    ]);
    expect(errorOf(answers[5]!.body)?.code).toBe('PayloadTooLarge');
    expect(await getRequest(requestId)).toEqual(before);
  });
});

describe('first writer wins across a link, a Slack click and the signed-in call', () => {
  it('three approvers racing on one request, three times: one settling decision and one SendTaskSuccess each time', async () => {
    for (let round = 0; round < 3; round += 1) {
      // Prepare: bob's signed link (from his DM's button), carol's Slack click, dana's signed-in call
      const { requestId, dms } = await submitAndNotify(ACCOUNTS.oneOfThree);
      const link = buttons(dms.get(SLACK_IDS.bob)!).find((b) => b.action_id === 'open')!.url!;
      const sendsBefore = h.stack.awsCallCount('AWSStepFunctions.SendTaskSuccess');
      const click = {
        type: 'block_actions',
        user: { id: SLACK_IDS.carol },
        channel: { id: SLACK_IDS.carol },
        actions: [{ type: 'button', action_id: 'approve', value: requestId }],
      };
      // Act
      const [byLink, bySlack, byPage] = await Promise.all([
        h.call('POST', new URL(link).pathname, {
          rawBody: 'decision=approve',
          headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
        }),
        h.slackClick(click),
        decideOnPage(requestId, 'dana', { decision: 'approve' }),
      ]);
      const done = await h.waitForStatus(requestId, tokens.alice, ['COMPLETED', 'FAILED']);
      // Assess
      const statuses = [byLink.status, bySlack.status, byPage.status];
      expect(statuses.filter((s) => s === 200)).toHaveLength(1);
      expect(statuses.filter((s) => s !== 200).every((s) => s === 410)).toBe(true);
      expect(done.status).toBe('COMPLETED');
      expect(done.approvals).toHaveLength(1);
      const winner = (done.approvals as RequestBody['approvals'])[0]!;
      expect(winner.via).toBe(['link', 'slack', 'page'][statuses.indexOf(200)]);
      expect((done.events as RequestBody['events']).filter((e) => e.type === 'decision')).toHaveLength(1);
      expect(h.stack.awsCallCount('AWSStepFunctions.SendTaskSuccess') - sendsBefore).toBe(1);
    }
  });
});

describe('GET /requests?approver=<self> for approvers who are not auditors', () => {
  it("lists what waits on the caller, tells decided from undecided, and refuses someone else's approvals", async () => {
    // Prepare: two open quorum requests; bob has decided one of them
    const first = await submitAndNotify(ACCOUNTS.twoOfThree);
    const second = await submitAndNotify(ACCOUNTS.twoOfThree);
    expect((await decideOnPage(first.requestId, 'bob', { decision: 'approve' })).status).toBe(200);
    // Act
    const mine = await h.call('GET', '/requests?approver=bob%40example.com&status=PENDING_APPROVAL&limit=200', {
      token: tokens.bob,
    });
    const all = await h.call('GET', '/requests?approver=bob%40example.com', { token: tokens.bob });
    const others = await h.call('GET', '/requests?approver=carol%40example.com', { token: tokens.bob });
    const othersPending = await h.call('GET', '/requests?approver=carol%40example.com&status=PENDING_APPROVAL', {
      token: tokens.bob,
    });
    // Assess
    expect([mine.status, all.status, others.status, othersPending.status]).toEqual([200, 200, 403, 403]);
    expect(mine.headers.get('x-index')).toBe('byApproverStatus');
    const items = (mine.body as { items: Array<RequestBody & { requestId: string; approvers: string[] }> }).items;
    const ids = items.map((i) => i.requestId);
    expect(ids).toEqual(expect.arrayContaining([first.requestId, second.requestId]));
    expect(items.every((i) => i.status === 'PENDING_APPROVAL' && i.approvers.includes('bob@example.com'))).toBe(true);
    const undecided = items.filter((i) => !i.approvals.some((a) => a.approver === 'bob@example.com'));
    expect(undecided.map((i) => i.requestId)).toContain(second.requestId);
    expect(undecided.map((i) => i.requestId)).not.toContain(first.requestId);
  });
});
