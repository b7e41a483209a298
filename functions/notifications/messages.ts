// What people are told, as plain text plus Slack Block Kit blocks (the outbox stores the same blocks).
// Everything here is Slack mrkdwn (the blocks' mrkdwn text objects, and the `text` Slack shows in notifications
// and falls back to), and much of it was typed by someone: justifications, comments, requester and approver ids,
// summaries holding parameters and Proton environment names, AWS error messages. So every message is built with
// the `mrkdwn` tagged template, which escapes each interpolated value; `slackMessage` accepts nothing else.
import {
  type AskParts,
  accountLabel,
  askParts,
  askText,
  permissionSetName,
  principalLabel,
  requesterName,
  requesterWithId,
} from '../requests/displayNames.js';
import type { RequestItem } from '../requests/model.js';
import { errorMessage } from '../requests/view.js';
import {
  joinMrkdwn,
  MRKDWN_FIELD_LIMIT,
  type Mrkdwn,
  type MrkdwnTextObject,
  mrkdwn,
  mrkdwnText,
  type PlainTextObject,
  plainText,
  slackDate,
} from '../shared/outputContexts/slackMrkdwn.js';

/** Type-only: marks a Message as made by slackMessage below, so no Delivery can carry hand-built text. */
declare const madeBySlackMessage: unique symbol;

export interface Message {
  text: string;
  blocks: unknown[];
  readonly [madeBySlackMessage]: true;
}

interface Button {
  type: 'button';
  action_id: string;
  text: PlainTextObject;
  style?: 'primary' | 'danger';
  value?: string;
  url?: string;
}

/** The blocks we send. Text objects come only from mrkdwnText(Mrkdwn) or plainText, so none skips escaping. */
type Block =
  | { type: 'header'; text: PlainTextObject }
  | { type: 'section'; text: MrkdwnTextObject; fields?: MrkdwnTextObject[] }
  | { type: 'actions'; block_id: string; elements: Button[] };

/** The one way a message is made: its text is mrkdwn, its blocks are typed. */
const slackMessage = (text: Mrkdwn, blocks: Block[]): Message => ({ text: text.toString(), blocks }) as Message;

const STATUS_WORDS: Record<string, string> = {
  PENDING_APPROVAL: 'is waiting for approval',
  APPROVED: 'was approved and is being carried out',
  COMPLETED: 'was approved and is done',
  DENIED: 'was denied',
  EXPIRED: 'expired before enough approvers decided',
  FAILED: 'was approved but failed',
  ACTIVE: 'was granted and is active',
  REVOKED: 'ended and its access was revoked',
  REVOKE_FAILED: 'ended but its access could not be revoked (REVOKE_FAILED): someone must remove it by hand',
  OUTCOME_UNKNOWN:
    'was approved, but whether its access was granted could not be verified (OUTCOME_UNKNOWN): it may be in place',
};

const statusWords = (item: RequestItem): string => STATUS_WORDS[item.status] ?? `is now ${item.status}`;

const decisions = (item: RequestItem): Mrkdwn =>
  item.approvals.length === 0
    ? mrkdwn`No decisions yet.`
    : joinMrkdwn(
        item.approvals.map(
          (a) =>
            mrkdwn`${a.decision === 'approve' ? 'Approved' : 'Denied'} by ${a.approver} at ${a.at}${a.comment ? mrkdwn` ("${a.comment}")` : ''}`,
        ),
        '\n',
      );

const duration = (item: RequestItem): string => {
  if (!item.durationMinutes) return 'permanent';
  const hours = Math.floor(item.durationMinutes / 60);
  const minutes = item.durationMinutes % 60;
  return (
    [hours ? `${hours} h` : '', minutes ? `${minutes} min` : ''].filter(Boolean).join(' ') +
    ', then revoked automatically'
  );
};

// Text objects are cut to Slack's limits (escaping can make typed text five times longer); a cut justification or
// comment is still whole on the approval page the message links to.
const field = (text: Mrkdwn): MrkdwnTextObject => mrkdwnText(text, MRKDWN_FIELD_LIMIT);

/**
 * What the request is about, by name, where its snapshot has names: who asked (with their id), for whom, which
 * permission set (with its description) and which account (with its id, which an approver may need to judge it).
 */
const nameFields = (item: RequestItem): MrkdwnTextObject[] => {
  const display = item.display;
  if (!display) return [];
  return [
    field(mrkdwn`*Requested by*\n${requesterWithId(item)}`),
    ...(display.principal ? [field(mrkdwn`*For*\n${principalLabel(display.principal)}`)] : []),
    ...(display.permissionSet
      ? [
          field(
            mrkdwn`*Permission set*\n${permissionSetName(display.permissionSet)}${display.permissionSet.description ? mrkdwn`: ${display.permissionSet.description}` : ''}`,
          ),
        ]
      : []),
    ...(display.account ? [field(mrkdwn`*Account*\n${accountLabel(display.account)}`)] : []),
  ];
};

const requestFields = (item: RequestItem): MrkdwnTextObject[] => [
  ...nameFields(item),
  field(mrkdwn`*Justification*\n${item.justification}`),
  field(mrkdwn`*Duration*\n${duration(item)}`),
  field(
    mrkdwn`*Expires*\n${slackDate(new Date(Date.parse(item.expiresAt)), '{date_short_pretty} {time}', item.expiresAt)}`,
  ),
  field(mrkdwn`*Approvals needed*\n${item.minApprovals}`),
  field(mrkdwn`*Request*\n${item.requestId}`),
];

/** "*Alice Liddell* asks for *PowerUser* on *payments-prod* (111122223333) for 2 h": every name escaped. */
const askMrkdwn = (parts: AskParts, verb: string): Mrkdwn =>
  mrkdwn`*${parts.requester}* ${verb} for *${parts.permissionSet}* on *${parts.account}*${parts.accountId ? mrkdwn` (${parts.accountId})` : ''}${parts.principal ? mrkdwn` for ${parts.principal}` : ''}${parts.duration ? mrkdwn`${parts.principal ? ',' : ''} for ${parts.duration}` : ''}`;

/** The one-line ask: by name when the request has names, else the requester id and the summary, as before names. */
const askLine = (item: RequestItem, verb: 'asks' | 'asked'): Mrkdwn => {
  const parts = askParts(item);
  return parts ? askMrkdwn(parts, verb) : mrkdwn`*${requesterName(item)}* ${verb}: ${item.summary}`;
};

const askBlocks = (item: RequestItem, approvalUrl: string, heading: string): Block[] => [
  { type: 'header', text: plainText(heading) },
  {
    type: 'section',
    text: mrkdwnText(askLine(item, 'asks')),
    fields: requestFields(item),
  },
  {
    type: 'actions',
    block_id: 'decision',
    elements: [
      { type: 'button', action_id: 'approve', style: 'primary', text: plainText('Approve'), value: item.requestId },
      { type: 'button', action_id: 'deny', style: 'danger', text: plainText('Deny'), value: item.requestId },
      { type: 'button', action_id: 'open', text: plainText('Open approval page'), url: approvalUrl },
    ],
  },
];

/** The notification text (and fallback) opening: the ask by name, or the requester id and summary as before. */
const askOpening = (item: RequestItem): string => {
  const parts = askParts(item);
  // The plain text names the requester with their id too: it is what notifications and search show.
  return parts ? askText({ ...parts, requester: requesterWithId(item) }) : `${item.requester} asks: ${item.summary}`;
};

export const approvalRequestMessage = (item: RequestItem, approvalUrl: string): Message =>
  slackMessage(
    mrkdwn`${askOpening(item)}. Duration: ${duration(item)}. Justification: ${item.justification}. Expires ${item.expiresAt}.`,
    askBlocks(item, approvalUrl, 'Access approval requested'),
  );

export const reminderMessage = (item: RequestItem, approvalUrl: string): Message =>
  slackMessage(
    mrkdwn`Reminder: ${requesterName(item)} is still waiting for your decision on ${item.summary}. It expires ${item.expiresAt}.`,
    askBlocks(item, approvalUrl, 'Reminder: approval still needed'),
  );

/** Replaces an approver's message once anything is decided, so nobody clicks a dead button. */
export const decisionStateMessage = (item: RequestItem): Message =>
  slackMessage(mrkdwn`${requesterName(item)}'s request (${item.summary}) ${statusWords(item)}.\n${decisions(item)}`, [
    {
      type: 'section',
      text: mrkdwnText(askLine(item, 'asked')),
      fields: requestFields(item),
    },
    {
      type: 'section',
      text: mrkdwnText(mrkdwn`*Status:* ${item.status} (${statusWords(item)})\n${decisions(item)}`),
    },
  ]);

/** "1 of 2 approvals", counting what the quorum counts. */
const approvalsCount = (item: RequestItem): string =>
  `${item.approvalCount} of ${item.minApprovals} approval${item.minApprovals === 1 ? '' : 's'}`;

/** Who was asked and has not decided yet: the names a channel or the requester reads. */
const undecided = (item: RequestItem): string[] => item.approvers.filter((a) => !item.decisions[a]);

/** Where the request stands, for everyone in a channel: the count, who may still decide, and every decision. */
const standing = (item: RequestItem): Mrkdwn => {
  const waiting = undecided(item);
  return item.status === 'PENDING_APPROVAL'
    ? mrkdwn`*Status:* waiting for approval, ${approvalsCount(item)}\n*Asked:* ${joinMrkdwn(item.approvers, ', ')}${waiting.length < item.approvers.length ? mrkdwn` (not yet decided: ${joinMrkdwn(waiting, ', ')})` : ''}\n${decisions(item)}`
    : mrkdwn`*Status:* ${item.status} (${statusWords(item)})\n${decisions(item)}`;
};

/**
 * The approval message posted once in a rule's Slack channel (DESIGN.md, "Slack, second stage"), and each redraw of
 * it. A channel is shared, so it carries no approver's signed link: its link opens the access page, where a signed-in
 * approver decides. While the request is pending it keeps Approve and Deny (a quorum needs more than one click) and
 * shows who decided so far; once settled, the buttons go and the status stays.
 */
export const channelApprovalMessage = (item: RequestItem, pageUrl: string | undefined): Message => {
  const pending = item.status === 'PENDING_APPROVAL';
  const buttons: Button[] = [
    ...(pending
      ? [
          {
            type: 'button' as const,
            action_id: 'approve',
            style: 'primary' as const,
            text: plainText('Approve'),
            value: item.requestId,
          },
          {
            type: 'button' as const,
            action_id: 'deny',
            style: 'danger' as const,
            text: plainText('Deny'),
            value: item.requestId,
          },
        ]
      : []),
    ...(pageUrl
      ? [{ type: 'button' as const, action_id: 'open', text: plainText('Open approval page'), url: pageUrl }]
      : []),
  ];
  const text = pending
    ? mrkdwn`${askOpening(item)}. ${approvalsCount(item)}; asked ${joinMrkdwn(item.approvers, ', ')}. Justification: ${item.justification}. Expires ${item.expiresAt}.`
    : mrkdwn`${requesterName(item)}'s request (${item.summary}) ${statusWords(item)}.\n${decisions(item)}`;
  return slackMessage(text, [
    // The same header and link text as the DMs: the state is in the sections below, where it is redrawn.
    { type: 'header', text: plainText('Access approval requested') },
    { type: 'section', text: mrkdwnText(askLine(item, pending ? 'asks' : 'asked')), fields: requestFields(item) },
    { type: 'section', text: mrkdwnText(standing(item)) },
    ...(buttons.length > 0 ? [{ type: 'actions' as const, block_id: 'decision', elements: buttons }] : []),
  ]);
};

/** The channel message's reminder, a reply in its thread: who has not decided yet, and when the window closes. */
export const channelReminderMessage = (item: RequestItem): Message =>
  oneSection(
    mrkdwn`Reminder: ${requesterName(item)}'s request (${item.summary}) still needs ${approvalsCount(item)}. Not yet decided: ${joinMrkdwn(undecided(item), ', ')}. It expires ${slackDate(new Date(Date.parse(item.expiresAt)), '{date_short_pretty} {time}', item.expiresAt)}.`,
  );

/**
 * The one DM a requester who asked in Slack keeps (DESIGN.md, "Slack, second stage"), redrawn as the request moves:
 * pending with its count and who was asked, each decision, then the outcome. Never any button: it is not theirs to
 * decide.
 */
export const requesterStatusMessage = (item: RequestItem): Message => {
  const reason = item.error ? mrkdwn` Reason: ${item.error.name}: ${errorMessage(item.error.cause)}` : '';
  const until = item.status === 'ACTIVE' && item.activeUntil ? mrkdwn` until ${item.activeUntil}` : '';
  const headline =
    item.status === 'PENDING_APPROVAL'
      ? item.approvalRequired === false
        ? mrkdwn`Your request ${item.requestId} as ${requesterWithId(item)} (${item.summary}) is being approved by policy (no approval required).`
        : mrkdwn`Your request ${item.requestId} as ${requesterWithId(item)} (${item.summary}) is pending approval: ${approvalsCount(item)}, asked ${joinMrkdwn(item.approvers, ', ')}.`
      : mrkdwn`Your request ${item.requestId} as ${requesterWithId(item)} (${item.summary}) ${statusWords(item)}${until}.${reason}`;
  return slackMessage(mrkdwn`${headline}\n${decisions(item)}`, [
    { type: 'section', text: mrkdwnText(headline), fields: requestFields(item) },
    { type: 'section', text: mrkdwnText(mrkdwn`*Status:* ${item.status}\n${decisions(item)}`) },
  ]);
};

/** A message that is one section holding the same text. */
const oneSection = (text: Mrkdwn): Message => slackMessage(text, [{ type: 'section', text: mrkdwnText(text) }]);

export const outcomeMessage = (item: RequestItem): Message => {
  const reason = item.error ? mrkdwn` Reason: ${item.error.name}: ${errorMessage(item.error.cause)}` : '';
  const until = item.status === 'ACTIVE' && item.activeUntil ? mrkdwn` until ${item.activeUntil}` : '';
  return oneSection(mrkdwn`Your request ${item.requestId} (${item.summary}) ${statusWords(item)}${until}.${reason}`);
};

/** The loud alarm when a grant's access could not be taken back: to approvers and auditors. */
export const revokeFailedAlarm = (item: RequestItem): Message => {
  const reason = item.error ? mrkdwn` ${item.error.name}: ${errorMessage(item.error.cause)}` : '';
  return oneSection(
    mrkdwn`:rotating_light: REVOKE_FAILED: the access granted by request ${item.requestId} (${requesterWithId(item)}: ${item.summary}) could not be revoked and is still in place.${reason} Remove it by hand and record why.`,
  );
};

/**
 * The loud alarm when a creation Identity Center accepted could be neither confirmed nor verified absent: the access
 * may be in place with nothing of ours set to remove it. To the requester, approvers and auditors.
 */
export const outcomeUnknownAlarm = (item: RequestItem): Message => {
  const reason = item.error ? mrkdwn` Last error: ${item.error.name}: ${errorMessage(item.error.cause)}.` : '';
  return oneSection(
    mrkdwn`:rotating_light: OUTCOME_UNKNOWN: request ${item.requestId} (${requesterWithId(item)}: ${item.summary}) was approved and Identity Center accepted the assignment, but whether it now exists could not be verified.${reason} The access may be in place and nothing is set to remove it. The reconciler will settle this request (record the grant and revoke it on time, or confirm it absent); until it runs, check the assignment by hand.`,
  );
};

/**
 * The loud alarm when a time-bound grant is still in place well past its end (revoke_overdue): its removal keeps
 * failing on transient errors and is still being retried. To the requester, approvers and auditors. `overdueMinutes`
 * is in AWS time.
 */
export const revokeOverdueAlarm = (item: RequestItem, overdueMinutes: number): Message => {
  const until = item.activeUntil ? mrkdwn` ended at ${item.activeUntil}` : mrkdwn` has ended`;
  return oneSection(
    mrkdwn`:rotating_light: REVOKE OVERDUE: the access granted by request ${item.requestId} (${requesterWithId(item)}: ${item.summary})${until} but is still in place, ${String(Math.round(overdueMinutes))} minutes later. Its removal keeps being retried; check Identity Center and remove it by hand if it is urgent.`,
  );
};

/**
 * A short private reply to someone whose click could not be taken (Slack ephemeral, or the outbox). `text` is
 * plain text (it quotes error messages, which can quote what people typed), so it is escaped here.
 */
export const noticeMessage = (text: string): Message => oneSection(mrkdwn`${text}`);
