// Provisioning Lambdas make one AWS call per invocation; Step Functions retries them. Each attempt is
// appended to the request's events so the audit trail shows every try and its error, not just the end.
import type { Clock } from '../shared/clock.js';
import { logger } from '../shared/logger.js';
import { event, type RepeatedEvent, type RequestRepository } from '../requests/repository.js';

export interface ProvisioningDeps {
  repository: RequestRepository;
  clock: Clock;
  /**
   * Wall seconds per AWS second (config.timeScale: 1 in AWS, LOCAL_TIME_SCALE locally), so that a wall time computed
   * from an AWS duration, such as a grant's end, agrees with the engine's scaled waits. Absent: 1.
   */
  timeScale?: number;
}

/** The wall time `seconds` of AWS time after `from`. */
export const awsSecondsAfter = (deps: ProvisioningDeps, from: Date, seconds: number): Date =>
  new Date(from.getTime() + seconds * 1000 * (deps.timeScale ?? 1));

/** Provisioning runs while a request is APPROVED, revocation while it is ACTIVE. */
const WORKING_STATUSES = ['APPROVED', 'ACTIVE'] as const;

export type Phase = 'provisioning' | 'revocation';

/**
 * When a retry budget began, noted once on the request item by the write that records the attempt:
 * provisioningRetrySince at a creation's first contention error, revocationStartedAt at its first revocation attempt.
 */
export type BudgetMark = 'provisioningRetrySince' | 'revocationStartedAt';

/**
 * Waiting for Identity Center capacity is not an error and not an attempt: the call was never made. Hundreds of such
 * waits under a burst would bury the attempts that matter, so they are never recorded (the execution history has them).
 */
export const isWaitForCapacity = (error: unknown): boolean => {
  const name = (error as Error | undefined)?.name;
  return name === 'IdentityCenterBusy' || name === 'CreationSlotsFull' || name === 'QueueForSlot';
};

/**
 * Errors that no retry can change: Identity Center (or DynamoDB) refused the call itself. Everything else is transient:
 * contention, throttling, server faults, and every failure that got no answer at all (a socket reset or a DNS failure
 * has the name Error and no HTTP status; a client timeout is TimeoutError), because revoking too early by giving up
 * leaves access in place. ResourceNotFound is here because its callers first check whether the assignment is still
 * listed (revocation.ts alreadyGone): only a listed one reaches this as an error.
 */
const NON_RETRYABLE = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'ValidationException',
  'ServiceQuotaExceededException',
  'ResourceNotFoundException',
  'UnrecognizedClientException',
  'InvalidSignatureException',
]);
export const isTransient = (error: unknown): boolean => {
  const e = error as { name?: string; $retryable?: unknown } | undefined;
  return Boolean(e?.$retryable) || !NON_RETRYABLE.has(e?.name ?? '');
};

/**
 * The errors after which a creation verified absent is sent round again (verifyAssignment, within the 30-minute
 * contention budget): contention, and every failure that left no answer: a client or Lambda timeout, the Lambda
 * service refusing the invocation, a network error inside the Lambda (name Error). Server faults are not: their
 * outages are met by the Identity Center budget's pause.
 */
export const ROUND_AGAIN = new Set([
  'ConflictException',
  'ThrottlingException',
  'TimeoutError',
  'RequestTimeout',
  'States.Timeout',
  'Sandbox.Timedout',
  'Lambda.Unknown',
  'Lambda.TooManyRequestsException',
  'Error',
]);

/** The creation errors whose retries are counted against a time budget (docs/retry-policy.md). */
export const CONTENTION = new Set(['ConflictException', 'ThrottlingException']);

/**
 * Best effort: an audit write failing must not turn a successful AWS call into a retry or a failure. With a `mark`,
 * the same write notes when that budget began (if not noted yet) and the noted time is returned; undefined when it
 * could not be written (the budgets then go on: the ASL retriers still bound them).
 */
export const recordAttempt = async (
  deps: ProvisioningDeps,
  requestId: string,
  type: string,
  detail: Record<string, unknown>,
  mark?: BudgetMark,
  /** A failure that repeats for as long as its budget lasts: counted, and stored only while it says something new. */
  repeated?: RepeatedEvent,
): Promise<string | undefined> => {
  try {
    const stored = event(deps.clock.now().toISOString(), type, detail);
    if (mark) return await deps.repository.appendEventNoting(requestId, stored, WORKING_STATUSES, mark, repeated);
    await deps.repository.appendEvent(requestId, stored, WORKING_STATUSES);
  } catch (error) {
    logger.error('Could not record provisioning attempt', { requestId, type, errorName: (error as Error).name });
  }
  return undefined;
};

/** A revocation's transient error, keyed by what makes a new one worth an event: its operation and name. */
export const revocationError = (key: string): RepeatedEvent => ({
  counter: 'revocationErrors',
  last: 'lastRevocationError',
  key,
});

const BUDGET_SINCE = Symbol('budgetSince');

/** The budget mark noted when `attempt` recorded this error (undefined if none was noted). */
export const budgetSince = (error: unknown): string | undefined =>
  (error as { [BUDGET_SINCE]?: string } | undefined)?.[BUDGET_SINCE];

/** Whether more than `seconds` of AWS time have passed since `since` (an ISO time; undefined: the budget goes on). */
export const budgetSpent = (deps: ProvisioningDeps, since: string | undefined, seconds: number): boolean =>
  since !== undefined && deps.clock.now().getTime() >= awsSecondsAfter(deps, new Date(since), seconds).getTime();

/** Runs one AWS call, records it, and rethrows failures with their AWS error name intact for ErrorEquals. */
export const attempt = async <T>(
  deps: ProvisioningDeps,
  requestId: string,
  operation: string,
  call: () => Promise<T>,
  describe: (result: T) => Record<string, unknown>,
  phase: Phase = 'provisioning',
  /** Work that follows a success, run alongside the audit write rather than after it (it is on a slot's clock). */
  alongside?: (result: T) => Promise<void>,
): Promise<T> => {
  let result: T;
  try {
    result = await call();
  } catch (error) {
    if (isWaitForCapacity(error)) throw error;
    const { name, message } = error as Error;
    // Revocation counts its budget from its first attempt; a creation from its first contention error.
    const mark: BudgetMark | undefined =
      phase === 'revocation' ? 'revocationStartedAt' : CONTENTION.has(name) ? 'provisioningRetrySince' : undefined;
    // A revocation retries for up to a day: its errors are counted, not all stored (docs/retry-policy.md).
    const since = await recordAttempt(
      deps,
      requestId,
      `${phase}_error`,
      { operation, error: name, message },
      mark,
      phase === 'revocation' ? revocationError(`${operation}:${name}`) : undefined,
    );
    logger.warn('AWS call failed', { requestId, operation, phase, errorName: name });
    if (since !== undefined && typeof error === 'object' && error !== null)
      Object.defineProperty(error, BUDGET_SINCE, { value: since, enumerable: false, configurable: true });
    throw error;
  }
  await Promise.all([
    recordAttempt(
      deps,
      requestId,
      `${phase}_attempt`,
      { operation, ...describe(result) },
      phase === 'revocation' ? 'revocationStartedAt' : undefined,
    ),
    alongside?.(result),
  ]);
  return result;
};
