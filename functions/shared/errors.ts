// One class per condition, each with a stable `name`. HTTP handlers map them to the contract at the edge
// (middleware.ts); Step Functions tasks let AWS error names pass through untouched so ErrorEquals matches.
import type { RequestView } from '../requests/model.js';

export interface ErrorDetail {
  path: string;
  message: string;
}

/** An error with a place in the contract: the HTTP status and code it maps to (mostly the caller's doing). */
export abstract class DomainError extends Error {
  abstract readonly statusCode: number;
  abstract readonly code: string;
  readonly details?: ErrorDetail[];

  constructor(message: string, details?: ErrorDetail[]) {
    super(message);
    this.details = details;
  }
}

export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  readonly statusCode = 400;
  readonly code = 'ValidationError';
  constructor(details: ErrorDetail[]) {
    super(details.map((d) => `${d.path}: ${d.message}`).join('; '), details);
  }
}

export class UnauthorizedError extends DomainError {
  override readonly name = 'UnauthorizedError';
  readonly statusCode = 401;
  readonly code = 'Unauthorized';
}

export class NoApprovalRuleError extends DomainError {
  override readonly name = 'NoApprovalRuleError';
  readonly statusCode = 403;
  readonly code = 'NoApprovalRule';
}

/** Rules cover the request, but none lets this requester use it (`requesters`). */
export class NotEligibleError extends DomainError {
  override readonly name = 'NotEligibleError';
  readonly statusCode = 403;
  readonly code = 'NotEligible';
}

/** A rule lets the requester in, but not for the principal they named (`principals`: self, self-or-groups). */
export class PrincipalNotAllowedError extends DomainError {
  override readonly name = 'PrincipalNotAllowedError';
  readonly statusCode = 403;
  readonly code = 'PrincipalNotAllowed';
}

export class ForbiddenError extends DomainError {
  override readonly name = 'ForbiddenError';
  readonly statusCode = 403;
  readonly code = 'Forbidden';
}

export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly statusCode = 404;
  readonly code = 'NotFound';
}

export class IdempotencyConflictError extends DomainError {
  override readonly name = 'IdempotencyConflictError';
  readonly statusCode = 409;
  readonly code = 'IdempotencyConflict';
}

export class PayloadTooLargeError extends DomainError {
  override readonly name = 'PayloadTooLargeError';
  readonly statusCode = 413;
  readonly code = 'PayloadTooLarge';
}

/** A link whose signature does not verify: tampered, truncated, or signed with another secret. */
export class InvalidLinkError extends DomainError {
  override readonly name = 'InvalidLinkError';
  readonly statusCode = 403;
  readonly code = 'InvalidLink';
}

/** A Slack request whose signature or timestamp does not verify: forged, altered, replayed, or unsigned. */
export class InvalidSlackSignatureError extends DomainError {
  override readonly name = 'InvalidSlackSignatureError';
  readonly statusCode = 401;
  readonly code = 'InvalidSignature';
}

/** The signer of a valid link may not decide this request (self-approval, or no longer an approver). */
export class NotAnApproverError extends DomainError {
  override readonly name = 'NotAnApproverError';
  readonly statusCode = 403;
  readonly code = 'NotAnApprover';
}

export class AlreadyDecidedError extends DomainError {
  override readonly name = 'AlreadyDecidedError';
  readonly statusCode = 409;
  readonly code = 'AlreadyDecided';
}

export class LinkExpiredError extends DomainError {
  override readonly name = 'LinkExpiredError';
  readonly statusCode = 410;
  readonly code = 'LinkExpired';
}

export class NotPendingError extends DomainError {
  override readonly name = 'NotPendingError';
  readonly statusCode = 410;
  readonly code = 'NotPending';
}

/**
 * A request that cannot be revoked now: it is not ACTIVE, or someone already asked. It carries the request as
 * the caller may see it, because "409" alone does not tell them whether the grant is ending or long gone.
 */
export class RevokeConflictError extends DomainError {
  override readonly name = 'RevokeConflictError';
  readonly statusCode = 409;
  readonly code = 'RevokeConflict';
  readonly request: RequestView;
  constructor(message: string, request: RequestView, details?: ErrorDetail[]) {
    super(message, details);
    this.request = request;
  }
}

/**
 * A dependency could not give a whole answer this time (DynamoDB kept leaving keys unprocessed). The call fails
 * rather than return part of the answer as if it were all of it, and says when to try again (`Retry-After`).
 */
export class ServiceUnavailableError extends DomainError {
  override readonly name = 'ServiceUnavailableError';
  readonly statusCode = 503;
  readonly code = 'ServiceUnavailable';
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number) {
    super(message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A configuration problem found at start-up; it stops the function rather than serving wrong answers. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const isDomainError = (error: unknown): error is DomainError => error instanceof DomainError;

/**
 * Every admission slot for Identity Center assignment creations is taken. Thrown by the assign task before it
 * calls AWS; the state machine retries it on its own retrier (ErrorEquals matches this name).
 */
export class CreationSlotsFullError extends Error {
  override readonly name = 'CreationSlotsFull';
}

/**
 * Every creation slot is taken and the caller can wait in the slots' queue (the state machine said so with
 * `slotQueue`): the state machine catches this name and parks the execution on a task token (AwaitCreationSlot)
 * until a released slot is handed to it (provisioning/operationSlots.ts).
 */
export class QueueForSlotError extends Error {
  override readonly name = 'QueueForSlot';
}

/**
 * Identity Center has no capacity for this call now: the shared call budget's next free send time is further off than
 * the caller may wait in process, every deletion slot is taken, or Identity Center is paused after a server fault
 * (provisioning/identityCenterBudget.ts). Waiting is not an error: the state machine retries it on a retrier of its own
 * that never counts against the Conflict/Throttling one, and the HTTP edge answers 503 with `Retry-After`.
 */
export class IdentityCenterBusyError extends Error {
  override readonly name = 'IdentityCenterBusy';
  /** When asking again may succeed, in wall seconds (at least 1). */
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds = 1) {
    super(message);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

/**
 * A revocation met a transient error (throttling, conflict, a server fault, a timeout) within its 24-hour retry budget.
 * Its own name, not the AWS one, because the state machine's retrier for it must run for a day, and ASL counts retries
 * per retrier: the AWS name and message travel in the message, and the event records the AWS name as it was.
 */
export class RevocationTransientError extends Error {
  override readonly name = 'RevocationTransient';
}

/** A revocation kept meeting transient errors for longer than its retry budget (24 hours of AWS time). */
export class RevocationRetryBudgetExhaustedError extends Error {
  override readonly name = 'RevocationRetryBudgetExhausted';
}

/**
 * Copying a request's status onto its approver entries failed. The notify task throws it before telling anyone, so
 * the state machine retries the whole step on its own retrier (ErrorEquals matches this name) instead of the copy
 * staying stale for good.
 */
export class ApproverStatusSyncError extends Error {
  override readonly name = 'ApproverStatusSyncFailed';
}

/**
 * Verifying an assignment could not conclude yet: it is not listed, but its creation is still IN_PROGRESS (or
 * reports SUCCEEDED while the listing disagrees). The state machine retries the verification; if it never settles,
 * the request ends OUTCOME_UNKNOWN.
 */
export class AssignmentNotSettledError extends Error {
  override readonly name = 'AssignmentNotSettled';
}

/**
 * After an accept call whose outcome is unknown (InternalServerException or a timeout after its retries, a Lambda
 * fault), Proton was asked and the connection is not CONNECTED: the accept verifiably did not take effect.
 */
export class ConnectionNotAcceptedError extends Error {
  override readonly name = 'ConnectionNotAccepted';
}
