// Requests as CSV for auditors: RFC 4180 quoting, and cells that a spreadsheet would run as a formula are
// neutralised, because requesters control some of the text (justifications, comments, ids).
import { csvCell } from '../shared/outputContexts/csv.js';
import { accountName, permissionSetName, principalLabel } from './displayNames.js';
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

/**
 * Names from the request's `display` snapshot, appended after the columns above (DESIGN.md, "Names everywhere"):
 * for whom the grant is, the permission set's name and the account's name. Empty for what the request has no name
 * for (Proton requests; a name that could not be resolved at submit is its id, as the snapshot stores it).
 */
export const NAME_COLUMNS = ['principal', 'permissionSet', 'accountName'] as const;

/**
 * Whether an export carries NAME_COLUMNS. While every row was stored before names existed, the export keeps exactly
 * the columns it had, so readers of those files are not handed three empty columns; once any row has names, every
 * row of that export has the columns (empty where a row has no names), so the header always matches the rows.
 */
export const withNames = (items: readonly Pick<RequestItem, 'display'>[]): boolean =>
  items.some((item) => item.display !== undefined);

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

const nameCells = (item: RequestItem): string[] => {
  const display = item.display;
  return [
    // The principal's id is in no other column, and an auditor needs it: the name, then the id in brackets.
    display?.principal
      ? principalLabel(display.principal).endsWith(display.principal.id)
        ? principalLabel(display.principal)
        : `${principalLabel(display.principal)} [${display.principal.id}]`
      : '',
    display?.permissionSet ? permissionSetName(display.permissionSet) : '',
    display?.account ? (accountName(display) ?? display.account.id) : '',
  ];
};

export const csvRow = (item: RequestItem, options: { names?: boolean } = {}): string =>
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
    ...(options.names ? nameCells(item) : []),
  ]
    .map(csvCell)
    .join(',');

export const csvHeader = (options: { names?: boolean } = {}): string =>
  [...CSV_COLUMNS, ...(options.names ? NAME_COLUMNS : [])].join(',');
