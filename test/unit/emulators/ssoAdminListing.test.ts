// The SSO Admin listing calls through the real SDK client and the real local endpoint, valid and invalid inputs alike.
import { describe, it, expect, afterEach } from '@jest/globals';
import {
  DescribePermissionSetCommand,
  ListInstancesCommand,
  ListPermissionSetsCommand,
  ResourceNotFoundException,
  SSOAdminClient,
  ValidationException,
  paginateListPermissionSets,
} from '@aws-sdk/client-sso-admin';
import { defaultFixtures, loadFixtures, type SsoFixtures } from '../../../local/emulators/fixtures.js';
import { DEFAULT_IDENTITY_STORE_ID, createSsoAdminEmulator } from '../../../local/emulators/ssoAdmin.js';
import { serveEmulator, type EmulatorEndpoint } from '../../fixtures/awsEndpoint.js';

const INSTANCE = defaultFixtures.sso.instanceArn;
const psArn = (id: string) => `arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-${id}`;
const [READ_ONLY = '', POWER_USER = ''] = defaultFixtures.sso.permissionSets;
const CREATED = new Date('2024-01-01T00:00:00Z');

let served: EmulatorEndpoint | undefined;
let client: SSOAdminClient | undefined;

afterEach(async () => {
  client?.destroy();
  await served?.close();
  served = undefined;
});

const start = async (fixtures: Partial<SsoFixtures> = {}, identityStoreId?: string): Promise<SSOAdminClient> => {
  const emulator = createSsoAdminEmulator({
    fixtures: { ...defaultFixtures.sso, ...fixtures },
    ...(identityStoreId ? { identityStoreId } : {}),
  });
  served = await serveEmulator(emulator);
  client = new SSOAdminClient({
    endpoint: served.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  return client;
};

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );

describe('SSO Admin emulator: ListInstances', () => {
  it('lists the one instance, ACTIVE, with the default identity store id when the fixtures name none', async () => {
    // Prepare
    const sso = await start();

    // Act
    const output = await sso.send(new ListInstancesCommand({}));

    // Assess
    expect(output.Instances).toEqual([
      {
        InstanceArn: INSTANCE,
        IdentityStoreId: DEFAULT_IDENTITY_STORE_ID,
        Name: 'local',
        Status: 'ACTIVE',
        CreatedDate: CREATED,
      },
    ]);
    expect(output.NextToken).toBeUndefined();
    expect(DEFAULT_IDENTITY_STORE_ID).toMatch(/^d-[0-9a-f]{10}$/);
  });

  it("reports the fixtures' identity store id", async () => {
    // Prepare
    const sso = await start({}, 'd-9a8b7c6d5e');

    // Act
    const output = await sso.send(new ListInstancesCommand({ MaxResults: 1 }));

    // Assess
    expect(output.Instances?.map((instance) => instance.IdentityStoreId)).toEqual(['d-9a8b7c6d5e']);
  });

  it.each([
    ['MaxResults 0', { MaxResults: 0 }, 'must have value greater than or equal to 1'],
    ['MaxResults 101', { MaxResults: 101 }, 'must have value less than or equal to 100'],
    ['a NextToken outside the pattern', { NextToken: 'not a token!' }, 'must satisfy regular expression pattern'],
    ['a 2049-character NextToken', { NextToken: 'x'.repeat(2049) }, 'must have length less than or equal to 2048'],
  ])('refuses %s with ValidationException', async (_, input, constraint) => {
    // Prepare
    const sso = await start();

    // Act
    const error = await failure(sso.send(new ListInstancesCommand(input)));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toContain(constraint);
  });

  it('refuses a next token it did not issue', async () => {
    // Prepare
    const sso = await start();

    // Act
    const error = await failure(sso.send(new ListInstancesCommand({ NextToken: 'bm90LWEtbnVtYmVy' })));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
  });
});

describe('SSO Admin emulator: ListPermissionSets', () => {
  it("lists the instance's permission sets in fixture order", async () => {
    // Prepare
    const sso = await start();

    // Act
    const output = await sso.send(new ListPermissionSetsCommand({ InstanceArn: INSTANCE }));

    // Assess
    expect(output.PermissionSets).toEqual([READ_ONLY, POWER_USER]);
    expect(output.NextToken).toBeUndefined();
  });

  it('pages with MaxResults and NextToken, and the SDK paginator collects every page', async () => {
    // Prepare
    const arns = ['1', '2', '3', '4', '5'].map((digit) => psArn(digit.repeat(16)));
    const sso = await start({ permissionSets: arns });

    // Act
    const first = await sso.send(new ListPermissionSetsCommand({ InstanceArn: INSTANCE, MaxResults: 2 }));
    const second = await sso.send(
      new ListPermissionSetsCommand({ InstanceArn: INSTANCE, MaxResults: 2, NextToken: first.NextToken }),
    );
    const collected: string[] = [];
    for await (const page of paginateListPermissionSets({ client: sso, pageSize: 2 }, { InstanceArn: INSTANCE })) {
      collected.push(...(page.PermissionSets ?? []));
    }

    // Assess
    expect(first.PermissionSets).toEqual(arns.slice(0, 2));
    expect(first.NextToken).toEqual(expect.stringMatching(/^[-a-zA-Z0-9+=/_]+$/));
    expect(second.PermissionSets).toEqual(arns.slice(2, 4));
    expect(collected).toEqual(arns);
  });

  it('answers ResourceNotFoundException for an instance that does not exist', async () => {
    // Prepare
    const sso = await start();

    // Act
    const error = await failure(
      sso.send(new ListPermissionSetsCommand({ InstanceArn: 'arn:aws:sso:::instance/ssoins-9999999999999999' })),
    );

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it('accepts the other partitions the model allows, and finds no such instance there', async () => {
    // Prepare
    const sso = await start();

    // Act
    const error = await failure(
      sso.send(new ListPermissionSetsCommand({ InstanceArn: 'arn:aws-cn:sso:::instance/ssoins-1111111111111111' })),
    );

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it.each([
    [{}, "Value null at 'InstanceArn' failed to satisfy constraint: Member must not be null"],
    [{ InstanceArn: 'arn:aws:s' }, 'must have length greater than or equal to 10'],
    [{ InstanceArn: 'arn:aws:sso:::instance/ssoins-111' }, 'must satisfy regular expression pattern'],
    [{ InstanceArn: INSTANCE, MaxResults: 101 }, 'must have value less than or equal to 100'],
    [{ InstanceArn: INSTANCE, MaxResults: 0 }, 'must have value greater than or equal to 1'],
  ])('refuses %j with ValidationException', async (input, constraint) => {
    // Prepare
    const sso = await start();

    // Act
    const error = await failure(sso.send(new ListPermissionSetsCommand(input as { InstanceArn: string })));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toContain(constraint);
  });
});

describe('SSO Admin emulator: DescribePermissionSet', () => {
  it('describes a default permission set by its name and description', async () => {
    // Prepare
    const sso = await start();

    // Act
    const output = await sso.send(
      new DescribePermissionSetCommand({ InstanceArn: INSTANCE, PermissionSetArn: POWER_USER }),
    );

    // Assess
    expect(output.PermissionSet).toEqual({
      Name: 'PowerUser',
      PermissionSetArn: POWER_USER,
      Description: 'Full access to AWS services and resources, except managing users, groups and billing',
      CreatedDate: CREATED,
      SessionDuration: 'PT1H',
    });
  });

  it('describes permission sets given as { arn, name, description }, and names a bare ARN after its id', async () => {
    // Prepare
    const named = {
      arn: psArn('aaaaaaaaaaaaaaaa'),
      name: 'Billing',
      description: 'Read the bills',
      sessionDuration: 'PT4H',
    };
    const bare = psArn('bbbbbbbbbbbbbbbb');
    const sso = await start({ permissionSets: [named, bare], permissionSetNames: {} });

    // Act
    const listed = await sso.send(new ListPermissionSetsCommand({ InstanceArn: INSTANCE }));
    const describedNamed = await sso.send(
      new DescribePermissionSetCommand({ InstanceArn: INSTANCE, PermissionSetArn: named.arn }),
    );
    const describedBare = await sso.send(
      new DescribePermissionSetCommand({ InstanceArn: INSTANCE, PermissionSetArn: bare }),
    );

    // Assess
    expect(listed.PermissionSets).toEqual([named.arn, bare]);
    expect(describedNamed.PermissionSet).toMatchObject({
      Name: 'Billing',
      Description: 'Read the bills',
      SessionDuration: 'PT4H',
    });
    expect(describedBare.PermissionSet).toEqual({
      Name: 'ps-bbbbbbbbbbbbbbbb',
      PermissionSetArn: bare,
      CreatedDate: CREATED,
      SessionDuration: 'PT1H',
    });
  });

  it.each([
    ['a permission set that does not exist', { InstanceArn: INSTANCE, PermissionSetArn: psArn('9999999999999999') }],
    [
      'an instance that does not exist',
      { InstanceArn: 'arn:aws:sso:::instance/ssoins-9999999999999999', PermissionSetArn: READ_ONLY },
    ],
  ])('answers ResourceNotFoundException for %s', async (_, input) => {
    // Prepare
    const sso = await start();

    // Act
    const error = await failure(sso.send(new DescribePermissionSetCommand(input)));

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });

  it.each([
    [
      { InstanceArn: INSTANCE },
      "Value null at 'PermissionSetArn' failed to satisfy constraint: Member must not be null",
    ],
    [
      { PermissionSetArn: READ_ONLY },
      "Value null at 'InstanceArn' failed to satisfy constraint: Member must not be null",
    ],
    [{ InstanceArn: INSTANCE, PermissionSetArn: psArn('1') }, 'must satisfy regular expression pattern'],
    [{ InstanceArn: INSTANCE, PermissionSetArn: INSTANCE }, 'must satisfy regular expression pattern'],
    [{ InstanceArn: READ_ONLY, PermissionSetArn: READ_ONLY }, "at 'InstanceArn' failed to satisfy constraint"],
  ])('refuses %j with ValidationException', async (input, constraint) => {
    // Prepare
    const sso = await start();

    // Act
    const error = await failure(
      sso.send(new DescribePermissionSetCommand(input as { InstanceArn: string; PermissionSetArn: string })),
    );

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toContain(constraint);
  });
});

describe('LOCAL_FIXTURES: permission sets', () => {
  it('accepts named permission sets, bare ARNs and both mixed, and keeps the defaults named', () => {
    // Prepare
    const named = { arn: psArn('aaaaaaaaaaaaaaaa'), name: 'Billing', description: 'Read the bills' };
    const spec = JSON.stringify({ sso: { permissionSets: [named, psArn('bbbbbbbbbbbbbbbb')] } });

    // Act
    const loaded = loadFixtures(spec);
    const defaults = loadFixtures(undefined);

    // Assess
    expect(loaded.sso.permissionSets).toEqual([named, psArn('bbbbbbbbbbbbbbbb')]);
    expect(defaults.sso.permissionSets).toEqual([READ_ONLY, POWER_USER]);
    expect(defaults.sso.permissionSetNames?.[READ_ONLY]?.name).toBe('ReadOnly');
    expect(defaults.sso.permissionSetNames?.[POWER_USER]?.name).toBe('PowerUser');
  });

  it('loads a fixture file of bare ARNs, without the new fields, as before', () => {
    // Prepare
    const spec = JSON.stringify({ sso: { permissionSets: [psArn('cccccccccccccccc')], accounts: ['333333333333'] } });

    // Act
    const loaded = loadFixtures(spec);

    // Assess
    expect(loaded.sso).toMatchObject({ permissionSets: [psArn('cccccccccccccccc')], accounts: ['333333333333'] });
  });

  it.each([
    [[{ arn: psArn('aaaaaaaaaaaaaaaa') }], "Value null at 'sso.permissionSets[0].name'"],
    [[42], "'sso.permissionSets[0]' must be a permission set ARN or an object"],
    [
      [{ arn: psArn('aaaaaaaaaaaaaaaa'), name: 'X', colour: 'red' }],
      "'sso.permissionSets[0].colour' is not a known field",
    ],
    ['arn', "'sso.permissionSets' must be a list"],
  ])('refuses permissionSets %j, naming the problem', (permissionSets, problem) => {
    // Prepare
    const spec = JSON.stringify({ sso: { permissionSets } });

    // Act
    const load = () => loadFixtures(spec);

    // Assess
    expect(load).toThrow(problem);
    expect(load).toThrow(/^LOCAL_FIXTURES: /);
  });

  it('refuses permissionSetNames that are not { name, description } by ARN', () => {
    // Prepare
    const spec = JSON.stringify({ sso: { permissionSetNames: { [READ_ONLY]: { description: 'no name' } } } });

    // Act
    const load = () => loadFixtures(spec);

    // Assess
    expect(load).toThrow(`Value null at 'sso.permissionSetNames.${READ_ONLY}.name'`);
  });
});
