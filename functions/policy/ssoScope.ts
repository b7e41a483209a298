// What an sso:CreateAccountAssignment rule's match covers once the directory is known: the accounts (TargetId,
// narrowed to those below an OrganizationalUnit) and the permission sets (PermissionSetArn, narrowed to a
// PermissionSetName). The directory check, routing and the catalog all read a rule's OU and name keys through here,
// so that "matches" means the same thing in all three.
import type { NamedPermissionSet, OrganizationTree } from '../directory/directory.js';
import type { PolicyRule } from './policy.js';

/** Whether the account sits in one of `units` or below it; the root id covers every account of the organisation. */
export const accountInUnits = (tree: OrganizationTree, accountId: string, units: readonly string[]): boolean => {
  const account = tree.accounts.get(accountId);
  return account?.ancestors.some((id) => units.includes(id)) ?? false;
};

/**
 * The account ids the rule can match, or undefined when it constrains no account (any account matches). A TargetId
 * outside the organisation listing stays in (SSO Admin may know accounts Organizations does not list to us); an
 * OrganizationalUnit only ever covers accounts the listing places below it.
 */
export const ruleAccountIds = (rule: PolicyRule, tree: OrganizationTree): Set<string> | undefined => {
  const targetIds = rule.match?.TargetId;
  const units = rule.match?.OrganizationalUnit;
  if (!units) return targetIds ? new Set(targetIds) : undefined;
  const candidates = targetIds ?? [...tree.accounts.keys()];
  return new Set(candidates.filter((id) => accountInUnits(tree, id, units)));
};

/**
 * The permission-set ARNs the rule can match, or undefined when it constrains none. A PermissionSetArn the instance
 * does not have stays in, so that the directory check can name it.
 */
export const rulePermissionSetArns = (
  rule: PolicyRule,
  permissionSets: readonly NamedPermissionSet[],
): Set<string> | undefined => {
  const arns = rule.match?.PermissionSetArn;
  const names = rule.match?.PermissionSetName;
  if (!names) return arns ? new Set(arns) : undefined;
  const named = permissionSets.filter((ps) => names.includes(ps.name)).map((ps) => ps.arn);
  return new Set(arns ? named.filter((arn) => arns.includes(arn)) : named);
};

/** Whether every member of `later` (undefined = everything) is in `earlier` (undefined = everything). */
export const setCovers = (earlier: ReadonlySet<string> | undefined, later: ReadonlySet<string> | undefined): boolean =>
  earlier === undefined || (later !== undefined && [...later].every((value) => earlier.has(value)));
