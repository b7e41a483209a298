// Ending a time-bound grant: one DeleteAccountAssignment attempt (only if the ledger says this grant is the last
// holder of an assignment we created), then one status poll per invocation.
//
// Revocation never gives up on a transient error: access that outlives its end is the failure this workflow exists
// to prevent. A transient error (throttling, conflict, a server fault, no answer) is thrown as RevocationTransient,
// which the state machine retries with capped backoff for as long as the budget lasts: 24 hours of AWS time from the
// revocation's first attempt, noted on the request item. Past it, RevocationRetryBudgetExhausted ends the request
// REVOKE_FAILED with the ledger's deletion claim left in place, so the reconciler finishes the removal. A
// non-retryable error ends it REVOKE_FAILED at once. The claim goes back then only if no deletion was started (so later
// grants are not held back for good; the ledger's end decides again on the reconciler's retry): once
// DeleteAccountAssignment was accepted, the claim stays through a failed poll or a deletion that FAILED, because the
// assignment may still be in place and the claim is what tells the reconciler that removing it is ours to finish.
//
// A deletion holds one of the instance's deletion slots (operationSlots.ts, kind 'deletion') from the call until the
// poll that sees it end, as creations do, so that a wave of ending grants queues here instead of being throttled.
import {
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
} from '@aws-sdk/client-sso-admin';
import type { SsoAssignmentParameters } from '../actions/ssoCreateAccountAssignment.js';
import { assignmentListed } from './assignmentListing.js';
import { RevocationRetryBudgetExhaustedError, RevocationTransientError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { describeStatus, type AssignmentDeps } from './assignment.js';
import {
  attempt,
  budgetSince,
  budgetSpent,
  isTransient,
  isWaitForCapacity,
  recordAttempt,
  revocationError,
} from './attempts.js';

/** How long a revocation keeps retrying transient errors, in AWS seconds. */
export const REVOCATION_BUDGET_SECONDS = 24 * 60 * 60;

/** Polls recorded as events: the first 40 (3 s apart), then every 60th (an hour, at a minute apart), and the last. */
const POLL_EVENTS_FIRST = 40;
const POLL_EVENTS_EVERY = 60;

export interface RevocationProgress {
  Status: string;
  deleted: boolean;
  reason: string;
  /** '' when nothing had to be deleted; always present so the state machine can select it. */
  deletionRequestId: string;
  polls: number;
  /** Set when Identity Center reports the deletion FAILED ('' otherwise), carried into the record. */
  FailureReason: string;
}

type RevocationInput = { requestId: string; parameters: SsoAssignmentParameters };

/** Slot upkeep never changes a revocation's outcome: a slot not given back frees itself when its lease ends. */
const slotUpkeep = async (deps: AssignmentDeps, what: 'release' | 'renew', input: RevocationInput): Promise<void> => {
  if (!deps.deletionSlots) return;
  try {
    const { InstanceArn } = input.parameters;
    await (what === 'release'
      ? deps.deletionSlots.release(InstanceArn, input.requestId)
      : deps.deletionSlots.renew(InstanceArn, input.requestId));
  } catch (error) {
    logger.warn('Could not update the deletion slot; its lease will end it', {
      requestId: input.requestId,
      what,
      errorName: (error as Error).name,
    });
  }
};

/**
 * What a failed revocation step throws: waiting for capacity as it is; a transient error as RevocationTransient while
 * the 24-hour budget lasts, RevocationRetryBudgetExhausted after it (the claim stays for the reconciler); anything
 * else, non-retryable, as it is, after giving the deletion claim back.
 */
const revocationFailure = async (
  deps: AssignmentDeps,
  input: RevocationInput,
  error: unknown,
  since: string | undefined,
  deletionStarted: boolean,
): Promise<Error> => {
  const failure = error instanceof Error ? error : new Error(String(error));
  if (isWaitForCapacity(failure)) return failure;
  if (isTransient(failure)) {
    const what = `${failure.name}: ${failure.message}`;
    if (budgetSpent(deps, since, REVOCATION_BUDGET_SECONDS)) {
      return new RevocationRetryBudgetExhaustedError(
        `Revocation began ${since} and has met transient errors for more than 24 hours; last: ${what}`,
      );
    }
    return new RevocationTransientError(what);
  }
  if (deletionStarted) return failure;
  // Nothing will change by retrying and nothing was started, so the claim must not hold later grants back.
  await deps.ledger.deletionFinished(input.parameters, input.requestId).catch((releaseError: unknown) => {
    logger.error('Could not release the deletion claim after a non-retryable error', {
      requestId: input.requestId,
      errorName: (releaseError as Error).name,
    });
  });
  return failure;
};

export const revokeAssignment = async (input: RevocationInput, deps: AssignmentDeps): Promise<RevocationProgress> => {
  let since: string | undefined;
  let started = false;
  try {
    const decision = await deps.ledger.end(input.parameters, input.requestId);
    if (!decision.delete) {
      await recordAttempt(deps, input.requestId, 'revocation_attempt', { deleted: false, reason: decision.reason });
      return {
        Status: 'SUCCEEDED',
        deleted: false,
        reason: decision.reason,
        deletionRequestId: '',
        polls: 0,
        FailureReason: '',
      };
    }
    const { PrincipalId, PrincipalType, PermissionSetArn, InstanceArn, TargetId, TargetType } = input.parameters;
    await deps.deletionSlots?.acquire(InstanceArn, input.requestId);
    const { AccountAssignmentDeletionStatus: status } = await attempt(
      deps,
      input.requestId,
      'DeleteAccountAssignment',
      () =>
        deps.ssoAdmin.send(
          new DeleteAccountAssignmentCommand({
            InstanceArn,
            PermissionSetArn,
            PrincipalId,
            PrincipalType,
            TargetId,
            TargetType,
          }),
        ),
      (r) => ({
        status: r.AccountAssignmentDeletionStatus?.Status,
        deletionRequestId: r.AccountAssignmentDeletionStatus?.RequestId,
      }),
      'revocation',
      async () => {
        started = true;
      },
    ).catch(async (error: unknown) => {
      since = budgetSince(error);
      // Nothing started in Identity Center, so the slot is free for another deletion while this one backs off; but
      // not after a wait for capacity, whose retry comes within the lease (see createAssignment).
      if (!started && !isWaitForCapacity(error)) await slotUpkeep(deps, 'release', input);
      throw error;
    });
    if (!status?.RequestId) throw new Error('DeleteAccountAssignment returned no deletion request id');
    return {
      Status: status.Status ?? 'IN_PROGRESS',
      deleted: true,
      reason: 'last grant of an assignment we created',
      deletionRequestId: status.RequestId,
      polls: 0,
      FailureReason: '',
    };
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') {
      const gone = await alreadyGone(deps, input).catch(async (listError: unknown) => {
        throw await revocationFailure(deps, input, listError, since, started);
      });
      if (gone) return gone;
    }
    throw await revocationFailure(deps, input, error, since, started);
  }
};

/**
 * DeleteAccountAssignment answers ResourceNotFound both for an assignment that is already gone (someone removed it, or
 * an earlier try of ours did and its answer was lost) and for a principal, permission set or account that does not
 * exist. The listing tells them apart: not listed, the deletion's goal is reached and the revocation succeeded.
 */
const alreadyGone = async (deps: AssignmentDeps, input: RevocationInput): Promise<RevocationProgress | undefined> => {
  if (await assignmentListed(deps.ssoAdmin, input.parameters)) return undefined;
  await deps.ledger.deletionFinished(input.parameters, input.requestId);
  const reason = 'the assignment was already gone (DeleteAccountAssignment: ResourceNotFound; not listed)';
  await recordAttempt(deps, input.requestId, 'revocation_attempt', { deleted: false, reason });
  return { Status: 'SUCCEEDED', deleted: false, reason, deletionRequestId: '', polls: 0, FailureReason: '' };
};

export const checkRevocation = async (
  input: { requestId: string; parameters: SsoAssignmentParameters; deletionRequestId: string; polls: number },
  deps: AssignmentDeps,
): Promise<RevocationProgress> => {
  const { AccountAssignmentDeletionStatus: status } = await deps.ssoAdmin
    .send(
      new DescribeAccountAssignmentDeletionStatusCommand({
        InstanceArn: input.parameters.InstanceArn,
        AccountAssignmentDeletionRequestId: input.deletionRequestId,
      }),
    )
    .catch(async (error: Error) => {
      if (isWaitForCapacity(error)) throw error;
      const since = await recordAttempt(
        deps,
        input.requestId,
        'revocation_poll_error',
        { error: error.name, message: error.message },
        'revocationStartedAt',
        revocationError(`DescribeAccountAssignmentDeletionStatus:${error.name}`),
      );
      throw await revocationFailure(deps, input, error, since, true);
    });
  const polls = input.polls + 1;
  const described = describeStatus(status);
  const ended = described.Status === 'SUCCEEDED' || described.Status === 'FAILED';
  // Under a wave of ending grants another deletion waits for this slot, so it goes back alongside the audit write.
  const upkeep = slotUpkeep(deps, ended ? 'release' : 'renew', input);
  // A deletion is polled up to 1,480 times a day; the audit keeps the first polls, then one an hour and the end.
  if (polls <= POLL_EVENTS_FIRST || ended || polls % POLL_EVENTS_EVERY === 0)
    await recordAttempt(deps, input.requestId, 'revocation_poll', { poll: polls, status: described.Status });
  await upkeep;
  // Only a deletion that SUCCEEDED gives the claim back; after FAILED the assignment is still there and the request ends
  // REVOKE_FAILED, so the claim stays for the reconciler to finish the removal.
  if (described.Status === 'SUCCEEDED') await deps.ledger.deletionFinished(input.parameters, input.requestId);
  return {
    Status: String(described.Status ?? 'IN_PROGRESS'),
    deleted: described.Status === 'SUCCEEDED',
    reason: 'last grant of an assignment we created',
    deletionRequestId: input.deletionRequestId,
    polls,
    FailureReason: described.FailureReason ? String(described.FailureReason) : '',
  };
};
