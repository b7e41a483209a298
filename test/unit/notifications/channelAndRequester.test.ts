// Who is told what for a rule with `slackChannel` and for a request made in Slack (`origin`): the approval message
// is posted once in the channel (not a DM per approver, no signed link) and redrawn in place; a channel Slack refuses
// falls back to the approvers one by one; the reminder is a reply in the message's thread; the requester's one DM is
// posted by the workflow steps and redrawn by every decision, never with buttons. Without Slack, the links go out as
// before.
import { describe, expect, it } from '@jest/globals';
import { SFNClient } from '@aws-sdk/client-sfn';
import {
  notifyApprovers,
  notifyOutcome,
  refreshApproverMessages,
  remindApprovers,
  type NotifyDeps,
} from '../../../functions/notifications/notify.js';
import type { Delivery, MessageRef, Notifier } from '../../../functions/notifications/notifier.js';
import type { RequestItem } from '../../../functions/requests/model.js';
import type {
  MessageRefs,
  RequestRepository,
  SharedMessage,
  StoredMessageRef,
} from '../../../functions/requests/repository.js';
import { storedRequest } from '../../fixtures/requests.js';

const CHANNEL = 'C0APPROVALS1';
const PAGE = 'https://approvals.example.com/';

/** The repository as notify uses it, in memory, with the shared message refs beside the approvers'. */
const fakeRepository = (item: RequestItem) => {
  const refs: MessageRefs = new Map<string, MessageRef>();
  const events: Array<{ type: string; detail: Record<string, unknown> }> = [];
  const repository = {
    get: async () => item,
    putTaskToken: async () => undefined,
    putApproverItems: async () => undefined,
    syncApproverStatus: async () => undefined,
    appendEvent: async (_id: string, e: { type: string; detail: string }) => {
      events.push({ type: e.type, detail: JSON.parse(e.detail) as Record<string, unknown> });
      return true;
    },
    saveMessageRef: async (_id: string, recipient: string, ref: MessageRef) => void refs.set(recipient, ref),
    saveSharedMessageRef: async (_id: string, which: SharedMessage, ref: StoredMessageRef) => {
      refs[which] = ref;
    },
    getMessageRefs: async () => refs,
  } as unknown as RequestRepository;
  return { repository, refs, events };
};

type Button = { action_id: string; url?: string };
const buttonsOf = (d: Pick<Delivery, 'blocks'>): string[] =>
  (d.blocks as Array<{ type: string; elements?: Button[] }>)
    .filter((b) => b.type === 'actions')
    .flatMap((b) => (b.elements ?? []).map((e) => e.action_id));

/** A Slack notifier that records, and refuses posts to the channels in `refuse` as Slack would. */
const recordingSlack = (refuse: string[] = []) => {
  const sent: Delivery[] = [];
  const updated: Array<{ ref: MessageRef; delivery: Delivery }> = [];
  const notifier: Notifier = {
    send: async (d) => {
      const channel = d.channel ?? d.slackUserId ?? 'outbox';
      if (refuse.includes(channel)) throw Object.assign(new Error('not_in_channel'), { name: 'SlackApiError' });
      sent.push(d);
      return { channel: channel.startsWith('U') ? `D${channel.slice(1)}` : channel, ts: `1.${sent.length}` };
    },
    update: async (ref, delivery) => void updated.push({ ref, delivery }),
  };
  return { notifier, sent, updated };
};

const deps = (
  repository: RequestRepository,
  notifier: Notifier,
  slack: Notifier | undefined,
): NotifyDeps & { sfn: SFNClient } => ({
  repository,
  notifier,
  ...(slack ? { slack } : {}),
  clock: { now: () => new Date('2026-11-21T12:00:00.000Z') },
  linkSecret: 'unit-test-secret',
  publicBaseUrl: 'https://approvals.example.com',
  people: [
    { id: 'bob@example.com', slackUserId: 'U0BOB' },
    { id: 'carol@example.com', slackUserId: 'U0CAROL' },
  ],
  auditors: [],
  sfn: new SFNClient({ region: 'us-east-1' }),
});

const inChannel = (overrides: Partial<RequestItem> = {}) =>
  storedRequest('PENDING_APPROVAL', { slackChannel: CHANNEL, ...overrides });
const fromSlack = { origin: { via: 'slack' as const, slackUserId: 'U0ALICE' } };

describe('notifyApprovers with a channel', () => {
  it('posts one message in the channel with Approve, Deny and the access page, and no DM or signed link', async () => {
    // Prepare
    const { repository, refs, events } = fakeRepository(inChannel());
    const slack = recordingSlack();
    // Act
    await notifyApprovers({ requestId: 'r-1', taskToken: 't-1' }, deps(repository, slack.notifier, slack.notifier));
    // Assess
    expect(slack.sent).toHaveLength(1);
    const [posted] = slack.sent;
    expect(posted).toMatchObject({ channel: CHANNEL, kind: 'approval' });
    expect(posted?.approvalUrl).toBeUndefined();
    expect(buttonsOf(posted!)).toEqual(['approve', 'deny', 'open']);
    expect(JSON.stringify(posted?.blocks)).toContain(PAGE);
    expect(JSON.stringify(posted)).not.toContain('/approvals/');
    expect(refs.channel).toEqual({ channel: CHANNEL, ts: '1.1', pageUrl: PAGE });
    expect([...refs.keys()]).toEqual([]);
    expect(events).toEqual([
      { type: 'notified', detail: { channel: CHANNEL, approvers: ['bob@example.com', 'carol@example.com'] } },
    ]);
  });

  it('posts the channel message and the requester DM once, even when the step runs again after a Lambda error', async () => {
    // Prepare: the first attempt posted and saved both; the state machine retries the whole step
    const { repository, refs } = fakeRepository(inChannel(fromSlack));
    const slack = recordingSlack();
    const step = () =>
      notifyApprovers({ requestId: 'r-1', taskToken: 't-1' }, deps(repository, slack.notifier, slack.notifier));
    await step();
    const saved = { channel: refs.channel, requester: refs.requester };
    // Act
    await step();
    // Assess
    expect(slack.sent.map((d) => d.channel ?? d.slackUserId)).toEqual([CHANNEL, 'U0ALICE']);
    expect({ channel: refs.channel, requester: refs.requester }).toEqual(saved);
  });

  it('without Slack configured, each approver gets their signed link as before', async () => {
    // Prepare
    const { repository, refs } = fakeRepository(inChannel());
    const outbox = recordingSlack();
    // Act
    await notifyApprovers({ requestId: 'r-1', taskToken: 't-1' }, deps(repository, outbox.notifier, undefined));
    // Assess
    expect(outbox.sent.map((d) => [d.recipient, d.channel])).toEqual([
      ['bob@example.com', undefined],
      ['carol@example.com', undefined],
    ]);
    expect(outbox.sent.every((d) => d.approvalUrl?.startsWith('https://approvals.example.com/approvals/'))).toBe(true);
    expect(refs.channel).toBeUndefined();
  });

  it('a channel Slack refuses falls back to the approvers one by one, and says so in the event', async () => {
    // Prepare
    const { repository, events } = fakeRepository(inChannel());
    const slack = recordingSlack([CHANNEL]);
    // Act
    await notifyApprovers({ requestId: 'r-1', taskToken: 't-1' }, deps(repository, slack.notifier, slack.notifier));
    // Assess
    expect(slack.sent.map((d) => d.slackUserId)).toEqual(['U0BOB', 'U0CAROL']);
    expect(events[0]).toEqual({
      type: 'notified',
      detail: {
        approvers: ['bob@example.com', 'carol@example.com'],
        channelFailed: { channel: CHANNEL, error: 'SlackApiError' },
      },
    });
  });
});

describe('remindApprovers with a channel', () => {
  it('replies once in the message thread, naming who has not decided, and DMs nobody', async () => {
    // Prepare
    const item = inChannel({ minApprovals: 2, approvalCount: 1, decisions: { 'bob@example.com': 'approve' } });
    const { repository, refs, events } = fakeRepository(item);
    refs.channel = { channel: CHANNEL, ts: '1700.000100', pageUrl: PAGE };
    const slack = recordingSlack();
    // Act
    await remindApprovers({ requestId: 'r-1', taskToken: 't-2' }, deps(repository, slack.notifier, slack.notifier));
    // Assess
    expect(slack.sent).toHaveLength(1);
    expect(slack.sent[0]).toMatchObject({ kind: 'reminder', channel: CHANNEL, threadTs: '1700.000100' });
    expect(slack.sent[0]?.text).toContain('Not yet decided: carol@example.com');
    expect(events).toEqual([{ type: 'reminded', detail: { channel: CHANNEL, approvers: ['carol@example.com'] } }]);
  });
});

describe('redrawing the channel message and the requester DM', () => {
  it('a partial quorum keeps Approve and Deny in the channel; the requester DM never has buttons', async () => {
    // Prepare
    const item = inChannel({
      ...fromSlack,
      minApprovals: 2,
      approvalCount: 1,
      decisions: { 'bob@example.com': 'approve' },
      approvals: [{ approver: 'bob@example.com', decision: 'approve', at: '2026-11-21T11:00:00.000Z', via: 'page' }],
    });
    const { repository, refs } = fakeRepository(item);
    refs.channel = { channel: CHANNEL, ts: '1.1', pageUrl: PAGE };
    refs.requester = { channel: 'D0ALICE', ts: '1.2' };
    const slack = recordingSlack();
    // Act
    await refreshApproverMessages('r-1', { repository, notifier: slack.notifier, people: [] });
    // Assess
    const channel = slack.updated.find((u) => u.ref.channel === CHANNEL)!;
    const dm = slack.updated.find((u) => u.ref.channel === 'D0ALICE')!;
    expect(buttonsOf(channel.delivery)).toEqual(['approve', 'deny', 'open']);
    expect(JSON.stringify(channel.delivery.blocks)).toContain('1 of 2 approvals');
    expect(buttonsOf(dm.delivery)).toEqual([]);
    expect(dm.delivery.text).toContain('1 of 2 approvals');
    expect(dm.delivery.text).toContain('Approved by bob@example.com');
    expect(slack.updated).toHaveLength(2);
  });

  it('the outcome redraws the channel message without buttons and the requester DM instead of a new outcome DM', async () => {
    // Prepare
    const item = storedRequest('COMPLETED', {
      slackChannel: CHANNEL,
      ...fromSlack,
      approvalCount: 1,
      decisions: { 'carol@example.com': 'approve' },
      approvals: [{ approver: 'carol@example.com', decision: 'approve', at: '2026-11-21T11:00:00.000Z', via: 'slack' }],
    });
    const { repository, refs, events } = fakeRepository(item);
    refs.channel = { channel: CHANNEL, ts: '1.1', pageUrl: PAGE };
    refs.requester = { channel: 'D0ALICE', ts: '1.2' };
    const slack = recordingSlack();
    // Act
    await notifyOutcome({ requestId: 'r-1' }, deps(repository, slack.notifier, slack.notifier));
    // Assess
    expect(slack.sent).toEqual([]);
    const channel = slack.updated.find((u) => u.ref.channel === CHANNEL)!;
    expect(buttonsOf(channel.delivery)).toEqual(['open']);
    expect(channel.delivery.text).toContain('was approved and is done');
    expect(slack.updated.find((u) => u.ref.channel === 'D0ALICE')?.delivery.text).toContain('was approved and is done');
    expect(events).toEqual([{ type: 'requester_notified', detail: { status: 'COMPLETED', via: 'requesterMessage' } }]);
  });

  it('a requester from Slack with no DM yet (approved by policy at once) gets it posted with the outcome', async () => {
    // Prepare
    const item = storedRequest('ACTIVE', {
      ...fromSlack,
      approvalRequired: false,
      activeUntil: '2026-11-21T14:00:00.000Z',
    });
    const { repository, refs } = fakeRepository(item);
    const slack = recordingSlack();
    // Act
    await notifyOutcome({ requestId: 'r-1' }, deps(repository, slack.notifier, slack.notifier));
    // Assess
    expect(slack.sent).toHaveLength(1);
    expect(slack.sent[0]).toMatchObject({ kind: 'outcome', slackUserId: 'U0ALICE', recipient: 'alice@example.com' });
    expect(slack.sent[0]?.text).toContain('until 2026-11-21T14:00:00.000Z');
    expect(refs.requester).toEqual({ channel: 'D0ALICE', ts: '1.1' });
  });

  it('notifyApprovers posts the requester DM for a request from Slack: pending, N of M, who was asked', async () => {
    // Prepare
    const { repository, refs, events } = fakeRepository(storedRequest('PENDING_APPROVAL', fromSlack));
    const slack = recordingSlack();
    // Act
    await notifyApprovers({ requestId: 'r-1', taskToken: 't-1' }, deps(repository, slack.notifier, slack.notifier));
    // Assess
    const dm = slack.sent.find((d) => d.slackUserId === 'U0ALICE');
    expect(dm?.text).toContain('is pending approval: 0 of 1 approval, asked bob@example.com, carol@example.com');
    expect(buttonsOf(dm!)).toEqual([]);
    expect(refs.requester).toEqual({ channel: 'D0ALICE', ts: expect.any(String) });
    expect(events[0]?.detail).toMatchObject({ requesterMessage: true });
  });
});
