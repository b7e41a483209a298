// The durable copy of permission-set names with the real SDK clients against the real local AWS endpoint: dynalite with
// the table as serverless.yml defines it, and the SSO Admin emulator serving the default fixtures. A first cold
// function describes every set and stores the names; the next cold function names them with one BatchGetItem.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { startAwsEndpoint } from '../../../local/awsEndpoint.js';
import { ensureTable, type LocalDynamo, startDynalite } from '../../../local/dynamodb.js';
import { FaultInjector } from '../../../local/emulators/faults.js';
import { defaultFixtures, loadFixtures, ssoWithDirectory } from '../../../local/emulators/fixtures.js';
import { createIdentityStoreEmulator } from '../../../local/emulators/identityStore.js';
import { createOrganizationsEmulator } from '../../../local/emulators/organizations.js';
import { createSsoAdminEmulator } from '../../../local/emulators/ssoAdmin.js';
import { loadServerlessConfig } from '../../../local/serverlessConfig.js';
import { createIdentityCenterDirectory } from '../../../functions/directory/identityCenter.js';
import { createPermissionSetNameStore } from '../../../functions/directory/permissionSetNames.js';
import { permissionSetNameKey } from '../../../functions/requests/keys.js';
import { clientConfigFor } from '../../fixtures/awsEndpoint.js';

const TABLE = 'permission-set-names-test';
const fixtures = loadFixtures(undefined);
const STORE = defaultFixtures.identityStore.id;
const INSTANCE = defaultFixtures.sso.instanceArn;
const DAY = 24 * 60 * 60_000;

let dynamo: LocalDynamo;
let close: (() => Promise<void>) | undefined;
let dynamodb: DynamoDBClient;
let db: DynamoDBDocumentClient;
let clients: { identityStore: IdentitystoreClient; organizations: OrganizationsClient; ssoAdmin: SSOAdminClient };
/** Every command the clients sent, by name, counted on the client side (one per AWS request; no retries here). */
const sent: string[] = [];

type Next = (args: unknown) => Promise<unknown>;
const countCalls = (client: { middlewareStack: unknown }): void =>
  (client.middlewareStack as { add: (middleware: unknown, options: unknown) => void }).add(
    (next: Next, context: { commandName?: string }) => (args: unknown) => {
      sent.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );

let now = Date.parse('2026-12-01T00:00:00Z');
const clock = { now: () => new Date(now) };

beforeAll(async () => {
  dynamo = await startDynalite();
  const endpoint = await startAwsEndpoint({
    port: 0,
    dynamodbEndpoint: dynamo.endpoint,
    emulators: [
      createSsoAdminEmulator({ fixtures: ssoWithDirectory(fixtures), identityStoreId: STORE }),
      createIdentityStoreEmulator({ fixtures: fixtures.identityStore }),
      createOrganizationsEmulator({ fixtures: fixtures.organizations }),
    ],
    faults: new FaultInjector([]),
  });
  close = endpoint.close;
  const config = clientConfigFor(endpoint.url);
  dynamodb = new DynamoDBClient(config);
  await ensureTable(dynamodb, TABLE, loadServerlessConfig().table);
  db = DynamoDBDocumentClient.from(dynamodb);
  clients = {
    identityStore: new IdentitystoreClient(config),
    organizations: new OrganizationsClient(config),
    ssoAdmin: new SSOAdminClient(config),
  };
  for (const client of [dynamodb, ...Object.values(clients)]) countCalls(client);
});

afterAll(async () => {
  for (const client of [dynamodb, ...Object.values(clients ?? {})]) client?.destroy();
  await close?.();
  await dynamo?.close();
});

/** A cold function: a new directory and store, sharing only the table. */
const coldDirectory = () =>
  createIdentityCenterDirectory({
    ...clients,
    clock,
    instanceArn: INSTANCE,
    identityStoreId: STORE,
    permissionSetNames: createPermissionSetNameStore({ db, tableName: TABLE, clock }),
  });

const callsDuring = async <T>(act: () => Promise<T>): Promise<{ result: T; calls: string[] }> => {
  const start = sent.length;
  const result = await act();
  return { result, calls: sent.slice(start).sort() };
};

describe('permission-set names stored in the table (dynalite and the SSO Admin emulator)', () => {
  it('a first cold function describes and stores every set; the next names them with one BatchGetItem', async () => {
    // Prepare
    const first = coldDirectory();
    const second = coldDirectory();

    // Act
    const cold = await callsDuring(() => first.permissionSets());
    const nextCold = await callsDuring(() => second.permissionSets());

    // Assess
    const named = cold.result.map((s) => s.name).sort();
    expect(named).toEqual(['PowerUser', 'ReadOnly']);
    expect(cold.calls).toEqual([
      'BatchGetItem',
      'BatchWriteItem',
      'DescribePermissionSet',
      'DescribePermissionSet',
      'ListPermissionSets',
    ]);
    expect(nextCold.result).toEqual(cold.result);
    expect(nextCold.calls).toEqual(['BatchGetItem', 'ListPermissionSets']);
  });

  it('stores each copy under its key with describedAt and a ttl 30 days on, and no kind', async () => {
    // Prepare
    const sets = await coldDirectory().permissionSets();
    const readOnly = sets.find((s) => s.name === 'ReadOnly');

    // Act
    const { Item } = await db.send(
      new GetCommand({ TableName: TABLE, Key: permissionSetNameKey(readOnly?.arn ?? ''), ConsistentRead: true }),
    );

    // Assess
    expect(Item).toMatchObject({
      permissionSetArn: readOnly?.arn,
      name: 'ReadOnly',
      describedAt: '2026-12-01T00:00:00.000Z',
      ttl: Date.parse('2026-12-31T00:00:00Z') / 1000,
    });
    expect(Item?.description).toBe(readOnly?.description);
    expect(Item).not.toHaveProperty('kind');
  });

  it('describes the sets again once their copies are older than a day, and stores the new copies', async () => {
    // Prepare
    await coldDirectory().permissionSets();
    now += DAY;

    // Act
    const refreshed = await callsDuring(() => coldDirectory().permissionSets());
    const after = await callsDuring(() => coldDirectory().permissionSets());

    // Assess
    expect(refreshed.calls.filter((c) => c === 'DescribePermissionSet')).toHaveLength(2);
    expect(refreshed.calls).toContain('BatchWriteItem');
    expect(after.calls).toEqual(['BatchGetItem', 'ListPermissionSets']);
  });
});
