// The reconciler's Identity Center reads: whether one assignment is listed, and what a watched account holds. Every
// call goes through the one client the reconciler is given, so each takes the shared Identity Center budget.
import {
  ListAccountAssignmentsCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListPermissionSetsCommand,
  ListPermissionSetsProvisionedToAccountCommand,
  type AccountAssignment,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import type { SsoAssignmentParameters } from '../actions/ssoCreateAccountAssignment.js';

const PAGE = 100;

/** Whether Identity Center lists this assignment now (following NextToken). */
export const assignmentListed = async (ssoAdmin: SSOAdminClient, p: SsoAssignmentParameters): Promise<boolean> => {
  let NextToken: string | undefined;
  do {
    const page = await ssoAdmin.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: p.InstanceArn,
        AccountId: p.TargetId,
        PermissionSetArn: p.PermissionSetArn,
        MaxResults: PAGE,
        NextToken,
      }),
    );
    if (
      (page.AccountAssignments ?? []).some(
        (a) => a.PrincipalId === p.PrincipalId && a.PrincipalType === p.PrincipalType,
      )
    )
      return true;
    NextToken = page.NextToken;
  } while (NextToken);
  return false;
};

/** Every assignment of one permission set on one account (following NextToken). */
export const assignmentsOf = async (
  ssoAdmin: SSOAdminClient,
  instanceArn: string,
  accountId: string,
  permissionSetArn: string,
): Promise<AccountAssignment[]> => {
  const all: AccountAssignment[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssoAdmin.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: instanceArn,
        AccountId: accountId,
        PermissionSetArn: permissionSetArn,
        MaxResults: PAGE,
        NextToken,
      }),
    );
    all.push(...(page.AccountAssignments ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
};

const permissionSetsProvisionedTo = async (
  ssoAdmin: SSOAdminClient,
  instanceArn: string,
  accountId: string,
): Promise<string[]> => {
  const all: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssoAdmin.send(
      new ListPermissionSetsProvisionedToAccountCommand({
        InstanceArn: instanceArn,
        AccountId: accountId,
        MaxResults: PAGE,
        NextToken,
      }),
    );
    all.push(...(page.PermissionSets ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
};

const permissionSets = async (ssoAdmin: SSOAdminClient, instanceArn: string): Promise<string[]> => {
  const all: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssoAdmin.send(
      new ListPermissionSetsCommand({ InstanceArn: instanceArn, MaxResults: PAGE, NextToken }),
    );
    all.push(...(page.PermissionSets ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
};

const accountsProvisionedWith = async (
  ssoAdmin: SSOAdminClient,
  instanceArn: string,
  permissionSetArn: string,
): Promise<string[]> => {
  const all: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await ssoAdmin.send(
      new ListAccountsForProvisionedPermissionSetCommand({
        InstanceArn: instanceArn,
        PermissionSetArn: permissionSetArn,
        MaxResults: PAGE,
        NextToken,
      }),
    );
    all.push(...(page.AccountIds ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return all;
};

/**
 * The permission sets provisioned to each watched account: the only (account, permission set) pairs that can hold an
 * assignment, so only they need ListAccountAssignments. Two ways to learn them, whichever costs fewer calls:
 * - per account, ListPermissionSetsProvisionedToAccount: one call per watched account (a page holds 100 sets);
 * - per permission set, ListAccountsForProvisionedPermissionSet: one call per permission set (a page holds 100
 *   accounts, of every account, watched or not), after ListPermissionSets.
 * With 600 watched accounts and 60 permission sets the second is about 1 + 60 × 6 = 361 calls against 600.
 */
export const provisionedPairs = async (
  ssoAdmin: SSOAdminClient,
  instanceArn: string,
  accounts: readonly string[],
  checkTime: () => void,
): Promise<{ byAccount: Map<string, string[]>; strategy: 'per-account' | 'per-permission-set' }> => {
  const byAccount = new Map(accounts.map((account) => [account, [] as string[]]));
  // A handful of accounts costs fewer calls per account than one listing of the permission sets could save.
  if (accounts.length <= 1) {
    for (const account of accounts) {
      checkTime();
      byAccount.set(account, await permissionSetsProvisionedTo(ssoAdmin, instanceArn, account));
    }
    return { byAccount, strategy: 'per-account' };
  }
  const sets = await permissionSets(ssoAdmin, instanceArn);
  if (sets.length >= accounts.length) {
    for (const account of accounts) {
      checkTime();
      byAccount.set(account, await permissionSetsProvisionedTo(ssoAdmin, instanceArn, account));
    }
    return { byAccount, strategy: 'per-account' };
  }
  for (const set of sets) {
    checkTime();
    for (const account of await accountsProvisionedWith(ssoAdmin, instanceArn, set)) byAccount.get(account)?.push(set);
  }
  return { byAccount, strategy: 'per-permission-set' };
};
