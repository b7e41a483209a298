// Approval messages in a channel, and the requester's own DM for a request made in Slack, end to end: the real local
// stack with a bot token, the real Slack client talking to the fake Slack, signed clicks on POST /slack/interactions.
// A rule with `slackChannel` posts its approval message there once (no DM per approver, no signed link), only listed
// approvers' clicks count, and the one message is redrawn in place with every decision and the outcome. The policy is
// written by this test; config/policy.local.json is left as it is.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProtonClient } from '@aws-sdk/client-proton';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { loadPolicyFile } from '../../functions/policy/policy.js';
import { createRequestRepository } from '../../functions/requests/repository.js';
import { submitRequest } from '../../functions/requests/submitRequest.js';
import { randomId, systemClock } from '../../functions/shared/clock.js';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../fixtures/fakeSlack.js';
import { newDataDir, ssoRequest, startHarness, type Harness } from './harness.js';

const BOT_TOKEN = 'xoxb-channel-test';
const CHANNEL = 'C0APPROVALS1';
const QUORUM_CHANNEL = 'G0PRIVATE22';
const SLACK_IDS = { alice: 'U0ALICE', bob: 'U0BOB', carol: 'U0CAROL', dana: 'U0DANA', stranger: 'U0NOBODY' } as const;
/** Accounts the test policy routes: to the channel (1 of 2), to the private channel (2 of 2), or to DMs. */
const ACCOUNTS = { channel: '111111111111', quorum: '222222222222', dms: '444455556666' } as const;

let fake: FakeSlack;
let h: Harness;
let policyFile: string;
let alice: string;

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN });
  const dataDir = newDataDir();
  policyFile = join(dataDir, 'policy.json');
  // dana is in `people`, so Slack knows her, but she approves nothing here.
  writeFileSync(
    policyFile,
    JSON.stringify({
      approvalTimeoutSeconds: 86_400,
      people: Object.entries(SLACK_IDS)
        .filter(([name]) => name !== 'stranger')
        .map(([name, slackUserId]) => ({ id: `${name}@example.com`, slackUserId })),
      auditors: ['dana@example.com'],
      rules: [
        {
          action: 'sso:CreateAccountAssignment',
          match: { TargetId: [ACCOUNTS.channel] },
          approvers: ['bob@example.com', 'carol@example.com'],
          minApprovals: 1,
          slackChannel: CHANNEL,
        },
        {
          action: 'sso:CreateAccountAssignment',
          match: { TargetId: [ACCOUNTS.quorum] },
          approvers: ['bob@example.com', 'carol@example.com'],
          minApprovals: 2,
          slackChannel: QUORUM_CHANNEL,
        },
        {
          action: 'sso:CreateAccountAssignment',
          match: { TargetId: [ACCOUNTS.dms] },
          approvers: ['bob@example.com', 'carol@example.com'],
        },
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

const poll = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 30_000) => {
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
const blockText = (call: FakeSlackCall): string => JSON.stringify(call.args.blocks ?? []);

type RequestBody = {
  status: string;
  approvals: Array<{ approver: string; decision: string; via: string }>;
  events: Array<{ type: string; detail: Record<string, unknown> }>;
};
const getRequest = async (requestId: string): Promise<RequestBody> =>
  (await h.call('GET', `/requests/${requestId}`, { token: alice })).body as RequestBody;

const waitForEvent = (requestId: string, type: string) =>
  poll(`${requestId}'s ${type} event`, async () => (await getRequest(requestId)).events.find((e) => e.type === type));

/** Every chat.postMessage about this request (its buttons, or its id in the text). */
const postsAbout = (requestId: string): FakeSlackCall[] =>
  fake
    .callsTo('chat.postMessage')
    .filter((c) => buttons(c).some((b) => b.value === requestId) || String(c.args.text).includes(requestId));

const submit = async (account: string): Promise<string> => {
  const submitted = await h.call('POST', '/requests', { token: alice, body: ssoRequest({ TargetId: account }) });
  expect(submitted.status).toBe(202);
  const { requestId } = submitted.body as { requestId: string };
  await waitForEvent(requestId, 'notified');
  return requestId;
};

const click = (slackUserId: string, actionId: 'approve' | 'deny', requestId: string, channel = CHANNEL) => ({
  type: 'block_actions',
  user: { id: slackUserId },
  container: { type: 'message', channel_id: channel },
  channel: { id: channel, name: 'access-approvals' },
  actions: [{ type: 'button', block_id: 'decision', action_id: actionId, value: requestId }],
});

const errorCode = (body: unknown): string | undefined => (body as { error?: { code?: string } }).error?.code;

/** The chat.update calls that redrew the channel message posted as `posted`, in order. */
const redraws = (posted: FakeSlackCall): FakeSlackCall[] =>
  fake.callsTo('chat.update').filter((u) => u.args.channel === posted.args.channel && u.args.ts === posted.response.ts);

describe('a rule with slackChannel', () => {
  it('posts one approval message in the channel, with Approve, Deny and the access page, and no DM or signed link', async () => {
    // Act
    const requestId = await submit(ACCOUNTS.channel);
    // Assess
    const posts = postsAbout(requestId);
    expect(posts).toHaveLength(1);
    const [posted] = posts;
    expect(posted!.args).toMatchObject({ channel: CHANNEL, unfurl_links: false, unfurl_media: false });
    expect(buttons(posted!)).toEqual([
      expect.objectContaining({ action_id: 'approve', value: requestId }),
      expect.objectContaining({ action_id: 'deny', value: requestId }),
      { type: 'button', action_id: 'open', text: expect.anything(), url: `${h.stack.httpUrl}/` },
    ]);
    expect(JSON.stringify(posted!.args)).not.toContain('/approvals/');
    expect(blockText(posted!)).toContain('0 of 1 approval');
    const notified = (await getRequest(requestId)).events.find((e) => e.type === 'notified');
    expect(notified?.detail).toMatchObject({ channel: CHANNEL, approvers: ['bob@example.com', 'carol@example.com'] });
    expect(await h.outbox(requestId)).toEqual([]);
  });

  it('two approvers racing: one decision counts, the other is told privately in the channel; the message is redrawn with the decision, then the outcome', async () => {
    // Prepare
    const requestId = await submit(ACCOUNTS.channel);
    const [posted] = postsAbout(requestId);
    const ephemeralBefore = fake.callsTo('chat.postEphemeral').length;
    // Act
    const [bob, carol] = await Promise.all([
      h.slackClick(click(SLACK_IDS.bob, 'approve', requestId)),
      h.slackClick(click(SLACK_IDS.carol, 'approve', requestId)),
    ]);
    const done = await h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED']);
    await waitForEvent(requestId, 'requester_notified');
    // Assess: one success, one refusal (the request is no longer pending), one recorded approval
    const statuses = [bob.status, carol.status].sort();
    expect(statuses).toEqual([200, 410]);
    const loser =
      bob.status === 410
        ? { response: bob, slackUserId: SLACK_IDS.bob }
        : { response: carol, slackUserId: SLACK_IDS.carol };
    expect(errorCode(loser.response.body)).toBe('NotPending');
    expect(done.status).toBe('COMPLETED');
    expect(done.approvals).toHaveLength(1);
    const notices = fake.callsTo('chat.postEphemeral').slice(ephemeralBefore);
    expect(notices).toEqual([
      expect.objectContaining({
        args: expect.objectContaining({
          channel: CHANNEL,
          user: loser.slackUserId,
          text: expect.stringContaining('no longer pending'),
        }),
      }),
    ]);
    // Still one message in the channel: redrawn in place, first with the decision, finally with the outcome.
    expect(postsAbout(requestId).filter((c) => c.args.channel === CHANNEL)).toHaveLength(1);
    const updates = redraws(posted!);
    expect(updates.length).toBeGreaterThanOrEqual(2);
    const winner = (done.approvals as RequestBody['approvals'])[0]!.approver;
    expect(String(updates[0]!.args.text)).toContain(`Approved by ${winner}`);
    expect(buttons(updates[0]!).map((b) => b.action_id)).toEqual(['open']);
    const last = updates.at(-1)!;
    expect(String(last.args.text)).toContain('was approved and is done');
    expect(blockText(last)).toContain('COMPLETED');
  });

  it('refuses a click by someone who is not a listed approver with a private note in the channel, recording nothing', async () => {
    // Prepare
    const requestId = await submit(ACCOUNTS.channel);
    const [posted] = postsAbout(requestId);
    const before = await getRequest(requestId);
    // Act
    const outsiders = [];
    for (const slackUserId of [SLACK_IDS.dana, SLACK_IDS.stranger, SLACK_IDS.alice]) {
      const ephemeralBefore = fake.callsTo('chat.postEphemeral').length;
      const response = await h.slackClick(click(slackUserId, 'approve', requestId));
      outsiders.push({ slackUserId, response, notices: fake.callsTo('chat.postEphemeral').slice(ephemeralBefore) });
    }
    // Assess
    for (const { slackUserId, response, notices } of outsiders) {
      expect(response.status).toBe(403);
      expect(errorCode(response.body)).toBe('NotAnApprover');
      expect(notices).toEqual([
        expect.objectContaining({
          args: expect.objectContaining({
            channel: CHANNEL,
            user: slackUserId,
            text: expect.stringContaining('not recorded'),
          }),
        }),
      ]);
    }
    expect(await getRequest(requestId)).toEqual(before);
    expect(redraws(posted!)).toEqual([]);
  });

  it('with a quorum, the message keeps its buttons after the first approval and shows who decided, until the second', async () => {
    // Prepare
    const requestId = await submit(ACCOUNTS.quorum);
    const [posted] = postsAbout(requestId);
    expect(posted!.args.channel).toBe(QUORUM_CHANNEL);
    // Act
    const first = await h.slackClick(click(SLACK_IDS.carol, 'approve', requestId, QUORUM_CHANNEL));
    const afterFirst = redraws(posted!);
    const second = await h.slackClick(click(SLACK_IDS.bob, 'approve', requestId, QUORUM_CHANNEL));
    await h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED']);
    // Assess
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(afterFirst).toHaveLength(1);
    expect(buttons(afterFirst[0]!).map((b) => b.action_id)).toEqual(['approve', 'deny', 'open']);
    expect(blockText(afterFirst[0]!)).toContain('1 of 2 approvals');
    expect(blockText(afterFirst[0]!)).toContain('Approved by carol@example.com');
    const afterSecond = redraws(posted!)[1]!;
    expect(buttons(afterSecond).map((b) => b.action_id)).toEqual(['open']);
    expect(String(afterSecond.args.text)).toContain('Approved by bob@example.com');
  });

  it('a rule without slackChannel still DMs each approver with their signed link', async () => {
    // Act
    const requestId = await submit(ACCOUNTS.dms);
    // Assess
    const channels = postsAbout(requestId)
      .map((c) => c.args.channel)
      .sort();
    expect(channels).toEqual([SLACK_IDS.bob, SLACK_IDS.carol]);
  });
});

describe("the requester's DM for a request made in Slack", () => {
  /** Submit's code path, as Slack's view_submission calls it: the same submitRequest with the Slack origin. */
  const submitFromSlack = async (account: string): Promise<string> => {
    const aws = { region: 'us-east-1', endpoint: h.stack.awsUrl, credentials: h.aws.credentials };
    const response = await submitRequest(
      {
        body: ssoRequest({ TargetId: account }),
        requester: 'alice@example.com',
        origin: { via: 'slack', slackUserId: SLACK_IDS.alice },
      },
      {
        policy: loadPolicyFile(policyFile),
        // SSO requests need no target look-up; the Proton client is never asked for.
        clients: { proton: () => new ProtonClient(aws) },
        repository: createRequestRepository({
          db: DynamoDBDocumentClient.from(new DynamoDBClient(aws)),
          tableName: h.stack.tableName,
        }),
        sfn: new SFNClient(aws),
        stateMachineArn: h.stack.stateMachineArn,
        clock: systemClock,
        newId: randomId,
      },
    );
    await waitForEvent(response.requestId, 'notified');
    return response.requestId;
  };
  const requesterDms = (requestId: string): FakeSlackCall[] =>
    fake
      .callsTo('chat.postMessage')
      .filter((c) => c.args.channel === SLACK_IDS.alice && String(c.args.text).includes(requestId));

  it('gets one DM when the approvers are asked, redrawn in place with each decision and the outcome, never with buttons', async () => {
    // Act
    const requestId = await submitFromSlack(ACCOUNTS.quorum);
    const stored = await h.readItem(requestId);
    const [dm] = requesterDms(requestId);
    await h.slackClick(click(SLACK_IDS.bob, 'approve', requestId, QUORUM_CHANNEL));
    await h.slackClick(click(SLACK_IDS.carol, 'approve', requestId, QUORUM_CHANNEL));
    await h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED']);
    await waitForEvent(requestId, 'requester_notified');
    // Assess
    expect(stored?.origin).toEqual({ M: { via: { S: 'slack' }, slackUserId: { S: SLACK_IDS.alice } } });
    expect(stored?.slackChannel).toEqual({ S: QUORUM_CHANNEL });
    expect(requesterDms(requestId)).toHaveLength(1);
    expect(String(dm!.args.text)).toContain(
      'is pending approval: 0 of 2 approvals, asked bob@example.com, carol@example.com',
    );
    expect(buttons(dm!)).toEqual([]);
    const updates = redraws(dm!);
    expect(updates.map((u) => buttons(u))).toEqual(updates.map(() => []));
    expect(String(updates[0]!.args.text)).toContain('1 of 2 approvals');
    expect(String(updates[0]!.args.text)).toContain('Approved by bob@example.com');
    expect(String(updates.at(-1)!.args.text)).toContain('was approved and is done');
    const told = (await getRequest(requestId)).events.find((e) => e.type === 'requester_notified');
    expect(told?.detail).toEqual({ status: 'COMPLETED', via: 'requesterMessage' });
  });

  it('a deny shows in the same DM; under a rule without a channel the approvers are still DMed one by one', async () => {
    // Act
    const requestId = await submitFromSlack(ACCOUNTS.dms);
    const [dm] = requesterDms(requestId);
    const approverDms = postsAbout(requestId).filter((c) => c.args.channel !== SLACK_IDS.alice);
    await h.slackClick({ ...click(SLACK_IDS.carol, 'deny', requestId), channel: { id: SLACK_IDS.carol } });
    await h.waitForStatus(requestId, alice, ['DENIED']);
    await waitForEvent(requestId, 'requester_notified');
    // Assess
    expect(requesterDms(requestId)).toHaveLength(1);
    expect(approverDms.map((c) => c.args.channel).sort()).toEqual([SLACK_IDS.bob, SLACK_IDS.carol]);
    expect(String(redraws(dm!).at(-1)!.args.text)).toContain('was denied');
  });

  it('a request made over HTTP gets no such DM: the requester hears the outcome in a new message, as before', async () => {
    // Prepare
    const requestId = await submit(ACCOUNTS.channel);
    // Act
    await h.slackClick(click(SLACK_IDS.bob, 'approve', requestId));
    await h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED']);
    await waitForEvent(requestId, 'requester_notified');
    // Assess
    const dms = requesterDms(requestId);
    expect(dms).toHaveLength(1);
    expect(String(dms[0]!.args.text)).toContain('was approved and is done');
    expect(redraws(dms[0]!)).toEqual([]);
  });
});
