// Slack end to end: the real local stack with a bot token, the real Slack Web API client (fetch) talking to a fake
// Slack, and signed clicks on POST /slack/interactions. One stack configuration for the whole file: handlers
// keep their first environment.
import { createHmac } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../fixtures/fakeSlack.js';
import { newDataDir, ssoRequest, startHarness, type Harness } from './harness.js';

const BOT_TOKEN = 'xoxb-local-test';
const SLACK_IDS = { alice: 'U0ALICE', bob: 'U0BOB', carol: 'U0CAROL', dana: 'U0DANA', stranger: 'U0NOBODY' } as const;

let fake: FakeSlack;
let h: Harness;
let alice: string;

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN });
  const dataDir = newDataDir();
  const policyFile = join(dataDir, 'policy.json');
  // dana is in `people` (so Slack knows her) but approves nothing; the long window keeps reminders out of the way.
  writeFileSync(
    policyFile,
    JSON.stringify({
      approvalTimeoutSeconds: 86_400,
      people: [
        { id: 'alice@example.com', slackUserId: SLACK_IDS.alice },
        { id: 'bob@example.com', slackUserId: SLACK_IDS.bob },
        { id: 'carol@example.com', slackUserId: SLACK_IDS.carol },
        { id: 'dana@example.com', slackUserId: SLACK_IDS.dana },
      ],
      auditors: ['dana@example.com'],
      rules: [
        { action: 'sso:CreateAccountAssignment', approvers: ['bob@example.com', 'carol@example.com'], minApprovals: 1 },
      ],
    }),
  );
  h = await startHarness({ dataDir, policyFile, slackBotToken: BOT_TOKEN, slackApiUrl: fake.url });
  alice = await h.token('alice@example.com');
});

afterAll(async () => {
  await h.close();
  await fake.close();
});

const poll = async <T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 30_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

type Button = { action_id: string; value?: string; url?: string };
const buttons = (call: FakeSlackCall): Button[] =>
  ((call.args.blocks ?? []) as Array<{ type: string; elements?: Button[] }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => b.elements ?? []);

const approvalMessages = (requestId: string): FakeSlackCall[] =>
  fake.callsTo('chat.postMessage').filter((call) => buttons(call).some((b) => b.value === requestId));

const getRequest = async (requestId: string) =>
  (await h.call('GET', `/requests/${requestId}`, { token: alice })).body as {
    status: string;
    approvals: unknown[];
    events: Array<{ type: string }>;
  };

/** Submits as alice and waits until both approvers were sent their DM and the `notified` event is recorded. */
const submitAndNotify = async (): Promise<{ requestId: string; messages: Map<string, FakeSlackCall> }> => {
  const submitted = await h.call('POST', '/requests', { token: alice, body: ssoRequest() });
  expect(submitted.status).toBe(202);
  const { requestId } = submitted.body as { requestId: string };
  await poll(`${requestId} to be notified`, async () =>
    (await getRequest(requestId)).events?.some((e) => e.type === 'notified') ? true : undefined,
  );
  return {
    requestId,
    messages: new Map(approvalMessages(requestId).map((call) => [call.args.channel as string, call])),
  };
};

/** A block_actions payload as Slack sends it for a button in the bot's DM. */
const clickPayload = (slackUserId: string, actionId: string, requestId: string) => ({
  type: 'block_actions',
  api_app_id: 'A0LOCAL',
  team: { id: 'T0LOCAL', domain: 'local' },
  user: { id: slackUserId, username: slackUserId.toLowerCase(), team_id: 'T0LOCAL' },
  container: { type: 'message', message_ts: '1700000000.000001', channel_id: slackUserId, is_ephemeral: false },
  channel: { id: slackUserId, name: 'directmessage' },
  response_url: 'https://hooks.slack.com/actions/T0LOCAL/1/not-used',
  trigger_id: '1.2.3',
  actions: [
    { type: 'button', block_id: 'decision', action_id: actionId, value: requestId, action_ts: '1700000000.000002' },
  ],
});

const errorCode = (body: unknown): string | undefined => (body as { error?: { code?: string } }).error?.code;

describe('approval DMs', () => {
  it('sends each approver a Block Kit DM with Approve/Deny buttons and a link to the approval page, unfurling off', async () => {
    // Act
    const { requestId, messages } = await submitAndNotify();
    // Assess
    expect([...messages.keys()].sort()).toEqual([SLACK_IDS.bob, SLACK_IDS.carol]);
    for (const call of messages.values()) {
      expect(call.token).toBe(BOT_TOKEN);
      expect(call.args).toMatchObject({ unfurl_links: false, unfurl_media: false });
      expect(call.args.text).toEqual(expect.stringContaining('alice@example.com'));
      const [approve, deny, open] = buttons(call);
      expect(approve).toMatchObject({ action_id: 'approve', value: requestId });
      expect(deny).toMatchObject({ action_id: 'deny', value: requestId });
      expect(open).toMatchObject({ action_id: 'open' });
      expect(open?.url).toMatch(new RegExp(`^${h.stack.httpUrl}/approvals/[\\w-]+\\.[\\w-]+$`));
    }
    // The task token is a secret: it never reaches Slack.
    expect(JSON.stringify(fake.calls)).not.toMatch(/taskToken|task token/i);
  });

  it('acknowledges a click on the link button with 200 and changes nothing', async () => {
    // Prepare
    const { requestId } = await submitAndNotify();
    const before = await getRequest(requestId);
    // Act
    const response = await h.slackClick({
      ...clickPayload(SLACK_IDS.bob, 'open', requestId),
      actions: [{ type: 'button', action_id: 'open', url: 'https://x' }],
    });
    // Assess
    expect(response.status).toBe(200);
    expect(await getRequest(requestId)).toEqual(before);
  });
});

describe('deciding from Slack', () => {
  it('an approve click completes the request, rewrites every approver’s message, and DMs the requester', async () => {
    // Prepare
    const { requestId, messages } = await submitAndNotify();
    // Act
    const response = await h.slackClick(clickPayload(SLACK_IDS.bob, 'approve', requestId));
    // Assess: the ack is an empty 200, and by then both DMs were rewritten without buttons, naming the decider
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    expect(messages.size).toBe(2);
    for (const [channel, posted] of messages) {
      const rewritten = fake
        .callsTo('chat.update')
        .filter((u) => u.args.channel === channel && u.args.ts === posted.response.ts);
      expect(rewritten.length).toBeGreaterThanOrEqual(1);
      expect(rewritten[0]!.args.text).toEqual(expect.stringContaining('Approved by bob@example.com'));
      expect(buttons(rewritten[0]!)).toEqual([]);
    }
    const done = await h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED']);
    expect(done.status).toBe('COMPLETED');
    expect(done.approvals).toEqual([
      expect.objectContaining({ approver: 'bob@example.com', decision: 'approve', via: 'slack' }),
    ]);
    const told = await poll('the requester’s outcome DM', () =>
      fake
        .callsTo('chat.postMessage')
        .find((c) => c.args.channel === SLACK_IDS.alice && String(c.args.text).includes(requestId)),
    );
    expect(told.args.text).toEqual(expect.stringContaining('approved and is done'));
    expect(told.args.unfurl_links).toBe(false);
  });

  it('a deny click ends the request DENIED and the requester hears it', async () => {
    // Prepare
    const { requestId } = await submitAndNotify();
    // Act
    const response = await h.slackClick(clickPayload(SLACK_IDS.carol, 'deny', requestId));
    const done = await h.waitForStatus(requestId, alice, ['DENIED']);
    // Assess
    expect(response.status).toBe(200);
    expect(done.approvals).toEqual([
      expect.objectContaining({ approver: 'carol@example.com', decision: 'deny', via: 'slack' }),
    ]);
    const told = await poll('the requester’s outcome DM', () =>
      fake
        .callsTo('chat.postMessage')
        .find((c) => c.args.channel === SLACK_IDS.alice && String(c.args.text).includes(requestId)),
    );
    expect(told.args.text).toEqual(expect.stringContaining('was denied'));
  });

  it('a second click by the same approver is 409, a late click by another is 410, and each is told privately', async () => {
    // Prepare
    const { requestId } = await submitAndNotify();
    expect((await h.slackClick(clickPayload(SLACK_IDS.bob, 'approve', requestId))).status).toBe(200);
    const ephemeralBefore = fake.callsTo('chat.postEphemeral').length;
    // Act
    const again = await h.slackClick(clickPayload(SLACK_IDS.bob, 'deny', requestId));
    const late = await h.slackClick(clickPayload(SLACK_IDS.carol, 'deny', requestId));
    // Assess
    expect(again.status).toBe(409);
    expect(errorCode(again.body)).toBe('AlreadyDecided');
    expect(late.status).toBe(410);
    expect(errorCode(late.body)).toBe('NotPending');
    const done = await h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED']);
    expect(done.approvals).toEqual([expect.objectContaining({ approver: 'bob@example.com', decision: 'approve' })]);
    const notices = fake.callsTo('chat.postEphemeral').slice(ephemeralBefore);
    expect(notices).toEqual([
      expect.objectContaining({
        args: expect.objectContaining({
          channel: SLACK_IDS.bob,
          user: SLACK_IDS.bob,
          text: expect.stringContaining(requestId),
        }),
      }),
      expect.objectContaining({ args: expect.objectContaining({ channel: SLACK_IDS.carol, user: SLACK_IDS.carol }) }),
    ]);
  });

  it.each([
    ['a Slack user who is not in policy', SLACK_IDS.stranger],
    ['a person in policy who is not an approver', SLACK_IDS.dana],
    ['the requester, on their own request', SLACK_IDS.alice],
  ])('refuses %s with 403, changes nothing, and tells them privately', async (_case, slackUserId) => {
    // Prepare
    const { requestId } = await submitAndNotify();
    const before = await getRequest(requestId);
    const ephemeralBefore = fake.callsTo('chat.postEphemeral').length;
    // Act
    const response = await h.slackClick(clickPayload(slackUserId, 'approve', requestId));
    // Assess
    expect(response.status).toBe(403);
    expect(errorCode(response.body)).toBe('NotAnApprover');
    expect(await getRequest(requestId)).toEqual(before);
    expect(before.status).toBe('PENDING_APPROVAL');
    expect(fake.callsTo('chat.postEphemeral').slice(ephemeralBefore)).toEqual([
      expect.objectContaining({
        args: expect.objectContaining({ user: slackUserId, text: expect.stringContaining('not recorded') }),
      }),
    ]);
  });

  it.each([
    ['signed with another secret', { secret: 'not-the-signing-secret' }],
    ['with no signature headers', { signature: null }],
    ['with a forged signature', { signature: `v0=${'0'.repeat(64)}` }],
    ['signed six minutes ago', { timestamp: Math.floor(Date.now() / 1000) - 360 }],
    ['signed six minutes in the future', { timestamp: Math.floor(Date.now() / 1000) + 360 }],
  ] as const)('refuses a click %s with 401 and changes nothing', async (_case, options) => {
    // Prepare
    const { requestId } = await submitAndNotify();
    const before = await getRequest(requestId);
    const callsBefore = fake.calls.length;
    // Act
    const response = await h.slackClick(clickPayload(SLACK_IDS.bob, 'approve', requestId), options);
    // Assess
    expect(response.status).toBe(401);
    expect(errorCode(response.body)).toBe('InvalidSignature');
    expect(await getRequest(requestId)).toEqual(before);
    expect(fake.calls.length).toBe(callsBefore);
  });

  it('refuses a click whose body was altered after signing with 401', async () => {
    // Prepare
    const { requestId } = await submitAndNotify();
    const before = await getRequest(requestId);
    const timestamp = Math.floor(Date.now() / 1000);
    const signedBody = `payload=${encodeURIComponent(JSON.stringify(clickPayload(SLACK_IDS.bob, 'deny', requestId)))}`;
    const signature = `v0=${createHmac('sha256', h.slackSigningSecret()).update(`v0:${timestamp}:${signedBody}`).digest('hex')}`;
    // Act: the same signature over an approve instead of a deny
    const response = await h.slackClick(clickPayload(SLACK_IDS.bob, 'approve', requestId), { timestamp, signature });
    // Assess
    expect(response.status).toBe(401);
    expect(await getRequest(requestId)).toEqual(before);
  });
});

describe('latency', () => {
  it('a click resumes the workflow (SendTaskSuccess accepted) well within Slack’s 3 s', async () => {
    // Prepare: twenty pending requests, each with its token stored and its approvers notified
    const requests = await Promise.all(Array.from({ length: 20 }, () => submitAndNotify()));
    const sfn = new SFNClient(h.aws);
    const roundTrips: number[] = [];
    const toTaskSucceeded: number[] = [];
    // Act: one click at a time, so each measures a click alone rather than a queue
    for (const { requestId } of requests) {
      const sentAt = Date.now();
      const started = performance.now();
      const response = await h.slackClick(clickPayload(SLACK_IDS.bob, 'approve', requestId));
      roundTrips.push(performance.now() - started);
      expect(response.status).toBe(200);
      const history = await sfn.send(
        new GetExecutionHistoryCommand({
          executionArn: `${h.stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${requestId}`,
          maxResults: 1000,
        }),
      );
      const resumed = (history.events ?? []).find(
        (e) => e.type === 'TaskSucceeded' && e.taskSucceededEventDetails?.resource?.includes('waitForTaskToken'),
      );
      expect(resumed?.timestamp).toBeDefined();
      toTaskSucceeded.push(resumed!.timestamp!.getTime() - sentAt);
    }
    // Assess
    const summary = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50: Math.round(sorted[Math.floor(sorted.length / 2)]!), max: Math.round(sorted[sorted.length - 1]!) };
    };
    const trip = summary(roundTrips);
    const resume = summary(toTaskSucceeded);
    console.log(
      `Slack click latency over ${requests.length} clicks: click → SendTaskSuccess accepted p50 ${resume.p50} ms, max ${resume.max} ms; ` +
        `click HTTP round trip (ack, includes the message rewrite) p50 ${trip.p50} ms, max ${trip.max} ms`,
    );
    expect(trip.max).toBeLessThan(3000);
    expect(resume.max).toBeLessThan(3000);
    await Promise.all(
      requests.map(({ requestId }) => h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED'], 60_000)),
    );
  });
});
