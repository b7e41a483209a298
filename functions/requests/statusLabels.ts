// How statuses read to people, in one pure module (no Node imports) that both the server's HTML and the pages'
// browser code (bundled by scripts/build-web.ts) import, so a status cannot read one way on one page and another
// way on the next.
import type { RequestStatus } from './model.js';

export const STATUS_NAMES: Readonly<Record<RequestStatus, string>> = {
  PENDING_APPROVAL: 'Pending approval',
  APPROVED: 'Approved',
  COMPLETED: 'Completed',
  DENIED: 'Denied',
  EXPIRED: 'Expired',
  FAILED: 'Failed',
  ACTIVE: 'Active',
  REVOKED: 'Revoked',
  REVOKE_FAILED: 'Revoke failed',
  OUTCOME_UNKNOWN: 'Outcome unknown',
};

/**
 * What each status means, in a sentence's words, for someone deciding or following one request (the approval page),
 * where the short names of a table would leave them guessing.
 */
export const STATUS_DESCRIPTIONS: Readonly<Record<RequestStatus, string>> = {
  PENDING_APPROVAL: 'Waiting for approval',
  APPROVED: 'Approved, being carried out',
  COMPLETED: 'Completed',
  DENIED: 'Denied',
  EXPIRED: 'Expired without a decision',
  FAILED: 'Failed',
  ACTIVE: 'Active (time-bound access granted)',
  REVOKED: 'Revoked',
  REVOKE_FAILED: 'Revocation failed',
  OUTCOME_UNKNOWN: 'Outcome unknown: access may be in place',
};

/** Statuses where access is in a state nobody intended: an auditor must not be able to miss them. */
export const LOUD_STATUSES: readonly RequestStatus[] = ['FAILED', 'REVOKE_FAILED', 'OUTCOME_UNKNOWN'];

/** The name of a status, or the value itself for one this code does not know (a newer server's, say). */
export const statusName = (status: unknown): string =>
  typeof status === 'string' && Object.hasOwn(STATUS_NAMES, status)
    ? STATUS_NAMES[status as RequestStatus]
    : String(status);

export const isLoudStatus = (status: unknown): boolean => LOUD_STATUSES.includes(status as RequestStatus);
