import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { findViolations, isRecord, type InputRules } from './validation.js';

/** A permission set with the name and description DescribePermissionSet answers. */
export interface PermissionSetFixture {
  arn: string;
  name: string;
  description?: string;
  /** ISO-8601 duration, as DescribePermissionSet answers it; PT1H, AWS's default, when absent. */
  sessionDuration?: string;
}

export interface SsoFixtures {
  instanceArn: string;
  /** Bare ARNs or named permission sets; a bare ARN is named after its `ps-` id unless `permissionSetNames` names it. */
  permissionSets: Array<string | PermissionSetFixture>;
  /**
   * Names for permission sets listed as bare ARNs. The defaults use it so that their `permissionSets` stay ARN
   * strings, which callers (tests, benchmarks) take as ARNs.
   */
  permissionSetNames?: Record<string, { name: string; description?: string }>;
  principals: Array<{ id: string; type: 'USER' | 'GROUP' }>;
  accounts: string[];
  provisioningSeconds: number;
  /** principal ids whose creations end FAILED (to exercise FailureReason) */
  failingPrincipals?: string[];
  /**
   * Assignments that exist when the stack first starts on a data directory, as if made by someone else (the console,
   * another tool): what the reconciler reports as unmanaged. Each makes its permission set provisioned to its account.
   */
  assignments?: Array<{
    accountId: string;
    permissionSetArn: string;
    principalType: 'USER' | 'GROUP';
    principalId: string;
  }>;
}

export interface ProtonFixtures {
  managementAccountId?: string;
  connections: Array<{
    id: string;
    environmentAccountId: string;
    environmentName: string;
    roleArn: string;
    status: 'PENDING' | 'CONNECTED' | 'REJECTED';
  }>;
}

/** Identity Center's identity store: the people and groups that SSO Admin's principals stand for. */
export interface IdentityStoreFixtures {
  /** `d-` and 10 hex digits, as Identity Center issues them. */
  id: string;
  users: Array<{ userId: string; userName: string; displayName: string; email: string }>;
  /** `members` are userNames, so a fixture file reads as people rather than ids. */
  groups: Array<{ groupId: string; displayName: string; description?: string; members: string[] }>;
}

/** One organization: a root, an OU tree below it (`parentId` is the root or an OU) and accounts placed in it. */
export interface OrganizationsFixtures {
  rootId: string;
  ous: Array<{ id: string; name: string; parentId: string }>;
  accounts: Array<{ id: string; name: string; parentId: string }>;
  /** The account that owns the organization; it appears in every ARN. Defaults to the first account. */
  managementAccountId?: string;
}

export interface LocalFixtures {
  sso: SsoFixtures;
  proton: ProtonFixtures;
  identityStore: IdentityStoreFixtures;
  organizations: OrganizationsFixtures;
}

const pendingConnection = (id: string, environmentAccountId: string, environmentName: string) => ({
  id,
  environmentAccountId,
  environmentName,
  roleArn: `arn:aws:iam::${environmentAccountId}:role/ProtonEnvironmentRole`,
  status: 'PENDING' as const,
});

const person = (userId: string, userName: string, displayName: string) => ({
  userId,
  userName,
  displayName,
  email: `${userName}@example.com`,
});

// config/local-fixtures.example.json and the README walkthrough spell out these same values. alice is the
// long-standing default USER principal and Engineers the default GROUP, so requests written before the directory
// existed name real people.
export const defaultFixtures = {
  sso: {
    instanceArn: 'arn:aws:sso:::instance/ssoins-1111111111111111',
    permissionSets: [
      'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-1111111111111111',
      'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222',
    ],
    permissionSetNames: {
      'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-1111111111111111': {
        name: 'ReadOnly',
        description: 'View resources and their configuration, without reading data or changing anything',
      },
      'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222': {
        name: 'PowerUser',
        description: 'Full access to AWS services and resources, except managing users, groups and billing',
      },
    },
    principals: [
      { id: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', type: 'USER' },
      { id: '1234567890-0a1b2c3d-1111-2222-3333-444455556666', type: 'GROUP' },
    ],
    accounts: ['111111111111', '222222222222'],
    provisioningSeconds: 1,
  },
  proton: {
    managementAccountId: '999999999999',
    connections: [
      pendingConnection('3f1c1a52-6a7b-4c1e-9d35-0b6f5c2a9e10', '111111111111', 'dev'),
      pendingConnection('7d2e4b19-8c3a-4f5d-a1b2-c3d4e5f60718', '222222222222', 'staging'),
      pendingConnection('b5a9c8d7-e6f5-4a3b-9c2d-1e0f9a8b7c6d', '222222222222', 'prod'),
    ],
  },
  identityStore: {
    id: 'd-1234567890',
    users: [
      person('f81d4fae-7dec-11d0-a765-00a0c91e6bf6', 'alice', 'Alice Liddell'),
      person('6db8ea34-00a8-4c51-9ef8-3ddeea34495c', 'bob', 'Bob Okafor'),
      person('d2a79bfb-e8ed-4d8a-bf56-8e3055a9c629', 'carol', 'Carol Nguyen'),
      person('7b86b650-5932-4106-b3b9-235e4990f6df', 'dana', 'Dana Whitfield'),
      person('547db526-2942-49eb-9f50-31ddc85c6775', 'erin', 'Erin Castillo'),
      person('9e58d1eb-67dd-4e32-b2f1-fd4694bd2c8b', 'frank', 'Frank Osei'),
      person('82a09ac6-f0f9-40b0-8221-1d08d0bfae4e', 'grace', 'Grace Hopper'),
      person('f1d3e02c-c5f3-496e-b6b6-8aa6c32c492a', 'heidi', 'Heidi Larsen'),
    ],
    groups: [
      {
        groupId: '1234567890-0a1b2c3d-1111-2222-3333-444455556666',
        displayName: 'Engineers',
        description: 'Everyone who builds and runs the product',
        members: ['alice', 'carol', 'erin', 'frank'],
      },
      {
        groupId: '7dea4e30-e18d-45d1-8843-11956e623719',
        displayName: 'Platform Approvers',
        description: 'Approve access to production accounts',
        members: ['bob', 'dana', 'grace'],
      },
      {
        groupId: '66c236ca-2b61-4861-8138-01ccb98af7e1',
        displayName: 'Auditors',
        description: 'Read-only reviewers of access and logs',
        members: ['dana', 'heidi'],
      },
      {
        groupId: 'd8a1f6d9-efbd-4e2c-9659-20ca5677fde5',
        displayName: 'On-call',
        description: "This week's incident responders",
        members: ['bob', 'carol', 'frank'],
      },
    ],
  },
  organizations: {
    rootId: 'r-ab12',
    // Root → Workloads → Payments → Payments Prod / Payments Non-Prod: three OU levels below the root.
    ous: [
      { id: 'ou-ab12-11111111', name: 'Workloads', parentId: 'r-ab12' },
      { id: 'ou-ab12-22222222', name: 'Payments', parentId: 'ou-ab12-11111111' },
      { id: 'ou-ab12-33333333', name: 'Payments Prod', parentId: 'ou-ab12-22222222' },
      { id: 'ou-ab12-44444444', name: 'Payments Non-Prod', parentId: 'ou-ab12-22222222' },
      { id: 'ou-ab12-55555555', name: 'Platform', parentId: 'ou-ab12-11111111' },
      { id: 'ou-ab12-66666666', name: 'Security', parentId: 'r-ab12' },
    ],
    accounts: [
      { id: '100000000000', name: 'management', parentId: 'r-ab12' },
      { id: '111122223333', name: 'payments-prod', parentId: 'ou-ab12-33333333' },
      { id: '444455556666', name: 'payments-dev', parentId: 'ou-ab12-44444444' },
      { id: '555566667777', name: 'payments-staging', parentId: 'ou-ab12-44444444' },
      { id: '111111111111', name: 'platform-dev', parentId: 'ou-ab12-55555555' },
      { id: '222222222222', name: 'platform-staging', parentId: 'ou-ab12-55555555' },
      { id: '777788889999', name: 'audit', parentId: 'ou-ab12-66666666' },
      { id: '888899990000', name: 'log-archive', parentId: 'ou-ab12-66666666' },
    ],
  },
} satisfies LocalFixtures;

const text = { type: 'string', required: true } as const;

// Patterns from the Identity Store and Organizations API models; the emulators validate requests with the same ones.
export const IDENTITY_STORE_ID_PATTERN =
  'd-[0-9a-f]{10}$|^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
export const DIRECTORY_RESOURCE_ID_PATTERN =
  '([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}';
export const ROOT_ID_PATTERN = '^r-[0-9a-z]{4,32}$';
export const OU_ID_PATTERN = '^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$';
export const ACCOUNT_ID_PATTERN = '^\\d{12}$';
const texts = { type: 'list', required: true, items: { type: 'string' } } as const;

// Shape only: a value that breaks an AWS pattern is reported by the emulator, naming the field, when a request uses it.
const fixtureRules = {
  // Lets a fixtures file document itself, as config/local-fixtures.example.json does.
  $comment: { type: 'list', items: { type: 'string' } },
  sso: {
    type: 'structure',
    required: true,
    members: {
      // permissionSets and permissionSetNames are checked by permissionSetViolations: an entry may be a string or a
      // structure, and names are keyed by ARN, neither of which these rules can say.
      instanceArn: text,
      principals: {
        type: 'list',
        required: true,
        items: { type: 'structure', members: { id: text, type: { ...text, enum: ['USER', 'GROUP'] } } },
      },
      accounts: texts,
      provisioningSeconds: { type: 'number', required: true, min: 0 },
      failingPrincipals: { type: 'list', items: { type: 'string' } },
      assignments: {
        type: 'list',
        items: {
          type: 'structure',
          members: {
            accountId: text,
            permissionSetArn: text,
            principalType: { ...text, enum: ['USER', 'GROUP'] },
            principalId: text,
          },
        },
      },
    },
  },
  proton: {
    type: 'structure',
    required: true,
    members: {
      managementAccountId: { type: 'string' },
      connections: {
        type: 'list',
        required: true,
        items: {
          type: 'structure',
          members: {
            id: text,
            environmentAccountId: text,
            environmentName: text,
            roleArn: text,
            status: { ...text, enum: ['PENDING', 'CONNECTED', 'REJECTED'] },
          },
        },
      },
    },
  },
  identityStore: {
    type: 'structure',
    required: true,
    members: {
      id: { ...text, pattern: IDENTITY_STORE_ID_PATTERN },
      users: {
        type: 'list',
        required: true,
        items: {
          type: 'structure',
          members: {
            userId: { ...text, pattern: DIRECTORY_RESOURCE_ID_PATTERN },
            userName: { ...text, minLength: 1, maxLength: 128 },
            displayName: { ...text, minLength: 1, maxLength: 1024 },
            email: { ...text, minLength: 1, maxLength: 1024 },
          },
        },
      },
      groups: {
        type: 'list',
        required: true,
        items: {
          type: 'structure',
          members: {
            groupId: { ...text, pattern: DIRECTORY_RESOURCE_ID_PATTERN },
            displayName: { ...text, minLength: 1, maxLength: 1024 },
            description: { type: 'string', minLength: 1, maxLength: 1024 },
            members: texts,
          },
        },
      },
    },
  },
  organizations: {
    type: 'structure',
    required: true,
    members: {
      rootId: { ...text, pattern: ROOT_ID_PATTERN },
      ous: {
        type: 'list',
        required: true,
        items: {
          type: 'structure',
          members: {
            id: { ...text, pattern: OU_ID_PATTERN },
            name: { ...text, minLength: 1, maxLength: 128 },
            parentId: text,
          },
        },
      },
      accounts: {
        type: 'list',
        required: true,
        items: {
          type: 'structure',
          members: {
            id: { ...text, pattern: ACCOUNT_ID_PATTERN },
            name: { ...text, minLength: 1, maxLength: 50 },
            parentId: text,
          },
        },
      },
      managementAccountId: { type: 'string', pattern: ACCOUNT_ID_PATTERN },
    },
  },
} as const satisfies InputRules;

const namedPermissionSet = {
  arn: text,
  name: text,
  description: { type: 'string' },
  sessionDuration: { type: 'string' },
} as const satisfies InputRules;
const permissionSetName = { name: text, description: { type: 'string' } } as const satisfies InputRules;

const permissionSetViolations = (sso: Record<string, unknown>): string[] => {
  const { permissionSets, permissionSetNames } = sso;
  if (!Array.isArray(permissionSets)) {
    return [
      permissionSets === undefined || permissionSets === null
        ? "Value null at 'sso.permissionSets' failed to satisfy constraint: Member must not be null"
        : "'sso.permissionSets' must be a list",
    ];
  }
  const problems = permissionSets.flatMap((entry: unknown, i) => {
    if (typeof entry === 'string') return [];
    const path = `sso.permissionSets[${i}]`;
    return isRecord(entry)
      ? findViolations(entry, namedPermissionSet, `${path}.`)
      : [`'${path}' must be a permission set ARN or an object with arn, name and description`];
  });
  if (permissionSetNames === undefined) return problems;
  if (!isRecord(permissionSetNames)) return [...problems, "'sso.permissionSetNames' must be an object keyed by ARN"];
  return [
    ...problems,
    ...Object.entries(permissionSetNames).flatMap(([arn, entry]) =>
      isRecord(entry)
        ? findViolations(entry, permissionSetName, `sso.permissionSetNames.${arn}.`)
        : [`'sso.permissionSetNames.${arn}' must be an object with name and description`],
    ),
  ];
};

const duplicates = (values: string[]): string[] => [
  ...new Set(values.filter((value, index) => values.indexOf(value) !== index)),
];

/** What the shape rules cannot say: unique names and ids, members that exist, parents that exist, no cycles. */
const directoryProblems = (identityStore: IdentityStoreFixtures, organizations: OrganizationsFixtures): string[] => {
  const problems: string[] = [];
  const { users, groups } = identityStore;
  for (const id of duplicates([...users.map((user) => user.userId), ...groups.map((group) => group.groupId)]))
    problems.push(`identityStore: id '${id}' is used twice`);
  for (const name of duplicates(users.map((user) => user.userName)))
    problems.push(`identityStore.users: userName '${name}' is used twice`);
  for (const name of duplicates(users.map((user) => user.email)))
    problems.push(`identityStore.users: email '${name}' is used twice`);
  for (const name of duplicates(groups.map((group) => group.displayName)))
    problems.push(`identityStore.groups: displayName '${name}' is used twice`);
  const userNames = new Set(users.map((user) => user.userName));
  groups.forEach((group, g) => {
    group.members.forEach((member, m) => {
      if (!userNames.has(member))
        problems.push(`identityStore.groups[${g}].members[${m}]: no user has userName '${member}'`);
    });
  });

  const { rootId, ous, accounts } = organizations;
  for (const id of duplicates([rootId, ...ous.map((ou) => ou.id)]))
    problems.push(`organizations: id '${id}' is used twice`);
  for (const id of duplicates(accounts.map((account) => account.id)))
    problems.push(`organizations.accounts: id '${id}' is used twice`);
  const parents = new Map(ous.map((ou) => [ou.id, ou.parentId]));
  const isParent = (id: string) => id === rootId || parents.has(id);
  ous.forEach((ou, i) => {
    if (!isParent(ou.parentId))
      problems.push(`organizations.ous[${i}].parentId: '${ou.parentId}' is neither the root nor an OU`);
    // Walking up must reach the root within as many steps as there are OUs, or the tree has a cycle.
    let at: string | undefined = ou.parentId;
    for (let steps = 0; at !== undefined && at !== rootId && steps <= ous.length; steps += 1) at = parents.get(at);
    if (at !== undefined && at !== rootId) problems.push(`organizations.ous[${i}]: '${ou.id}' is its own ancestor`);
  });
  accounts.forEach((account, i) => {
    if (!isParent(account.parentId))
      problems.push(`organizations.accounts[${i}].parentId: '${account.parentId}' is neither the root nor an OU`);
  });
  const { managementAccountId } = organizations;
  if (managementAccountId !== undefined && !accounts.some((account) => account.id === managementAccountId))
    problems.push(`organizations.managementAccountId: '${managementAccountId}' is not one of organizations.accounts`);
  return problems;
};

const readSpec = (spec: string): unknown => {
  const inline = /^\s*[{[]/.test(spec);
  let json: string;
  try {
    json = inline ? spec : readFileSync(spec, 'utf8');
  } catch (error) {
    throw new Error(`LOCAL_FIXTURES: cannot read file ${spec}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(json);
  } catch (error) {
    throw new Error(`LOCAL_FIXTURES: ${inline ? 'inline value' : spec} is not valid JSON: ${(error as Error).message}`);
  }
};

const mergeOver = (base: object, override: unknown): unknown =>
  isRecord(override) ? { ...base, ...override } : (override ?? base);

/**
 * LOCAL_FIXTURES may be inline JSON or a path to a JSON file. Missing → defaultFixtures. Partial objects are merged over
 * the defaults per service. Invalid → throw Error starting "LOCAL_FIXTURES:" naming the problem.
 */
export const loadFixtures = (spec: string | undefined): LocalFixtures => {
  if (spec === undefined || spec.trim() === '') return structuredClone(defaultFixtures);
  const parsed = readSpec(spec);
  if (!isRecord(parsed)) {
    throw new Error(
      'LOCAL_FIXTURES: expected a JSON object with "sso", "proton", "identityStore" and/or "organizations"',
    );
  }
  const merged = {
    ...parsed,
    sso: mergeOver(defaultFixtures.sso, parsed.sso),
    proton: mergeOver(defaultFixtures.proton, parsed.proton),
    identityStore: mergeOver(defaultFixtures.identityStore, parsed.identityStore),
    organizations: mergeOver(defaultFixtures.organizations, parsed.organizations),
  };
  const { permissionSets, permissionSetNames, ...ssoRest } = isRecord(merged.sso) ? merged.sso : {};
  const shapeProblems = [
    ...findViolations({ ...merged, sso: isRecord(merged.sso) ? ssoRest : merged.sso }, fixtureRules),
    ...(isRecord(merged.sso) ? permissionSetViolations({ permissionSets, permissionSetNames }) : []),
  ];
  if (shapeProblems.length > 0) throw new Error(`LOCAL_FIXTURES: ${shapeProblems.join('; ')}`);
  const fixtures = structuredClone({
    sso: merged.sso,
    proton: merged.proton,
    identityStore: merged.identityStore,
    organizations: merged.organizations,
  }) as LocalFixtures;
  const problems = directoryProblems(fixtures.identityStore, fixtures.organizations);
  if (problems.length > 0) throw new Error(`LOCAL_FIXTURES: ${problems.join('; ')}`);
  return fixtures;
};

/** Every principal SSO Admin accepts: `sso.principals` and the directory's users and groups, each id once. */
export const directoryPrincipals = (
  fixtures: Pick<LocalFixtures, 'sso' | 'identityStore'>,
): Array<{ id: string; type: 'USER' | 'GROUP' }> => {
  const all = [
    ...fixtures.sso.principals,
    ...fixtures.identityStore.users.map((user) => ({ id: user.userId, type: 'USER' as const })),
    ...fixtures.identityStore.groups.map((group) => ({ id: group.groupId, type: 'GROUP' as const })),
  ];
  return all.filter((principal, index) => all.findIndex((other) => other.id === principal.id) === index);
};

/** Every account SSO Admin accepts as a target: `sso.accounts` and the organization's accounts, each once. */
export const directoryAccountIds = (fixtures: Pick<LocalFixtures, 'sso' | 'organizations'>): string[] => [
  ...new Set([...fixtures.sso.accounts, ...fixtures.organizations.accounts.map((account) => account.id)]),
];

/**
 * The identity store with every principal of `sso.principals` it lacks added, named by its id and without an email, for
 * the Identity Store emulator. In Identity Center every principal is an identity-store user or group, and submit
 * refuses a principal DescribeUser or DescribeGroup cannot find, so fixtures written before the directory existed
 * (principals listed only under `sso`) keep naming principals that exist. The fixtures themselves are left as given.
 */
export const identityStoreWithPrincipals = (
  fixtures: Pick<LocalFixtures, 'sso' | 'identityStore'>,
): IdentityStoreFixtures => {
  const { users, groups } = fixtures.identityStore;
  const known = new Set([...users.map((user) => user.userId), ...groups.map((group) => group.groupId)]);
  const missing = fixtures.sso.principals.filter(
    (principal, index, all) =>
      !known.has(principal.id) && all.findIndex((other) => other.id === principal.id) === index,
  );
  return {
    ...fixtures.identityStore,
    users: [
      ...users,
      ...missing
        .filter((principal) => principal.type === 'USER')
        .map((principal) => ({ userId: principal.id, userName: principal.id, displayName: principal.id, email: '' })),
    ],
    groups: [
      ...groups,
      ...missing
        .filter((principal) => principal.type === 'GROUP')
        .map((principal) => ({ groupId: principal.id, displayName: principal.id, members: [] })),
    ],
  };
};

/** The `sso` fixtures with the directory's principals and accounts added, for the SSO Admin emulator. */
export const ssoWithDirectory = (fixtures: LocalFixtures): SsoFixtures => ({
  ...fixtures.sso,
  principals: directoryPrincipals(fixtures),
  accounts: directoryAccountIds(fixtures),
});

/** An emulator's saved state when `stateFile` exists, else a fresh seed: fixtures only seed a new data directory. */
export const loadOrSeed = <T>(
  stateFile: string | undefined,
  isState: (value: unknown) => value is T,
  seed: () => T,
): T => {
  if (stateFile === undefined || !existsSync(stateFile)) return seed();
  const saved: unknown = JSON.parse(readFileSync(stateFile, 'utf8'));
  if (!isState(saved))
    throw new Error(`${stateFile} is not a state file of this emulator; delete it to reseed from fixtures`);
  return saved;
};

/** Writes through a temporary file and a rename, so a crash mid-write never leaves a truncated state file. */
export const saveState = (stateFile: string | undefined, state: unknown): void => {
  if (stateFile === undefined) return;
  mkdirSync(dirname(stateFile), { recursive: true });
  const temporary = `${stateFile}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(state, null, 2));
  renameSync(temporary, stateFile);
};
