// Step c: REVOKE_FAILED grants that still hold something of ours: a deletion claim left in the ledger (the
// workflow's revocation budget ran out, or an error it could not retry), or a grant never ended (an older
// REVOKE_FAILED, such as a local restart's before the reconciler existed). The removal is finished and, once the
// assignment is verified absent, the request becomes REVOKED with an event saying so.
import { SSO_ASSIGNMENT_ACTION } from '../actions/actionNames.js';
import type { RequestItem } from '../requests/model.js';
import { event } from '../requests/repository.js';
import { logger } from '../shared/logger.js';
import { checkTime, limitsOf, type ReconcilerDeps } from './deps.js';
import { DELETION_ATTRIBUTE, finishRemoval } from './removal.js';
import { annotate, requestsInStatus, ssoParameters } from './requestRecords.js';
import { settle } from './settle.js';

export interface LeftoverRemovalsSummary {
  examined: number;
  revoked: number;
  deletionPending: number;
  stillFailing: number;
  nothingLeft: number;
  /** Items whose handling threw (a DynamoDB write refused or failing); the next run tries them again. */
  errors: number;
  more: boolean;
}

/** The last event the reconciler wrote for this request's retries, so a failing retry is recorded once, not every run. */
const lastRetryError = (item: RequestItem): string | undefined => {
  const last = [...item.events].reverse().find((e) => e.type === 'reconciler_revocation_error');
  return last ? (JSON.parse(last.detail) as { error?: string }).error : undefined;
};

export const finishLeftoverRemovals = async (deps: ReconcilerDeps, summary: LeftoverRemovalsSummary): Promise<void> => {
  const { items, more } = await requestsInStatus(deps, 'REVOKE_FAILED', { limit: limitsOf(deps).itemsPerStep });
  summary.more = more;
  for (const item of items) {
    checkTime(deps);
    summary.examined += 1;
    // One item's failure never stops the step for the others.
    try {
      await finishOne(deps, summary, item);
    } catch (error) {
      if ((error as Error).name === 'ReconcilerOutOfTime') throw error;
      summary.errors += 1;
      logger.warn('The reconciler could not finish a left-over removal this run; the next run tries again', {
        requestId: item.requestId,
        errorName: (error as Error).name,
      });
    }
  }
};

const finishOne = async (deps: ReconcilerDeps, summary: LeftoverRemovalsSummary, item: RequestItem): Promise<void> => {
  if (item.action !== SSO_ASSIGNMENT_ACTION) {
    summary.nothingLeft += 1;
    return;
  }
  const ledger = await deps.ledger.get(ssoParameters(item));
  const ours = ledger?.deleting === item.requestId || Boolean(ledger?.grants?.[item.requestId]);
  if (!ours) {
    summary.nothingLeft += 1;
    return;
  }
  const result = await finishRemoval(deps, item, 'REVOKE_FAILED');
  const at = deps.clock.now().toISOString();
  if (result.state === 'removed') {
    const written = await settle(deps, item, {
      from: ['REVOKE_FAILED'],
      to: 'REVOKED',
      events: [
        event(at, 'revoked', {
          by: 'reconciler',
          reason: 'left-over removal finished after REVOKE_FAILED',
          ...(item.error ? { previousError: item.error } : {}),
          ...result.detail,
        }),
      ],
      remove: [DELETION_ATTRIBUTE, 'error'],
    });
    if (written) summary.revoked += 1;
  } else if (result.state === 'pending') {
    summary.deletionPending += 1;
  } else {
    summary.stillFailing += 1;
    const error = result.state === 'failed' ? 'AccountAssignmentDeletionFailed' : result.error.name;
    const message = result.state === 'failed' ? result.failureReason : result.error.message;
    logger.warn('A left-over removal still fails; the next run tries again', { requestId: item.requestId, error });
    if (lastRetryError(item) !== error)
      await annotate(
        deps,
        item.requestId,
        ['REVOKE_FAILED'],
        {},
        [event(at, 'reconciler_revocation_error', { by: 'reconciler', error, message })],
        at,
      );
  }
};
