// Provisioning Lambdas make one AWS call per invocation; Step Functions retries them. Each attempt is
// appended to the request's events so the audit trail shows every try and its error, not just the end.
import type { Clock } from '../shared/clock.js';
import { logger } from '../shared/logger.js';
import { event, type RequestRepository } from '../requests/repository.js';

export interface ProvisioningDeps {
  repository: RequestRepository;
  clock: Clock;
}

/** Best effort: an audit write failing must not turn a successful AWS call into a retry or a failure. */
export const recordAttempt = async (deps: ProvisioningDeps, requestId: string, type: string, detail: Record<string, unknown>): Promise<void> => {
  try {
    await deps.repository.appendEvent(requestId, event(deps.clock.now().toISOString(), type, detail), ['APPROVED']);
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
): Promise<T> => {
  try {
    const result = await call();
    await recordAttempt(deps, requestId, 'provisioning_attempt', { operation, ...describe(result) });
    return result;
  } catch (error) {
    const { name, message } = error as Error;
    await recordAttempt(deps, requestId, 'provisioning_error', { operation, error: name, message });
    logger.warn('Provisioning call failed', { requestId, operation, errorName: name });
    throw error;
  }
};
