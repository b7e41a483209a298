// The policy checked against the directory: what parsePolicy cannot know from the file alone. It runs once per
// container before the first answer that depends on the directory (submit, catalog), and at the local stack's start,
// so a policy naming a group, OU or permission set that does not exist stops the function loudly instead of
// quietly matching nothing. Only what the policy uses is read: a policy without groups, OUs or permission-set keys
// makes no directory call at all.
import {
  type Directory,
  type NamedPermissionSet,
  OrganizationUnavailableError,
  type OrganizationTree,
} from '../directory/directory.js';
import { ConfigError } from '../shared/errors.js';
import { mapBounded } from '../shared/mapBounded.js';
import { expandApprovers } from './approvers.js';
import {
  groupName,
  matchCovers,
  principalsCover,
  requestersCover,
  ruleLabel,
  type Policy,
  type PolicyRule,
} from './policy.js';
import { ruleAccountIds, rulePermissionSetArns, setCovers } from './ssoScope.js';
import { SSO_ASSIGNMENT_ACTION as SSO_ACTION } from '../actions/actionNames.js';

/** Keys compared once expanded to account and permission-set sets; every other key is compared as written. */
const EXPANDED_KEYS = new Set(['TargetId', 'OrganizationalUnit', 'PermissionSetArn', 'PermissionSetName']);

const literalMatch = (rule: PolicyRule): Record<string, string[]> =>
  Object.fromEntries(Object.entries(rule.match ?? {}).filter(([key]) => !EXPANDED_KEYS.has(key)));

const uses = (rule: PolicyRule, key: string): boolean => rule.action === SSO_ACTION && rule.match?.[key] !== undefined;

/** How many directory look-ups of the check overlap at most (group names, approver expansions). */
const LOOKUPS_AT_ONCE = 8;

/** The organisation, or a ConfigError: OrganizationalUnit rules cannot be checked, or ever match, without it. */
const readTree = async (directory: Directory, source: string): Promise<OrganizationTree> => {
  try {
    return await directory.organization();
  } catch (error) {
    if (!(error instanceof OrganizationUnavailableError)) throw error;
    // No OU rule could ever match: refuse the policy rather than route those requests elsewhere.
    throw new ConfigError(
      `Invalid ${source}: OrganizationalUnit rules need the organisation, which cannot be read (${error.message})`,
    );
  }
};

/** Throws a ConfigError naming every rule and value the directory contradicts; resolves when there is none. */
export const checkPolicyAgainstDirectory = async (
  policy: Policy,
  directory: Directory,
  source = 'policy',
): Promise<void> => {
  const problems: string[] = [];
  const rules = policy.rules.map((rule, index) => ({ rule, index, label: ruleLabel(rule, index) }));

  // Groups, by name: each requester or approver group must exist.
  const groupNames = new Set(
    policy.rules.flatMap((rule) => [...(rule.requesters ?? []), ...rule.approvers].map(groupName)),
  );
  groupNames.delete(undefined);
  const needsTree = rules.some(({ rule }) => uses(rule, 'OrganizationalUnit'));
  const needsPermissionSets = rules.some(
    ({ rule }) => uses(rule, 'PermissionSetName') || uses(rule, 'PermissionSetArn'),
  );
  // The groups, the organisation and the permission sets do not depend on one another: read together, a cold check
  // waits for the longest of them, not their sum. Group look-ups share the directory's one group listing; those that
  // miss it (GetGroupId) overlap at most LOOKUPS_AT_ONCE at a time rather than burst at Identity Store's 20 a second.
  const treeRead = needsTree ? readTree(directory, source) : Promise.resolve(undefined);
  const permissionSetsRead = needsPermissionSets ? directory.permissionSets() : Promise.resolve(undefined);
  // Both are awaited below; until then a failure of one must not surface as an unhandled rejection.
  treeRead.catch(() => undefined);
  permissionSetsRead.catch(() => undefined);
  const names = [...(groupNames as Set<string>)];
  const found = await mapBounded(names, LOOKUPS_AT_ONCE, (name) => directory.findGroup(name));
  const missingGroups = new Set(names.filter((_, index) => !found[index]));
  for (const { rule, label } of rules) {
    for (const field of ['requesters', 'approvers'] as const) {
      for (const entry of rule[field] ?? []) {
        const name = groupName(entry);
        if (name !== undefined && missingGroups.has(name)) {
          problems.push(`${label}: ${field} group "${name}" does not exist in Identity Center`);
        }
      }
    }
  }

  const tree = await treeRead;
  const permissionSets: NamedPermissionSet[] | undefined = await permissionSetsRead;

  for (const { rule, label } of rules) {
    if (rule.action !== SSO_ACTION) continue;
    if (tree) {
      const units = rule.match?.OrganizationalUnit ?? [];
      const unknown = units.filter((id) => id !== tree.rootId && !tree.ouIds.has(id));
      for (const id of unknown) problems.push(`${label}: OrganizationalUnit ${id} does not exist in the organisation`);
      if (units.length > 0 && unknown.length < units.length && ruleAccountIds(rule, tree)?.size === 0) {
        problems.push(
          `${label}: can never match, no account is below OrganizationalUnit ${units.join(', ')}${rule.match?.TargetId ? ` among TargetId ${rule.match.TargetId.join(', ')}` : ''}`,
        );
      }
    }
    if (permissionSets) {
      const names = new Set(permissionSets.map((ps) => ps.name));
      const arns = new Set(permissionSets.map((ps) => ps.arn));
      const unknownNames = (rule.match?.PermissionSetName ?? []).filter((name) => !names.has(name));
      for (const name of unknownNames) {
        problems.push(`${label}: PermissionSetName ${name} is not a permission set of the Identity Center instance`);
      }
      for (const arn of (rule.match?.PermissionSetArn ?? []).filter((value) => !arns.has(value))) {
        problems.push(`${label}: PermissionSetArn ${arn} is not a permission set of the Identity Center instance`);
      }
      if (rule.match?.PermissionSetName && rule.match.PermissionSetArn && unknownNames.length === 0) {
        if (rulePermissionSetArns(rule, permissionSets)?.size === 0) {
          problems.push(
            `${label}: can never match, none of its PermissionSetArn values has a listed PermissionSetName`,
          );
        }
      }
    }
  }

  // Shadowing once OUs and names are expanded; parsePolicy already compared the keys as written.
  if (tree || permissionSets) {
    for (const later of rules) {
      if (later.rule.action !== SSO_ACTION) continue;
      const shadowing = rules
        .slice(0, later.index)
        .find(
          ({ rule: earlier }) =>
            earlier.action === SSO_ACTION &&
            requestersCover(earlier, later.rule) &&
            principalsCover(earlier, later.rule) &&
            matchCovers(literalMatch(earlier), literalMatch(later.rule)) &&
            setCovers(
              tree ? ruleAccountIds(earlier, tree) : earlier.match?.TargetId && new Set(earlier.match.TargetId),
              tree
                ? ruleAccountIds(later.rule, tree)
                : later.rule.match?.TargetId && new Set(later.rule.match.TargetId),
            ) &&
            setCovers(
              permissionSets ? rulePermissionSetArns(earlier, permissionSets) : undefined,
              permissionSets ? rulePermissionSetArns(later.rule, permissionSets) : undefined,
            ),
        );
      if (shadowing) {
        problems.push(
          `${later.label}: unreachable, once OUs and permission-set names are expanded every request it matches is already matched by ${shadowing.label}`,
        );
      }
    }
  }

  // A quorum counted in members: a group of two cannot give three approvals, whoever asks.
  const quorumRules = rules.filter(
    ({ rule }) =>
      rule.approvalRequired !== false &&
      rule.approvers.some((entry) => groupName(entry) !== undefined) &&
      !rule.approvers.some((entry) => missingGroups.has(groupName(entry) ?? '')),
  );
  const expanded = await mapBounded(quorumRules, LOOKUPS_AT_ONCE, ({ rule }) =>
    expandApprovers(policy, rule, directory),
  );
  quorumRules.forEach(({ rule, label }, index) => {
    const approvers = expanded[index] ?? [];
    const minApprovals = rule.minApprovals ?? 1;
    if (approvers.length < minApprovals) {
      problems.push(
        `${label}: minApprovals ${minApprovals} can never be reached, its approvers expand to ${approvers.length} people`,
      );
    }
  });

  if (problems.length > 0) throw new ConfigError(`Invalid ${source}: ${problems.join('; ')}`);
};
