// The reconciler's Identity Center reads: whether one assignment is listed, and what a watched account holds. Every
// call goes through the one client the reconciler is given, so each takes the shared Identity Center budget.
import {
  ListAccountAssignmentsCommand,
  ListAccountsForProvisionedPermissionSetCommand,
  ListPermissionSetsCommand,
  type AccountAssignment,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';

/** Read one way everywhere (provisioning/assignmentListing.ts). */
export { assignmentListed } from '../provisioning/assignmentListing.js';

const PAGE = 100;

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
 * assignment, so only they need ListAccountAssignments. Learnt per permission set: ListPermissionSets, then
 * ListAccountsForProvisionedPermissionSet for each (a page holds 100 accounts, watched or not). That costs
 * 1 + Σ ceil(accounts provisioned with the set / 100) calls however many accounts are watched: with 600 accounts and
 * 60 permission sets, 1 + 60 × 6 = 361. (Per account, ListPermissionSetsProvisionedToAccount, would cost one call per
 * watched account: fewer when only a few accounts are watched. The local emulator does not offer it; see README.)
 */
export const provisionedPairs = async (
  ssoAdmin: SSOAdminClient,
  instanceArn: string,
  accounts: readonly string[],
  checkTime: () => void,
): Promise<Map<string, string[]>> => {
  const byAccount = new Map(accounts.map((account) => [account, [] as string[]]));
  for (const set of await permissionSets(ssoAdmin, instanceArn)) {
    checkTime();
    for (const account of await accountsProvisionedWith(ssoAdmin, instanceArn, set)) byAccount.get(account)?.push(set);
  }
  return byAccount;
};
