// Group-expanded approvers in Slack: notifyApprovers DMs an approver policy lists without a Slack id once
// users.lookupByEmail finds them, skips (and records) one Slack does not know while the others still get theirs, and
// a click from a Slack user mapped through users.info is decided as that person. The real Slack client and notifier
// talk to the fake Slack over HTTP; the repository is in memory.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { DecideResult } from '../../../functions/approvals/decide.js';
import { notifyApprovers, type NotifyDeps } from '../../../functions/notifications/notify.js';
import { routingNotifier, type MessageRef } from '../../../functions/notifications/notifier.js';
import { slackNotifier } from '../../../functions/notifications/slackNotifier.js';
import { createSlackWebApi } from '../../../functions/notifications/slackWebApi.js';
import type { RequestRepository } from '../../../functions/requests/repository.js';
import { createSlackIdentity } from '../../../functions/slack/identity.js';
import { handleSlackInteraction, type SlackInteractionDeps } from '../../../functions/slack/interaction.js';
import { startFakeSlack, type FakeSlack } from '../../fixtures/fakeSlack.js';
import { storedRequest } from '../../fixtures/requests.js';

const TOKEN = 'xoxb-notify-identity';
const clock = { now: () => new Date('2026-11-21T10:00:00.000Z') };
const people = [{ id: 'bob@example.com', slackUserId: 'U0BOB' }];

let fake: FakeSlack;

beforeAll(async () => {
  fake = await startFakeSlack({ token: TOKEN });
  fake.addUser({ id: 'U0DANA', email: 'dana@example.com' });
});

afterAll(async () => {
  await fake.close();
});

const identity = () =>
  createSlackIdentity({ people, users: createSlackWebApi(TOKEN, { apiUrl: fake.url, retries: 0 }).users, clock });

const memoryRepository = (item = storedRequest('PENDING_APPROVAL')) => {
  const events: Array<{ type: string; detail: string }> = [];
  const refs = new Map<string, MessageRef>();
  const repository = {
    get: async () => item,
    putTaskToken: async () => undefined,
    putApproverItems: async () => undefined,
    appendEvent: async (_id: string, e: { type: string; detail: string }) => {
      events.push(e);
      return true;
    },
    saveMessageRef: async (_id: string, recipient: string, ref: MessageRef) => void refs.set(recipient, ref),
  } as unknown as RequestRepository;
  return { repository, events, refs };
};

describe('notifyApprovers with Slack look-ups', () => {
  it('DMs a listed approver and one found by email, and records the one Slack does not know as not reached', async () => {
    // Prepare
    const item = storedRequest('PENDING_APPROVAL', {
      approvers: ['bob@example.com', 'dana@example.com', 'grace@example.com'],
    });
    const { repository, events, refs } = memoryRepository(item);
    const slack = createSlackWebApi(TOKEN, { apiUrl: fake.url, retries: 0 });
    const deps: NotifyDeps = {
      repository,
      notifier: routingNotifier({ slack: slackNotifier(slack) }),
      clock,
      linkSecret: 'unit-test-secret',
      publicBaseUrl: 'https://approvals.example.com',
      people,
      auditors: [],
      slackUserIdFor: identity().slackUserIdFor,
    };
    const before = fake.calls.length;
    // Act
    await notifyApprovers({ requestId: item.requestId, taskToken: 'token-1' }, deps);
    // Assess
    const calls = fake.calls.slice(before);
    expect(
      calls
        .filter((c) => c.method === 'chat.postMessage')
        .map((c) => c.args.channel)
        .sort(),
    ).toEqual(['U0BOB', 'U0DANA']);
    expect(calls.filter((c) => c.method === 'users.lookupByEmail').map((c) => c.args.email)).toEqual(
      expect.arrayContaining(['dana@example.com', 'grace@example.com']),
    );
    expect([...refs.keys()].sort()).toEqual(['bob@example.com', 'dana@example.com']);
    const notified = JSON.parse(events.find((e) => e.type === 'notified')?.detail ?? '{}') as {
      approvers: string[];
      failed?: Array<{ recipient: string }>;
    };
    expect(notified.approvers.sort()).toEqual(['bob@example.com', 'dana@example.com']);
    expect(notified.failed?.map((f) => f.recipient)).toEqual(['grace@example.com']);
    expect(JSON.stringify(calls)).not.toContain('token-1');
  });
});

describe('a click from a Slack user mapped through users.info', () => {
  const secret = 'slack-identity-secret';
  const nowMs = clock.now().getTime();
  const requestId = '0b7e2a52-3c1d-4e8f-9a6b-5d4c3b2a1f00';
  const signedClick = (slackUserId: string) => {
    const payload = {
      type: 'block_actions',
      user: { id: slackUserId },
      channel: { id: `D${slackUserId}` },
      actions: [{ action_id: 'approve', value: requestId }],
    };
    const rawBody = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const timestamp = String(nowMs / 1000);
    const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
    return { rawBody, timestamp, signature };
  };

  const depsWith = () => {
    const decide = jest.fn<SlackInteractionDeps['decide']>(
      async (input) =>
        ({ decision: input.decision, approver: input.approver, settled: false }) as unknown as DecideResult,
    );
    const tellClicker = jest.fn<SlackInteractionDeps['tellClicker']>(async () => undefined);
    const deps: SlackInteractionDeps = {
      signingSecret: secret,
      clock,
      people,
      identify: identity().personForSlackUser,
      decide,
      refreshMessages: async () => undefined,
      tellClicker,
      budgetMs: 50,
    };
    return { deps, decide, tellClicker };
  };

  it('is decided as the person with that profile email', async () => {
    // Prepare
    const { deps, decide } = depsWith();
    // Act
    const result = await handleSlackInteraction(signedClick('U0DANA'), deps);
    // Assess
    expect(result.kind).toBe('decided');
    expect(decide).toHaveBeenCalledWith({
      requestId,
      approver: 'dana@example.com',
      decision: 'approve',
      via: 'slack',
    });
  });

  it('is refused with 403 and a private notice when Slack knows no such user', async () => {
    // Prepare
    const { deps, decide, tellClicker } = depsWith();
    // Act
    const refused = await handleSlackInteraction(signedClick('U0NOBODY'), deps).catch((error: unknown) => error);
    // Assess
    expect(refused).toMatchObject({ name: 'NotAnApproverError', statusCode: 403 });
    expect(decide).not.toHaveBeenCalled();
    expect(tellClicker).toHaveBeenCalledWith(
      expect.objectContaining({ slackUserId: 'U0NOBODY' }),
      expect.stringContaining('not recorded'),
    );
  });
});
