// Submitting by name (DESIGN.md, "Submitting by name" and "Names everywhere"): the defaults, PermissionSetName, errors
// that name their field, the display snapshot with its fallbacks, and that a refused request writes and starts
// nothing. Policy routing is the policy helper's (eligibility.ts); here it is replaced by a recording fake, so these
// tests are about what submit sends it and does with its answer. The directory is a plain in-memory object.
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetEnvironmentAccountConnectionCommand, ProtonClient } from '@aws-sdk/client-proton';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type {
  Directory,
  DirectoryAccount,
  DirectoryGroup,
  DirectoryUser,
  NamedPermissionSet,
  OrganizationTree,
} from '../../../functions/directory/directory.js';
import type { RequestRoute, ResolvedCaller, RouteInput } from '../../../functions/policy/eligibility.js';
import type { RequestItem } from '../../../functions/requests/model.js';

// Prepare (module level): the fake routing, recording what submit asked.
const routed: RouteInput[] = [];
let nextRoute: Partial<RequestRoute> = {};
let nextRefusal: Error | undefined;
let usersByClaim: Record<string, DirectoryUser> = {};
jest.unstable_mockModule('../../../functions/policy/eligibility.js', () => ({
  resolveCaller: async (_policy: unknown, _directory: Directory, caller: { id: string }): Promise<ResolvedCaller> => {
    const user = usersByClaim[caller.id];
    return user ? { id: caller.id, user } : { id: caller.id };
  },
  routeRequest: async (_policy: unknown, _directory: Directory, input: RouteInput): Promise<RequestRoute> => {
    routed.push(input);
    if (nextRefusal) throw nextRefusal;
    return {
      ruleIndex: 0,
      approvers: ['bob@example.com'],
      minApprovals: 1,
      maxDurationMinutes: 480,
      approvalTimeoutSeconds: 600,
      reminderAfterSeconds: 300,
      approvalRequired: true,
      ...nextRoute,
    };
  },
}));
const { submitRequest } = await import('../../../functions/requests/submitRequest.js');
const { createRequestRepository } = await import('../../../functions/requests/repository.js');
const { parsePolicy } = await import('../../../functions/policy/policy.js');
type SubmitDeps = Parameters<typeof submitRequest>[1];

const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const READ_ONLY_ARN = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-1111111111111111';
const POWER_USER_ARN = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222';
const ALICE: DirectoryUser = {
  userId: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
  userName: 'alice',
  displayName: 'Alice Liddell',
  email: 'alice@example.com',
};
const BOB: DirectoryUser = {
  userId: '6db8ea34-00a8-4c51-9ef8-3ddeea34495c',
  userName: 'bob',
  displayName: 'Bob Okafor',
  email: 'bob@example.com',
};
const ENGINEERS: DirectoryGroup = {
  groupId: '1234567890-0a1b2c3d-1111-2222-3333-444455556666',
  displayName: 'Engineers',
};
const NOBODY = '00000000-0000-4000-8000-000000000000';
const PAYMENTS_PROD = '111122223333';

/** An in-memory Directory that counts its calls and can be told to fail a method. */
const inMemoryDirectory = (failing: Partial<Record<keyof Directory, Error>> = {}) => {
  const calls: string[] = [];
  const users = [ALICE, BOB];
  const sets: NamedPermissionSet[] = [
    { arn: READ_ONLY_ARN, name: 'ReadOnly', description: 'View resources' },
    { arn: POWER_USER_ARN, name: 'PowerUser' },
  ];
  const account = (id: string, name: string, ancestors: string[]): [string, DirectoryAccount] => [
    id,
    { id, name, ancestors },
  ];
  const organization: OrganizationTree = {
    rootId: 'r-ab12',
    ouIds: new Set(['ou-ab12-11111111']),
    accounts: new Map([
      account(PAYMENTS_PROD, 'payments-prod', ['ou-ab12-11111111', 'r-ab12']),
      account('111111111111', 'platform-dev', ['ou-ab12-11111111', 'r-ab12']),
    ]),
  };
  const answer = async <T>(method: keyof Directory, value: T): Promise<T> => {
    calls.push(method);
    const failure = failing[method];
    if (failure) throw failure;
    return value;
  };
  const directory: Directory = {
    instanceArn: () => answer('instanceArn', INSTANCE_ARN),
    identityStoreId: () => answer('identityStoreId', 'd-1234567890'),
    findUser: (_attribute, value) =>
      answer(
        'findUser',
        users.find((u) => u.email === value),
      ),
    describeUser: (userId) =>
      answer(
        'describeUser',
        users.find((u) => u.userId === userId),
      ),
    describeGroup: (groupId) => answer('describeGroup', groupId === ENGINEERS.groupId ? ENGINEERS : undefined),
    findGroup: (name) => answer('findGroup', name === ENGINEERS.displayName ? ENGINEERS : undefined),
    memberOf: () => answer('memberOf', new Set<string>()),
    groupsOf: () => answer('groupsOf', []),
    membersOf: () => answer('membersOf', []),
    permissionSets: () => answer('permissionSets', sets),
    organization: () => answer('organization', organization),
  };
  return { directory, calls };
};

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dbMock = mockClient(db);
const sfn = new SFNClient({ region: 'us-east-1' });
const sfnMock = mockClient(sfn);
const proton = new ProtonClient({ region: 'us-east-1' });
const protonMock = mockClient(proton);
let ids = 0;

const deps = (directory: Directory = inMemoryDirectory().directory): SubmitDeps => ({
  policy: parsePolicy({ rules: [{ action: 'sso:CreateAccountAssignment', approvers: ['bob@example.com'] }] }),
  clients: { proton: () => proton },
  repository: createRequestRepository({ db, tableName: 'requests' }),
  sfn,
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:approval',
  clock: { now: () => new Date('2026-12-03T10:00:00.000Z') },
  newId: () => `req-${++ids}`,
  directory,
});

const byName = (parameters: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  action: 'sso:CreateAccountAssignment',
  parameters,
  justification: 'INC-42: read the payments logs',
  ...extra,
});

/** The item the workflow's first state will write, from the one StartExecution call. */
const startedItem = (): RequestItem => {
  const calls = sfnMock.commandCalls(StartExecutionCommand);
  expect(calls).toHaveLength(1);
  const input = JSON.parse(calls[0]?.args[0].input.input ?? '{}') as { item: Record<string, never> };
  return unmarshall(input.item) as RequestItem;
};

const expectNothingWrittenOrStarted = () => {
  expect(sfnMock.calls()).toHaveLength(0);
  expect(dbMock.calls()).toHaveLength(0);
};

beforeEach(() => {
  routed.length = 0;
  nextRoute = {};
  nextRefusal = undefined;
  usersByClaim = { 'alice@example.com': ALICE, 'bob@example.com': BOB };
  dbMock.reset();
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
  protonMock.reset();
  protonMock.on(GetEnvironmentAccountConnectionCommand).resolves({
    environmentAccountConnection: { environmentAccountId: PAYMENTS_PROD, environmentName: 'payments' } as never,
  });
});

describe('submitting by name', () => {
  it('fills in the instance, the target type and the requester as principal, and stores the six parameters', async () => {
    // Act
    const response = await submitRequest(
      { body: byName({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD }), requester: 'alice@example.com' },
      deps(),
    );
    // Assess
    const six = {
      InstanceArn: INSTANCE_ARN,
      PermissionSetArn: READ_ONLY_ARN,
      PrincipalId: ALICE.userId,
      PrincipalType: 'USER',
      TargetId: PAYMENTS_PROD,
      TargetType: 'AWS_ACCOUNT',
    };
    const item = startedItem();
    expect(JSON.parse(item.parameters)).toEqual(six);
    expect(routed[0]?.parameters).toEqual(six);
    expect(routed[0]?.caller).toEqual({ id: 'alice@example.com', user: ALICE });
    expect(response.status).toBe('PENDING_APPROVAL');
  });

  it('takes the display snapshot once and stores it, returns it, and summarises with it', async () => {
    // Act
    const response = await submitRequest(
      { body: byName({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD }), requester: 'alice@example.com' },
      deps(),
    );
    // Assess
    const display = {
      requester: { id: 'alice@example.com', name: 'Alice Liddell' },
      principal: { type: 'USER', id: ALICE.userId, name: 'Alice Liddell', userName: 'alice' },
      permissionSet: { arn: READ_ONLY_ARN, name: 'ReadOnly', description: 'View resources' },
      account: { id: PAYMENTS_PROD, name: 'payments-prod' },
    };
    expect(response.display).toEqual(display);
    const item = startedItem();
    expect(item.display).toEqual(display);
    expect(item.summary).toBe(response.summary);
  });

  it('asks the directory nothing it already knows: a request for oneself reuses the caller for the principal', async () => {
    // Prepare
    const { directory, calls } = inMemoryDirectory();
    // Act
    await submitRequest(
      { body: byName({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD }), requester: 'alice@example.com' },
      deps(directory),
    );
    // Assess
    expect(calls).not.toContain('describeUser');
    expect(new Set(calls)).toEqual(new Set(['instanceArn', 'permissionSets', 'organization']));
  });

  it('keeps a body that gives all six parameters exactly as before, with names in its display', async () => {
    // Prepare
    const six = {
      InstanceArn: INSTANCE_ARN,
      PermissionSetArn: POWER_USER_ARN,
      PrincipalId: BOB.userId,
      PrincipalType: 'USER',
      TargetId: '111111111111',
      TargetType: 'AWS_ACCOUNT',
    };
    // Act
    const response = await submitRequest({ body: byName(six), requester: 'alice@example.com' }, deps());
    // Assess
    expect(JSON.parse(startedItem().parameters)).toEqual(six);
    expect(response.display).toMatchObject({
      principal: { type: 'USER', id: BOB.userId, name: 'Bob Okafor', userName: 'bob' },
      permissionSet: { name: 'PowerUser' },
      account: { name: 'platform-dev' },
    });
  });

  it('names a group principal by its display name', async () => {
    // Act
    const response = await submitRequest(
      {
        body: byName({
          PermissionSetName: 'ReadOnly',
          TargetId: PAYMENTS_PROD,
          PrincipalType: 'GROUP',
          PrincipalId: ENGINEERS.groupId,
        }),
        requester: 'alice@example.com',
      },
      deps(),
    );
    // Assess
    expect(response.display?.principal).toEqual({ type: 'GROUP', id: ENGINEERS.groupId, name: 'Engineers' });
  });

  it('stores the expanded approvers the route gives, and records them on the submitted event', async () => {
    // Prepare
    nextRoute = { approvers: ['bob@example.com', 'dana@example.com', 'grace@example.com'], minApprovals: 2 };
    // Act
    const response = await submitRequest(
      { body: byName({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD }), requester: 'alice@example.com' },
      deps(),
    );
    // Assess
    const item = startedItem();
    expect(item.approvers).toEqual(['bob@example.com', 'dana@example.com', 'grace@example.com']);
    expect(response.approvers).toEqual(item.approvers);
    expect(JSON.parse(item.events[0]?.detail ?? '{}')).toMatchObject({ approvers: item.approvers, minApprovals: 2 });
  });

  it('marks a request whose rule needs no approval, for the workflow to approve as system', async () => {
    // Prepare
    nextRoute = { approvalRequired: false };
    // Act
    const response = await submitRequest(
      {
        body: byName({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD }, { durationMinutes: 60 }),
        requester: 'alice@example.com',
      },
      deps(),
    );
    // Assess
    const item = startedItem();
    expect(item.approvalRequired).toBe(false);
    expect(item.durationMinutes).toBe(60);
    expect(JSON.parse(item.events[0]?.detail ?? '{}')).toMatchObject({ approvalRequired: false });
    expect(response.approvalRequired).toBe(false);
  });

  it('leaves approvalRequired off a request that needs approval, as on every request before it existed', async () => {
    // Act
    await submitRequest(
      { body: byName({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD }), requester: 'alice@example.com' },
      deps(),
    );
    // Assess
    expect(startedItem()).not.toHaveProperty('approvalRequired');
  });

  it('replays the first response for the same Idempotency-Key and by-name body, starting one execution', async () => {
    // Prepare
    const stored: Record<string, unknown> = {};
    dbMock.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => Object.assign(stored, input.Item));
    dbMock.on(GetCommand).callsFake(() => ({ Item: Object.keys(stored).length ? stored : undefined }));
    const body = byName({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD });
    const first = await submitRequest({ body, requester: 'alice@example.com', idempotencyKey: 'k-1' }, deps());
    // Act
    const second = await submitRequest({ body, requester: 'alice@example.com', idempotencyKey: 'k-1' }, deps());
    // Assess
    expect(second).toEqual(first);
    const names = sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(new Set(names)).toEqual(new Set([first.requestId]));
  });
});

describe('names that cannot be resolved', () => {
  it('lets the account id stand in when Organizations cannot be read, and goes on', async () => {
    // Prepare
    const denied = Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' });
    const { directory } = inMemoryDirectory({ organization: denied });
    // Act
    const response = await submitRequest(
      { body: byName({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD }), requester: 'alice@example.com' },
      deps(directory),
    );
    // Assess
    expect(response.display?.account).toEqual({ id: PAYMENTS_PROD, name: PAYMENTS_PROD });
    expect(startedItem().display?.account).toEqual({ id: PAYMENTS_PROD, name: PAYMENTS_PROD });
  });

  it('lets the permission set id stand in when the listing fails for a request by ARN', async () => {
    // Prepare
    const throttled = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    const { directory } = inMemoryDirectory({ permissionSets: throttled });
    // Act
    const response = await submitRequest(
      {
        body: byName({ PermissionSetArn: READ_ONLY_ARN, TargetId: PAYMENTS_PROD }),
        requester: 'alice@example.com',
      },
      deps(directory),
    );
    // Assess
    expect(response.display?.permissionSet).toEqual({ arn: READ_ONLY_ARN, name: 'ps-1111111111111111' });
  });

  it('names the requester by their id when no Identity Center user matches them', async () => {
    // Prepare
    usersByClaim = {};
    // Act
    const response = await submitRequest(
      {
        body: byName({
          PermissionSetName: 'ReadOnly',
          TargetId: PAYMENTS_PROD,
          PrincipalType: 'USER',
          PrincipalId: BOB.userId,
        }),
        requester: 'contractor@example.com',
      },
      deps(),
    );
    // Assess
    expect(response.display?.requester).toEqual({ id: 'contractor@example.com', name: 'contractor@example.com' });
    expect(response.display?.principal?.name).toBe('Bob Okafor');
  });
});

describe('refusals name the field, and write and start nothing', () => {
  it.each([
    [
      'both PermissionSetName and PermissionSetArn',
      { PermissionSetName: 'ReadOnly', PermissionSetArn: READ_ONLY_ARN, TargetId: PAYMENTS_PROD },
      'parameters.PermissionSetName',
    ],
    ['neither PermissionSetName nor PermissionSetArn', { TargetId: PAYMENTS_PROD }, 'parameters.PermissionSetName'],
    [
      'a PermissionSetName over 32 characters',
      { PermissionSetName: 'R'.repeat(33), TargetId: PAYMENTS_PROD },
      'parameters.PermissionSetName',
    ],
    ['an empty PermissionSetName', { PermissionSetName: '', TargetId: PAYMENTS_PROD }, 'parameters.PermissionSetName'],
    [
      'a PermissionSetName with a space',
      { PermissionSetName: 'Read Only', TargetId: PAYMENTS_PROD },
      'parameters.PermissionSetName',
    ],
    [
      'a PermissionSetName that is not text',
      { PermissionSetName: 7, TargetId: PAYMENTS_PROD },
      'parameters.PermissionSetName',
    ],
    [
      'PrincipalId without PrincipalType',
      { PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD, PrincipalId: BOB.userId },
      'parameters.PrincipalType',
    ],
    [
      'PrincipalType without PrincipalId',
      { PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD, PrincipalType: 'GROUP' },
      'parameters.PrincipalId',
    ],
    ['no TargetId', { PermissionSetName: 'ReadOnly' }, 'parameters.TargetId'],
    [
      'an unknown field',
      { PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD, Account: 'x' },
      'parameters.Account',
    ],
  ])('400 for %s, before any look-up', async (_case, parameters, path) => {
    // Prepare
    const { directory, calls } = inMemoryDirectory();
    // Act
    const attempt = submitRequest({ body: byName(parameters), requester: 'alice@example.com' }, deps(directory));
    // Assess
    await expect(attempt).rejects.toMatchObject({
      statusCode: 400,
      code: 'ValidationError',
      details: expect.arrayContaining([expect.objectContaining({ path })]),
    });
    expect(calls).toEqual([]);
    expectNothingWrittenOrStarted();
  });

  it('reports every problem of one body together', async () => {
    // Act
    const attempt = submitRequest(
      {
        body: {
          action: 'sso:CreateAccountAssignment',
          parameters: {
            PermissionSetName: 'Read Only',
            PermissionSetArn: READ_ONLY_ARN,
            TargetId: '12',
            PrincipalId: BOB.userId,
          },
        },
        requester: 'alice@example.com',
      },
      deps(),
    );
    // Assess
    const error = (await attempt.catch((e: unknown) => e)) as { details: Array<{ path: string }> };
    expect(error.details.map((d) => d.path).sort()).toEqual(
      [
        'justification',
        'parameters.PermissionSetName',
        'parameters.PermissionSetName',
        'parameters.PrincipalType',
        'parameters.TargetId',
      ].sort(),
    );
    expectNothingWrittenOrStarted();
  });

  it('400 naming parameters.PermissionSetName for a name no permission set has', async () => {
    // Act
    const attempt = submitRequest(
      {
        body: byName({ PermissionSetName: 'AdministratorAccess', TargetId: PAYMENTS_PROD }),
        requester: 'alice@example.com',
      },
      deps(),
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({
      statusCode: 400,
      details: [
        {
          path: 'parameters.PermissionSetName',
          message: expect.stringContaining('AdministratorAccess') as unknown as string,
        },
      ],
    });
    expect(routed).toEqual([]);
    expectNothingWrittenOrStarted();
  });

  it('400 naming parameters.InstanceArn when a name is given with another instance', async () => {
    // Act
    const attempt = submitRequest(
      {
        body: byName({
          PermissionSetName: 'ReadOnly',
          TargetId: PAYMENTS_PROD,
          InstanceArn: 'arn:aws:sso:::instance/ssoins-9999999999999999',
        }),
        requester: 'alice@example.com',
      },
      deps(),
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({ statusCode: 400, details: [{ path: 'parameters.InstanceArn' }] });
    expectNothingWrittenOrStarted();
  });

  it('403 PrincipalNotAllowed when a caller with no Identity Center user asks for themselves', async () => {
    // Prepare
    usersByClaim = {};
    // Act
    const attempt = submitRequest(
      { body: byName({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD }), requester: 'contractor@example.com' },
      deps(),
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({
      statusCode: 403,
      code: 'PrincipalNotAllowed',
      message: expect.stringContaining('name the principal') as unknown as string,
    });
    expect(routed).toEqual([]);
    expectNothingWrittenOrStarted();
  });

  it.each([
    ['USER', NOBODY, 'no Identity Center user'],
    ['GROUP', NOBODY, 'no Identity Center group'],
  ])('400 naming parameters.PrincipalId for a %s that does not exist', async (type, id, message) => {
    // Act
    const attempt = submitRequest(
      {
        body: byName({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD, PrincipalType: type, PrincipalId: id }),
        requester: 'alice@example.com',
      },
      deps(),
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({
      statusCode: 400,
      details: [{ path: 'parameters.PrincipalId', message: expect.stringContaining(message) as unknown as string }],
    });
    expectNothingWrittenOrStarted();
  });

  it('refuses what routing refuses, before taking any name', async () => {
    // Prepare
    const { directory, calls } = inMemoryDirectory();
    const refusal = Object.assign(new Error('not eligible'), { statusCode: 403, code: 'NotEligible' });
    nextRefusal = refusal;
    // Act
    const attempt = submitRequest(
      {
        body: byName({
          PermissionSetArn: READ_ONLY_ARN,
          TargetId: PAYMENTS_PROD,
          PrincipalType: 'USER',
          PrincipalId: BOB.userId,
        }),
        requester: 'alice@example.com',
      },
      deps(directory),
    );
    // Assess
    await expect(attempt).rejects.toBe(refusal);
    expect(calls).not.toContain('describeUser');
    expectNothingWrittenOrStarted();
  });
});

describe('Proton requests', () => {
  it('are unchanged, and name their requester and the connection account', async () => {
    // Act
    const response = await submitRequest(
      {
        body: {
          action: 'proton:AcceptEnvironmentAccountConnection',
          parameters: { id: '3f1c1a52-6a7b-4c1e-9d35-0b6f5c2a9e10' },
          justification: 'new environment',
        },
        requester: 'alice@example.com',
      },
      deps(),
    );
    // Assess
    expect(JSON.parse(startedItem().parameters)).toEqual({ id: '3f1c1a52-6a7b-4c1e-9d35-0b6f5c2a9e10' });
    expect(response.display).toEqual({
      requester: { id: 'alice@example.com', name: 'Alice Liddell' },
      account: { id: PAYMENTS_PROD, name: 'payments-prod' },
    });
  });
});
