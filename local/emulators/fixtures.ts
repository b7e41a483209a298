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

export interface LocalFixtures {
  sso: SsoFixtures;
  proton: ProtonFixtures;
}

const pendingConnection = (id: string, environmentAccountId: string, environmentName: string) => ({
  id,
  environmentAccountId,
  environmentName,
  roleArn: `arn:aws:iam::${environmentAccountId}:role/ProtonEnvironmentRole`,
  status: 'PENDING' as const,
});

// config/local-fixtures.example.json and the README walkthrough spell out these same values.
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
} satisfies LocalFixtures;

const text = { type: 'string', required: true } as const;
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
  if (!isRecord(parsed)) throw new Error('LOCAL_FIXTURES: expected a JSON object with "sso" and/or "proton"');
  const merged = {
    ...parsed,
    sso: mergeOver(defaultFixtures.sso, parsed.sso),
    proton: mergeOver(defaultFixtures.proton, parsed.proton),
  };
  const { permissionSets, permissionSetNames, ...ssoRest } = isRecord(merged.sso) ? merged.sso : {};
  const problems = [
    ...findViolations({ ...merged, sso: isRecord(merged.sso) ? ssoRest : merged.sso }, fixtureRules),
    ...(isRecord(merged.sso) ? permissionSetViolations({ permissionSets, permissionSetNames }) : []),
  ];
  if (problems.length > 0) throw new Error(`LOCAL_FIXTURES: ${problems.join('; ')}`);
  return structuredClone({ sso: merged.sso, proton: merged.proton }) as LocalFixtures;
};

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
