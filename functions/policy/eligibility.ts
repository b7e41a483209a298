// Who may ask for what, for whom, and who decides (DESIGN.md, "Policy, second stage"). Rules are tried in order; a
// rule routes a request when it matches the action and its match keys, lets the requester use it (`requesters`) and
// allows the principal (`principals`). A rule that excludes the requester or the principal is skipped as if it did not
// match, and the refusal then says which of the two stopped the request and what the caller may do instead.
import {
  type Directory,
  type DirectoryUser,
  type NamedPermissionSet,
  OrganizationUnavailableError,
  type OrganizationTree,
} from '../directory/directory.js';
import { NoApprovalRuleError, NotEligibleError, PrincipalNotAllowedError } from '../shared/errors.js';
import { expandApprovers } from './approvers.js';
import {
  groupName,
  principalScope,
  ruleLabel,
  ruleMaxDurationMinutes,
  ruleTiming,
  type ApprovalRoute,
  type Policy,
  type PolicyRule,
} from './policy.js';
import { accountInUnits } from './ssoScope.js';

/** The caller as the JWT authorizer gave them. */
export interface CallerClaims {
  /** The person id used everywhere else (callerIdentity: `email`, else `sub`). */
  id: string;
  claims: Readonly<Record<string, unknown>>;
}

/** The caller with their Identity Center user, when the policy's `identity` mapping finds one. */
export interface ResolvedCaller {
  id: string;
  user?: DirectoryUser;
}

export interface RouteInput {
  action: string;
  /** The completed, validated parameters AWS will receive. */
  parameters: Record<string, string>;
  /** Facts looked up about the target (targetFacts.ts). */
  facts: Record<string, string>;
  caller: ResolvedCaller;
}

export interface RequestRoute extends ApprovalRoute {
  /** False when the matching rule sets `approvalRequired: false`: the system approves at once. */
  approvalRequired: boolean;
}

/**
 * Maps the caller to their Identity Center user through the policy's `identity` (claim `email` by default, matched
 * against `emails.value` by default). No claim, or no user with that value, leaves `user` undefined: such a caller may
 * still read and decide, and may request for a principal a rule allows them to name, but never for `self`.
 */
export const resolveCaller = async (
  policy: Policy,
  directory: Directory,
  caller: CallerClaims,
): Promise<ResolvedCaller> => {
  const value = caller.claims[policy.identity?.claim ?? 'email'];
  if (typeof value !== 'string' || value === '') return { id: caller.id };
  const user = await directory.findUser(policy.identity?.userAttribute ?? 'emails.value', value);
  return user ? { id: caller.id, user } : { id: caller.id };
};

/** Lazily read directory listings, each fetched at most once per routing and only when a candidate rule needs it. */
const listings = (directory: Directory) => {
  let tree: Promise<OrganizationTree | undefined> | undefined;
  let permissionSets: Promise<NamedPermissionSet[]> | undefined;
  return {
    // Without Organizations access no OU rule can match (the request falls to a later rule, or NoApprovalRule); an
    // OU policy is refused at load in that case anyway (directoryCheck.ts), so this only covers access lost since.
    organization: () =>
      (tree ??= directory.organization().catch((error: unknown) => {
        if (error instanceof OrganizationUnavailableError) return undefined;
        throw error;
      })),
    permissionSets: () => (permissionSets ??= directory.permissionSets()),
  };
};

/** Whether the rule's match keys hold for the request: literal values, or OU and permission-set name via the directory. */
const matches = async (
  rule: PolicyRule,
  values: Record<string, string>,
  lookups: ReturnType<typeof listings>,
): Promise<boolean> => {
  for (const [key, allowed] of Object.entries(rule.match ?? {})) {
    if (key === 'OrganizationalUnit') {
      const accountId = values.TargetId;
      const tree = await lookups.organization();
      if (accountId === undefined || !tree || !accountInUnits(tree, accountId, allowed)) return false;
    } else if (key === 'PermissionSetName') {
      const arn = values.PermissionSetArn;
      const named = (await lookups.permissionSets()).find((ps) => ps.arn === arn);
      if (!named || !allowed.includes(named.name)) return false;
    } else {
      const value = values[key];
      if (value === undefined || !allowed.includes(value)) return false;
    }
  }
  return true;
};

const groupsOfRule = (rule: PolicyRule): string[] =>
  (rule.requesters ?? []).flatMap((entry) => {
    const name = groupName(entry);
    return name === undefined ? [] : [name];
  });

/** Who a rule is for, in the policy's own words: group names and how many people it names, never a member list. */
const describeRequesters = (rule: PolicyRule): string => {
  const groups = groupsOfRule(rule);
  const people = (rule.requesters ?? []).length - groups.length;
  const parts = [
    ...(groups.length > 0 ? [`members of ${groups.map((g) => `"${g}"`).join(', ')}`] : []),
    ...(people > 0 ? [`${people} named ${people === 1 ? 'person' : 'people'}`] : []),
  ];
  return parts.join(' and ');
};

const CATALOG_HINT = 'See GET /catalog for what you may request.';

const principalAdvice = (rule: PolicyRule, index: number, caller: ResolvedCaller): string => {
  const label = ruleLabel(rule, index);
  if (!caller.user) {
    return `${label} grants only to the requester's own Identity Center user (principals "${principalScope(rule)}"), and none matches your sign-in, so you cannot ask for yourself under it; ask an administrator to map your sign-in to an Identity Center user. ${CATALOG_HINT}`;
  }
  return principalScope(rule) === 'self'
    ? `${label} grants only to yourself: leave out PrincipalId and PrincipalType to ask for your own user. ${CATALOG_HINT}`
    : `${label} grants only to yourself or to a group you belong to: leave out PrincipalId and PrincipalType to ask for your own user, or name a group you are a member of. ${CATALOG_HINT}`;
};

/**
 * Routes a request through the policy: the first rule that matches it, lets the caller use it and allows its principal
 * decides, with group approvers expanded to their members' identity values and the requester removed. Otherwise 403:
 * PrincipalNotAllowed when a matching rule let the caller in but not for this principal, NotEligible when rules
 * matched but none let the caller in, NoApprovalRule when none matched (or the quorum cannot be reached).
 *
 * Directory calls: the listings (organisation, permission sets) only when a candidate rule matches on OU or name, and
 * cached by the directory; group ids by name; then ONE memberOf for every group the decision could need, uncached, so
 * that a membership removed a moment ago is honoured; expanding group approvers reads the directory's cached members.
 */
export const routeRequest = async (policy: Policy, directory: Directory, input: RouteInput): Promise<RequestRoute> => {
  const { action, caller } = input;
  const values = { ...input.facts, ...input.parameters };
  const lookups = listings(directory);
  const candidates: Array<{ rule: PolicyRule; index: number }> = [];
  for (const [index, rule] of policy.rules.entries()) {
    if (rule.action === action && (await matches(rule, values, lookups))) candidates.push({ rule, index });
  }
  if (candidates.length === 0) {
    throw new NoApprovalRuleError(`No approval rule covers this ${action} request. ${CATALOG_HINT}`);
  }

  const memberships = await groupMemberships(directory, candidates, values, caller.user);
  const isMember = (groupId: string) => memberships.ids.has(groupId);
  let excludedRequester: { rule: PolicyRule; index: number } | undefined;
  let excludedPrincipal: { rule: PolicyRule; index: number } | undefined;
  for (const candidate of candidates) {
    const { rule } = candidate;
    const admitted =
      rule.requesters === undefined ||
      rule.requesters.some((entry) => {
        const name = groupName(entry);
        if (name === undefined) return entry === caller.id;
        const groupId = memberships.groupIdByName.get(name);
        return groupId !== undefined && isMember(groupId);
      });
    if (!admitted) {
      excludedRequester ??= candidate;
      continue;
    }
    if (!allowsPrincipal(rule, values, caller.user, isMember)) {
      excludedPrincipal ??= candidate;
      continue;
    }
    return route(policy, directory, candidate, caller);
  }
  if (excludedPrincipal) {
    throw new PrincipalNotAllowedError(principalAdvice(excludedPrincipal.rule, excludedPrincipal.index, caller));
  }
  const { rule, index } = excludedRequester as { rule: PolicyRule; index: number };
  throw new NotEligibleError(
    `You may not make this request: ${ruleLabel(rule, index)} covers it but is for ${describeRequesters(rule)}. ${CATALOG_HINT}${groupsOfRule(rule).length > 0 ? ' To use this rule, ask to be added to one of its groups.' : ''}`,
  );
};

/** Whether the rule lets the request name this principal (absent `principals` = any, as before the field existed). */
const allowsPrincipal = (
  rule: PolicyRule,
  values: Record<string, string>,
  user: DirectoryUser | undefined,
  isMember: (groupId: string) => boolean,
): boolean => {
  const scope = principalScope(rule);
  if (scope === 'any' || rule.action !== 'sso:CreateAccountAssignment') return true;
  if (!user) return false;
  const { PrincipalType: type, PrincipalId: id } = values;
  if (type === 'USER' && id === user.userId) return true;
  return scope === 'self-or-groups' && type === 'GROUP' && id !== undefined && isMember(id);
};

/**
 * The caller's memberships among every group the candidates could ask about: their `group:` requesters, and the
 * requested GROUP principal when a candidate allows `self-or-groups`. One memberOf call answers all of them; none is
 * made when no group is involved or the caller has no user (who is then a member of nothing).
 */
const groupMemberships = async (
  directory: Directory,
  candidates: ReadonlyArray<{ rule: PolicyRule }>,
  values: Record<string, string>,
  user: DirectoryUser | undefined,
): Promise<{ ids: ReadonlySet<string>; groupIdByName: ReadonlyMap<string, string> }> => {
  const groupIdByName = new Map<string, string>();
  if (!user) return { ids: new Set(), groupIdByName };
  const names = new Set(candidates.flatMap(({ rule }) => groupsOfRule(rule)));
  for (const name of names) {
    const group = await directory.findGroup(name);
    if (group) groupIdByName.set(name, group.groupId);
  }
  const asked = new Set(groupIdByName.values());
  const principalGroup =
    values.PrincipalType === 'GROUP' && candidates.some(({ rule }) => principalScope(rule) === 'self-or-groups')
      ? values.PrincipalId
      : undefined;
  if (principalGroup !== undefined) asked.add(principalGroup);
  if (asked.size === 0) return { ids: new Set(), groupIdByName };
  return { ids: await directory.memberOf(user.userId, [...asked]), groupIdByName };
};

const route = async (
  policy: Policy,
  directory: Directory,
  { rule, index }: { rule: PolicyRule; index: number },
  caller: ResolvedCaller,
): Promise<RequestRoute> => {
  const timing = ruleTiming(policy, rule);
  const maxDurationMinutes = ruleMaxDurationMinutes(policy, rule);
  if (rule.approvalRequired === false) {
    return { ruleIndex: index, approvers: [], minApprovals: 0, maxDurationMinutes, approvalRequired: false, ...timing };
  }
  const minApprovals = rule.minApprovals ?? 1;
  const approvers = (await expandApprovers(policy, rule, directory)).filter((approver) => approver !== caller.id);
  if (approvers.length < minApprovals) {
    throw new NoApprovalRuleError(
      `${ruleLabel(rule, index)} needs ${minApprovals} approval(s) but only ${approvers.length} approver(s) other than the requester exist`,
    );
  }
  return {
    ruleIndex: index,
    approvers,
    minApprovals,
    maxDurationMinutes,
    approvalRequired: true,
    ...timing,
    ...(rule.slackChannel !== undefined ? { slackChannel: rule.slackChannel } : {}),
  };
};
