import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeEach } from '@jest/globals';
import {
  CreateAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  ListAccountAssignmentsCommand,
  SSOAdminClient,
  ValidationException,
} from '@aws-sdk/client-sso-admin';
import { defaultFixtures, type SsoFixtures } from '../../../local/emulators/fixtures.js';
import { createSsoAdminEmulator } from '../../../local/emulators/ssoAdmin.js';
import type { EmulatorResponse } from '../../../local/emulators/types.js';
import { serveEmulator } from '../../fixtures/awsEndpoint.js';

const INSTANCE = defaultFixtures.sso.instanceArn;
const [PERMISSION_SET = '', OTHER_PERMISSION_SET = ''] = defaultFixtures.sso.permissionSets;
const USER = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6';
const GROUP = '1234567890-0a1b2c3d-1111-2222-3333-444455556666';
const ACCOUNT = '111111111111';

const assignment = {
  InstanceArn: INSTANCE,
  PermissionSetArn: PERMISSION_SET,
  PrincipalId: USER,
  PrincipalType: 'USER',
  TargetId: ACCOUNT,
  TargetType: 'AWS_ACCOUNT',
} as const;

interface OperationStatus {
  Status: string;
  RequestId: string;
  FailureReason?: string;
  CreatedDate: number;
}
interface Body {
  __type?: string;
  message?: string;
  AccountAssignmentCreationStatus?: OperationStatus;
  AccountAssignmentDeletionStatus?: OperationStatus;
  AccountAssignments?: Array<Record<string, string>>;
  NextToken?: string;
}

const fakeClock = () => {
  const clock = { time: 1_700_000_000_000, now: () => clock.time };
  return clock;
};

const setup = (fixtures: Partial<SsoFixtures> = {}, stateFile?: string) => {
  const clock = fakeClock();
  const emulator = createSsoAdminEmulator({ fixtures: { ...defaultFixtures.sso, ...fixtures }, clock, stateFile });
  const call = async (operation: string, input: unknown): Promise<EmulatorResponse & { body: Body }> =>
    (await emulator.handle(operation, input)) as EmulatorResponse & { body: Body };
  const list = async (input: Record<string, unknown> = {}) =>
    (
      await call('ListAccountAssignments', {
        InstanceArn: INSTANCE,
        AccountId: ACCOUNT,
        PermissionSetArn: PERMISSION_SET,
        ...input,
      })
    ).body;
  return { clock, emulator, call, list };
};

describe('SSO Admin emulator: CreateAccountAssignment validation', () => {
  let sso: ReturnType<typeof setup>;
  beforeEach(() => {
    sso = setup();
  });

  it.each([
    ['a USER', {}],
    ['a GROUP with the 47-character group id', { PrincipalId: GROUP, PrincipalType: 'GROUP' }],
    ['the other permission set', { PermissionSetArn: OTHER_PERMISSION_SET }],
    ['the other account', { TargetId: '222222222222' }],
  ])('accepts %s', async (_, override) => {
    // Prepare
    const input = { ...assignment, ...override };

    // Act
    const response = await sso.call('CreateAccountAssignment', input);

    // Assess
    expect(response.status).toBe(200);
    expect(response.body.AccountAssignmentCreationStatus).toEqual({
      Status: 'IN_PROGRESS',
      RequestId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/),
      TargetId: input.TargetId,
      TargetType: 'AWS_ACCOUNT',
      PermissionSetArn: input.PermissionSetArn,
      PrincipalType: input.PrincipalType,
      PrincipalId: input.PrincipalId,
      CreatedDate: sso.clock.time / 1000,
    });
  });

  const tooShort = 'arn:aws:s';
  const tooLong = (prefix: string) => prefix + 'x'.repeat(1225 - prefix.length);

  it.each([
    ['InstanceArn', undefined, 'must not be null'],
    ['InstanceArn', tooShort, 'must have length greater than or equal to 10'],
    ['InstanceArn', tooLong(INSTANCE), 'must have length less than or equal to 1224'],
    ['InstanceArn', 'arn:aws:sso:::instance/ssoins-111', 'must satisfy regular expression pattern'],
    ['InstanceArn', `${INSTANCE}1`, 'must satisfy regular expression pattern'],
    ['InstanceArn', `x${INSTANCE}`, 'must satisfy regular expression pattern'],
    ['PermissionSetArn', undefined, 'must not be null'],
    ['PermissionSetArn', tooShort, 'must have length greater than or equal to 10'],
    ['PermissionSetArn', tooLong(PERMISSION_SET), 'must have length less than or equal to 1224'],
    [
      'PermissionSetArn',
      'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-1',
      'must satisfy regular expression pattern',
    ],
    ['PermissionSetArn', INSTANCE, 'must satisfy regular expression pattern'],
    ['PrincipalId', undefined, 'must not be null'],
    ['PrincipalId', '', 'must have length greater than or equal to 1'],
    ['PrincipalId', `${GROUP}0`, 'must have length less than or equal to 47'],
    ['PrincipalId', 'not-a-guid', 'must satisfy regular expression pattern'],
    ['PrincipalId', 'ABCDEF7890-0a1b2c3d-1111-2222-3333-444455556666', 'must satisfy regular expression pattern'],
    ['PrincipalId', `${USER}0`, 'must satisfy regular expression pattern'],
    ['PrincipalType', undefined, 'must not be null'],
    ['PrincipalType', 'ROLE', 'must satisfy enum value set: [USER, GROUP]'],
    ['PrincipalType', 'user', 'must satisfy enum value set: [USER, GROUP]'],
    ['TargetId', undefined, 'must not be null'],
    ['TargetId', '11111111111', 'must satisfy regular expression pattern'],
    ['TargetId', '1111111111111', 'must satisfy regular expression pattern'],
    ['TargetId', 111111111111, 'must be a string'],
    ['TargetType', undefined, 'must not be null'],
    ['TargetType', 'ACCOUNT', 'must satisfy enum value set: [AWS_ACCOUNT]'],
  ])('rejects %s = %p with a ValidationException naming it', async (field, value, constraint) => {
    // Prepare
    const input = { ...assignment, [field]: value };

    // Act
    const response = await sso.call('CreateAccountAssignment', input);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe('ValidationException');
    expect(response.body.message).toContain(`'${field}' failed to satisfy constraint: Member ${constraint}`);
  });

  it.each([
    ['InstanceArn', 10],
    ['InstanceArn', 1224],
    ['PermissionSetArn', 10],
    ['PermissionSetArn', 1224],
    ['PrincipalId', 1],
    ['PrincipalId', 47],
  ])('lets %s of length %d pass the length checks (only the pattern is left to fail)', async (field, length) => {
    // Prepare
    const value = 'a'.repeat(length);

    // Act
    const response = await sso.call('CreateAccountAssignment', { ...assignment, [field]: value });

    // Assess
    expect(response.body.__type).toBe('ValidationException');
    expect(response.body.message).toMatch(/^1 validation error detected: /);
    expect(response.body.message).toContain(
      `at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern`,
    );
  });

  it('rejects unknown fields and reports every violation at once', async () => {
    // Prepare
    const input = { ...assignment, TargetId: 'abc', DurationMinutes: 60 };

    // Act
    const response = await sso.call('CreateAccountAssignment', input);

    // Assess
    expect(response.body.__type).toBe('ValidationException');
    expect(response.body.message).toMatch(/^2 validation errors detected: /);
    expect(response.body.message).toContain("'DurationMinutes' is not a known field");
    expect(response.body.message).toContain("'TargetId'");
  });

  it.each([
    ['instance', { InstanceArn: 'arn:aws:sso:::instance/ssoins-9999999999999999' }],
    ['permission set', { PermissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-9999999999999999' }],
    ['principal', { PrincipalId: 'aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee' }],
    ['principal of the wrong type', { PrincipalType: 'GROUP' }],
    ['account', { TargetId: '333333333333' }],
  ])('answers a well-formed but unknown %s with ResourceNotFoundException', async (_, override) => {
    // Prepare
    const input = { ...assignment, ...override };

    // Act
    const response = await sso.call('CreateAccountAssignment', input);

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe('ResourceNotFoundException');
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    // Prepare: ListInstances was the example until issue 11 made it a real operation; this one is still unknown.
    // Act
    const response = await sso.call('ListPermissionSetsProvisionedToAccount', {});

    // Assess
    expect(response).toEqual({
      status: 400,
      body: {
        __type: 'UnknownOperationException',
        message: 'Unknown operation ListPermissionSetsProvisionedToAccount',
      },
    });
  });
});

describe('SSO Admin emulator: provisioning', () => {
  it('keeps a creation IN_PROGRESS for provisioningSeconds × timeScale, then SUCCEEDED and listed', async () => {
    // Prepare
    const clock = fakeClock();
    const emulator = createSsoAdminEmulator({
      fixtures: { ...defaultFixtures.sso, provisioningSeconds: 2 },
      timeScale: 0.5,
      clock,
    });
    const created = (await emulator.handle('CreateAccountAssignment', assignment)).body as Body;
    const statusRequest = {
      InstanceArn: INSTANCE,
      AccountAssignmentCreationRequestId: created.AccountAssignmentCreationStatus?.RequestId,
    };
    const listInput = { InstanceArn: INSTANCE, AccountId: ACCOUNT, PermissionSetArn: PERMISSION_SET };

    // Act
    clock.time += 999;
    const during = (await emulator.handle('DescribeAccountAssignmentCreationStatus', statusRequest)).body as Body;
    const listedDuring = (await emulator.handle('ListAccountAssignments', listInput)).body as Body;
    clock.time += 1;
    const after = (await emulator.handle('DescribeAccountAssignmentCreationStatus', statusRequest)).body as Body;
    const listedAfter = (await emulator.handle('ListAccountAssignments', listInput)).body as Body;

    // Assess
    expect(during.AccountAssignmentCreationStatus?.Status).toBe('IN_PROGRESS');
    expect(listedDuring.AccountAssignments).toEqual([]);
    expect(after.AccountAssignmentCreationStatus?.Status).toBe('SUCCEEDED');
    expect(after.AccountAssignmentCreationStatus).not.toHaveProperty('FailureReason');
    expect(listedAfter.AccountAssignments).toEqual([
      { AccountId: ACCOUNT, PermissionSetArn: PERMISSION_SET, PrincipalType: 'USER', PrincipalId: USER },
    ]);
  });

  it('ends a creation for a failing principal FAILED with a FailureReason, and lists nothing', async () => {
    // Prepare
    const sso = setup({ failingPrincipals: [USER] });
    const created = (await sso.call('CreateAccountAssignment', assignment)).body;
    const statusRequest = {
      InstanceArn: INSTANCE,
      AccountAssignmentCreationRequestId: created.AccountAssignmentCreationStatus?.RequestId,
    };
    sso.clock.time += 1000;

    // Act
    const status = (await sso.call('DescribeAccountAssignmentCreationStatus', statusRequest)).body;

    // Assess
    expect(created.AccountAssignmentCreationStatus).not.toHaveProperty('FailureReason');
    expect(status.AccountAssignmentCreationStatus?.Status).toBe('FAILED');
    expect(status.AccountAssignmentCreationStatus?.FailureReason).toContain(USER);
    expect((await sso.list()).AccountAssignments).toEqual([]);
  });

  it('accepts creating an existing assignment again without listing it twice', async () => {
    // Prepare
    const sso = setup();
    await sso.call('CreateAccountAssignment', assignment);
    sso.clock.time += 1000;

    // Act
    const again = await sso.call('CreateAccountAssignment', assignment);
    sso.clock.time += 1000;

    // Assess
    expect(again.status).toBe(200);
    expect((await sso.list()).AccountAssignments).toHaveLength(1);
  });

  it('deletes: IN_PROGRESS while still listed, then SUCCEEDED and gone; deleting again is ResourceNotFoundException', async () => {
    // Prepare
    const sso = setup();
    await sso.call('CreateAccountAssignment', assignment);
    sso.clock.time += 1000;

    // Act
    const deleted = (await sso.call('DeleteAccountAssignment', assignment)).body;
    const statusRequest = {
      InstanceArn: INSTANCE,
      AccountAssignmentDeletionRequestId: deleted.AccountAssignmentDeletionStatus?.RequestId,
    };
    const listedDuring = await sso.list();
    sso.clock.time += 1000;
    const status = (await sso.call('DescribeAccountAssignmentDeletionStatus', statusRequest)).body;
    const listedAfter = await sso.list();
    const again = (await sso.call('DeleteAccountAssignment', assignment)).body;

    // Assess
    expect(deleted.AccountAssignmentDeletionStatus).toMatchObject({
      Status: 'IN_PROGRESS',
      PrincipalId: USER,
      TargetId: ACCOUNT,
    });
    expect(listedDuring.AccountAssignments).toHaveLength(1);
    expect(status.AccountAssignmentDeletionStatus?.Status).toBe('SUCCEEDED');
    expect(listedAfter.AccountAssignments).toEqual([]);
    expect(again.__type).toBe('ResourceNotFoundException');
  });

  it('answers status requests for unknown or malformed request ids', async () => {
    // Prepare
    const sso = setup();
    const unknown = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';

    // Act
    const creation = await sso.call('DescribeAccountAssignmentCreationStatus', {
      InstanceArn: INSTANCE,
      AccountAssignmentCreationRequestId: unknown,
    });
    const deletion = await sso.call('DescribeAccountAssignmentDeletionStatus', {
      InstanceArn: INSTANCE,
      AccountAssignmentDeletionRequestId: unknown,
    });
    const uppercase = await sso.call('DescribeAccountAssignmentCreationStatus', {
      InstanceArn: INSTANCE,
      AccountAssignmentCreationRequestId: unknown.toUpperCase(),
    });

    // Assess
    expect(creation.body.__type).toBe('ResourceNotFoundException');
    expect(deletion.body.__type).toBe('ResourceNotFoundException');
    expect(uppercase.body.__type).toBe('ValidationException');
    expect(uppercase.body.message).toContain("'AccountAssignmentCreationRequestId'");
  });
});

describe('SSO Admin emulator: ListAccountAssignments', () => {
  it('pages with MaxResults and NextToken', async () => {
    // Prepare
    const sso = setup();
    await sso.call('CreateAccountAssignment', assignment);
    await sso.call('CreateAccountAssignment', { ...assignment, PrincipalId: GROUP, PrincipalType: 'GROUP' });
    sso.clock.time += 1000;

    // Act
    const first = await sso.list({ MaxResults: 1 });
    const second = await sso.list({ MaxResults: 1, NextToken: first.NextToken });

    // Assess
    expect(first.AccountAssignments?.map((a) => a.PrincipalId)).toEqual([USER]);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(second.AccountAssignments?.map((a) => a.PrincipalId)).toEqual([GROUP]);
    expect(second).not.toHaveProperty('NextToken');
  });

  it.each([
    ['MaxResults', { MaxResults: 0 }],
    ['MaxResults', { MaxResults: 101 }],
    ['AccountId', { AccountId: undefined }],
    ['AccountId', { AccountId: '1234' }],
    ['PermissionSetArn', { PermissionSetArn: undefined }],
    ['InstanceArn', { InstanceArn: undefined }],
  ])('rejects a bad %s with a ValidationException naming it', async (field, override) => {
    // Prepare
    const sso = setup();

    // Act
    const body = await sso.list(override);

    // Assess
    expect(body.__type).toBe('ValidationException');
    expect(body.message).toContain(`'${field}'`);
  });

  it('answers an unknown account with ResourceNotFoundException', async () => {
    // Prepare
    const sso = setup();

    // Act
    const body = await sso.list({ AccountId: '333333333333' });

    // Assess
    expect(body.__type).toBe('ResourceNotFoundException');
  });
});

describe('SSO Admin emulator: Identity Center limits', () => {
  it('allows 20 calls per second across all operations, throttles the 21st without changing state', async () => {
    // Prepare
    const sso = setup();
    for (let i = 0; i < 19; i += 1) await sso.list();
    await sso.call('DescribeAccountAssignmentCreationStatus', {
      InstanceArn: INSTANCE,
      AccountAssignmentCreationRequestId: 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee',
    });

    // Act
    const throttled = await sso.call('CreateAccountAssignment', assignment);
    sso.clock.time += 999;
    const stillThrottled = await sso.list();
    sso.clock.time += 1;
    const afterWindow = await sso.list();

    // Assess
    expect(throttled).toEqual({ status: 400, body: { __type: 'ThrottlingException', message: 'Rate exceeded' } });
    expect(stillThrottled.__type).toBe('ThrottlingException');
    expect(afterWindow.__type).toBeUndefined();
    expect(afterWindow.AccountAssignments).toEqual([]);
  });

  it('throttles the 16th outstanding creation without starting it, and accepts it once others finish', async () => {
    // Prepare
    const accounts = Array.from({ length: 16 }, (_, i) => String(100000000000 + i));
    const sso = setup({ accounts });
    for (const account of accounts.slice(0, 15)) {
      expect((await sso.call('CreateAccountAssignment', { ...assignment, TargetId: account })).status).toBe(200);
    }
    const sixteenth = { ...assignment, TargetId: accounts[15] };

    // Act
    const throttled = await sso.call('CreateAccountAssignment', sixteenth);
    sso.clock.time += 1000;
    const listed = await sso.list({ AccountId: accounts[15] });
    const retried = await sso.call('CreateAccountAssignment', sixteenth);

    // Assess
    expect(throttled.body.__type).toBe('ThrottlingException');
    expect(throttled.body.message).toContain('15');
    expect(listed.AccountAssignments).toEqual([]);
    expect(retried.body.AccountAssignmentCreationStatus?.Status).toBe('IN_PROGRESS');
  });
});

describe('SSO Admin emulator: persistence', () => {
  it('restores assignments and operations from the state file in a new emulator', async () => {
    // Prepare
    const stateFile = join(mkdtempSync(join(tmpdir(), 'sso-state-')), 'data', 'sso-admin.json');
    const first = setup({}, stateFile);
    const created = (await first.call('CreateAccountAssignment', assignment)).body;
    const requestId = created.AccountAssignmentCreationStatus?.RequestId;

    // Act
    const second = setup({}, stateFile);
    second.clock.time += 1000;
    const status = (
      await second.call('DescribeAccountAssignmentCreationStatus', {
        InstanceArn: INSTANCE,
        AccountAssignmentCreationRequestId: requestId,
      })
    ).body;
    const third = setup({}, stateFile);
    const listed = await third.list();

    // Assess
    expect(status.AccountAssignmentCreationStatus?.Status).toBe('SUCCEEDED');
    expect(listed.AccountAssignments).toHaveLength(1);
    expect(existsSync(stateFile)).toBe(true);
    expect(readdirSync(join(stateFile, '..'))).toEqual(['sso-admin.json']);
  });
});

describe('SSO Admin emulator through the real SDK client', () => {
  const connect = async () => {
    const { emulator } = setup();
    const server = await serveEmulator(emulator);
    const client = new SSOAdminClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    const close = async () => {
      client.destroy();
      await server.close();
    };
    return { client, close };
  };

  it('speaks awsJson1_1: outputs, epoch-second dates and error names', async () => {
    // Prepare
    const { client, close } = await connect();

    try {
      // Act
      const created = await client.send(new CreateAccountAssignmentCommand(assignment));
      const status = await client.send(
        new DescribeAccountAssignmentCreationStatusCommand({
          InstanceArn: INSTANCE,
          AccountAssignmentCreationRequestId: created.AccountAssignmentCreationStatus?.RequestId,
        }),
      );
      const listed = await client.send(
        new ListAccountAssignmentsCommand({
          InstanceArn: INSTANCE,
          AccountId: ACCOUNT,
          PermissionSetArn: PERMISSION_SET,
        }),
      );
      const invalid = await client
        .send(new CreateAccountAssignmentCommand({ ...assignment, TargetId: 'abc' }))
        .catch((error: unknown) => error);
      const missing = await client
        .send(
          new ListAccountAssignmentsCommand({
            InstanceArn: INSTANCE,
            AccountId: '333333333333',
            PermissionSetArn: PERMISSION_SET,
          }),
        )
        .catch((error: unknown) => error);

      // Assess
      expect(created.AccountAssignmentCreationStatus?.Status).toBe('IN_PROGRESS');
      expect(created.AccountAssignmentCreationStatus?.CreatedDate).toBeInstanceOf(Date);
      expect(status.AccountAssignmentCreationStatus?.RequestId).toBe(
        created.AccountAssignmentCreationStatus?.RequestId,
      );
      expect(listed.AccountAssignments).toEqual([]);
      expect(invalid).toBeInstanceOf(ValidationException);
      expect(invalid).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("'TargetId'") });
      expect(missing).toMatchObject({ name: 'ResourceNotFoundException' });
    } finally {
      await close();
    }
  });

  it('surfaces the 20 TPS limit as ThrottlingException without retrying', async () => {
    // Prepare
    const { client, close } = await connect();
    const list = () =>
      client.send(
        new ListAccountAssignmentsCommand({
          InstanceArn: INSTANCE,
          AccountId: ACCOUNT,
          PermissionSetArn: PERMISSION_SET,
        }),
      );

    try {
      // Act
      for (let i = 0; i < 20; i += 1) await list();
      const throttled = await list().catch((error: unknown) => error);

      // Assess
      expect(throttled).toMatchObject({
        name: 'ThrottlingException',
        message: 'Rate exceeded',
        $metadata: { attempts: 1 },
      });
    } finally {
      await close();
    }
  });
});
