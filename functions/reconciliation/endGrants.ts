// Steps a and b: ACTIVE grants past their end. A grant whose workflow still runs is the workflow's to remove (its
// retries go on); any other (lost engine, crashed or aborted execution, expired wait, or a grant the reconciler
// settled itself) is removed here. Either way a grant still in place 10 minutes (AWS time) past its end raises
// revoke_overdue, once.
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { RequestItem } from '../requests/model.js';
import { event } from '../requests/repository.js';
import { logger } from '../shared/logger.js';
import { checkTime, limitsOf, wallMs, type ReconcilerDeps } from './deps.js';
import { DELETION_ATTRIBUTE, finishRemoval } from './removal.js';
import { annotate, requestsInStatus } from './requestRecords.js';
import { settle } from './settle.js';

export interface GrantsPastEndSummary {
  examined: number;
  ownedByWorkflow: number;
  revoked: number;
  deletionPending: number;
  revokeFailed: number;
  errors: number;
  revokeOverdueRaised: number;
  /** More grants past their end than this run took on. */
  more: boolean;
}

/** The execution's ARN: its name is the requestId (submit starts it so). */
export const executionArnOf = (stateMachineArn: string, requestId: string): string =>
  `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${requestId}`;

/** The execution's status, or 'NONE' when there is none (never started, or gone). */
export const executionStatus = async (deps: ReconcilerDeps, requestId: string): Promise<string> => {
  try {
    const described = await deps.sfn.send(
      new DescribeExecutionCommand({ executionArn: executionArnOf(deps.stateMachineArn, requestId) }),
    );
    return described.status ?? 'NONE';
  } catch (error) {
    if ((error as Error).name === 'ExecutionDoesNotExist') return 'NONE';
    throw error;
  }
};

const WHY: Record<string, string> = {
  ABORTED: 'workflow lost',
  FAILED: 'workflow failed before revoking',
  TIMED_OUT: 'workflow timed out before revoking',
  SUCCEEDED: 'no workflow owns the grant',
  NONE: 'no workflow owns the grant',
};

const raiseOverdue = async (deps: ReconcilerDeps, item: RequestItem, now: Date): Promise<boolean> => {
  const at = now.toISOString();
  const overdueMinutes = (now.getTime() - Date.parse(item.activeUntil ?? at)) / wallMs(deps, 60);
  const detail = { by: 'reconciler', activeUntil: item.activeUntil, overdueMinutes: Math.round(overdueMinutes) };
  // Written once: the attribute's absence is the condition, so two runs (or a run and a retry) raise it once.
  const raised = await annotate(
    deps,
    item.requestId,
    ['ACTIVE'],
    { revokeOverdueAt: at },
    [event(at, 'revoke_overdue', detail)],
    at,
    'revokeOverdueAt',
  );
  if (!raised) return false;
  logger.error('A grant is still in place more than 10 minutes past its end (revoke_overdue)', {
    requestId: item.requestId,
    overdueMinutes: Math.round(overdueMinutes),
  });
  try {
    await deps.notify.revokeOverdue(item.requestId, overdueMinutes);
  } catch (error) {
    logger.error('The revoke_overdue notification failed', {
      requestId: item.requestId,
      errorName: (error as Error).name,
    });
  }
  return true;
};

export const endGrantsPastTheirEnd = async (deps: ReconcilerDeps, summary: GrantsPastEndSummary): Promise<void> => {
  const limits = limitsOf(deps);
  const now = deps.clock.now();
  const { items, more } = await requestsInStatus(deps, 'ACTIVE', {
    limit: limits.itemsPerStep,
    endedBefore: now.toISOString(),
  });
  summary.more = more;
  const overdueBefore = now.getTime() - wallMs(deps, limits.overdueAfterSeconds);
  for (const found of items) {
    checkTime(deps);
    summary.examined += 1;
    // One grant's failure (a throttled write, an item past DynamoDB's size limit) never stops the step for the others.
    try {
      await endOne(deps, summary, found, overdueBefore);
    } catch (error) {
      if ((error as Error).name === 'ReconcilerOutOfTime') throw error;
      summary.errors += 1;
      logger.warn('The reconciler could not end a grant this run; the next run tries again', {
        requestId: found.requestId,
        errorName: (error as Error).name,
      });
    }
  }
};

const endOne = async (
  deps: ReconcilerDeps,
  summary: GrantsPastEndSummary,
  found: RequestItem,
  overdueBefore: number,
): Promise<void> => {
  const execution = await executionStatus(deps, found.requestId);
  // Read after the execution's status: a workflow that recorded REVOKED and then ended is not mistaken for a lost one.
  const item = await deps.repository.get(found.requestId);
  if (item?.status !== 'ACTIVE') return;
  let stillInPlace = true;
  if (execution === 'RUNNING') {
    summary.ownedByWorkflow += 1;
  } else {
    const reason = WHY[execution] ?? `workflow ${execution}`;
    const result = await finishRemoval(deps, item, 'ACTIVE');
    const at = deps.clock.now().toISOString();
    if (result.state === 'removed') {
      const written = await settle(deps, item, {
        from: ['ACTIVE'],
        to: 'REVOKED',
        events: [event(at, 'revoked', { by: 'reconciler', reason, executionStatus: execution, ...result.detail })],
        remove: [DELETION_ATTRIBUTE],
      });
      if (written) {
        summary.revoked += 1;
        stillInPlace = false;
      }
    } else if (result.state === 'failed') {
      const written = await settle(deps, item, {
        from: ['ACTIVE'],
        to: 'REVOKE_FAILED',
        events: [
          event(at, 'revoke_failed', {
            by: 'reconciler',
            reason,
            deletionRequestId: result.deletionRequestId,
            failureReason: result.failureReason,
          }),
        ],
        set: { error: { name: 'AccountAssignmentDeletionFailed', cause: result.failureReason } },
        remove: [DELETION_ATTRIBUTE],
      });
      if (written) summary.revokeFailed += 1;
    } else if (result.state === 'pending') {
      summary.deletionPending += 1;
    } else {
      summary.errors += 1;
      logger.warn('The reconciler could not finish a removal this run; the next run tries again', {
        requestId: item.requestId,
        errorName: result.error.name,
      });
    }
  }
  if (
    stillInPlace &&
    item.activeUntil &&
    Date.parse(item.activeUntil) < overdueBefore &&
    !(item as RequestItem & { revokeOverdueAt?: string }).revokeOverdueAt
  ) {
    if (await raiseOverdue(deps, item, deps.clock.now())) summary.revokeOverdueRaised += 1;
  }
};
