// Where messages go. Without Slack credentials (the local stack), every message lands in the outbox file;
// Slack delivery plugs in here as another Notifier.
import { ConfigError } from '../shared/errors.js';
import { appendToOutbox } from './outbox.js';
import type { Message } from './messages.js';

export interface Delivery extends Message {
  requestId: string;
  kind: 'approval' | 'outcome';
  recipient: string;
  channel: string;
  approvalUrl?: string;
}

export interface Notifier {
  send(delivery: Delivery): Promise<void>;
}

export const outboxNotifier = (file: string, now: () => Date = () => new Date()): Notifier => ({
  send: async (d) =>
    appendToOutbox(file, {
      requestId: d.requestId,
      kind: d.kind,
      approver: d.recipient,
      channel: d.channel,
      text: d.text,
      blocks: d.blocks,
      ...(d.approvalUrl ? { approvalUrl: d.approvalUrl } : {}),
      sentAt: now().toISOString(),
    }),
});

export const configuredNotifier = (settings: { outboxFile?: string }): Notifier => {
  if (settings.outboxFile) return outboxNotifier(settings.outboxFile);
  throw new ConfigError('No notification channel configured: set OUTBOX_FILE (local) or Slack credentials');
};
