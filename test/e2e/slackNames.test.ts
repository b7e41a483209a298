// Names and Slack identity end to end: the real local stack with a bot token, the real Slack client talking to the
// fake Slack, and a rule whose approvers are the Identity Center group Platform Approvers (bob, dana, grace; only bob
// is in policy's `people` with a Slack id). alice asks by name; the approvers read her request by name, dana is found
// by email (users.lookupByEmail) and DMed, grace (not in Slack) is not, and dana's click, mapped back with users.info,
// decides the request. The approval page and GET /requests/{id} speak the same names.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeSlack, type FakeSlack, type FakeSlackCall } from '../fixtures/fakeSlack.js';
import { newDataDir, startHarness, type Harness } from './harness.js';

const BOT_TOKEN = 'xoxb-names-test';
const PAYMENTS_PROD = '111122223333';
const ASK = '*Alice Liddell* asks for *PowerUser* on *payments-prod* (111122223333) for 2 h';

let fake: FakeSlack;
let h: Harness;
let alice: string;

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN });
  // dana is in Slack under her Identity Center email; grace is not in Slack at all.
  fake.addUser({ id: 'U0DANA', email: 'dana@example.com', realName: 'Dana' });
  const dataDir = newDataDir();
  const policyFile = join(dataDir, 'policy.slack-names.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      approvalTimeoutSeconds: 86_400,
      identity: { claim: 'email', userAttribute: 'emails.value' },
      people: [
        { id: 'alice@example.com', slackUserId: 'U0ALICE' },
        { id: 'bob@example.com', slackUserId: 'U0BOB' },
      ],
      auditors: ['carol@example.com'],
      rules: [
        {
          action: 'sso:CreateAccountAssignment',
          requesters: ['group:Engineers'],
          match: { OrganizationalUnit: ['ou-ab12-11111111'] },
          principals: 'self',
          approvers: ['group:Platform Approvers'],
          minApprovals: 1,
          maxDurationMinutes: 480,
        },
      ],
    }),
  );
  h = await startHarness({ dataDir, policyFile, slackBotToken: BOT_TOKEN, slackApiUrl: fake.url });
  alice = await h.token('alice@example.com');
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

const poll = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
};

interface View {
  status: string;
  approvers: string[];
  approvals: Array<{ approver: string; via: string; decision: string }>;
  events: Array<{ type: string; detail: Record<string, unknown> }>;
  display?: Record<string, unknown>;
  summary: string;
}

const getRequest = async (requestId: string): Promise<View> =>
  (await h.call('GET', `/requests/${requestId}`, { token: alice })).body as View;

type Button = { action_id: string; value?: string; url?: string };
type Section = { type: string; text?: { text: string }; elements?: Button[] };
const blocksOf = (call: FakeSlackCall): Section[] => (call.args.blocks ?? []) as Section[];

const clickPayload = (slackUserId: string, requestId: string) => ({
  type: 'block_actions',
  user: { id: slackUserId, username: slackUserId.toLowerCase(), team_id: 'T0LOCAL' },
  channel: { id: slackUserId, name: 'directmessage' },
  actions: [{ type: 'button', block_id: 'decision', action_id: 'approve', value: requestId }],
});

describe('a group-expanded approver in Slack, by name', () => {
  let requestId = '';
  let messages: FakeSlackCall[] = [];

  it('DMs the approver found by email and the one policy lists, each reading the request by name', async () => {
    // Act
    const submitted = await h.call('POST', '/requests', {
      token: alice,
      body: {
        action: 'sso:CreateAccountAssignment',
        parameters: { PermissionSetName: 'PowerUser', TargetId: PAYMENTS_PROD },
        justification: 'INC-42: fix the payment retries',
        durationMinutes: 120,
      },
    });
    expect(submitted.status).toBe(202);
    requestId = (submitted.body as { requestId: string }).requestId;
    const notified = await poll('the notified event', async () => {
      const view = await getRequest(requestId);
      return view.events.find((e) => e.type === 'notified') ? view : undefined;
    });
    messages = fake
      .callsTo('chat.postMessage')
      .filter((call) => blocksOf(call).some((b) => b.elements?.some((e) => e.value === requestId)));
    // Assess
    expect(notified.approvers).toEqual(['bob@example.com', 'dana@example.com', 'grace@example.com']);
    expect(messages.map((m) => m.args.channel).sort()).toEqual(['U0BOB', 'U0DANA']);
    for (const message of messages) {
      expect(blocksOf(message).find((b) => b.type === 'section')?.text?.text).toBe(ASK);
      expect(String(message.args.text)).toContain(
        'Alice Liddell (alice@example.com) asks for PowerUser on payments-prod (111122223333)',
      );
    }
    const lookedUp = fake.callsTo('users.lookupByEmail').map((c) => [c.args.email, c.response.ok ?? c.response.error]);
    expect(lookedUp).toEqual(
      expect.arrayContaining([
        ['dana@example.com', true],
        ['grace@example.com', false],
      ]),
    );
    // bob is listed with his Slack id: Slack is never asked about him.
    expect(lookedUp.map(([email]) => email)).not.toContain('bob@example.com');
  });

  it("shows the approval page behind the DM's link in the same names, escaped", async () => {
    // Prepare
    const url = messages.find((m) => m.args.channel === 'U0DANA')?.args.blocks as Section[] | undefined;
    const open = url?.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'open')?.url ?? '';
    // Act
    const page = await fetch(open);
    const body = await page.text();
    // Assess
    expect(page.status).toBe(200);
    expect(body).toContain(
      '<p class="ask">Alice Liddell asks for <strong>PowerUser</strong> on <strong>payments-prod</strong> (111122223333) for 2 h</p>',
    );
    expect(body).toContain('<dt>Account</dt><dd>payments-prod (111122223333)</dd>');
    expect(body).toContain('This link was sent to <strong>dana@example.com</strong>');
  });

  it("counts dana's click, mapped to her through users.info, and answers GET /requests/{id} with the names", async () => {
    // Act
    const response = await h.slackClick(clickPayload('U0DANA', requestId));
    const decided = await poll('the request to be decided', async () => {
      const view = await getRequest(requestId);
      return view.approvals.length > 0 ? view : undefined;
    });
    // Assess
    expect(response.status).toBe(200);
    expect(fake.callsTo('users.info').map((c) => c.args.user)).toContain('U0DANA');
    expect(decided.approvals).toEqual([expect.objectContaining({ approver: 'dana@example.com', via: 'slack' })]);
    expect(decided.status).not.toBe('PENDING_APPROVAL');
    expect(decided.summary).toBe('PowerUser on payments-prod (111122223333) for Alice Liddell (alice)');
    expect(decided.display).toMatchObject({
      requester: { id: 'alice@example.com', name: 'Alice Liddell' },
      permissionSet: { name: 'PowerUser' },
      account: { id: PAYMENTS_PROD, name: 'payments-prod' },
    });
  });

  it('refuses a Slack user Slack cannot map, privately, and changes nothing', async () => {
    // Prepare
    const ephemeralBefore = fake.callsTo('chat.postEphemeral').length;
    // Act
    const response = await h.slackClick(clickPayload('U0GRACE', requestId));
    // Assess
    expect(response.status).toBe(403);
    expect((response.body as { error?: { code?: string } }).error?.code).toBe('NotAnApprover');
    expect(fake.callsTo('chat.postEphemeral').slice(ephemeralBefore)).toEqual([
      expect.objectContaining({ args: expect.objectContaining({ user: 'U0GRACE' }) }),
    ]);
  });
});
