// What people are told, as plain text plus Slack Block Kit blocks (the outbox stores the same blocks).
import type { RequestItem } from '../requests/model.js';

export interface Message {
  text: string;
  blocks: unknown[];
}

const STATUS_WORDS: Record<string, string> = {
  COMPLETED: 'was approved and is done',
  DENIED: 'was denied',
  EXPIRED: 'expired before enough approvers decided',
  FAILED: 'was approved but failed',
  APPROVED: 'was approved',
};

export const approvalRequestMessage = (item: RequestItem, approvalUrl: string): Message => {
  const text = `${item.requester} asks: ${item.summary}. Justification: ${item.justification}. Expires ${item.expiresAt}.`;
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: 'Access approval requested' } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: `*${item.requester}* asks: ${item.summary}` },
        fields: [
          { type: 'mrkdwn', text: `*Justification*\n${item.justification}` },
          { type: 'mrkdwn', text: `*Expires*\n${item.expiresAt}` },
          { type: 'mrkdwn', text: `*Approvals needed*\n${item.minApprovals}` },
          { type: 'mrkdwn', text: `*Request*\n${item.requestId}` },
        ],
      },
      {
        type: 'actions',
        block_id: 'decision',
        elements: [
          { type: 'button', action_id: 'approve', style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: item.requestId },
          { type: 'button', action_id: 'deny', style: 'danger', text: { type: 'plain_text', text: 'Deny' }, value: item.requestId },
          { type: 'button', action_id: 'open', text: { type: 'plain_text', text: 'Open approval page' }, url: approvalUrl },
        ],
      },
    ],
  };
};

export const outcomeMessage = (item: RequestItem): Message => {
  const words = STATUS_WORDS[item.status] ?? `is now ${item.status}`;
  const reason = item.error ? ` Reason: ${item.error.name}.` : '';
  const text = `Your request ${item.requestId} (${item.summary}) ${words}.${reason}`;
  return { text, blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }] };
};
