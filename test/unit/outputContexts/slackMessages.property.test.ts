// Typed text never becomes Slack markup: every message builder, fed hostile text in every field a person or the
// directory supplies, produces mrkdwn whose only control sequences (`<…>`) are the ones we put there.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import * as messages from '../../../functions/notifications/messages.js';
import type { Message } from '../../../functions/notifications/messages.js';
import type { Delivery, MessageRef, Notifier } from '../../../functions/notifications/notifier.js';
import type { SlackApi } from '../../../functions/notifications/slackWebApi.js';
import type { RequestItem } from '../../../functions/requests/model.js';
import { errorMessage } from '../../../functions/requests/view.js';
import { AlreadyDecidedError, NotPendingError } from '../../../functions/shared/errors.js';
import { logger } from '../../../functions/shared/logger.js';
import {
  escapeMrkdwn,
  joinMrkdwn,
  MRKDWN_FIELD_LIMIT,
  MRKDWN_TEXT_LIMIT,
  mrkdwn,
  slackDate,
  truncateMrkdwn,
} from '../../../functions/shared/outputContexts/slackMrkdwn.js';
import { clickerNotice, handleSlackInteraction } from '../../../functions/slack/interaction.js';
import { hostileNonEmptyText, hostileRequestItem, hostileText } from '../../fixtures/hostileText.js';

const RUNS = 300;
const APPROVAL_URL = 'https://approvals.example.com/approvals/v1.signed-link-token';

/** The only control sequence our messages make: the expiry as a Slack date token with an escaped fallback. */
const OUR_DATE_TOKEN = /<!date\^\d+\^\{date_short_pretty\} \{time\}\|[^<>]*>/g;

const unescapeMrkdwn = (text: string): string =>
  text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** Every text object of one type in a message's blocks, however deep. */
const textObjectsOf = (message: Message, type: 'mrkdwn' | 'plain_text'): Array<Record<string, unknown>> => {
  const found: Array<Record<string, unknown>> = [];
  const pending: unknown[] = [message.blocks];
  while (pending.length > 0) {
    const node = pending.pop();
    if (Array.isArray(node)) pending.push(...node);
    else if (node !== null && typeof node === 'object') {
      const record = node as Record<string, unknown>;
      if (record.type === type) found.push(record);
      pending.push(...Object.values(record));
    }
  }
  return found;
};

/** Every mrkdwn string in a message: its `text` (mrkdwn in chat.postMessage/update) and each mrkdwn text object. */
const mrkdwnOf = (message: Message): string[] => {
  const objects = textObjectsOf(message, 'mrkdwn');
  // Slack's preprocessing would otherwise turn a typed bare URL or channel name into a link.
  for (const object of objects) expect(object.verbatim).toBe(true);
  return [message.text, ...objects.map((object) => String(object.text))];
};

/** Slack refuses the whole message when one text object is over its limit. */
const assertWithinSlackLimits = (message: Message): void => {
  for (const block of message.blocks as Array<{ text?: { text: string }; fields?: Array<{ text: string }> }>) {
    if (block.text) expect(block.text.text.length).toBeLessThanOrEqual(MRKDWN_TEXT_LIMIT);
    for (const field of block.fields ?? []) expect(field.text.length).toBeLessThanOrEqual(MRKDWN_FIELD_LIMIT);
  }
};

const plainTextsOf = (message: Message): string[] =>
  textObjectsOf(message, 'plain_text').map((object) => String(object.text));

/**
 * The structural check: once our own date tokens are taken out, no `<` or `>` is left (so no link, mention,
 * channel, user-group or date token came from input), and every `&` starts one of the three escapes (so no
 * typed entity survives as one).
 */
const assertNoInjectedMarkup = (text: string, item?: RequestItem): void => {
  const ours = text.match(OUR_DATE_TOKEN) ?? [];
  for (const token of ours) {
    expect(item).toBeDefined();
    const fallback = token.slice(token.indexOf('|') + 1, -1);
    expect(fallback).toBe(escapeMrkdwn(item?.expiresAt ?? ''));
  }
  const rest = text.replace(OUR_DATE_TOKEN, '');
  expect(rest).not.toMatch(/[<>]/);
  expect(rest).not.toMatch(/&(?!amp;|lt;|gt;)/);
};

const PLAIN_TEXT_CONSTANTS = new Set([
  'Access approval requested',
  'Reminder: approval still needed',
  'Approve',
  'Deny',
  'Open approval page',
]);

const assertSafeMessage = (message: Message, item?: RequestItem): void => {
  for (const text of mrkdwnOf(message)) assertNoInjectedMarkup(text, item);
  // plain_text is never parsed; still, none of ours holds typed text, so no input can restyle a header or button.
  for (const text of plainTextsOf(message)) expect(PLAIN_TEXT_CONSTANTS.has(text)).toBe(true);
};

/** Every builder messages.ts exports, with how to call it. A new builder must be added here (the test below says so). */
const BUILDERS: Record<string, (item: RequestItem, text: string) => Message> = {
  approvalRequestMessage: (item) => messages.approvalRequestMessage(item, APPROVAL_URL),
  reminderMessage: (item) => messages.reminderMessage(item, APPROVAL_URL),
  decisionStateMessage: (item) => messages.decisionStateMessage(item),
  outcomeMessage: (item) => messages.outcomeMessage(item),
  revokeFailedAlarm: (item) => messages.revokeFailedAlarm(item),
  outcomeUnknownAlarm: (item) => messages.outcomeUnknownAlarm(item),
  revokeOverdueAlarm: (item) => messages.revokeOverdueAlarm(item, 12),
  noticeMessage: (_item, text) => messages.noticeMessage(text),
  channelApprovalMessage: (item) => messages.channelApprovalMessage(item, 'https://approvals.example.com/'),
  channelReminderMessage: (item) => messages.channelReminderMessage(item),
  requesterStatusMessage: (item) => messages.requesterStatusMessage(item),
};

describe('Slack mrkdwn output context', () => {
  it('escapeMrkdwn leaves no control character and round-trips every string', () => {
    fc.assert(
      fc.property(fc.oneof(hostileText(), fc.string({ unit: 'binary' })), (text) => {
        // Act
        const escaped = escapeMrkdwn(text);
        // Assess
        expect(escaped).not.toMatch(/[<>]/);
        expect(escaped).not.toMatch(/&(?!amp;|lt;|gt;)/);
        expect(unescapeMrkdwn(escaped)).toBe(text);
      }),
      { numRuns: 1000 },
    );
  });

  it('the mrkdwn template escapes every interpolated value and keeps its own markup', () => {
    fc.assert(
      fc.property(hostileText(), hostileText(), (name, words) => {
        // Act
        const made = mrkdwn`*${name}* says ${joinMrkdwn([words, mrkdwn`_${name}_`], '\n<!here>')}`.toString();
        // Assess
        expect(made).toBe(
          `*${escapeMrkdwn(name)}* says ${escapeMrkdwn(words)}${escapeMrkdwn('\n<!here>')}_${escapeMrkdwn(name)}_`,
        );
        assertNoInjectedMarkup(made);
      }),
      { numRuns: 500 },
    );
  });

  it('a date token keeps our format and escapes its fallback', () => {
    // Prepare
    const at = new Date('2026-12-03T10:00:00.000Z');
    // Act
    const token = slackDate(at, '{date_short_pretty} {time}', '<!channel> & co').toString();
    // Assess
    expect(token).toBe('<!date^1796292000^{date_short_pretty} {time}|&lt;!channel&gt; &amp; co>');
  });

  it('truncation keeps every escape and token whole, and the limit (property)', () => {
    const token = slackDate(new Date('2026-12-03T10:00:00.000Z'), '{date_short_pretty} {time}', '2026-12-03');
    fc.assert(
      fc.property(
        fc.array(fc.oneof(hostileText(), fc.constant('\u{1F600}')), { maxLength: 6 }),
        fc.integer({ min: 1, max: 200 }),
        (parts, maxLength) => {
          // Prepare: typed text around our own date tokens
          const full = joinMrkdwn(
            parts.map((part) => mrkdwn`*${part}* ${token}`),
            ' ',
          );
          // Act
          const cut = truncateMrkdwn(full, maxLength).toString();
          // Assess
          expect(cut.length).toBeLessThanOrEqual(maxLength);
          const rest = cut.replace(/<!date\^\d+\^\{date_short_pretty\} \{time\}\|2026-12-03>/g, '');
          expect(rest).not.toMatch(/[<>]/);
          expect(rest).not.toMatch(/&(?!amp;|lt;|gt;)/);
          expect(cut).not.toMatch(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
          if (cut === full.toString()) expect(cut.length).toBeLessThanOrEqual(maxLength);
          else expect(full.toString().startsWith(cut.slice(0, -1))).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('typed text at its longest still fits Slack: a justification and comments of 1024 characters that escape long (property)', () => {
    // 1024 is the most a justification or a comment may hold; `&` escapes to five characters.
    const longest = fc
      .array(fc.constantFrom('&', '<', '>', '<!channel>', 'a', '\u{1F600}'), { minLength: 1024, maxLength: 1100 })
      .map((parts) => parts.join('').slice(0, 1024));
    fc.assert(
      fc.property(
        hostileRequestItem(),
        longest,
        fc.array(longest, { minLength: 1, maxLength: 3 }),
        (item, justification, comments) => {
          // Prepare
          const long: RequestItem = {
            ...item,
            justification,
            approvals: comments.map((comment, i) => ({
              approver: `approver-${i}@example.com`,
              decision: 'approve' as const,
              at: item.createdAt,
              via: 'link' as const,
              comment,
            })),
          };
          for (const build of Object.values(BUILDERS)) {
            // Act
            const message = build(long, justification);
            // Assess
            assertWithinSlackLimits(message);
            assertSafeMessage(message, long);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('covers every message builder messages.ts exports', () => {
    // Prepare
    const exported = Object.entries(messages)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name)
      .sort();
    // Assess: a builder missing here would escape the property below.
    expect(exported).toEqual(Object.keys(BUILDERS).sort());
  });

  it.each(Object.keys(BUILDERS))('%s: typed text never becomes a link, mention or token (property)', (name) => {
    const build = BUILDERS[name];
    if (!build) throw new Error(`No builder ${name}`);
    fc.assert(
      fc.property(hostileRequestItem(), hostileNonEmptyText(), (item, text) => {
        // Act
        const message = build(item, text);
        // Assess
        assertSafeMessage(message, item);
        assertWithinSlackLimits(message);
        // The typed text is still all there, as text: escaping hides nothing from the reader.
        const shown = unescapeMrkdwn(message.text.replace(OUR_DATE_TOKEN, ''));
        if (name === 'noticeMessage') expect(shown).toBe(text);
        else {
          expect(shown).toContain(item.summary);
          if (name !== 'outcomeMessage') expect(shown).toContain(item.requester);
        }
        if (name === 'approvalRequestMessage') expect(shown).toContain(item.justification);
        if ((name === 'outcomeMessage' || name === 'revokeFailedAlarm') && item.error) {
          expect(shown).toContain(errorMessage(item.error.cause));
        }
        if (name === 'decisionStateMessage') {
          for (const a of item.approvals) {
            expect(shown).toContain(a.approver);
            if (a.comment) expect(shown).toContain(a.comment);
          }
        }
      }),
      { numRuns: RUNS },
    );
  });
});

describe('Slack ephemeral replies', () => {
  // Each run logs the refusal (ids only); hundreds of those lines would bury the report.
  beforeAll(() => logger.setLogLevel('SILENT'));
  afterAll(() => logger.setLogLevel('INFO'));
  const secret = 'slack-test-secret-for-escaping';
  const nowMs = 1_700_000_000_000;
  const requestId = '0b7e2a52-3c1d-4e8f-9a6b-5d4c3b2a1f00';
  const signed = (rawBody: string) => {
    const timestamp = String(nowMs / 1000);
    return {
      rawBody,
      timestamp,
      signature: `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`,
    };
  };
  const clickBody = `payload=${encodeURIComponent(
    JSON.stringify({
      type: 'block_actions',
      user: { id: 'U0BOB' },
      channel: { id: 'D0BOB' },
      actions: [{ action_id: 'approve', value: requestId }],
    }),
  )}`;

  it('a refusal quoting typed text reaches the clicker escaped, through Slack and through the outbox (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileNonEmptyText(),
        fc.constantFrom('slack', 'outbox'),
        fc.boolean(),
        async (typed, channel, pending) => {
          // Prepare: a refusal whose message quotes what someone typed
          const ephemerals: Array<{ text: string }> = [];
          const deliveries: Delivery[] = [];
          const slack = {
            chat: {
              postEphemeral: async (args: { text: string }) => {
                ephemerals.push(args);
                return { ok: true };
              },
            },
          } as unknown as SlackApi;
          const notifier: Notifier = {
            send: async (d): Promise<MessageRef> => {
              deliveries.push(d);
              return { channel: 'outbox', ts: '1' };
            },
            update: async () => undefined,
          };
          const refusal = pending ? new NotPendingError(typed) : new AlreadyDecidedError(typed);
          // Act
          await handleSlackInteraction(signed(clickBody), {
            signingSecret: secret,
            clock: { now: () => new Date(nowMs) },
            people: [{ id: 'bob@example.com', slackUserId: 'U0BOB' }],
            decide: async () => Promise.reject(refusal),
            refreshMessages: async () => undefined,
            tellClicker: clickerNotice({
              slack: async () => (channel === 'slack' ? slack : undefined),
              notifier: async () => notifier,
            }),
            budgetMs: 1000,
          }).catch((error: unknown) => {
            if (error !== refusal) throw error;
          });
          // Assess
          const told = channel === 'slack' ? ephemerals : deliveries;
          expect(told).toHaveLength(1);
          const text = told[0]?.text ?? '';
          assertNoInjectedMarkup(text);
          expect(unescapeMrkdwn(text)).toContain(typed);
          for (const d of deliveries) assertSafeMessage(d);
        },
      ),
      { numRuns: 200 },
    );
  });
});
