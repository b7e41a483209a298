// Step e: assignments in the watched accounts that no grant of ours explains. Each is reported once, as a record of
// its own (findings.ts), and its record follows it across runs; it is removed only where the account's watch entry
// sets removeUnmanaged. An account whose listing was cut short by the time budget is not compared for GONE: what it
// was not shown is not absence.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { explainsAssignment } from '../provisioning/assignmentLedger.js';
import { logger } from '../shared/logger.js';
import { checkTime, type ReconcilerDeps } from './deps.js';
import { createFindingStore, findingIdOf, type UnmanagedAssignment } from './findings.js';
import { assignmentsOf, provisionedPairs } from './identityCenter.js';
import { hasUnsettledRequest, removeUnmanaged as removeAssignment, unsettledPairs } from './unmanagedRemoval.js';

export interface UnmanagedSummary {
  accountsWatched: number;
  accountsListed: number;
  assignmentsSeen: number;
  unmanagedSeen: number;
  newlyReported: number;
  removed: number;
  /** Left in place this run: a request for the same assignment is APPROVED or OUTCOME_UNKNOWN, or its ledger item is claimed. */
  removalDeferred: number;
  gone: number;
  errors: number;
}

export const reconcileWatchedAccounts = async (deps: ReconcilerDeps, summary: UnmanagedSummary): Promise<void> => {
  const watched = deps.watch.flatMap((entry) =>
    entry.accounts.map((accountId) => ({ accountId, removeUnmanaged: entry.removeUnmanaged === true })),
  );
  summary.accountsWatched = watched.length;
  if (watched.length === 0) return;
  const instanceArn = await deps.instanceArn();
  const findings = createFindingStore(deps);
  const { ledger } = deps;
  const byAccount = await provisionedPairs(
    deps.ssoAdmin,
    instanceArn,
    watched.map((w) => w.accountId),
    () => checkTime(deps),
  );
  // From where the last run stopped: a run cut short by its time budget does not leave the same accounts unlisted
  // every time.
  const start = await cursorAfter(
    deps,
    watched.map((w) => w.accountId),
  );
  for (const { accountId, removeUnmanaged } of [...watched.slice(start), ...watched.slice(0, start)]) {
    checkTime(deps);
    const listedIds = new Set<string>();
    let unsettled: Set<string> | undefined;
    for (const permissionSetArn of byAccount.get(accountId) ?? []) {
      checkTime(deps);
      for (const listed of await assignmentsOf(deps.ssoAdmin, instanceArn, accountId, permissionSetArn)) {
        summary.assignmentsSeen += 1;
        const assignment: UnmanagedAssignment = {
          instanceArn,
          accountId,
          permissionSetArn,
          principalType: listed.PrincipalType ?? 'USER',
          principalId: listed.PrincipalId ?? '',
        };
        const ledgerItem = await ledger.get({
          InstanceArn: instanceArn,
          PermissionSetArn: permissionSetArn,
          PrincipalId: assignment.principalId,
          PrincipalType: assignment.principalType as 'USER' | 'GROUP',
          TargetId: accountId,
          TargetType: 'AWS_ACCOUNT',
        });
        if (explainsAssignment(ledgerItem)) continue;
        summary.unmanagedSeen += 1;
        listedIds.add(findingIdOf(assignment));
        const at = deps.clock.now().toISOString();
        const { outcome, item } = await findings.seen(assignment, at);
        if (outcome !== 'seen') summary.newlyReported += 1;
        if (!removeUnmanaged) continue;
        const parameters = {
          InstanceArn: instanceArn,
          PermissionSetArn: permissionSetArn,
          PrincipalId: assignment.principalId,
          PrincipalType: assignment.principalType as 'USER' | 'GROUP',
          TargetId: accountId,
          TargetType: 'AWS_ACCOUNT' as const,
        };
        try {
          unsettled ??= await unsettledPairs(deps, accountId);
          if (hasUnsettledRequest(unsettled, parameters)) {
            summary.removalDeferred += 1;
            continue;
          }
          const result = await removeAssignment(deps, parameters, item.findingId);
          if (result.state === 'claimed elsewhere') {
            summary.removalDeferred += 1;
            continue;
          }
          if (result.state === 'error')
            throw Object.assign(new Error(result.error.message), { name: result.error.name });
          const current = (await findings.get(item.findingId)) ?? item;
          await findings.removed(current, deps.clock.now().toISOString(), {
            reason: 'removeUnmanaged is set for this account in policy',
            deletionRequestId: result.deletionRequestId,
            deletionStatus: result.deletionStatus,
          });
          summary.removed += 1;
        } catch (error) {
          if ((error as Error).name === 'ReconcilerOutOfTime') throw error;
          summary.errors += 1;
          logger.warn('Removing an unmanaged assignment failed; the next run tries again', {
            accountId,
            errorName: (error as Error).name,
          });
        }
      }
    }
    // Listed in full: every open finding of the account that was not seen is gone.
    for (const open of await findings.openFor(accountId)) {
      if (listedIds.has(open.findingId)) continue;
      if (await findings.gone(open, deps.clock.now().toISOString())) summary.gone += 1;
    }
    summary.accountsListed += 1;
    await saveCursor(deps, accountId);
  }
};

const CURSOR_KEY = { pk: 'RECONCILER#CURSOR', sk: 'UNMANAGED' };

/** Where this run starts: the account after the last one listed in full (0 when none, or it is no longer watched). */
const cursorAfter = async (deps: ReconcilerDeps, accounts: readonly string[]): Promise<number> => {
  const { Item } = await deps.db.send(new GetCommand({ TableName: deps.tableName, Key: CURSOR_KEY }));
  const last = accounts.indexOf(String((Item as { lastAccountId?: string } | undefined)?.lastAccountId ?? ''));
  return last < 0 ? 0 : (last + 1) % accounts.length;
};

const saveCursor = async (deps: ReconcilerDeps, accountId: string): Promise<void> => {
  await deps.db.send(
    new UpdateCommand({
      TableName: deps.tableName,
      Key: CURSOR_KEY,
      UpdateExpression: 'SET lastAccountId = :account',
      ExpressionAttributeValues: { ':account': accountId },
    }),
  );
};
