// Provisioning Lambdas make one AWS call per invocation; Step Functions retries them. Each attempt is
// appended to the request's events so the audit trail shows every try and its error, not just the end.
import type { Clock } from '../shared/clock.js';
import { logger } from '../shared/logger.js';
import { event, type RequestRepository } from '../requests/repository.js';

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

/** Best effort: an audit write failing must not turn a successful AWS call into a retry or a failure. */
export const recordAttempt = async (
  deps: ProvisioningDeps,
  requestId: string,
  type: string,
  detail: Record<string, unknown>,
): Promise<void> => {
  try {
    await deps.repository.appendEvent(requestId, event(deps.clock.now().toISOString(), type, detail), WORKING_STATUSES);
  } catch (error) {
    logger.error('Could not record provisioning attempt', { requestId, type, errorName: (error as Error).name });
  }
};

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
    const { name, message } = error as Error;
    await recordAttempt(deps, requestId, `${phase}_error`, { operation, error: name, message });
    logger.warn('AWS call failed', { requestId, operation, phase, errorName: name });
    throw error;
  }
  await Promise.all([
    recordAttempt(deps, requestId, `${phase}_attempt`, { operation, ...describe(result) }),
    alongside?.(result),
  ]);
  return result;
};
