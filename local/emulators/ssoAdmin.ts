import { randomUUID } from 'node:crypto';
import { loadOrSeed, saveState, type PermissionSetFixture, type SsoFixtures } from './fixtures.js';
import {
  AwsServiceError,
  runOperation,
  systemClock,
  type Clock,
  type EmulatorResponse,
  type ServiceEmulator,
} from './types.js';
import { isRecord, paginate, validateInput, type Input } from './validation.js';

// Constraints from the CreateAccountAssignment reference; every operation that carries these fields shares them.
const fields = {
  InstanceArn: {
    type: 'string',
    required: true,
    minLength: 10,
    maxLength: 1224,
    pattern: 'arn:aws:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}',
  },
  PermissionSetArn: {
    type: 'string',
    required: true,
    minLength: 10,
    maxLength: 1224,
    pattern: 'arn:aws:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}',
  },
  PrincipalId: {
    type: 'string',
    required: true,
    minLength: 1,
    maxLength: 47,
    pattern: '^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$',
  },
  PrincipalType: { type: 'string', required: true, enum: ['USER', 'GROUP'] },
  TargetId: { type: 'string', required: true, pattern: '\\d{12}' },
  TargetType: { type: 'string', required: true, enum: ['AWS_ACCOUNT'] },
} as const;

const requestId = {
  type: 'string',
  required: true,
  minLength: 36,
  maxLength: 36,
  pattern: '\\b[0-9a-f]{8}\\b-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-\\b[0-9a-f]{12}\\b',
} as const;

const rules = {
  assignment: fields,
  creationStatus: { InstanceArn: fields.InstanceArn, AccountAssignmentCreationRequestId: requestId },
  deletionStatus: { InstanceArn: fields.InstanceArn, AccountAssignmentDeletionRequestId: requestId },
  list: {
    InstanceArn: fields.InstanceArn,
    AccountId: { ...fields.TargetId, required: true },
    PermissionSetArn: fields.PermissionSetArn,
    MaxResults: { type: 'integer', min: 1, max: 100 },
    NextToken: { type: 'string', maxLength: 2048, pattern: '^[-a-zA-Z0-9+=/_]*$' },
  },
} as const;

// The listing calls were added later and take the current sso-admin model's patterns, which also admit the other
// partitions (aws-cn, aws-us-gov); the older operations keep the patterns above, which tests and messages quote.
const PARTITION = 'arn:aws(-[a-z]{1,5}){0,3}';
const pagingRules = {
  MaxResults: { type: 'integer', min: 1, max: 100 },
  NextToken: { type: 'string', minLength: 0, maxLength: 2048, pattern: '[-a-zA-Z0-9+=/_]*' },
} as const;
const modelFields = {
  InstanceArn: { ...fields.InstanceArn, pattern: `${PARTITION}:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}` },
  PermissionSetArn: {
    ...fields.PermissionSetArn,
    pattern: `${PARTITION}:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}`,
  },
} as const;
const provisioningStatus = {
  type: 'string',
  enum: ['LATEST_PERMISSION_SET_PROVISIONED', 'LATEST_PERMISSION_SET_NOT_PROVISIONED'],
} as const;
const listingRules = {
  instances: pagingRules,
  permissionSets: { InstanceArn: modelFields.InstanceArn, ...pagingRules },
  describePermissionSet: modelFields,
  // ListAccountsForProvisionedPermissionSet (botocore sso-admin 2020-07-20).
  accountsForPermissionSet: {
    InstanceArn: modelFields.InstanceArn,
    PermissionSetArn: modelFields.PermissionSetArn,
    ProvisioningStatus: provisioningStatus,
    ...pagingRules,
  },
} as const;

/** Used by ListInstances when the fixtures have no `identityStore.id`; it fits Identity Store's `d-` id pattern. */
export const DEFAULT_IDENTITY_STORE_ID = 'd-1111111111';
const INSTANCE_NAME = 'local';
// Fixtures describe resources that existed before the stack started; one fixed date keeps answers the same
// across restarts, as AWS's creation dates are.
const FIXTURES_CREATED_SECONDS = Date.UTC(2024, 0, 1) / 1000;
// AWS gives a permission set a one-hour session unless it is created with another duration.
const DEFAULT_SESSION_DURATION = 'PT1H';

/** Every permission set of the fixtures with its name: a bare ARN is named by `permissionSetNames` or its `ps-` id. */
export const namedPermissionSets = (fixtures: SsoFixtures): PermissionSetFixture[] =>
  fixtures.permissionSets.map((entry) => {
    if (typeof entry !== 'string') return entry;
    const named = fixtures.permissionSetNames?.[entry];
    return {
      arn: entry,
      name: named?.name ?? entry.slice(entry.lastIndexOf('/') + 1),
      description: named?.description,
    };
  });

type AssignmentRequest = Input<typeof fields>;

interface Assignment {
  AccountId: string;
  PermissionSetArn: string;
  PrincipalType: string;
  PrincipalId: string;
}

interface Operation extends Omit<AssignmentRequest, 'InstanceArn'> {
  kind: 'create' | 'delete';
  RequestId: string;
  createdAt: number;
  completesAt: number;
  /** Whether the finished operation has been applied to `assignments`. */
  applied: boolean;
  FailureReason?: string;
}

interface SsoState {
  assignments: Assignment[];
  operations: Operation[];
  /**
   * `account\npermissionSetArn` of every permission set provisioned to an account. As in AWS, creating an assignment
   * provisions the permission set there, and removing the last assignment leaves it provisioned. Absent in state files
   * written before it existed.
   */
  provisioned?: string[];
}

const isSsoState = (value: unknown): value is SsoState =>
  isRecord(value) && Array.isArray(value.assignments) && Array.isArray(value.operations);

const RATE_LIMIT_PER_SECOND = 20;
const OUTSTANDING_LIMIT = 15;

const notFound = (message: string) => new AwsServiceError('ResourceNotFoundException', message);
const throttled = (message: string) => new AwsServiceError('ThrottlingException', message);

const provisionedKey = (accountId: string, permissionSetArn: string): string => `${accountId}\n${permissionSetArn}`;

const sameAssignment = (a: Assignment, b: Assignment): boolean =>
  a.AccountId === b.AccountId &&
  a.PermissionSetArn === b.PermissionSetArn &&
  a.PrincipalType === b.PrincipalType &&
  a.PrincipalId === b.PrincipalId;

const assignmentOf = (source: Omit<AssignmentRequest, 'InstanceArn' | 'TargetType'>): Assignment => ({
  AccountId: source.TargetId,
  PermissionSetArn: source.PermissionSetArn,
  PrincipalType: source.PrincipalType,
  PrincipalId: source.PrincipalId,
});

export const createSsoAdminEmulator = (options: {
  fixtures: SsoFixtures;
  /** The fixtures' `identityStore.id`, which ListInstances reports; DEFAULT_IDENTITY_STORE_ID when absent. */
  identityStoreId?: string;
  timeScale?: number;
  clock?: Clock;
  stateFile?: string;
}): ServiceEmulator => {
  const { fixtures, stateFile, clock = systemClock, timeScale = 1 } = options;
  const identityStoreId = options.identityStoreId ?? DEFAULT_IDENTITY_STORE_ID;
  const permissionSets = namedPermissionSets(fixtures);
  const provisioningMs = fixtures.provisioningSeconds * timeScale * 1000;
  const seeded = (fixtures.assignments ?? []).map(
    (a): Assignment => ({
      AccountId: a.accountId,
      PermissionSetArn: a.permissionSetArn,
      PrincipalType: a.principalType,
      PrincipalId: a.principalId,
    }),
  );
  seeded.forEach((a, i) => {
    const where = `LOCAL_FIXTURES: sso.assignments[${i}]`;
    if (!permissionSets.some((p) => p.arn === a.PermissionSetArn))
      throw new Error(`${where}.permissionSetArn: ${a.PermissionSetArn} is not one of sso.permissionSets`);
    if (!fixtures.accounts.includes(a.AccountId))
      throw new Error(`${where}.accountId: ${a.AccountId} is not one of the accounts`);
    if (!fixtures.principals.some((p) => p.id === a.PrincipalId && p.type === a.PrincipalType))
      throw new Error(`${where}.principalId: no ${a.PrincipalType} principal ${a.PrincipalId}`);
  });
  const state = loadOrSeed(
    stateFile,
    isSsoState,
    (): SsoState => ({
      assignments: seeded,
      operations: [],
      provisioned: [...new Set(seeded.map((a) => provisionedKey(a.AccountId, a.PermissionSetArn)))],
    }),
  );
  state.provisioned ??= [];
  const provisioned = new Set(state.provisioned);
  const markProvisioned = (accountId: string, permissionSetArn: string): void => {
    const key = provisionedKey(accountId, permissionSetArn);
    if (provisioned.has(key)) return;
    provisioned.add(key);
    state.provisioned?.push(key);
  };
  const recentCalls: number[] = [];
  // The one-second window shrinks with the time scale like every other duration. Otherwise retries and polls,
  // which the scale speeds up, would meet an unscaled limit and look like a retry storm AWS never sees.
  const windowMs = 1000 * timeScale;

  // Identity Center's 20 TPS is shared by all its APIs; only admitted calls use up the window.
  const admit = (now: number): void => {
    while ((recentCalls[0] ?? now) <= now - windowMs) recentCalls.shift();
    if (recentCalls.length >= RATE_LIMIT_PER_SECOND) throw throttled('Rate exceeded');
    recentCalls.push(now);
  };

  const statusOf = (op: Operation, now: number) => {
    const finished = now >= op.completesAt;
    return {
      Status: !finished ? 'IN_PROGRESS' : op.FailureReason ? 'FAILED' : 'SUCCEEDED',
      RequestId: op.RequestId,
      ...(finished && op.FailureReason ? { FailureReason: op.FailureReason } : {}),
      TargetId: op.TargetId,
      TargetType: op.TargetType,
      PermissionSetArn: op.PermissionSetArn,
      PrincipalType: op.PrincipalType,
      PrincipalId: op.PrincipalId,
      CreatedDate: op.createdAt / 1000,
    };
  };

  /** Provisioning has no timers: operations whose time has come are applied, in completion order, when next read. */
  const settle = (now: number): void => {
    const due = state.operations.filter((op) => !op.applied && op.completesAt <= now);
    for (const op of due.sort((a, b) => a.completesAt - b.completesAt)) {
      const assignment = assignmentOf(op);
      const existing = state.assignments.findIndex((candidate) => sameAssignment(candidate, assignment));
      if (op.kind === 'create' && !op.FailureReason && existing < 0) state.assignments.push(assignment);
      if (op.kind === 'create' && !op.FailureReason) markProvisioned(op.TargetId, op.PermissionSetArn);
      if (op.kind === 'delete' && existing >= 0) state.assignments.splice(existing, 1);
      op.applied = true;
    }
    if (due.length > 0) saveState(stateFile, state);
  };

  const checkInstance = (instanceArn: string): void => {
    if (instanceArn !== fixtures.instanceArn) throw notFound(`Instance ${instanceArn} does not exist`);
  };

  const checkPermissionSet = (permissionSetArn: string): void => {
    findPermissionSet(permissionSetArn);
  };

  const findPermissionSet = (permissionSetArn: string): PermissionSetFixture => {
    const found = permissionSets.find((candidate) => candidate.arn === permissionSetArn);
    if (!found) throw notFound(`PermissionSet ${permissionSetArn} does not exist`);
    return found;
  };

  const checkAccount = (accountId: string): void => {
    if (!fixtures.accounts.includes(accountId)) throw notFound(`Account ${accountId} is not part of the organization`);
  };

  const checkResources = (request: AssignmentRequest): void => {
    checkInstance(request.InstanceArn);
    checkPermissionSet(request.PermissionSetArn);
    const principal = fixtures.principals.find((candidate) => candidate.id === request.PrincipalId);
    if (principal?.type !== request.PrincipalType) {
      throw notFound(`${request.PrincipalType} principal ${request.PrincipalId} does not exist`);
    }
    checkAccount(request.TargetId);
  };

  const inProgress = (kind: Operation['kind'], now: number): number =>
    state.operations.filter((op) => op.kind === kind && now < op.completesAt).length;

  const startOperation = (kind: Operation['kind'], request: AssignmentRequest, now: number): Operation => {
    const fails = kind === 'create' && (fixtures.failingPrincipals ?? []).includes(request.PrincipalId);
    const failure = `Principal ${request.PrincipalId} could not be provisioned in ${request.TargetId} (failingPrincipals)`;
    const op: Operation = {
      kind,
      TargetId: request.TargetId,
      TargetType: request.TargetType,
      PermissionSetArn: request.PermissionSetArn,
      PrincipalType: request.PrincipalType,
      PrincipalId: request.PrincipalId,
      RequestId: randomUUID(),
      createdAt: now,
      completesAt: now + provisioningMs,
      applied: false,
      ...(fails ? { FailureReason: failure } : {}),
    };
    state.operations.push(op);
    saveState(stateFile, state);
    return op;
  };

  const findOperation = (kind: Operation['kind'], id: string): Operation => {
    const op = state.operations.find((candidate) => candidate.kind === kind && candidate.RequestId === id);
    if (!op)
      throw notFound(`Account assignment ${kind === 'create' ? 'creation' : 'deletion'} request ${id} does not exist`);
    return op;
  };

  const operations: Record<string, (input: unknown, now: number) => object> = {
    CreateAccountAssignment: (input, now) => {
      const request = validateInput(input, rules.assignment);
      checkResources(request);
      if (inProgress('create', now) >= OUTSTANDING_LIMIT) {
        throw throttled(`${OUTSTANDING_LIMIT} account assignment creations are already in progress`);
      }
      return { AccountAssignmentCreationStatus: statusOf(startOperation('create', request, now), now) };
    },
    DescribeAccountAssignmentCreationStatus: (input, now) => {
      const request = validateInput(input, rules.creationStatus);
      checkInstance(request.InstanceArn);
      const op = findOperation('create', request.AccountAssignmentCreationRequestId);
      return { AccountAssignmentCreationStatus: statusOf(op, now) };
    },
    DeleteAccountAssignment: (input, now) => {
      const request = validateInput(input, rules.assignment);
      checkResources(request);
      const target = assignmentOf(request);
      if (!state.assignments.some((assignment) => sameAssignment(assignment, target))) {
        throw notFound(
          `${request.PrincipalId} has no assignment of ${request.PermissionSetArn} on ${request.TargetId}`,
        );
      }
      // The 15-outstanding quota is documented for creations; deletions are provisioned the same way, so they get the same bound.
      if (inProgress('delete', now) >= OUTSTANDING_LIMIT) {
        throw throttled(`${OUTSTANDING_LIMIT} account assignment deletions are already in progress`);
      }
      return { AccountAssignmentDeletionStatus: statusOf(startOperation('delete', request, now), now) };
    },
    DescribeAccountAssignmentDeletionStatus: (input, now) => {
      const request = validateInput(input, rules.deletionStatus);
      checkInstance(request.InstanceArn);
      const op = findOperation('delete', request.AccountAssignmentDeletionRequestId);
      return { AccountAssignmentDeletionStatus: statusOf(op, now) };
    },
    ListAccountAssignments: (input) => {
      const request = validateInput(input, rules.list);
      checkInstance(request.InstanceArn);
      checkPermissionSet(request.PermissionSetArn);
      checkAccount(request.AccountId);
      const matching = state.assignments.filter(
        (assignment) =>
          assignment.AccountId === request.AccountId && assignment.PermissionSetArn === request.PermissionSetArn,
      );
      const { page, nextToken } = paginate(matching, request.MaxResults, request.NextToken);
      return { AccountAssignments: page, ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    // Which accounts a permission set is provisioned to: the reconciler's first look at the watched accounts.
    // ProvisioningStatus filters on whether the latest version is provisioned; permission sets never change here, so
    // every provisioned one is the latest and NOT_PROVISIONED lists none.
    ListAccountsForProvisionedPermissionSet: (input) => {
      const request = validateInput(input, listingRules.accountsForPermissionSet);
      checkInstance(request.InstanceArn);
      checkPermissionSet(request.PermissionSetArn);
      const accounts =
        request.ProvisioningStatus === 'LATEST_PERMISSION_SET_NOT_PROVISIONED'
          ? []
          : fixtures.accounts.filter((account) => provisioned.has(provisionedKey(account, request.PermissionSetArn)));
      const { page, nextToken } = paginate(accounts, request.MaxResults, request.NextToken);
      return { AccountIds: page, ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    // The local stack has one instance, so a page never needs a token; a token is still checked as AWS would.
    ListInstances: (input) => {
      const request = validateInput(input, listingRules.instances);
      const instance = {
        InstanceArn: fixtures.instanceArn,
        IdentityStoreId: identityStoreId,
        Name: INSTANCE_NAME,
        Status: 'ACTIVE',
        CreatedDate: FIXTURES_CREATED_SECONDS,
      };
      const { page, nextToken } = paginate([instance], request.MaxResults, request.NextToken);
      return { Instances: page, ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    ListPermissionSets: (input) => {
      const request = validateInput(input, listingRules.permissionSets);
      checkInstance(request.InstanceArn);
      const arns = permissionSets.map((permissionSet) => permissionSet.arn);
      const { page, nextToken } = paginate(arns, request.MaxResults, request.NextToken);
      return { PermissionSets: page, ...(nextToken ? { NextToken: nextToken } : {}) };
    },
    DescribePermissionSet: (input) => {
      const request = validateInput(input, listingRules.describePermissionSet);
      checkInstance(request.InstanceArn);
      const permissionSet = findPermissionSet(request.PermissionSetArn);
      return {
        PermissionSet: {
          Name: permissionSet.name,
          PermissionSetArn: permissionSet.arn,
          ...(permissionSet.description ? { Description: permissionSet.description } : {}),
          CreatedDate: FIXTURES_CREATED_SECONDS,
          SessionDuration: permissionSet.sessionDuration ?? DEFAULT_SESSION_DURATION,
        },
      };
    },
  };

  return {
    targetPrefix: 'SWBExternalService',
    serviceName: 'sso-admin',
    contentType: 'application/x-amz-json-1.1',
    handle: (operation: string, input: unknown): Promise<EmulatorResponse> =>
      runOperation(operations, operation, (run) => {
        const now = clock.now();
        admit(now);
        settle(now);
        return run(input, now);
      }),
  };
};
