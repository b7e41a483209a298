// Requests as CSV for auditors: RFC 4180 quoting, and cells that a spreadsheet would run as a formula are
// neutralised, because requesters control some of the text (justifications, comments, ids).
import { csvCell } from '../shared/outputContexts/csv.js';
import type { RequestItem } from './model.js';
import { errorMessage } from './view.js';

export const CSV_COLUMNS = [
  'requestId',
  'createdAt',
  'requester',
  'action',
  'target',
  'status',
  'approvers',
  'decidedAt',
  'completedAt',
  'error',
] as const;

// The quoting and neutralising of each cell is the CSV output context's (shared/outputContexts/csv.ts).
export { csvCell };

const FINAL_EVENTS = new Set(['completed', 'failed', 'expired']);

/** When the request was settled by people: the deny, or the approval that completed the quorum. */
const decidedAt = (item: RequestItem): string => {
  const deny = item.approvals.find((a) => a.decision === 'deny');
  if (deny) return deny.at;
  const approvals = item.approvals.filter((a) => a.decision === 'approve');
  return approvals.length >= item.minApprovals ? (approvals[item.minApprovals - 1]?.at ?? '') : '';
};

const completedAt = (item: RequestItem): string =>
  item.events.find((e) => FINAL_EVENTS.has(e.type))?.at ?? (item.status === 'DENIED' ? decidedAt(item) : '');

export const csvRow = (item: RequestItem): string =>
  [
    item.requestId,
    item.createdAt,
    item.requester,
    item.action,
    item.targetId,
    item.status,
    item.approvers.join(';'),
    decidedAt(item),
    completedAt(item),
    item.error ? `${item.error.name}: ${errorMessage(item.error.cause)}` : '',
  ]
    .map(csvCell)
    .join(',');

export const csvHeader = (): string => CSV_COLUMNS.join(',');
