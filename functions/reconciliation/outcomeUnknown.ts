// Step d: requests whose creation Identity Center may have accepted but whose outcome was never verified (issue 7's
// OUTCOME_UNKNOWN, and approved requests whose local workflow was lost). Listed: the grant is recorded as verify
// would record it (pre-existence unknown → ours, so its end removes it), ACTIVE until the end counted from the
// earliest creation attempt, or COMPLETED when permanent; the reconciler then ends it on time (step a), since no
// workflow runs for it. Not listed: FAILED with the assignment verified absent, unless its creation still runs.
import { DescribeAccountAssignmentCreationStatusCommand } from '@aws-sdk/client-sso-admin';
import { SSO_ASSIGNMENT_ACTION } from '../actions/actionNames.js';
import { PERMANENT } from '../provisioning/assignmentLedger.js';
import type { RequestItem } from '../requests/model.js';
import { event } from '../requests/repository.js';
import { logger } from '../shared/logger.js';
import { checkTime, limitsOf, wallMs, type ReconcilerDeps } from './deps.js';
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
  more: boolean;
}

const CREATION_ATTEMPTS = new Set(['provisioning_attempt', 'provisioning_error']);

interface AttemptDetail {
  operation?: string;
  creationRequestId?: string;
}

const details = (item: RequestItem) =>
  item.events
    .filter((e) => CREATION_ATTEMPTS.has(e.type))
    .map((e) => ({ at: e.at, detail: JSON.parse(e.detail) as AttemptDetail }))
    .filter((e) => e.detail.operation === 'CreateAccountAssignment');

/**
 * When the grant's time starts: the earliest creation attempt, so the recorded end is never later than the approval
 * allows. A request with no attempt recorded falls back to its last update before this (when it was approved or
 * marked unknown), which is later than any creation could have been made; the earliest attempt is preferred.
 */
const grantStart = (item: RequestItem): string => {
  const attempts = details(item).map((e) => e.at);
  const approvals = item.approvals.map((a) => a.at);
  return [...attempts].sort()[0] ?? [...approvals].sort()[0] ?? item.createdAt;
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

const settleOne = async (deps: ReconcilerDeps, item: RequestItem, summary: OutcomeUnknownSummary): Promise<void> => {
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
    const countedFrom = grantStart(item);
    const activeUntil = grantSeconds
      ? new Date(Date.parse(countedFrom) + wallMs(deps, grantSeconds)).toISOString()
      : undefined;
    const outcome = { Status: 'SUCCEEDED', VerifiedBy: 'ListAccountAssignments', settledBy: 'reconciler', activeUntil };
    const written = await settle(deps, item, {
      from: ['OUTCOME_UNKNOWN'],
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
  if (status === 'IN_PROGRESS') {
    summary.pending += 1;
    return;
  }
  await deps.ledger.drop(parameters, item.requestId);
  const detail = { by: 'reconciler', verifiedBy: 'ListAccountAssignments', creationRequestId, creationStatus: status };
  const written = await settle(deps, item, {
    from: ['OUTCOME_UNKNOWN'],
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

export const settleOutcomeUnknown = async (deps: ReconcilerDeps, summary: OutcomeUnknownSummary): Promise<void> => {
  const { items, more } = await requestsInStatus(deps, 'OUTCOME_UNKNOWN', { limit: limitsOf(deps).itemsPerStep });
  summary.more = more;
  for (const item of items) {
    checkTime(deps);
    summary.examined += 1;
    if (item.action !== SSO_ASSIGNMENT_ACTION) {
      summary.skipped += 1;
      continue;
    }
    try {
      await settleOne(deps, item, summary);
    } catch (error) {
      if ((error as Error).name === 'ReconcilerOutOfTime') throw error;
      summary.errors += 1;
      logger.warn('The reconciler could not settle an OUTCOME_UNKNOWN request this run', {
        requestId: item.requestId,
        errorName: (error as Error).name,
      });
    }
  }
};
