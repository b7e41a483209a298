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

/**
 * The last deletion Identity Center accepted for this request, from its events: the workflow's revocation_attempt or
 * an earlier run's reconciler_deletion_pending. Polled before any second DeleteAccountAssignment.
 */
export const lastDeletionRequestId = (item: RequestItem): string | undefined => {
  for (const stored of [...item.events].reverse()) {
    if (stored.type !== 'revocation_attempt' && stored.type !== 'reconciler_deletion_pending') continue;
    const { deletionRequestId } = JSON.parse(stored.detail) as { deletionRequestId?: unknown };
    if (typeof deletionRequestId === 'string' && deletionRequestId.length > 0) return deletionRequestId;
  }
  return undefined;
};

/**
 * The ledger said this grant deletes nothing. That is believed only when something explains the assignment being
 * left (another grant of ours, pre-existence, another grant's deletion) or it is verified absent: "this grant had
 * already ended" can follow a claim given back after a failed deletion, and then the access is still in place.
 */
const notDeleted = async (deps: ReconcilerDeps, item: RequestItem, reason: string): Promise<RemovalResult> => {
  const parameters = ssoParameters(item);
  const ledger = await deps.ledger.get(parameters);
  const otherGrants = Object.keys(ledger?.grants ?? {}).filter((id) => id !== item.requestId);
  const explained =
    otherGrants.length > 0 ||
    ledger?.preExisting === true ||
    Boolean(ledger?.deleting && ledger.deleting !== item.requestId);
  if (explained) return { state: 'removed', detail: { deleted: false, reason } };
  if (await assignmentListed(deps.ssoAdmin, parameters))
    return {
      state: 'error',
      error: {
        name: 'AssignmentStillListed',
        message: `The ledger answered "${reason}", but ListAccountAssignments still lists the assignment and no other grant of ours, pre-existence or deletion explains it`,
      },
    };
  return { state: 'removed', detail: { deleted: false, reason, verified: 'ABSENT' } };
};

/** Takes the request's assignment away if it is ours to take; `status` is what the request is in now. */
export const finishRemoval = async (
  deps: ReconcilerDeps,
  item: StoredDeletion,
  status: RequestStatus,
): Promise<RemovalResult> => {
  const parameters = ssoParameters(item);
  try {
    // A deletion already accepted (stored by an earlier run, or the workflow's own while its claim is still held) is
    // polled, never sent a second time.
    const ledger = item[DELETION_ATTRIBUTE] ? undefined : await deps.ledger.get(parameters);
    const stored =
      item[DELETION_ATTRIBUTE] ?? (ledger?.deleting === item.requestId ? lastDeletionRequestId(item) : undefined);
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
    if (!started.deleted) return await notDeleted(deps, item, started.reason);
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
