// Finishing a grant's removal in process, through revocation.ts's own path (the ledger decides whether we delete,
// and a deletion takes its slot), polling a few times within the run and keeping the deletion request id on the
// request for the next run when Identity Center is still at it.
import type { RevocationProgress } from '../provisioning/revocation.js';
import { checkRevocation, revokeAssignment } from '../provisioning/revocation.js';
import type { RequestItem, RequestStatus } from '../requests/model.js';
import { event } from '../requests/repository.js';
import { checkTime, limitsOf, sleepOf, wallMs, type ReconcilerDeps } from './deps.js';
import { assignmentListed } from './identityCenter.js';
import { annotate, ssoParameters } from './requestRecords.js';

/** Where the reconciler keeps a deletion it started and could not see finish within its run. */
export const DELETION_ATTRIBUTE = 'reconcilerDeletionRequestId';

export type RemovalResult =
  /** Nothing of ours is left in place: deleted and verified absent, or not ours to delete (the ledger's reason). */
  | { state: 'removed'; detail: Record<string, unknown> }
  /** Identity Center is still deleting; the id is stored on the request for the next run. */
  | { state: 'pending'; deletionRequestId: string }
  /** Identity Center reported the deletion FAILED. */
  | { state: 'failed'; failureReason: string; deletionRequestId: string }
  /** An error (throttled, conflict, denied...) stopped it this run; the next run tries again. */
  | { state: 'error'; error: { name: string; message: string } };

type StoredDeletion = RequestItem & { [DELETION_ATTRIBUTE]?: string };

const verified = async (
  deps: ReconcilerDeps,
  item: RequestItem,
  progress: RevocationProgress,
): Promise<RemovalResult> => {
  const listed = await assignmentListed(deps.ssoAdmin, ssoParameters(item));
  if (listed)
    return {
      state: 'error',
      error: {
        name: 'AssignmentStillListed',
        message: `Deletion ${progress.deletionRequestId} SUCCEEDED but ListAccountAssignments still lists the assignment`,
      },
    };
  return {
    state: 'removed',
    detail: { deleted: true, deletionRequestId: progress.deletionRequestId, verified: 'ABSENT' },
  };
};

/** Polls a deletion up to the run's few polls; SUCCEEDED is verified with ListAccountAssignments. */
const follow = async (
  deps: ReconcilerDeps,
  item: RequestItem,
  status: RequestStatus,
  started: RevocationProgress,
): Promise<RemovalResult> => {
  const limits = limitsOf(deps);
  const sleep = sleepOf(deps);
  let progress = started;
  for (let poll = 0; progress.Status === 'IN_PROGRESS' && poll < limits.pollsPerDeletion; poll += 1) {
    checkTime(deps);
    await sleep(wallMs(deps, limits.pollIntervalSeconds));
    progress = await checkRevocation(
      {
        requestId: item.requestId,
        parameters: ssoParameters(item),
        deletionRequestId: progress.deletionRequestId,
        polls: progress.polls,
      },
      deps.assignment,
    );
  }
  if (progress.Status === 'SUCCEEDED') return verified(deps, item, progress);
  if (progress.Status === 'FAILED')
    return { state: 'failed', failureReason: progress.FailureReason, deletionRequestId: progress.deletionRequestId };
  const at = deps.clock.now().toISOString();
  await annotate(
    deps,
    item.requestId,
    [status],
    { [DELETION_ATTRIBUTE]: progress.deletionRequestId },
    [event(at, 'reconciler_deletion_pending', { by: 'reconciler', deletionRequestId: progress.deletionRequestId })],
    at,
  );
  return { state: 'pending', deletionRequestId: progress.deletionRequestId };
};

/** Takes the request's assignment away if it is ours to take; `status` is what the request is in now. */
export const finishRemoval = async (
  deps: ReconcilerDeps,
  item: StoredDeletion,
  status: RequestStatus,
): Promise<RemovalResult> => {
  const parameters = ssoParameters(item);
  try {
    const stored = item[DELETION_ATTRIBUTE];
    if (stored) {
      // Started by an earlier run: its status is polled, never a second DeleteAccountAssignment.
      return await follow(deps, item, status, {
        Status: 'IN_PROGRESS',
        deleted: true,
        reason: 'last grant of an assignment we created',
        deletionRequestId: stored,
        polls: 0,
        FailureReason: '',
      });
    }
    const started = await revokeAssignment({ requestId: item.requestId, parameters }, deps.assignment);
    if (!started.deleted) return { state: 'removed', detail: { deleted: false, reason: started.reason } };
    return await follow(deps, item, status, started);
  } catch (error) {
    const { name, message } = error as Error;
    if (name === 'ReconcilerOutOfTime') throw error;
    // Nothing to delete: a deletion that finished before the workflow was lost. Verified, the claim is given back.
    if (name === 'ResourceNotFoundException' && !(await assignmentListed(deps.ssoAdmin, parameters))) {
      await deps.ledger.deletionFinished(parameters, item.requestId);
      return { state: 'removed', detail: { deleted: false, reason: 'already absent', verified: 'ABSENT' } };
    }
    return { state: 'error', error: { name, message } };
  }
};
