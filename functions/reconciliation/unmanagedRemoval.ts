// Removing an unmanaged assignment where policy allows it, with the same guards as a grant's removal:
// - never one a grant of ours may be about to explain: a request for the same principal, permission set and account
//   that is APPROVED or OUTCOME_UNKNOWN (its creation may have landed and not be registered yet) keeps it in place;
// - the ledger's deletion claim first (one conditional write on the assignment's ledger item, only when no grant of
//   ours holds it and no deletion is under way), so a grant arriving meanwhile is refused and retried after it, as
//   with a revocation; the claim is given back once Identity Center reports the deletion over;
// - a deletion slot, as every deletion takes.
// The claim is written here with the ledger's own attributes (deleting, version) because the ledger module belongs to
// provisioning; it keeps the ledger's rules: the version moves on with every change, so a concurrent first grant's
// conditional Put is refused.
import {
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
} from '@aws-sdk/client-sso-admin';
import { QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { SsoAssignmentParameters } from '../actions/ssoCreateAccountAssignment.js';
import { assignmentKey, targetStatusKey } from '../requests/keys.js';
import type { RequestItem, RequestStatus } from '../requests/model.js';
import { conditionalWrite } from '../shared/conditionalWrite.js';
import { checkTime, limitsOf, sleepOf, wallMs, type ReconcilerDeps } from './deps.js';

/** Statuses in which a request's assignment may exist without the ledger knowing it yet. */
const UNSETTLED: readonly RequestStatus[] = ['APPROVED', 'OUTCOME_UNKNOWN'];

const pairOf = (p: Pick<SsoAssignmentParameters, 'PermissionSetArn' | 'PrincipalType' | 'PrincipalId'>): string =>
  [p.PermissionSetArn, p.PrincipalType, p.PrincipalId].join('\n');

/**
 * The (permission set, principal) pairs of one account's unsettled requests: a Query on byTargetStatus per status,
 * every page. Asked once per watched account that allows removal, and only when something there is to be removed.
 */
export const unsettledPairs = async (deps: ReconcilerDeps, accountId: string): Promise<Set<string>> => {
  const pairs = new Set<string>();
  for (const status of UNSETTLED) {
    let ExclusiveStartKey: Record<string, unknown> | undefined;
    do {
      const page = await deps.db.send(
        new QueryCommand({
          TableName: deps.tableName,
          IndexName: 'byTargetStatus',
          KeyConditionExpression: 'targetStatus = :key',
          ExpressionAttributeValues: { ':key': targetStatusKey(accountId, status) },
          ExclusiveStartKey,
        }),
      );
      for (const item of (page.Items ?? []) as RequestItem[]) {
        try {
          pairs.add(pairOf(JSON.parse(item.parameters) as SsoAssignmentParameters));
        } catch {
          // Not an SSO assignment request (its parameters are another action's): it cannot hold this assignment.
        }
      }
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
  }
  return pairs;
};

export const hasUnsettledRequest = (pairs: Set<string>, p: SsoAssignmentParameters): boolean => pairs.has(pairOf(p));

export type UnmanagedRemoval =
  | { state: 'removed'; deletionRequestId: string; deletionStatus: string }
  | { state: 'claimed elsewhere' }
  | { state: 'error'; error: { name: string; message: string } };

const claim = (deps: ReconcilerDeps, p: SsoAssignmentParameters, holder: string): Promise<boolean> =>
  conditionalWrite(
    deps.db,
    new UpdateCommand({
      TableName: deps.tableName,
      Key: assignmentKey(p),
      UpdateExpression:
        'SET deleting = :holder, assignment = if_not_exists(assignment, :assignment), version = if_not_exists(version, :zero) + :one',
      ConditionExpression: 'attribute_not_exists(deleting) AND (attribute_not_exists(grants) OR size(grants) = :zero)',
      ExpressionAttributeValues: { ':holder': holder, ':assignment': p, ':zero': 0, ':one': 1 },
    }),
  );

const giveBack = (deps: ReconcilerDeps, p: SsoAssignmentParameters, holder: string): Promise<boolean> =>
  conditionalWrite(
    deps.db,
    new UpdateCommand({
      TableName: deps.tableName,
      Key: assignmentKey(p),
      UpdateExpression: 'REMOVE deleting SET version = version + :one',
      ConditionExpression: 'deleting = :holder',
      ExpressionAttributeValues: { ':holder': holder, ':one': 1 },
    }),
  );

/** Claims, takes a slot, deletes, and follows the deletion for the run's few polls; the claim is given back after. */
export const removeUnmanaged = async (
  deps: ReconcilerDeps,
  p: SsoAssignmentParameters,
  findingId: string,
): Promise<UnmanagedRemoval> => {
  const holder = `unmanaged:${findingId}`;
  if (!(await claim(deps, p, holder))) return { state: 'claimed elsewhere' };
  const slots = deps.assignment.deletionSlots;
  let slotTaken = false;
  try {
    await slots?.acquire(p.InstanceArn, holder);
    slotTaken = true;
    const { AccountAssignmentDeletionStatus: started } = await deps.ssoAdmin.send(
      new DeleteAccountAssignmentCommand({
        InstanceArn: p.InstanceArn,
        TargetId: p.TargetId,
        TargetType: 'AWS_ACCOUNT',
        PermissionSetArn: p.PermissionSetArn,
        PrincipalType: p.PrincipalType,
        PrincipalId: p.PrincipalId,
      }),
    );
    const deletionRequestId = started?.RequestId ?? '';
    let status = String(started?.Status ?? 'IN_PROGRESS');
    const limits = limitsOf(deps);
    for (let poll = 0; status === 'IN_PROGRESS' && deletionRequestId && poll < limits.pollsPerDeletion; poll += 1) {
      checkTime(deps);
      await sleepOf(deps)(wallMs(deps, limits.pollIntervalSeconds));
      const described = await deps.ssoAdmin.send(
        new DescribeAccountAssignmentDeletionStatusCommand({
          InstanceArn: p.InstanceArn,
          AccountAssignmentDeletionRequestId: deletionRequestId,
        }),
      );
      status = String(described?.AccountAssignmentDeletionStatus?.Status ?? 'IN_PROGRESS');
    }
    return { state: 'removed', deletionRequestId, deletionStatus: status };
  } catch (error) {
    const { name, message } = error as Error;
    if (name === 'ReconcilerOutOfTime') throw error;
    return { state: 'error', error: { name, message } };
  } finally {
    if (slotTaken) await slots?.release(p.InstanceArn, holder).catch(() => undefined);
    // Given back even when the deletion is still IN_PROGRESS after the polls: the finding keeps its id for audit, and
    // a claim left behind would refuse every later grant of this assignment.
    await giveBack(deps, p, holder).catch(() => undefined);
  }
};
