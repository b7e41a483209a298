// Where messages go. A person with a Slack user id gets Slack direct messages when a bot token is
// configured; everyone else, and everyone in the local stack without a token, gets the outbox.
import { randomUUID } from 'node:crypto';
import { appendToOutbox, type DeliveryKind } from './outbox.js';
import type { Message } from './messages.js';

export interface Delivery extends Message {
  requestId: string;
  kind: DeliveryKind;
  recipient: string;
  /** The recipient's Slack user id, when policy knows it. */
  slackUserId?: string;
  /**
   * A Slack conversation to post in instead of the recipient's DM: the rule's channel, for its one approval message.
   * Only the Slack notifier sends these; there is no outbox stand-in for a channel.
   */
  channel?: string;
  /** Post as a reply in the thread of this message (`ts`) of `channel`: the channel message's reminder. */
  threadTs?: string;
  approvalUrl?: string;
}

/** Where a message was posted, so it can be updated later (Slack: channel + ts). */
export interface MessageRef {
  channel: string;
  ts: string;
}

export interface Notifier {
  send(delivery: Delivery): Promise<MessageRef>;
  update(ref: MessageRef, delivery: Delivery): Promise<void>;
}

export const outboxNotifier = (file: string, now: () => Date = () => new Date()): Notifier => {
  const write = async (d: Delivery, ts: string, updates?: string): Promise<void> =>
    appendToOutbox(file, {
      requestId: d.requestId,
      kind: updates ? 'update' : d.kind,
      approver: d.recipient,
      channel: d.slackUserId ?? 'outbox',
      text: d.text,
      blocks: d.blocks,
      ts,
      ...(updates ? { updates } : {}),
      ...(d.approvalUrl ? { approvalUrl: d.approvalUrl } : {}),
      sentAt: now().toISOString(),
    });
  return {
    send: async (d) => {
      const ts = randomUUID();
      await write(d, ts);
      return { channel: d.slackUserId ?? 'outbox', ts };
    },
    update: async (ref, d) => write(d, randomUUID(), ref.ts),
  };
};

/**
 * Sends through Slack when it is configured and the recipient has a Slack id, otherwise through the
 * outbox. Updates go back through whichever channel posted the original.
 */
export const routingNotifier = (channels: { slack?: Notifier; outbox?: Notifier }): Notifier => {
  const pick = (viaSlack: boolean): Notifier => {
    const notifier = viaSlack ? channels.slack : channels.outbox;
    if (!notifier) throw new Error('No notification channel reaches this recipient');
    return notifier;
  };
  return {
    send: (d) => pick(Boolean(channels.slack && d.slackUserId)).send(d),
    update: (ref, d) => pick(Boolean(channels.slack) && ref.channel !== 'outbox').update(ref, d),
  };
};
