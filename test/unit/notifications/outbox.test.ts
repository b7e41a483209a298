// The local outbox is read while senders append to it: a read that overlaps an append must not fail on the
// half-written line (GET /local/outbox answered 500 "Unterminated string in JSON" under load), and must not lose it.
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { appendToOutbox, readOutbox, type OutboxMessage } from '../../../functions/notifications/outbox.js';

const message = (requestId: string): OutboxMessage => ({
  requestId,
  kind: 'approval',
  approver: 'bob@example.com',
  channel: 'U0BOB',
  text: 'approve?',
  blocks: [],
  sentAt: '2025-01-01T00:00:00.000Z',
  ts: `t-${requestId}`,
});

describe('readOutbox', () => {
  it('skips a line still being appended, and serves it once it is complete', async () => {
    // Prepare: one whole message, then the first half of the next, as a concurrent reader can see it.
    const file = join(mkdtempSync(join(tmpdir(), 'outbox-')), 'outbox.jsonl');
    await appendToOutbox(file, message('r-1'));
    const next = `${JSON.stringify(message('r-2'))}\n`;
    appendFileSync(file, next.slice(0, 40));

    // Act
    const during = await readOutbox(file);
    appendFileSync(file, next.slice(40));
    const after = await readOutbox(file);

    // Assess
    expect(during).toEqual([message('r-1')]);
    expect(after).toEqual([message('r-1'), message('r-2')]);
  });
});
