// A request the reconciler moves on is told about as the workflow's NotifyOutcome would: the approver entries'
// copy of the status first, then the people (best effort: a failed message never undoes the settled status).
import type { RequestItem } from '../requests/model.js';
import { logger } from '../shared/logger.js';
import type { ReconcilerDeps } from './deps.js';
import { changeStatus, type StatusChange } from './requestRecords.js';

/** The request as written, or undefined when it had moved on meanwhile (someone else settled it). */
export const settle = async (
  deps: ReconcilerDeps,
  item: RequestItem,
  change: StatusChange,
): Promise<RequestItem | undefined> => {
  const written = await changeStatus(deps, item, change, deps.clock.now().toISOString());
  if (!written) return undefined;
  try {
    await deps.repository.syncApproverStatus(written);
  } catch (error) {
    // The copy converges on the next status write; the request itself is settled.
    logger.error('Approver status copy failed after the reconciler settled a request', {
      requestId: item.requestId,
      status: change.to,
      errorName: (error as Error).name,
    });
  }
  try {
    await deps.notify.outcome(item.requestId);
  } catch (error) {
    logger.error('Outcome notification failed after the reconciler settled a request', {
      requestId: item.requestId,
      errorName: (error as Error).name,
    });
  }
  return written;
};
