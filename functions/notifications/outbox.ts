// The local stand-in for Slack: every message is appended, in order, to a JSON-lines file that
// `GET /local/outbox` serves. Appends are single writes, so concurrent senders never interleave lines. A read
// can still overlap an append and see its line half written, so readers take only lines that end in a newline.
import { appendFile, mkdir, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';

export type DeliveryKind = 'approval' | 'reminder' | 'outcome' | 'update' | 'notice';

export interface OutboxMessage {
  requestId: string;
  kind: DeliveryKind;
  /** Set on `update` entries: the `ts` of the message they replace, as chat.update would. */
  updates?: string;
  /** The message's own id, like Slack's `ts`. */
  ts: string;
  /** Who the message is for: an approver, or the requester for outcome messages. */
  approver: string;
  channel: string;
  text: string;
  blocks: unknown[];
  approvalUrl?: string;
  sentAt: string;
}

export const appendToOutbox = async (file: string, message: OutboxMessage): Promise<void> => {
  await mkdir(dirname(file), { recursive: true });
  await appendFile(file, `${JSON.stringify(message)}\n`, 'utf8');
};

export const readOutbox = async (file: string, filter: { requestId?: string } = {}): Promise<OutboxMessage[]> => {
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  // Everything after the last newline is an append still under way (the kernel does not make a write atomic for
  // a concurrent reader); it is served by the next read, once complete.
  return raw
    .slice(0, raw.lastIndexOf('\n') + 1)
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as OutboxMessage)
    .filter((m) => filter.requestId === undefined || m.requestId === filter.requestId);
};
