// The reconciler (DESIGN.md, "Grant lifecycle"): every run, in this order, each step bounded:
//   a/b. ACTIVE grants past their end: removed here when no workflow runs for them; revoke_overdue raised once;
//   c.   REVOKE_FAILED grants with a removal of ours left over: finished, then REVOKED;
//   d.   OUTCOME_UNKNOWN requests: settled (granted and recorded, or FAILED with the assignment verified absent);
//   e.   watched accounts: assignments no grant of ours explains are reported (and removed where policy allows).
// A run that reaches its time budget stops where it is, says so in its summary and log, and leaves the rest to the
// next run; a step with more work than it took on says so too. Nothing is reported as done that was not.
import { logger } from '../shared/logger.js';
import { limitsOf, OutOfTimeError, wallMs, type ReconcilerDeps } from './deps.js';
import type { RunLease } from './runLease.js';
import { endGrantsPastTheirEnd, type GrantsPastEndSummary } from './endGrants.js';
import { finishLeftoverRemovals, type LeftoverRemovalsSummary } from './leftoverRemovals.js';
import { settleOutcomeUnknown, type OutcomeUnknownSummary } from './outcomeUnknown.js';
import { reconcileWatchedAccounts, type UnmanagedSummary } from './unmanaged.js';

export type ReconcileStep = 'grantsPastEnd' | 'leftoverRemovals' | 'outcomeUnknown' | 'unmanaged';

export interface ReconcileSummary {
  startedAt: string;
  finishedAt: string;
  /** True only when every step ran to its end and none had more work than it took on. */
  complete: boolean;
  /** Where and why the run stopped early (the time budget), or which steps left work for the next run. */
  incomplete: Array<{ step: ReconcileStep; reason: 'time budget' | 'item limit' | 'error'; message?: string }>;
  /** Steps not run at all: after a time-budget stop, or every step when another run held the lease. */
  skipped: ReconcileStep[];
  /** Another run held the run lease, so this one did nothing. */
  leaseHeldByAnotherRun?: true;
  grantsPastEnd: GrantsPastEndSummary;
  leftoverRemovals: LeftoverRemovalsSummary;
  outcomeUnknown: OutcomeUnknownSummary;
  unmanaged: UnmanagedSummary;
  /** SSO Admin calls this run made. */
  ssoCalls: number;
}

export const emptySummary = (startedAt: string): ReconcileSummary => ({
  startedAt,
  finishedAt: startedAt,
  complete: true,
  incomplete: [],
  skipped: [],
  grantsPastEnd: {
    examined: 0,
    ownedByWorkflow: 0,
    revoked: 0,
    deletionPending: 0,
    revokeFailed: 0,
    errors: 0,
    revokeOverdueRaised: 0,
    more: false,
  },
  leftoverRemovals: {
    examined: 0,
    revoked: 0,
    deletionPending: 0,
    stillFailing: 0,
    nothingLeft: 0,
    errors: 0,
    more: false,
  },
  outcomeUnknown: {
    examined: 0,
    granted: 0,
    failedAbsent: 0,
    pending: 0,
    errors: 0,
    skipped: 0,
    approvedExamined: 0,
    approvedWithoutWorkflow: 0,
    more: false,
  },
  unmanaged: {
    accountsWatched: 0,
    accountsListed: 0,
    assignmentsSeen: 0,
    unmanagedSeen: 0,
    newlyReported: 0,
    removed: 0,
    removalDeferred: 0,
    gone: 0,
    errors: 0,
  },
  ssoCalls: 0,
});

/** Whether any step examined or changed anything (SSO calls alone, such as listing watched accounts, count too). */
const didSomething = (summary: ReconcileSummary): boolean =>
  summary.ssoCalls > 0 ||
  summary.grantsPastEnd.examined + summary.leftoverRemovals.examined + summary.outcomeUnknown.examined > 0;

export const reconcile = async (given: ReconcilerDeps): Promise<ReconcileSummary> => {
  const summary = emptySummary(given.clock.now().toISOString());
  const callsBefore = given.ssoCalls();
  const lease = given.runLease ? leaseKeeper(given, given.runLease) : undefined;
  const deps = lease ? { ...given, remainingMs: lease.remainingMs } : given;
  const steps: Array<[ReconcileStep, () => Promise<void>]> = [
    ['grantsPastEnd', () => endGrantsPastTheirEnd(deps, summary.grantsPastEnd)],
    ['leftoverRemovals', () => finishLeftoverRemovals(deps, summary.leftoverRemovals)],
    ['outcomeUnknown', () => settleOutcomeUnknown(deps, summary.outcomeUnknown)],
    ['unmanaged', () => reconcileWatchedAccounts(deps, summary.unmanaged)],
  ];
  if (lease && !(await lease.acquire())) {
    summary.complete = false;
    summary.leaseHeldByAnotherRun = true;
    summary.skipped = steps.map(([step]) => step);
    logger.warn('Another reconciler run holds the run lease; this run does nothing', { summary });
    return summary;
  }
  try {
    await runSteps(summary, steps);
  } finally {
    await lease?.release();
  }
  for (const [step, more] of [
    ['grantsPastEnd', summary.grantsPastEnd.more],
    ['leftoverRemovals', summary.leftoverRemovals.more],
    ['outcomeUnknown', summary.outcomeUnknown.more],
  ] as const) {
    if (more) summary.incomplete.push({ step, reason: 'item limit' });
  }
  summary.complete = summary.incomplete.length === 0;
  summary.ssoCalls = deps.ssoCalls() - callsBefore;
  summary.finishedAt = deps.clock.now().toISOString();
  // One line per run, the whole summary: what the bench and an operator read. A run that found nothing to do logs at
  // DEBUG (locally the timer runs every few seconds of wall time, and every such line would be noise).
  if (!summary.complete) logger.warn('Reconciler run incomplete; the next run continues', { summary });
  else if (didSomething(summary)) logger.info('Reconciler run complete', { summary });
  else logger.debug('Reconciler run complete, nothing to do', { summary });
  return summary;
};

const runSteps = async (
  summary: ReconcileSummary,
  steps: Array<[ReconcileStep, () => Promise<void>]>,
): Promise<void> => {
  for (const [index, [step, run]] of steps.entries()) {
    try {
      await run();
    } catch (error) {
      if (error instanceof OutOfTimeError || (error as Error).name === 'ReconcilerOutOfTime') {
        summary.incomplete.push({ step, reason: 'time budget' });
        // Out of time, every later step is left whole to the next run, and the summary names each.
        summary.skipped = steps.slice(index + 1).map(([later]) => later);
        return;
      }
      // One step failing (DynamoDB or Identity Center down) does not stop the others: each is independent.
      summary.incomplete.push({
        step,
        reason: 'error',
        message: `${(error as Error).name}: ${(error as Error).message}`,
      });
      logger.error('A reconciler step failed; the next run tries again', { step, errorName: (error as Error).name });
    }
  }
};

/**
 * Holds the run lease for the run: taken once, renewed (in the background, from the steps' own time checks) when less
 * than half its time is left, and given back at the end. A renewal refused means another run took an expired lease:
 * from then on this run has no time left, so it stops at its next check and says so.
 */
const leaseKeeper = (deps: ReconcilerDeps, lease: RunLease) => {
  const lasts = wallMs(deps, limitsOf(deps).leaseSeconds);
  let until = 0;
  let lost = false;
  let renewing: Promise<void> | undefined;
  const renew = (): void => {
    const next = deps.clock.now().getTime() + lasts;
    renewing = lease
      .renew(next)
      .then(
        (ours) => {
          if (ours) until = next;
          else lost = true;
        },
        (error: unknown) => {
          logger.warn('Could not renew the run lease; trying again at the next check', {
            errorName: (error as Error).name,
          });
        },
      )
      .finally(() => {
        renewing = undefined;
      });
  };
  return {
    async acquire(): Promise<boolean> {
      const next = deps.clock.now().getTime() + lasts;
      const taken = await lease.acquire(next);
      if (taken) until = next;
      return taken;
    },
    remainingMs: (): number => {
      if (lost) return 0;
      if (!renewing && until - deps.clock.now().getTime() < lasts / 2) renew();
      return deps.remainingMs();
    },
    async release(): Promise<void> {
      await renewing;
      await lease.release().catch((error: unknown) => {
        // It expires on its own soon after; the next run waits at most that long.
        logger.warn('Could not give the run lease back', { errorName: (error as Error).name });
      });
    },
  };
};
