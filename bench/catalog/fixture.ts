// The catalog benchmark's directory and policy, generated from a seed and never committed: an organisation of
// accounts in an OU tree several levels deep, named permission sets, and an Identity Store of users in groups, in the
// LOCAL_FIXTURES shape (local/emulators/fixtures.ts), with a policy that uses the second-stage fields (requesters by
// group, OrganizationalUnit and PermissionSetName matches, `principals: "self"`, group approvers, a rule that needs
// no approval), so that working out one person's catalog is real work.
import type {
  IdentityStoreFixtures,
  OrganizationsFixtures,
  PermissionSetFixture,
  SsoFixtures,
} from '../../local/emulators/fixtures.js';
import type { Policy, PolicyRule } from '../../functions/policy/policy.js';
import { createRandom, type Random } from '../lib/random.js';

export interface CatalogShape {
  accounts: number;
  ous: number;
  /** OU levels below the root; the deepest OUs sit this many levels down. */
  ouDepth: number;
  permissionSets: number;
  users: number;
  groups: number;
  /** Each user belongs to between `min` and `max` groups, both included. */
  groupsPerUser: { min: number; max: number };
  /** Members of each approver group: small, as approver groups are, so a request notifies a handful of people. */
  approversPerGroup: number;
  seed: number;
}

/** Issue 11's "Performance" section. */
export const defaultCatalogShape = (): CatalogShape => ({
  accounts: 600,
  ous: 40,
  ouDepth: 4,
  permissionSets: 60,
  users: 5000,
  groups: 300,
  groupsPerUser: { min: 3, max: 10 },
  approversPerGroup: 6,
  seed: 11,
});

/** The sections of LOCAL_FIXTURES the benchmark replaces; Proton keeps its defaults. */
export interface CatalogFixtures {
  sso: Omit<SsoFixtures, 'permissionSets'> & { permissionSets: PermissionSetFixture[] };
  identityStore: IdentityStoreFixtures;
  organizations: OrganizationsFixtures;
}

export interface GeneratedCatalog {
  shape: CatalogShape;
  fixtures: CatalogFixtures;
  policy: Policy;
  /** Per OU id, its level below the root (1 = a child of the root). */
  ouLevels: ReadonlyMap<string, number>;
  /** Per userName, the displayNames of the groups they are in. */
  groupsOfUser: ReadonlyMap<string, readonly string[]>;
  /** The approver groups' displayNames; every other group is an ordinary team. */
  approverGroups: readonly string[];
  /**
   * Emails of the users some SSO rule that needs approval lets ask (a member of one of its requester groups), in
   * generation order: the benchmark's callers, so that each catalog call and submit has something to show and ask.
   */
  eligibleRequesters: readonly string[];
}

const FIRST_NAMES = ['Ada', 'Ben', 'Chidi', 'Dara', 'Elif', 'Farah', 'Goran', 'Hana', 'Ines', 'Jonas', 'Kemi', 'Luca'];
const LAST_NAMES = ['Abara', 'Berg', 'Costa', 'Dubois', 'Eze', 'Fischer', 'Garcia', 'Haddad', 'Ito', 'Jensen', 'Kowal'];
const AREAS = ['Workloads', 'Platform', 'Security', 'Data', 'Sandbox', 'Shared', 'Research', 'Edge'];
const STAGES = ['Prod', 'NonProd', 'Staging', 'Dev', 'Test', 'Perf', 'DR', 'Lab'];
/** Familiar names first: the policy matches on them. The rest are numbered to reach the shape's count. */
const PERMISSION_SET_NAMES = [
  'ReadOnly',
  'ViewOnly',
  'SecurityAudit',
  'PowerUser',
  'Admin',
  'DatabaseAdmin',
  'NetworkAdmin',
  'DataScientist',
  'Billing',
  'SupportUser',
];
const INSTANCE_ID = 'ssoins-7907000000000c47';
const ROOT_ID = 'r-bc11';
const IDENTITY_STORE_ID = 'd-90670000c4';

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** How many OUs each level holds: growing with depth (1:2:3:…), every level at least one, summing to `total`. */
export const ouLevelSizes = (total: number, depth: number): number[] => {
  if (depth < 1 || total < depth) throw new Error(`cannot nest ${total} OUs ${depth} levels deep`);
  const weight = (depth * (depth + 1)) / 2;
  const sizes = Array.from({ length: depth }, (_, i) => Math.max(1, Math.floor((total * (i + 1)) / weight)));
  const last = depth - 1;
  sizes[last] = (sizes[last] ?? 0) + total - sizes.reduce((a, b) => a + b, 0);
  return sizes;
};

/** `count` distinct indexes below `n`, in the order drawn. */
const distinct = (random: Random, n: number, count: number): number[] => {
  if (count > n) throw new Error(`cannot draw ${count} distinct values below ${n}`);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(random.int(n));
  return [...chosen];
};

const organization = (shape: CatalogShape, random: Random) => {
  const sizes = ouLevelSizes(shape.ous, shape.ouDepth);
  const ous: OrganizationsFixtures['ous'] = [];
  const ouLevels = new Map<string, number>();
  const byLevel: Array<Array<{ id: string; name: string }>> = [];
  let next = 0;
  sizes.forEach((size, level) => {
    const above = level === 0 ? [{ id: ROOT_ID, name: 'Root' }] : (byLevel[level - 1] ?? []);
    const here: Array<{ id: string; name: string }> = [];
    for (let i = 0; i < size; i += 1) {
      // Spread evenly over the level above, so every branch reaches the full depth.
      const parent = above[i % above.length] ?? { id: ROOT_ID, name: 'Root' };
      const id = `ou-bc11-${next.toString(16).padStart(8, '0')}`;
      const name =
        level === 0
          ? (AREAS[i % AREAS.length] ?? 'Area') + (i >= AREAS.length ? ` ${i}` : '')
          : `${parent.name.split(' / ')[0]} / ${STAGES[i % STAGES.length]} ${pad(next, 2)}`;
      ous.push({ id, name, parentId: parent.id });
      ouLevels.set(id, level + 1);
      here.push({ id, name });
      next += 1;
    }
    byLevel.push(here);
  });
  // Every OU gets an account first, the rest land anywhere: a realistic spread with no empty OU.
  const accounts = Array.from({ length: shape.accounts }, (_, i) => {
    const ou = ous[i < ous.length ? i : random.int(ous.length)] ?? ous[0];
    const slug = (ou?.name ?? 'acct')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .slice(0, 36);
    return { id: String(200_000_000_000 + i * 1_000_003), name: `${slug}-${pad(i, 3)}`, parentId: ou?.id ?? ROOT_ID };
  });
  return { organizations: { rootId: ROOT_ID, ous, accounts }, ouLevels, byLevel };
};

const permissionSets = (shape: CatalogShape): PermissionSetFixture[] =>
  Array.from({ length: shape.permissionSets }, (_, i) => {
    const name = PERMISSION_SET_NAMES[i] ?? `Team${pad(i, 2)}-Operator`;
    return {
      arn: `arn:aws:sso:::permissionSet/${INSTANCE_ID}/ps-${(0xbc110000 + i).toString(16).padStart(16, '0')}`,
      name,
      description: `${name}: generated for the catalog benchmark`,
    };
  });

const directory = (shape: CatalogShape, random: Random, approverGroupCount: number) => {
  const users = Array.from({ length: shape.users }, (_, i) => {
    const first = random.pick(FIRST_NAMES);
    const last = random.pick(LAST_NAMES);
    const userName = `${first.toLowerCase()}.${last.toLowerCase()}.${pad(i, 4)}`;
    return { userId: random.uuid(), userName, displayName: `${first} ${last}`, email: `${userName}@bench.example.com` };
  });
  const groupNames = Array.from({ length: shape.groups }, (_, g) =>
    g < approverGroupCount ? `Approvers ${AREAS[g] ?? g}` : `Team ${pad(g - approverGroupCount, 3)}`,
  );
  const memberships = users.map(() => new Set<number>());
  // Approver groups first, small; then every user is topped up with ordinary teams to a count within the bounds.
  for (let g = 0; g < approverGroupCount; g += 1)
    for (const u of distinct(random, users.length, shape.approversPerGroup)) memberships[u]?.add(g);
  const teams = shape.groups - approverGroupCount;
  const { min, max } = shape.groupsPerUser;
  for (const joined of memberships) {
    const target = Math.max(joined.size, min + random.int(max - min + 1));
    while (joined.size < target) joined.add(approverGroupCount + random.int(teams));
  }
  const members = groupNames.map(() => [] as string[]);
  memberships.forEach((joined, u) => {
    for (const g of joined) members[g]?.push(users[u]?.userName ?? '');
  });
  const groups = groupNames.map((displayName, g) => ({
    groupId: random.uuid(),
    displayName,
    description: g < approverGroupCount ? `Approve access to ${AREAS[g] ?? g}` : `Generated team ${displayName}`,
    members: members[g] ?? [],
  }));
  const groupsOfUser = new Map(
    users.map((user, u) => [user.userName, [...(memberships[u] ?? [])].map((g) => groupNames[g] ?? '')]),
  );
  return { identityStore: { id: IDENTITY_STORE_ID, users, groups }, groupNames, groupsOfUser };
};

const group = (name: string): string => `group:${name}`;

export const generateCatalogFixture = (shape: CatalogShape = defaultCatalogShape()): GeneratedCatalog => {
  const random = createRandom(shape.seed);
  const { organizations, ouLevels, byLevel } = organization(shape, random);
  const sets = permissionSets(shape);
  const approverGroupCount = 5;
  const { identityStore, groupNames, groupsOfUser } = directory(shape, random, approverGroupCount);
  const approverGroups = groupNames.slice(0, approverGroupCount);
  const teams = groupNames.slice(approverGroupCount);
  const teamRange = (from: number, to: number): string[] => teams.slice(from, to).map(group);
  const names = sets.map((set) => set.name);
  const [top1, top2, top3, top4] = byLevel[0] ?? [];
  // A third-level OU, under the first top-level one (OUs are spread over their parents in order): its stricter rule comes first and takes part of the broader one's
  // product away for the people it lets ask.
  const deep = byLevel[2]?.[0] ?? top1;
  const inFourth = organizations.accounts.filter((a) => a.parentId === top4?.id).slice(0, 20);
  const approver = (g: number): string => group(approverGroups[g] ?? '');
  const someApprover = identityStore.groups[0]?.members[0] ?? '';
  const approverEmail = identityStore.users.find((u) => u.userName === someApprover)?.email ?? '';

  const sso = 'sso:CreateAccountAssignment';
  const rules: PolicyRule[] = [
    {
      action: sso,
      requesters: teamRange(0, 12),
      match: { OrganizationalUnit: [deep?.id ?? ROOT_ID], PermissionSetName: ['Admin', 'PowerUser'] },
      principals: 'self',
      // A group and a person, so the quorum of two never depends on the group alone.
      approvers: [approver(2), approverEmail],
      minApprovals: 2,
      maxDurationMinutes: 60,
    },
    {
      action: sso,
      requesters: teamRange(0, 40),
      match: { OrganizationalUnit: [top1?.id ?? ROOT_ID], PermissionSetName: names.slice(3, 14) },
      principals: 'self',
      approvers: [approver(0)],
      minApprovals: 1,
      maxDurationMinutes: 240,
    },
    {
      action: sso,
      requesters: teamRange(20, 60),
      match: { OrganizationalUnit: [top2?.id ?? ROOT_ID, top3?.id ?? ROOT_ID], PermissionSetName: names.slice(14, 30) },
      principals: 'self',
      approvers: [approver(1)],
      minApprovals: 1,
      maxDurationMinutes: 480,
    },
    {
      action: sso,
      requesters: teamRange(40, 60),
      match: { TargetId: inFourth.map((a) => a.id), PermissionSetName: ['PowerUser', 'DataScientist'] },
      principals: 'self',
      approvers: [approver(3)],
      minApprovals: 1,
      maxDurationMinutes: 120,
    },
    {
      action: sso,
      requesters: teamRange(0, 60),
      match: { OrganizationalUnit: [ROOT_ID], PermissionSetName: ['ReadOnly', 'ViewOnly', 'SecurityAudit'] },
      principals: 'self',
      approvers: [approver(4)],
      approvalRequired: false,
      maxDurationMinutes: 480,
    },
    {
      action: 'proton:AcceptEnvironmentAccountConnection',
      requesters: teamRange(0, 30),
      approvers: [approver(1)],
    },
  ];
  const policy: Policy = {
    identity: { claim: 'email', userAttribute: 'emails.value' },
    approvalTimeoutSeconds: 86_400,
    auditors: [identityStore.users[identityStore.users.length - 1]?.email ?? ''],
    rules,
  };

  // Members of the requester groups of rules that need approval: the first four.
  const askable = new Set(
    rules
      .slice(0, 4)
      .flatMap((rule) => rule.requesters ?? [])
      .map((entry) => entry.slice('group:'.length)),
  );
  const eligibleRequesters = identityStore.users
    .filter((user) => (groupsOfUser.get(user.userName) ?? []).some((name) => askable.has(name)))
    .map((user) => user.email);

  return {
    shape,
    fixtures: {
      sso: {
        instanceArn: `arn:aws:sso:::instance/${INSTANCE_ID}`,
        permissionSets: sets,
        principals: [],
        accounts: [],
        provisioningSeconds: 1,
      },
      identityStore,
      organizations,
    },
    policy,
    ouLevels,
    groupsOfUser,
    approverGroups,
    eligibleRequesters,
  };
};

/** A by-name SSO request body's parameters, and the rule the policy routes it to. */
export interface ByNameAsk {
  parameters: { TargetId: string; PermissionSetName: string };
  ruleIndex: number;
  maxDurationMinutes: number;
}

/**
 * Picks, for one person, something they may ask for that needs approval, straight from the generated policy (the
 * same first-eligible-rule-that-matches walk DESIGN.md gives): so submit can be measured on its own, with callers the
 * catalog function never saw. `n` varies the pick. Undefined when the person may ask for nothing that needs approval.
 */
export const createAsker = (generated: GeneratedCatalog): ((email: string, n: number) => ByNameAsk | undefined) => {
  const { organizations, identityStore } = generated.fixtures;
  const parents = new Map(organizations.ous.map((ou) => [ou.id, ou.parentId]));
  const ancestors = new Map(
    organizations.accounts.map((account) => {
      const chain: string[] = [];
      for (let at: string | undefined = account.parentId; at !== undefined; at = parents.get(at)) chain.push(at);
      return [account.id, chain];
    }),
  );
  const userNameByEmail = new Map(identityStore.users.map((user) => [user.email, user.userName]));
  const sso = generated.policy.rules
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => rule.action === 'sso:CreateAccountAssignment');
  /** The rule's account scope: its TargetId list and its OUs, nested OUs included. */
  const inScope = (rule: PolicyRule, accountId: string): boolean => {
    const { OrganizationalUnit: ous, TargetId: targets } = rule.match ?? {};
    if (targets && !targets.includes(accountId)) return false;
    return !ous || ous.some((ou) => ancestors.get(accountId)?.includes(ou));
  };
  const matches = (rule: PolicyRule, accountId: string, setName: string): boolean =>
    inScope(rule, accountId) && (rule.match?.PermissionSetName?.includes(setName) ?? true);
  const accountsFor = (rule: PolicyRule): string[] =>
    organizations.accounts.map((a) => a.id).filter((id) => inScope(rule, id));
  return (email, n) => {
    const groups = new Set(generated.groupsOfUser.get(userNameByEmail.get(email) ?? '') ?? []);
    const eligible = sso.filter(({ rule }) =>
      (rule.requesters ?? []).some((entry) => entry.startsWith('group:') && groups.has(entry.slice('group:'.length))),
    );
    const askable = eligible.filter(({ rule }) => rule.approvalRequired !== false);
    for (let attempt = 0; attempt < askable.length * 4; attempt += 1) {
      const candidate = askable[(n + attempt) % askable.length];
      if (!candidate) return undefined;
      const accounts = accountsFor(candidate.rule);
      const names = candidate.rule.match?.PermissionSetName ?? [];
      const accountId = accounts[(n * 7 + attempt) % Math.max(1, accounts.length)];
      const setName = names[(n + attempt) % Math.max(1, names.length)];
      if (accountId === undefined || setName === undefined) continue;
      // The first eligible rule that matches decides; it must be this one (an earlier one may take the pair).
      const decides = eligible.find(({ rule }) => matches(rule, accountId, setName));
      if (decides?.index !== candidate.index) continue;
      return {
        parameters: { TargetId: accountId, PermissionSetName: setName },
        ruleIndex: candidate.index,
        maxDurationMinutes: candidate.rule.maxDurationMinutes ?? 480,
      };
    }
    return undefined;
  };
};
