import { createHmac } from 'node:crypto';
import { describe, expect, it, jest } from '@jest/globals';
import type { DecideResult } from '../../../functions/approvals/decide.js';
import type { Delivery, MessageRef, Notifier } from '../../../functions/notifications/notifier.js';
import type { SlackApi } from '../../../functions/notifications/slackNotifier.js';
import {
  approverForSlackUser,
  clickerNotice,
  handleSlackInteraction,
  parseInteraction,
  type SlackInteractionDeps,
} from '../../../functions/slack/interaction.js';
import { AlreadyDecidedError, NotFoundError, NotPendingError } from '../../../functions/shared/errors.js';

const secret = 'slack-test-secret-not-used-anywhere-else';
const nowMs = 1_700_000_000_000;
const requestId = '0b7e2a52-3c1d-4e8f-9a6b-5d4c3b2a1f00';
const people = [
  { id: 'alice@example.com', slackUserId: 'U0ALICE' },
  { id: 'bob@example.com', slackUserId: 'U0BOB' },
  { id: 'dana@example.com' },
];

const click = (overrides: Record<string, unknown> = {}, action: Record<string, unknown> = {}) => ({
  type: 'block_actions',
  user: { id: 'U0BOB', username: 'bob', team_id: 'T0LOCAL' },
  channel: { id: 'D0BOB', name: 'directmessage' },
  container: { type: 'message', message_ts: '1700000000.000001', channel_id: 'D0BOB' },
  response_url: 'https://hooks.slack.com/actions/T0LOCAL/1/secret',
  actions: [
    {
      type: 'button',
      block_id: 'decision',
      action_id: 'approve',
      value: requestId,
      action_ts: '1700000000.000002',
      ...action,
    },
  ],
  ...overrides,
});

const form = (payload: unknown): string =>
  `payload=${encodeURIComponent(typeof payload === 'string' ? payload : JSON.stringify(payload))}`;

const signed = (rawBody: string, timestamp = String(nowMs / 1000)) => ({
  rawBody,
  timestamp,
  signature: `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`,
});

const decided = {
  decision: 'approve',
  approver: 'bob@example.com',
  settled: true,
  item: { requestId },
} as unknown as DecideResult;

const fakeDeps = (overrides: Partial<SlackInteractionDeps> = {}) => {
  const decide = jest.fn<SlackInteractionDeps['decide']>(async () => decided);
  const refreshMessages = jest.fn<SlackInteractionDeps['refreshMessages']>(async () => undefined);
  const tellClicker = jest.fn<SlackInteractionDeps['tellClicker']>(async () => undefined);
  const deps: SlackInteractionDeps = {
    signingSecret: secret,
    clock: { now: () => new Date(nowMs) },
    people,
    decide,
    refreshMessages,
    tellClicker,
    budgetMs: 50,
    ...overrides,
  };
  return { deps, decide, refreshMessages, tellClicker };
};

const never = () => new Promise<never>(() => undefined);

describe('parseInteraction', () => {
  it.each(['approve', 'deny'])('reads a %s click: request id, Slack user and channel', (actionId) => {
    // Act
    const parsed = parseInteraction(form(click({}, { action_id: actionId })));
    // Assess
    expect(parsed).toEqual({
      kind: 'decision',
      click: { requestId, decision: actionId, slackUserId: 'U0BOB', channelId: 'D0BOB' },
    });
  });

  it('leaves the channel out when Slack sends none', () => {
    // Act
    const parsed = parseInteraction(form(click({ channel: undefined })));
    // Assess
    expect(parsed).toEqual({ kind: 'decision', click: { requestId, decision: 'approve', slackUserId: 'U0BOB' } });
  });

  it('acknowledges the "Open approval page" link button without deciding anything', () => {
    // Act
    const parsed = parseInteraction(
      form(click({}, { action_id: 'open', value: undefined, url: 'https://approvals.example.com/approvals/x' })),
    );
    // Assess
    expect(parsed).toEqual({ kind: 'ignored', slackUserId: 'U0BOB' });
  });

  it.each([
    ['no payload field', 'action=approve', 'payload'],
    ['an empty body', '', 'payload'],
    ['a payload that is not JSON', form('{not json'), 'payload'],
    ['a payload that is an array', form([click()]), 'payload'],
    ['another interaction type', form(click({ type: 'view_submission' })), 'payload.type'],
    ['no user', form(click({ user: undefined })), 'payload.user.id'],
    ['a user without an id', form(click({ user: { name: 'bob' } })), 'payload.user.id'],
    ['no actions', form(click({ actions: undefined })), 'payload.actions'],
    ['an empty action list', form(click({ actions: [] })), 'payload.actions'],
    ['an unknown action', form(click({}, { action_id: 'approve_all' })), 'payload.actions[0].action_id'],
    ['no request id', form(click({}, { value: undefined })), 'payload.actions[0].value'],
    ['a request id that is not an id', form(click({}, { value: '../etc/passwd' })), 'payload.actions[0].value'],
    ['an over-long request id', form(click({}, { value: 'a'.repeat(129) })), 'payload.actions[0].value'],
  ])('refuses %s with a 400 naming the field', (_case, rawBody, path) => {
    // Act / Assess
    expect(() => parseInteraction(rawBody)).toThrow(
      expect.objectContaining({
        statusCode: 400,
        code: 'ValidationError',
        details: [expect.objectContaining({ path })],
      }),
    );
  });
});

describe('approverForSlackUser', () => {
  it('maps a Slack user to the approver id policy gives them', () => {
    // Act / Assess
    expect(approverForSlackUser(people, 'U0BOB')).toBe('bob@example.com');
  });

  it('refuses a Slack user listed for two people rather than pick one', () => {
    // Prepare
    const twice = [...people, { id: 'mallory@example.com', slackUserId: 'U0BOB' }];
    // Act / Assess
    expect(() => approverForSlackUser(twice, 'U0BOB')).toThrow(
      expect.objectContaining({ statusCode: 403, code: 'NotAnApprover' }),
    );
  });

  it('refuses a Slack user that policy does not know with 403', () => {
    // Act / Assess
    expect(() => approverForSlackUser(people, 'U0MALLORY')).toThrow(
      expect.objectContaining({ statusCode: 403, code: 'NotAnApprover' }),
    );
  });
});

describe('handleSlackInteraction', () => {
  it('decides as the mapped approver via slack, then rewrites the approvers’ messages', async () => {
    // Prepare
    const { deps, decide, refreshMessages } = fakeDeps();
    // Act
    const result = await handleSlackInteraction(signed(form(click({}, { action_id: 'deny' }))), deps);
    // Assess
    expect(result).toEqual({ kind: 'decided', result: decided });
    expect(decide).toHaveBeenCalledWith({ requestId, approver: 'bob@example.com', decision: 'deny', via: 'slack' });
    expect(refreshMessages).toHaveBeenCalledWith(requestId);
  });

  it('checks the signature before reading anything: a bad one is 401 and decides nothing', async () => {
    // Prepare
    const { deps, decide, tellClicker } = fakeDeps();
    const request = { ...signed(form(click())), rawBody: form(click({ user: { id: 'U0ALICE' } })) };
    // Act / Assess
    await expect(handleSlackInteraction(request, deps)).rejects.toMatchObject({ statusCode: 401 });
    expect(decide).not.toHaveBeenCalled();
    expect(tellClicker).not.toHaveBeenCalled();
  });

  it('refuses a stale but correctly signed click with 401', async () => {
    // Prepare
    const { deps, decide } = fakeDeps();
    // Act / Assess
    await expect(handleSlackInteraction(signed(form(click()), String(nowMs / 1000 - 301)), deps)).rejects.toMatchObject(
      { statusCode: 401 },
    );
    expect(decide).not.toHaveBeenCalled();
  });

  it('acknowledges the open button and decides nothing', async () => {
    // Prepare
    const { deps, decide, refreshMessages } = fakeDeps();
    // Act
    const result = await handleSlackInteraction(signed(form(click({}, { action_id: 'open', value: undefined }))), deps);
    // Assess
    expect(result).toEqual({ kind: 'ignored' });
    expect(decide).not.toHaveBeenCalled();
    expect(refreshMessages).not.toHaveBeenCalled();
  });

  it('refuses an unknown Slack user with 403, decides nothing, and tells them privately', async () => {
    // Prepare
    const { deps, decide, tellClicker } = fakeDeps();
    // Act / Assess
    await expect(
      handleSlackInteraction(signed(form(click({ user: { id: 'U0MALLORY' } }))), deps),
    ).rejects.toMatchObject({ statusCode: 403 });
    expect(decide).not.toHaveBeenCalled();
    expect(tellClicker).toHaveBeenCalledWith(
      { requestId, decision: 'approve', slackUserId: 'U0MALLORY', channelId: 'D0BOB' },
      expect.stringContaining('not linked'),
    );
  });

  it.each([
    ['already decided', new AlreadyDecidedError('You already decided: approve'), 409],
    ['no longer pending', new NotPendingError('This request is no longer pending (DENIED)'), 410],
  ])('passes a refusal (%s) through unchanged and tells the approver why', async (_case, refusal, statusCode) => {
    // Prepare
    const { deps, tellClicker } = fakeDeps({ decide: async () => Promise.reject(refusal) });
    // Act / Assess
    await expect(handleSlackInteraction(signed(form(click())), deps)).rejects.toBe(refusal);
    expect(refusal.statusCode).toBe(statusCode);
    expect(tellClicker).toHaveBeenCalledWith(
      expect.objectContaining({ approver: 'bob@example.com', slackUserId: 'U0BOB' }),
      expect.stringContaining(refusal.message),
    );
  });

  it('does not tell the clicker about errors that are not refusals', async () => {
    // Prepare
    const { deps, tellClicker } = fakeDeps({
      decide: async () => Promise.reject(new NotFoundError(`Request ${requestId} not found`)),
    });
    // Act / Assess
    await expect(handleSlackInteraction(signed(form(click())), deps)).rejects.toMatchObject({ statusCode: 404 });
    expect(tellClicker).not.toHaveBeenCalled();
  });

  it('keeps the refusal as the answer when telling the clicker fails', async () => {
    // Prepare
    const refusal = new AlreadyDecidedError('You already decided: approve');
    const { deps } = fakeDeps({
      decide: async () => Promise.reject(refusal),
      tellClicker: async () => Promise.reject(new Error('channel_not_found')),
    });
    // Act / Assess
    await expect(handleSlackInteraction(signed(form(click())), deps)).rejects.toBe(refusal);
  });

  it('answers within its budget even when the follow-ups never finish', async () => {
    // Prepare
    const slowRefresh = fakeDeps({ refreshMessages: never });
    const slowNotice = fakeDeps({
      decide: async () => Promise.reject(new AlreadyDecidedError('again')),
      tellClicker: never,
    });
    const started = Date.now();
    // Act
    const decidedResult = await handleSlackInteraction(signed(form(click())), slowRefresh.deps);
    const refused = await handleSlackInteraction(signed(form(click())), slowNotice.deps).catch(
      (error: unknown) => error,
    );
    // Assess
    expect(decidedResult.kind).toBe('decided');
    expect(refused).toBeInstanceOf(AlreadyDecidedError);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('shrinks the follow-up budget when the request already waited (cold start, slow decision)', async () => {
    // Prepare: generous budget, but API Gateway received the click 2.5 s ago
    const { deps } = fakeDeps({ refreshMessages: never, budgetMs: 10_000 });
    const started = Date.now();
    // Act
    const result = await handleSlackInteraction({ ...signed(form(click())), receivedAtMs: nowMs - 2500 }, deps);
    // Assess
    expect(result.kind).toBe('decided');
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('still answers 200 when rewriting the messages fails', async () => {
    // Prepare
    const { deps } = fakeDeps({ refreshMessages: async () => Promise.reject(new Error('ratelimited')) });
    // Act
    const result = await handleSlackInteraction(signed(form(click())), deps);
    // Assess
    expect(result.kind).toBe('decided');
  });
});

describe('clickerNotice', () => {
  const clickInfo = { requestId, decision: 'approve' as const, slackUserId: 'U0BOB', approver: 'bob@example.com' };

  it('posts an ephemeral message only the clicker sees, where they clicked', async () => {
    // Prepare
    const postEphemeral = jest.fn(async (_args: unknown) => ({ ok: true }));
    const slack = { chat: { postEphemeral } } as unknown as SlackApi;
    const tell = clickerNotice({ slack: async () => slack, notifier: async () => Promise.reject(new Error('unused')) });
    // Act
    await tell({ ...clickInfo, channelId: 'D0BOB' }, 'not recorded');
    await tell(clickInfo, 'not recorded');
    // Assess
    expect(postEphemeral).toHaveBeenNthCalledWith(1, { channel: 'D0BOB', user: 'U0BOB', text: 'not recorded' });
    expect(postEphemeral).toHaveBeenNthCalledWith(2, { channel: 'U0BOB', user: 'U0BOB', text: 'not recorded' });
  });

  it('without a Slack client, sends a notice delivery (the local outbox)', async () => {
    // Prepare
    const sent: Delivery[] = [];
    const notifier: Notifier = {
      send: async (d): Promise<MessageRef> => {
        sent.push(d);
        return { channel: 'outbox', ts: '1' };
      },
      update: async () => undefined,
    };
    const tell = clickerNotice({ slack: async () => undefined, notifier: async () => notifier });
    // Act
    await tell(clickInfo, 'not recorded');
    // Assess
    expect(sent).toEqual([
      expect.objectContaining({
        requestId,
        kind: 'notice',
        recipient: 'bob@example.com',
        slackUserId: 'U0BOB',
        text: 'not recorded',
      }),
    ]);
  });
});
