// GET /catalog: what the caller may request, by name, grouped by the rule that would route it (DESIGN.md, "GET
// /catalog"). It reads the same rules in the same order as routing (eligibility.ts) so that what it offers is what a
// submit accepts, with one difference kept on purpose: requester groups come from the caller's cached group list
// (groupsOf, about a minute), not from a fresh IsMemberInGroups. A person removed from a group keeps their entries for
// at most that minute; submit re-checks membership, so they can see but not use them.
import type { Directory, DirectoryUser, NamedPermissionSet, OrganizationTree } from '../directory/directory.js';
import { OrganizationUnavailableError } from '../directory/directory.js';
import { expandApprovers } from '../policy/approvers.js';
import type { ResolvedCaller } from '../policy/eligibility.js';
import {
  groupName,
  matchCovers,
  principalScope,
  principalsCover,
  ruleMaxDurationMinutes,
  type Policy,
  type PolicyRule,
  type PrincipalScope,
} from '../policy/policy.js';
import { ruleAccountIds, rulePermissionSetArns } from '../policy/ssoScope.js';
import type { PendingConnection } from './pendingConnections.js';
import { SSO_ASSIGNMENT_ACTION as SSO_ACTION } from '../actions/actionNames.js';

const PROTON_ACTION = 'proton:AcceptEnvironmentAccountConnection';

export interface CatalogIdentity {
  id: string;
  userId?: string;
  displayName?: string;
  /** The caller's Identity Center groups, by name. */
  groups: string[];
}

interface Decision {
  approvers: string[];
  minApprovals: number;
  approvalRequired: boolean;
}

export interface SsoCatalogEntry extends Decision {
  action: typeof SSO_ACTION;
  accounts: Array<{ id: string; name: string }>;
  permissionSets: Array<{ arn: string; name: string; description?: string }>;
  principals: PrincipalScope;
  maxDurationMinutes: number;
}

export interface ProtonCatalogEntry extends Decision {
  action: typeof PROTON_ACTION;
  connections: PendingConnection[];
}

export interface Catalog {
  identity: CatalogIdentity;
  entries: Array<SsoCatalogEntry | ProtonCatalogEntry>;
}

export interface CatalogDeps {
  directory: Directory;
  /** The PENDING environment account connections this management account may accept (every page). */
  pendingConnections: () => Promise<PendingConnection[]>;
}

// A rule's account and permission-set sets depend only on the rule and the listings, so they are kept per listing
// object: the directory hands out the same object while its cache is fresh (about five minutes) and a new one after,
// which drops these with it.
const accountsByTree = new WeakMap<OrganizationTree, Map<PolicyRule, Set<string> | undefined>>();
const arnsByListing = new WeakMap<readonly NamedPermissionSet[], Map<PolicyRule, Set<string>>>();

const memo = <K extends object, V>(cache: WeakMap<K, Map<PolicyRule, V>>, key: K, rule: PolicyRule, make: () => V) => {
  const perRule = cache.get(key) ?? new Map<PolicyRule, V>();
  cache.set(key, perRule);
  if (!perRule.has(rule)) perRule.set(rule, make());
  return perRule.get(rule) as V;
};

/** Keys that say for whom a rule grants; an earlier rule subtracts from a later one only if it covers these too. */
const PRINCIPAL_KEYS = ['InstanceArn', 'PrincipalId', 'PrincipalType'];
const pick = (rule: PolicyRule, keys: readonly string[]): Record<string, string[]> =>
  Object.fromEntries(Object.entries(rule.match ?? {}).filter(([key]) => keys.includes(key)));

/** Whether the caller may use the rule: no `requesters`, or named there, or in one of its groups (by name). */
const admits = (rule: PolicyRule, caller: ResolvedCaller, groupNames: ReadonlySet<string>): boolean =>
  rule.requesters === undefined ||
  rule.requesters.some((entry) => {
    const name = groupName(entry);
    return name === undefined ? entry === caller.id : groupNames.has(name);
  });

/** Whether the rule can grant anything to this caller at all, given its scope and the principals it names. */
const usableFor = (rule: PolicyRule, user: DirectoryUser | undefined, instanceArn: string): boolean => {
  if (rule.match?.InstanceArn && !rule.match.InstanceArn.includes(instanceArn)) return false;
  const scope = principalScope(rule);
  if (scope === 'any') return true;
  if (!user) return false;
  if (scope === 'self-or-groups') return true;
  const { PrincipalType: types, PrincipalId: ids } = rule.match ?? {};
  return (!types || types.includes('USER')) && (!ids || ids.includes(user.userId));
};

const decision = async (
  policy: Policy,
  rule: PolicyRule,
  directory: Directory,
  caller: ResolvedCaller,
): Promise<Decision | undefined> => {
  if (rule.approvalRequired === false) return { approvers: [], minApprovals: 0, approvalRequired: false };
  const minApprovals = rule.minApprovals ?? 1;
  const approvers = (await expandApprovers(policy, rule, directory)).filter((approver) => approver !== caller.id);
  // Routing would refuse this caller's request on this rule (NoApprovalRule), so it is not offered.
  return approvers.length < minApprovals ? undefined : { approvers, minApprovals, approvalRequired: true };
};

export const buildCatalog = async (policy: Policy, caller: ResolvedCaller, deps: CatalogDeps): Promise<Catalog> => {
  const { directory } = deps;
  const { user } = caller;
  const groups = user ? await directory.groupsOf(user.userId) : [];
  const groupNames = new Set(groups.map((g) => g.displayName));
  const identity: CatalogIdentity = user
    ? { id: caller.id, userId: user.userId, displayName: user.displayName, groups: groups.map((g) => g.displayName) }
    : { id: caller.id, groups: [] };
  const admitted = policy.rules.filter((rule) => admits(rule, caller, groupNames));
  const ssoRules = admitted.filter((rule) => rule.action === SSO_ACTION);
  const protonRules = admitted.filter((rule) => rule.action === PROTON_ACTION);
  const [sso, proton] = await Promise.all([
    ssoRules.length > 0 ? ssoEntries(policy, ssoRules, caller, deps) : [],
    protonRules.length > 0 ? protonEntries(policy, protonRules, caller, deps) : [],
  ]);
  return { identity, entries: [...sso, ...proton] };
};

const ssoEntries = async (
  policy: Policy,
  rules: PolicyRule[],
  caller: ResolvedCaller,
  { directory }: CatalogDeps,
): Promise<SsoCatalogEntry[]> => {
  const [instanceArn, listing, tree] = await Promise.all([
    directory.instanceArn(),
    directory.permissionSets(),
    // Without Organizations access no OU rule can match (as in routing) and accounts are known by TargetId only.
    directory.organization().catch((error: unknown) => {
      if (error instanceof OrganizationUnavailableError) return undefined;
      throw error;
    }),
  ]);
  const permissionSetByArn = new Map(listing.map((ps) => [ps.arn, ps]));
  const accountsOf = (rule: PolicyRule): Set<string> | undefined => {
    if (tree) return memo(accountsByTree, tree, rule, () => ruleAccountIds(rule, tree));
    return rule.match?.OrganizationalUnit ? new Set() : rule.match?.TargetId && new Set(rule.match.TargetId);
  };
  // Only permission sets the instance has can be assigned, so a rule's set is always narrowed to the listing.
  const arnsOf = (rule: PolicyRule): Set<string> =>
    memo(arnsByListing, listing, rule, () => {
      const arns = rulePermissionSetArns(rule, listing);
      return new Set(arns ? [...arns].filter((arn) => permissionSetByArn.has(arn)) : permissionSetByArn.keys());
    });
  const allAccounts = tree ? [...tree.accounts.keys()] : [];
  const accountName = (id: string) => tree?.accounts.get(id)?.name ?? id;

  const entries: SsoCatalogEntry[] = [];
  const earlier: PolicyRule[] = [];
  for (const rule of rules) {
    if (!usableFor(rule, caller.user, instanceArn)) continue;
    const ruleDecision = await decision(policy, rule, directory, caller);
    // Earlier rules that route every principal this one allows take their products away from it. One whose scope is
    // narrower (self before any) does not: for other principals this rule still routes those pairs.
    const subtracting = earlier.filter(
      (e) => principalsCover(e, rule) && matchCovers(pick(e, PRINCIPAL_KEYS), pick(rule, PRINCIPAL_KEYS)),
    );
    earlier.push(rule);
    if (!ruleDecision) continue;
    const permissionSets = arnsOf(rule);
    if (permissionSets.size === 0) continue;
    // The product of accounts and permission sets minus the earlier rules' products, without ever listing the
    // product: each account keeps the permission sets no earlier rule covering that account takes, and accounts left
    // with the same sets share one entry. So an entry is one rectangle (accounts × sets), the entries' accounts are
    // disjoint, and the response holds each account once plus one set list per distinct remainder, whose number is
    // bounded by the earlier rules' combinations, not by the number of accounts.
    const byRemainder = new Map<string, { accounts: string[]; arns: string[] }>();
    for (const accountId of accountsOf(rule) ?? allAccounts) {
      const taken = subtracting.filter((e) => accountsOf(e)?.has(accountId) ?? true).map(arnsOf);
      const remaining = [...permissionSets].filter((arn) => !taken.some((set) => set.has(arn)));
      if (remaining.length === 0) continue;
      const key = remaining.join(' ');
      const group = byRemainder.get(key) ?? { accounts: [], arns: remaining };
      group.accounts.push(accountId);
      byRemainder.set(key, group);
    }
    for (const { accounts, arns } of byRemainder.values()) {
      entries.push({
        action: SSO_ACTION,
        accounts: accounts.map((id) => ({ id, name: accountName(id) })),
        permissionSets: arns.flatMap((arn) => {
          const ps = permissionSetByArn.get(arn);
          return ps ? [{ arn: ps.arn, name: ps.name, ...(ps.description ? { description: ps.description } : {}) }] : [];
        }),
        principals: principalScope(rule),
        ...ruleDecision,
        maxDurationMinutes: ruleMaxDurationMinutes(policy, rule),
      });
    }
  }
  return entries;
};

/** Whether the rule's match keys hold for the connection's facts (id, environment account and name). */
const matchesConnection = (rule: PolicyRule, connection: PendingConnection): boolean => {
  // The same names submit gives them: the parameter `id` and the looked-up facts (protonConnectionFacts.ts).
  const facts: Record<string, string> = {
    id: connection.id,
    environmentAccountId: connection.environmentAccountId,
    environmentName: connection.environmentName,
  };
  return Object.entries(rule.match ?? {}).every(([key, values]) => {
    const value = facts[key];
    return value !== undefined && values.includes(value);
  });
};

/** Each PENDING connection under the first rule the caller may use that matches it: where a submit would route it. */
const protonEntries = async (
  policy: Policy,
  rules: PolicyRule[],
  caller: ResolvedCaller,
  { directory, pendingConnections }: CatalogDeps,
): Promise<ProtonCatalogEntry[]> => {
  const connections = await pendingConnections();
  const byRule = new Map<PolicyRule, PendingConnection[]>();
  for (const connection of connections) {
    const rule = rules.find((r) => matchesConnection(r, connection));
    if (rule) byRule.set(rule, [...(byRule.get(rule) ?? []), connection]);
  }
  const entries: ProtonCatalogEntry[] = [];
  for (const rule of rules) {
    const routed = byRule.get(rule);
    if (!routed) continue;
    const ruleDecision = await decision(policy, rule, directory, caller);
    if (ruleDecision) entries.push({ action: PROTON_ACTION, connections: routed, ...ruleDecision });
  }
  return entries;
};
