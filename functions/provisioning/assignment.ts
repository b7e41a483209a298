// sso:CreateAccountAssignment and its status poll, one call each. Identity Center creates assignments
// asynchronously; the state machine waits between polls. Every grant is entered in the assignment ledger,
// so a time-bound grant's end never removes access another grant (or a pre-existing assignment) holds.
// A creation holds one of the instance's creation slots (operationSlots.ts) from the call until the poll
// that sees it end, so a burst of approvals queues here instead of being throttled by Identity Center.
import {
  CreateAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  type AccountAssignmentOperationStatus,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import type { SsoAssignmentParameters } from '../actions/ssoCreateAccountAssignment.js';
import { assignmentListed } from './assignmentListing.js';
import { event } from '../requests/repository.js';
import { AssignmentNotSettledError, CreationSlotsFullError, QueueForSlotError } from '../shared/errors.js';
import { PERMANENT, type AssignmentLedger } from './assignmentLedger.js';
import {
  attempt,
  awsSecondsAfter,
  budgetSpent,
  isWaitForCapacity,
  recordAttempt,
  ROUND_AGAIN,
  type ProvisioningDeps,
} from './attempts.js';
import type { SlotLeases } from './operationSlots.js';
import { logger } from '../shared/logger.js';

export interface AssignmentProgress {
  creationRequestId: string;
  status: string;
  polls: number;
  assignment: Record<string, unknown>;
  /** Time-bound grants, once the assignment exists: when the grant ends ('' otherwise). */
  activeUntil: string;
}

export type AssignmentDeps = ProvisioningDeps & {
  ssoAdmin: SSOAdminClient;
  ledger: AssignmentLedger;
  /** The instance's creation slots (their queue is the AwaitCreationSlot task's, not the provisioning tasks'). */
  slots: SlotLeases;
  /** The instance's deletion slots; without them (some tests) deletions are not admission-controlled. */
  deletionSlots?: SlotLeases;
};

/**
 * How long a creation keeps retrying ConflictException and ThrottlingException, in AWS seconds, counted from its first
 * one (docs/retry-policy.md). The state machine's retrier gives each round 8 attempts; verifyAssignment starts
 * another round while this lasts.
 */
export const CREATION_CONTENTION_BUDGET_SECONDS = 30 * 60;

/** Slot upkeep never changes a provisioning outcome: a slot not given back frees itself when its lease ends. */
const slotUpkeep = async (what: 'release' | 'renew', requestId: string, work: () => Promise<void>): Promise<void> => {
  try {
    await work();
  } catch (error) {
    logger.warn('Could not update the creation slot; its lease will end it', {
      requestId,
      what,
      errorName: (error as Error).name,
    });
  }
};

export const describeStatus = (s: AccountAssignmentOperationStatus | undefined): Record<string, unknown> => ({
  Status: s?.Status,
  RequestId: s?.RequestId,
  TargetId: s?.TargetId,
  PermissionSetArn: s?.PermissionSetArn,
  PrincipalId: s?.PrincipalId,
  PrincipalType: s?.PrincipalType,
  ...(s?.CreatedDate ? { CreatedDate: s.CreatedDate.toISOString() } : {}),
  // The state machine reads FailureReason on FAILED; AWS can omit it, and a missing path would crash the run.
  ...(s?.Status === 'FAILED' ? { FailureReason: s.FailureReason ?? 'Identity Center gave no failure reason' } : {}),
});

export const createAssignment = async (
  input: {
    requestId: string;
    parameters: SsoAssignmentParameters;
    grantSeconds?: number;
    /**
     * Set by the state machine, which waits in the slots' queue (AwaitCreationSlot) when every slot is taken. A caller
     * without it (an execution started on a definition from before the queue) gets CreationSlotsFull and backs off.
     */
    slotQueue?: boolean;
  },
  deps: AssignmentDeps,
): Promise<{ creationRequestId: string; status: string }> => {
  // Pre-existence only matters to a grant that ends: a permanent grant holds the assignment for good, so it
  // never deletes it. Skipping the look-up for permanent grants matters in bulk: ListAccountAssignments pages
  // through every assignment of the permission set on the account, and shares Identity Center's rate limit.
  // The ledger is read either way, because a revocation in progress must hold every new grant back.
  const firstGrant = await deps.ledger.needsExistenceCheck(input.parameters);
  const { InstanceArn } = input.parameters;
  // The slot is taken before the look-up, not after: then at most as many executions as there are slots spend
  // Identity Center's shared rate (and the budget item's capacity) on look-ups and creations at any moment. When
  // hundreds are approved together, the rest wait on the slots, which costs no Identity Center call at all.
  await deps.slots.acquire(InstanceArn, input.requestId).catch((error: unknown) => {
    if (input.slotQueue && error instanceof CreationSlotsFullError) throw new QueueForSlotError(error.message);
    throw error;
  });
  let started = false;
  const existedBefore =
    firstGrant && input.grantSeconds
      ? await assignmentListed(deps.ssoAdmin, input.parameters).catch(async (error: unknown) => {
          // Nothing started, so the slot goes back while this execution backs off, as after a failed creation call.
          if (!isWaitForCapacity(error)) {
            await slotUpkeep('release', input.requestId, () => deps.slots.release(InstanceArn, input.requestId));
          }
          throw error;
        })
      : undefined;
  const { AccountAssignmentCreationStatus: status } = await attempt(
    deps,
    input.requestId,
    'CreateAccountAssignment',
    () => deps.ssoAdmin.send(new CreateAccountAssignmentCommand({ ...input.parameters })),
    (r) => ({
      status: r.AccountAssignmentCreationStatus?.Status,
      creationRequestId: r.AccountAssignmentCreationStatus?.RequestId,
      ...(existedBefore ? { preExisting: true } : {}),
    }),
    'provisioning',
    // Registered after creation succeeds, so a failed create never holds the assignment; a revocation racing
    // this grant makes register throw ConflictException, and the retry creates the assignment again.
    () => {
      started = true;
      return deps.ledger.register(
        input.parameters,
        input.requestId,
        input.grantSeconds ? 'time-bound' : PERMANENT,
        existedBefore,
      );
    },
  ).catch(async (error: unknown) => {
    // Nothing started in Identity Center, so the slot is free for another execution while this one backs off. A
    // creation that did start keeps its slot: Identity Center counts it until it ends, and the retry reuses the slot.
    // So does a wait for capacity (the budget paused after a server fault, or no send time within the wait): its
    // retry comes within the busy retrier's 16 s cap, inside the lease, and the slot handed to a queued execution
    // would only send that one into the same wait; in a 2-minute outage, hundreds of them, one after the other.
    if (!started && !isWaitForCapacity(error)) {
      await slotUpkeep('release', input.requestId, () => deps.slots.release(InstanceArn, input.requestId));
    }
    throw error;
  });
  if (!status?.RequestId) throw new Error('CreateAccountAssignment returned no creation request id');
  return { creationRequestId: status.RequestId, status: status.Status ?? 'IN_PROGRESS' };
};

export const checkAssignment = async (
  input: {
    requestId: string;
    parameters: SsoAssignmentParameters;
    creationRequestId: string;
    polls: number;
    grantSeconds?: number;
  },
  deps: AssignmentDeps,
): Promise<AssignmentProgress> => {
  const { AccountAssignmentCreationStatus: status } = await deps.ssoAdmin
    .send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: input.parameters.InstanceArn,
        AccountAssignmentCreationRequestId: input.creationRequestId,
      }),
    )
    .catch(async (error: Error) => {
      if (!isWaitForCapacity(error))
        await recordAttempt(deps, input.requestId, 'status_poll_error', { error: error.name, message: error.message });
      throw error;
    });
  const polls = input.polls + 1;
  const assignment = describeStatus(status);
  if (assignment.Status === 'FAILED') await deps.ledger.drop(input.parameters, input.requestId);
  const { InstanceArn } = input.parameters;
  const ended = assignment.Status === 'SUCCEEDED' || assignment.Status === 'FAILED';
  // Under a burst another execution is waiting for this slot, so it goes back alongside the audit write, not after it.
  const upkeep = slotUpkeep(ended ? 'release' : 'renew', input.requestId, () =>
    ended ? deps.slots.release(InstanceArn, input.requestId) : deps.slots.renew(InstanceArn, input.requestId),
  );
  await recordAttempt(deps, input.requestId, 'status_poll', {
    poll: polls,
    status: assignment.Status,
    ...(assignment.FailureReason ? { failureReason: assignment.FailureReason } : {}),
  });
  await upkeep;
  const activeUntil =
    assignment.Status === 'SUCCEEDED' && input.grantSeconds
      ? awsSecondsAfter(deps, deps.clock.now(), input.grantSeconds).toISOString()
      : undefined;
  // Always present (empty for permanent grants) so the state machine can select it.
  return {
    creationRequestId: input.creationRequestId,
    status: String(assignment.Status ?? 'IN_PROGRESS'),
    polls,
    assignment,
    activeUntil: activeUntil ?? '',
  };
};

export interface AssignmentVerification extends AssignmentProgress {
  /** What ListAccountAssignments showed once Identity Center had settled. */
  verified: 'PRESENT' | 'ABSENT';
}

/**
 * Status `RETRY`: the assignment is absent after contention (Conflict or Throttling), or a call that got no answer
 * (TimeoutError), outlasted one round of the state machine's retries, and the creation's 30-minute budget still runs,
 * so the state machine creates again. Not after InternalServerException: an outage pauses the budget instead, and a
 * server fault that persists for one request is its own (it ends FAILED after its retries).
 */
export const RETRY_CREATION = 'RETRY';

/**
 * Once Identity Center may have accepted a creation (a poll failed or ran out, or the create call itself failed
 * in a way that leaves it open whether AWS took it), the request may only end in one of two ways: the grant is
 * recorded like any other (in the ledger, so a time-bound one is revoked on time), or the assignment is verified
 * absent. This task decides which. It throws AssignmentNotSettled while the creation is still running, and any
 * AWS error as it is, for the state machine to retry; when those retries run out the request is OUTCOME_UNKNOWN.
 * Its events are written, not best effort: the audit trail must say why a request ended FAILED or granted.
 */
export interface VerifyAssignmentInput {
  requestId: string;
  parameters: SsoAssignmentParameters;
  grantSeconds?: number;
  /** '' when the create call itself failed, so there is no creation to describe. */
  creationRequestId: string;
  polls: number;
  /** The error that brought the workflow here, for the audit trail. */
  after: string;
}

export const verifyAssignment = async (
  input: VerifyAssignmentInput,
  deps: AssignmentDeps,
): Promise<AssignmentVerification> => {
  const { InstanceArn } = input.parameters;
  // Listed first: a creation that ends between the two calls then reads as unsettled and is verified again.
  const present = await assignmentListed(deps.ssoAdmin, input.parameters);
  let creationStatus: string | undefined;
  // Listed settles it; only an absence needs the creation's own status before it counts.
  if (!present && input.creationRequestId) {
    const { AccountAssignmentCreationStatus: status } = await deps.ssoAdmin.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn,
        AccountAssignmentCreationRequestId: input.creationRequestId,
      }),
    );
    creationStatus = status?.Status;
    // Not listed while the creation may still land (or says it landed) is not absence.
    if (creationStatus !== 'FAILED') {
      throw new AssignmentNotSettledError(
        `Assignment creation ${input.creationRequestId} is ${creationStatus ?? 'of unknown status'} and the assignment is not listed yet`,
      );
    }
  }
  const now = deps.clock.now();
  const at = now.toISOString();
  const detail = { after: input.after, creationRequestId: input.creationRequestId, creationStatus };
  if (present) {
    // Idempotent when the creation was registered as it was accepted. After a create call that failed ambiguously
    // (or a failure before it) it was not, and whether the assignment existed before our first grant is unknown: it
    // is registered as ours (not pre-existing), so a time-bound grant's end removes it. Failing closed: access never
    // outlives an approval; the event says so, so an auditor can see a pre-existing assignment may have gone too.
    const preExistenceUnknown =
      Boolean(input.grantSeconds) && (await deps.ledger.needsExistenceCheck(input.parameters));
    await deps.ledger.register(
      input.parameters,
      input.requestId,
      input.grantSeconds ? 'time-bound' : PERMANENT,
      undefined,
    );
    const found = preExistenceUnknown
      ? { ...detail, preExisting: 'unknown; registered as ours, so the end of the grant removes it' }
      : detail;
    await deps.repository.appendEvent(input.requestId, event(at, 'assignment_verified_present', found), ['APPROVED']);
  } else {
    await deps.ledger.drop(input.parameters, input.requestId);
    const absent = event(at, 'assignment_verified_absent', detail);
    if (ROUND_AGAIN.has(input.after)) {
      // The write notes when the contention began (if the error write did not), so a lost audit write cannot make the
      // budget endless: the first round that reaches here starts it.
      const since = await deps.repository.appendEventNoting(
        input.requestId,
        absent,
        ['APPROVED'],
        'provisioningRetrySince',
      );
      if (!budgetSpent(deps, since, CREATION_CONTENTION_BUDGET_SECONDS)) {
        await recordAttempt(deps, input.requestId, 'creation_retry', { after: input.after, contentionSince: since });
        await slotUpkeep('release', input.requestId, () => deps.slots.release(InstanceArn, input.requestId));
        return {
          creationRequestId: input.creationRequestId,
          status: RETRY_CREATION,
          polls: input.polls,
          assignment: { Status: RETRY_CREATION, VerifiedBy: 'ListAccountAssignments' },
          activeUntil: '',
          verified: 'ABSENT',
        };
      }
    } else {
      await deps.repository.appendEvent(input.requestId, absent, ['APPROVED']);
    }
  }
  // The creation has ended either way, so its slot goes back (a no-op if the poll that saw it end gave it back).
  await slotUpkeep('release', input.requestId, () => deps.slots.release(InstanceArn, input.requestId));
  return {
    creationRequestId: input.creationRequestId,
    status: present ? 'SUCCEEDED' : 'ABSENT',
    polls: input.polls,
    assignment: {
      Status: present ? 'SUCCEEDED' : 'ABSENT',
      VerifiedBy: 'ListAccountAssignments',
      ...(creationStatus ? { CreationStatus: creationStatus } : {}),
    },
    activeUntil: present && input.grantSeconds ? awsSecondsAfter(deps, now, input.grantSeconds).toISOString() : '',
    verified: present ? 'PRESENT' : 'ABSENT',
  };
};
