// Directory names are typed by someone too (a group's or account's owner, an Identity Center admin): every name of a
// request's `display` snapshot, hostile, stays text in each output context. Slack: no `<…>` control sequence except
// our own date token, and every `&` starts one of the three escapes. CSV: one record of the documented columns, no
// cell a formula, each name reading back as itself.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  approvalRequestMessage,
  decisionStateMessage,
  type Message,
  outcomeUnknownAlarm,
  reminderMessage,
  revokeFailedAlarm,
} from '../../../functions/notifications/messages.js';
import { CSV_COLUMNS, NAME_COLUMNS, csvRow } from '../../../functions/requests/csv.js';
import type { RequestDisplay, RequestItem } from '../../../functions/requests/model.js';
import { hostileNonEmptyText, hostileRequestItem } from '../../fixtures/hostileText.js';

const OUR_DATE_TOKEN = /<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*>/g;

const hostileDisplay = (): fc.Arbitrary<RequestDisplay> =>
  fc.record({
    requester: fc.record({ id: hostileNonEmptyText(), name: hostileNonEmptyText() }),
    principal: fc.record({
      type: fc.constantFrom('USER' as const, 'GROUP' as const),
      id: hostileNonEmptyText(),
      name: hostileNonEmptyText(),
      userName: hostileNonEmptyText(),
    }),
    permissionSet: fc.record({
      arn: hostileNonEmptyText(),
      name: hostileNonEmptyText(),
      description: hostileNonEmptyText(),
    }),
    account: fc.record({ id: hostileNonEmptyText(), name: hostileNonEmptyText() }),
  });

const namedItem = (): fc.Arbitrary<RequestItem> =>
  fc.tuple(hostileRequestItem(), hostileDisplay()).map(([item, display]) => ({ ...item, display }));

/** Every mrkdwn string of a message: its `text` and each mrkdwn text object's text. */
const mrkdwnOf = (message: Message): string[] => {
  const found = [message.text];
  const pending: unknown[] = [message.blocks];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) pending.push(...node);
    else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === 'mrkdwn') found.push(String(record.text));
      pending.push(...Object.values(record));
    }
  }
  return found;
};

/** An RFC 4180 reader for one record. */
const parseCsvRecord = (record: string): string[] => {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < record.length; i += 1) {
    const c = record[i];
    if (quoted) {
      if (c === '"' && record[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  cells.push(cell);
  return cells;
};

const RUNS_AS_FORMULA = /^\s*[=+\-@]|^[\t\r]/;

describe('hostile names in Slack mrkdwn', () => {
  it('never become a mention, link, channel or date token in any message (property)', () => {
    fc.assert(
      fc.property(namedItem(), (item) => {
        // Act
        const built = [
          approvalRequestMessage(item, 'https://approvals.example.com/approvals/x'),
          reminderMessage(item, 'https://approvals.example.com/approvals/x'),
          decisionStateMessage(item),
          revokeFailedAlarm(item),
          outcomeUnknownAlarm(item),
        ];
        // Assess
        for (const text of built.flatMap(mrkdwnOf)) {
          const withoutOurs = text.replace(OUR_DATE_TOKEN, '');
          expect(withoutOurs).not.toMatch(/[<>]/);
          expect(withoutOurs.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('hostile names in the CSV', () => {
  it('stay in their own cells, never run as formulas, and read back as themselves (property)', () => {
    fc.assert(
      fc.property(namedItem(), (item) => {
        // Act
        const cells = parseCsvRecord(csvRow(item, { names: true }));
        // Assess
        expect(cells).toHaveLength(CSV_COLUMNS.length + NAME_COLUMNS.length);
        for (const cell of cells) expect(cell.startsWith("'") || !RUNS_AS_FORMULA.test(cell)).toBe(true);
        const [, permissionSet, accountName] = cells.slice(CSV_COLUMNS.length);
        const unprefixed = (cell: string | undefined, original: string): string =>
          cell === `'${original}` ? original : (cell ?? '');
        const ps = item.display?.permissionSet;
        const account = item.display?.account;
        if (ps && ps.name !== ps.arn) expect(unprefixed(permissionSet, ps.name)).toBe(ps.name);
        if (account && account.name !== account.id) expect(unprefixed(accountName, account.name)).toBe(account.name);
      }),
      { numRuns: 500 },
    );
  });
});
