// What people are told, as plain text plus Slack Block Kit blocks (the outbox stores the same blocks).
import type { RequestItem } from '../requests/model.js';
import { errorMessage } from '../requests/view.js';

export interface Message {
  text: string;
  blocks: unknown[];
}

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

const decisions = (item: RequestItem): string =>
  item.approvals.length === 0
    ? 'No decisions yet.'
    : item.approvals
        .map(
          (a) =>
            `${a.decision === 'approve' ? 'Approved' : 'Denied'} by ${a.approver} at ${a.at}${a.comment ? ` ("${a.comment}")` : ''}`,
        )
        .join('\n');

const duration = (item: RequestItem): string => {
  if (!item.durationMinutes) return 'permanent';
  const hours = Math.floor(item.durationMinutes / 60);
  const minutes = item.durationMinutes % 60;
  return (
    [hours ? `${hours} h` : '', minutes ? `${minutes} min` : ''].filter(Boolean).join(' ') +
    ', then revoked automatically'
  );
};

const requestFields = (item: RequestItem) => [
  { type: 'mrkdwn', text: `*Justification*\n${item.justification}` },
  { type: 'mrkdwn', text: `*Duration*\n${duration(item)}` },
  {
    type: 'mrkdwn',
    text: `*Expires*\n<!date^${Math.floor(Date.parse(item.expiresAt) / 1000)}^{date_short_pretty} {time}|${item.expiresAt}>`,
  },
  { type: 'mrkdwn', text: `*Approvals needed*\n${item.minApprovals}` },
  { type: 'mrkdwn', text: `*Request*\n${item.requestId}` },
];

const askBlocks = (item: RequestItem, approvalUrl: string, heading: string): unknown[] => [
  { type: 'header', text: { type: 'plain_text', text: heading } },
  {
    type: 'section',
    text: { type: 'mrkdwn', text: `*${item.requester}* asks: ${item.summary}` },
    fields: requestFields(item),
  },
  {
    type: 'actions',
    block_id: 'decision',
    elements: [
      {
        type: 'button',
        action_id: 'approve',
        style: 'primary',
        text: { type: 'plain_text', text: 'Approve' },
        value: item.requestId,
      },
      {
        type: 'button',
        action_id: 'deny',
        style: 'danger',
        text: { type: 'plain_text', text: 'Deny' },
        value: item.requestId,
      },
      { type: 'button', action_id: 'open', text: { type: 'plain_text', text: 'Open approval page' }, url: approvalUrl },
    ],
  },
];

export const approvalRequestMessage = (item: RequestItem, approvalUrl: string): Message => ({
  text: `${item.requester} asks: ${item.summary}. Duration: ${duration(item)}. Justification: ${item.justification}. Expires ${item.expiresAt}.`,
  blocks: askBlocks(item, approvalUrl, 'Access approval requested'),
});

export const reminderMessage = (item: RequestItem, approvalUrl: string): Message => ({
  text: `Reminder: ${item.requester} is still waiting for your decision on ${item.summary}. It expires ${item.expiresAt}.`,
  blocks: askBlocks(item, approvalUrl, 'Reminder: approval still needed'),
});

/** Replaces an approver's message once anything is decided, so nobody clicks a dead button. */
export const decisionStateMessage = (item: RequestItem): Message => {
  const text = `${item.requester}'s request (${item.summary}) ${statusWords(item)}.\n${decisions(item)}`;
  return {
    text,
    blocks: [
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${item.requester}* asked: ${item.summary}` },
        fields: requestFields(item),
      },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*Status:* ${item.status} (${statusWords(item)})\n${decisions(item)}` },
      },
    ],
  };
};

export const outcomeMessage = (item: RequestItem): Message => {
  const reason = item.error ? ` Reason: ${item.error.name}: ${errorMessage(item.error.cause)}` : '';
  const until = item.status === 'ACTIVE' && item.activeUntil ? ` until ${item.activeUntil}` : '';
  const text = `Your request ${item.requestId} (${item.summary}) ${statusWords(item)}${until}.${reason}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
};

/** The loud alarm when a grant's access could not be taken back: to approvers and auditors. */
export const revokeFailedAlarm = (item: RequestItem): Message => {
  const reason = item.error ? ` ${item.error.name}: ${errorMessage(item.error.cause)}` : '';
  const text = `:rotating_light: REVOKE_FAILED: the access granted by request ${item.requestId} (${item.requester}: ${item.summary}) could not be revoked and is still in place.${reason} Remove it by hand and record why.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
};

/**
 * The loud alarm when a creation Identity Center accepted could be neither confirmed nor verified absent: the access
 * may be in place with nothing of ours set to remove it. To the requester, approvers and auditors.
 */
export const outcomeUnknownAlarm = (item: RequestItem): Message => {
  const reason = item.error ? ` Last error: ${item.error.name}: ${errorMessage(item.error.cause)}.` : '';
  const text = `:rotating_light: OUTCOME_UNKNOWN: request ${item.requestId} (${item.requester}: ${item.summary}) was approved and Identity Center accepted the assignment, but whether it now exists could not be verified.${reason} The access may be in place and nothing is set to remove it. The reconciler will settle this request (record the grant and revoke it on time, or confirm it absent); until it runs, check the assignment by hand.`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
};

/** A short private reply to someone whose click could not be taken (Slack ephemeral, or the outbox). */
export const noticeMessage = (text: string): Message => ({
  text,
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
});
