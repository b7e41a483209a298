// Step d: requests whose creation Identity Center may have accepted but whose outcome was never verified (issue 7's
// OUTCOME_UNKNOWN), and APPROVED requests whose workflow died (older than a margin, execution not RUNNING). Listed: the
// grant is recorded as verify would record it (pre-existence unknown → ours, so its end removes it), ACTIVE until the
// end counted from the accepted creation (or, with none recorded, from when it was verified present), or COMPLETED
// when permanent; the reconciler then ends it on time (step a), since no workflow runs for it. Not listed: FAILED with
// the assignment verified absent, unless its creation may still land (IN_PROGRESS, or no creation id and the last
// attempt too recent and not a definite refusal).
import { DescribeAccountAssignmentCreationStatusCommand } from '@aws-sdk/client-sso-admin';
import { SSO_ASSIGNMENT_ACTION } from '../actions/actionNames.js';
import { PERMANENT } from '../provisioning/assignmentLedger.js';
import type { RequestItem } from '../requests/model.js';
import { event } from '../requests/repository.js';
import { logger } from '../shared/logger.js';
import type { RequestStatus } from '../requests/model.js';
import { checkTime, limitsOf, wallMs, type ReconcilerDeps } from './deps.js';
import { executionStatus } from './endGrants.js';
import { assignmentListed } from './identityCenter.js';
import { requestsInStatus, ssoParameters } from './requestRecords.js';
import { settle } from './settle.js';

export interface OutcomeUnknownSummary {
  examined: number;
  granted: number;
  failedAbsent: number;
  pending: number;
  errors: number;
  skipped: number;
  /** APPROVED requests old enough to look at, and of them those whose workflow is gone (then settled as above). */
  approvedExamined: number;
  approvedWithoutWorkflow: number;
  more: boolean;
}

/**
 * Errors with which Identity Center refused a creation outright: nothing was accepted, so absence can be concluded at
 * once. Any other error (a timeout, a socket reset, a 5xx) may hide an accepted creation with no id returned.
 */
const DEFINITE_REFUSALS = new Set([
  'ThrottlingException',
  'ConflictException',
  'AccessDeniedException',
  'ValidationException',
  'ServiceQuotaExceededException',
  'ResourceNotFoundException',
  'IdentityCenterBusy',
]);

const CREATION_ATTEMPTS = new Set(['provisioning_attempt', 'provisioning_error']);

interface AttemptDetail {
  operation?: string;
  creationRequestId?: string;
  error?: string;
}

const details = (item: RequestItem) =>
  item.events
    .filter((e) => CREATION_ATTEMPTS.has(e.type))
    .map((e) => ({ at: e.at, type: e.type, detail: JSON.parse(e.detail) as AttemptDetail }))
    .filter((e) => e.detail.operation === 'CreateAccountAssignment');

/**
 * When the grant's time starts: the earliest creation Identity Center accepted (a provisioning_attempt with its
 * creationRequestId), so the recorded end is never later than the approval allows, nor cut short by the contention
 * errors before it. With no accepted creation recorded, from `verifiedAt`: when the assignment was seen in place.
 */
export const grantStart = (item: RequestItem, verifiedAt: string): string =>
  details(item)
    .filter((e) => e.type === 'provisioning_attempt' && (e.detail.creationRequestId ?? '').length > 0)
    .map((e) => e.at)
    .sort()[0] ?? verifiedAt;

/**
 * Whether a creation we cannot see may still land: with no creation id, any recorded attempt that was not a definite
 * refusal may have been accepted, so absence is concluded only `minAgeSeconds` (AWS time) after the last attempt.
 */
const creationMayStillLand = (deps: ReconcilerDeps, item: RequestItem, minAgeSeconds: number): boolean => {
  const attempts = details(item);
  if (attempts.every((e) => e.type === 'provisioning_error' && DEFINITE_REFUSALS.has(e.detail.error ?? ''))) {
    return false;
  }
  const last =
    attempts
      .map((e) => e.at)
      .sort()
      .at(-1) ?? item.updatedAt;
  return deps.clock.now().getTime() - Date.parse(last) < wallMs(deps, minAgeSeconds);
};

/** The latest creation accepted by Identity Center, from the attempts' events. */
const latestCreation = (item: RequestItem): string | undefined =>
  details(item)
    .map((e) => e.detail.creationRequestId)
    .filter((id): id is string => typeof id === 'string' && id.length > 0)
    .at(-1);

const creationStatus = async (deps: ReconcilerDeps, item: RequestItem, id: string): Promise<string> => {
  try {
    const { AccountAssignmentCreationStatus: status } = await deps.ssoAdmin.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: ssoParameters(item).InstanceArn,
        AccountAssignmentCreationRequestId: id,
      }),
    );
    return status?.Status ?? 'UNKNOWN';
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return 'NOT_FOUND';
    throw error;
  }
};

const settleOne = async (
  deps: ReconcilerDeps,
  item: RequestItem,
  summary: OutcomeUnknownSummary,
  from: RequestStatus,
): Promise<void> => {
  const parameters = ssoParameters(item);
  const at = deps.clock.now().toISOString();
  if (await assignmentListed(deps.ssoAdmin, parameters)) {
    const grantSeconds = (item.durationMinutes ?? 0) * 60;
    const preExistenceUnknown = grantSeconds > 0 && (await deps.ledger.needsExistenceCheck(parameters));
    await deps.ledger.register(parameters, item.requestId, grantSeconds ? 'time-bound' : PERMANENT, undefined);
    const found = {
      by: 'reconciler',
      verifiedBy: 'ListAccountAssignments',
      ...(preExistenceUnknown
        ? { preExisting: 'unknown; registered as ours, so the end of the grant removes it' }
        : {}),
    };
    const countedFrom = grantStart(item, at);
    const activeUntil = grantSeconds
      ? new Date(Date.parse(countedFrom) + wallMs(deps, grantSeconds)).toISOString()
      : undefined;
    const outcome = { Status: 'SUCCEEDED', VerifiedBy: 'ListAccountAssignments', settledBy: 'reconciler', activeUntil };
    const written = await settle(deps, item, {
      from: [from],
      to: activeUntil ? 'ACTIVE' : 'COMPLETED',
      events: [
        event(at, 'assignment_verified_present', found),
        event(at, 'completed', outcome),
        ...(activeUntil ? [event(at, 'active', { ...outcome, countedFrom })] : []),
      ],
      set: { outcome: JSON.stringify(outcome), ...(activeUntil ? { activeUntil } : {}) },
      remove: ['error'],
    });
    if (written) summary.granted += 1;
    return;
  }
  const creationRequestId = latestCreation(item);
  const status = creationRequestId ? await creationStatus(deps, item, creationRequestId) : 'NONE';
  // Not listed while the creation may still land is not absence.
  if (
    status === 'IN_PROGRESS' ||
    (!creationRequestId && creationMayStillLand(deps, item, limitsOf(deps).absenceMinAgeSeconds))
  ) {
    summary.pending += 1;
    return;
  }
  await deps.ledger.drop(parameters, item.requestId);
  const detail = { by: 'reconciler', verifiedBy: 'ListAccountAssignments', creationRequestId, creationStatus: status };
  const written = await settle(deps, item, {
    from: [from],
    to: 'FAILED',
    events: [event(at, 'assignment_verified_absent', detail), event(at, 'failed', detail)],
    set: {
      error: {
        name: 'AssignmentVerifiedAbsent',
        cause: `The reconciler verified with ListAccountAssignments that the assignment does not exist (creation ${creationRequestId ?? 'never accepted'}: ${status}); no access was granted.`,
      },
    },
  });
  if (written) summary.failedAbsent += 1;
};

const settleAll = async (
  deps: ReconcilerDeps,
  summary: OutcomeUnknownSummary,
  items: RequestItem[],
  from: RequestStatus,
): Promise<void> => {
  for (const item of items) {
    checkTime(deps);
    if (from === 'OUTCOME_UNKNOWN') summary.examined += 1;
    if (item.action !== SSO_ASSIGNMENT_ACTION) {
      // An APPROVED request of another action is its workflow's alone; only OUTCOME_UNKNOWN ones are reported skipped.
      if (from === 'OUTCOME_UNKNOWN') summary.skipped += 1;
      continue;
    }
    try {
      if (from === 'APPROVED') {
        summary.approvedExamined += 1;
        // A running workflow owns its request; only one whose execution is gone is settled here.
        if ((await executionStatus(deps, item.requestId)) === 'RUNNING') continue;
        summary.approvedWithoutWorkflow += 1;
        summary.examined += 1;
      }
      await settleOne(deps, item, summary, from);
    } catch (error) {
      if ((error as Error).name === 'ReconcilerOutOfTime') throw error;
      summary.errors += 1;
      logger.warn(`The reconciler could not settle an ${from} request this run`, {
        requestId: item.requestId,
        errorName: (error as Error).name,
      });
    }
  }
};

export const settleOutcomeUnknown = async (deps: ReconcilerDeps, summary: OutcomeUnknownSummary): Promise<void> => {
  const limits = limitsOf(deps);
  const unknown = await requestsInStatus(deps, 'OUTCOME_UNKNOWN', { limit: limits.itemsPerStep });
  summary.more = unknown.more;
  await settleAll(deps, summary, unknown.items, 'OUTCOME_UNKNOWN');
  // APPROVED longer than a workflow's creation rounds take: if its execution is gone, nothing else will settle it.
  const approvedBefore = new Date(deps.clock.now().getTime() - wallMs(deps, limits.approvedMarginSeconds));
  const approved = await requestsInStatus(deps, 'APPROVED', {
    limit: limits.itemsPerStep,
    updatedBefore: approvedBefore.toISOString(),
  });
  summary.more ||= approved.more;
  await settleAll(deps, summary, approved.items, 'APPROVED');
};
