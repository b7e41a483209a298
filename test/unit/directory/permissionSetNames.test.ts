// The durable copy of permission-set names with a mocked DynamoDB document client, alone and under the directory: a
// cold listing makes one BatchGetItem, describes only the sets missing or older than their refresh age, and writes
// those back; unprocessed keys are retried and then described; a failed read or write never fails the listing.
import { beforeEach, describe, expect, it, jest } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { DescribePermissionSetCommand, ListPermissionSetsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { NamedPermissionSet } from '../../../functions/directory/directory.js';
import {
  createIdentityCenterDirectory,
  type IdentityCenterDirectoryDeps,
} from '../../../functions/directory/identityCenter.js';
import {
  createPermissionSetNameStore,
  type PermissionSetNameStoreDeps,
} from '../../../functions/directory/permissionSetNames.js';
import { permissionSetNameKey } from '../../../functions/requests/keys.js';
import { logger } from '../../../functions/shared/logger.js';
import { awsError } from '../../fixtures/awsErrors.js';

const TABLE = 'requests';
const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const STORE = 'd-1234567890';
const HOUR = 60 * 60_000;
const DAY = 24 * HOUR;
const psArn = (n: number) => `arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-${String(n).padStart(16, '0')}`;
const numberOf = (arn: string) => Number(arn.slice(-16));

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dbMock = mockClient(DynamoDBDocumentClient);
const identityStore = new IdentitystoreClient({ region: 'us-east-1' });
const organizations = new OrganizationsClient({ region: 'us-east-1' });
const ssoAdmin = new SSOAdminClient({ region: 'us-east-1' });
const orgMock = mockClient(organizations);
const ssoMock = mockClient(ssoAdmin);

const fakeClock = () => {
  let now = Date.parse('2026-12-01T00:00:00Z');
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
};
let clock = fakeClock();

const store = (overrides: Partial<PermissionSetNameStoreDeps> = {}) =>
  createPermissionSetNameStore({ db, tableName: TABLE, clock, sleep: async () => {}, ...overrides });

/** The item as the store writes it, described `ageMs` before the clock's now. */
const storedItem = (n: number, ageMs = 0, description?: string) => ({
  ...permissionSetNameKey(psArn(n)),
  permissionSetArn: psArn(n),
  name: `Set${n}`,
  ...(description ? { description } : {}),
  describedAt: new Date(clock.now().getTime() - ageMs).toISOString(),
  ttl: 0,
});

type Keys = { pk: string; sk: string }[];
const batchGetKeys = () =>
  dbMock.commandCalls(BatchGetCommand).map((c) => (c.args[0].input.RequestItems?.[TABLE]?.Keys ?? []) as Keys);
const writtenItems = () =>
  dbMock
    .commandCalls(BatchWriteCommand)
    .flatMap((c) => c.args[0].input.RequestItems?.[TABLE] ?? [])
    .map((r) => r.PutRequest?.Item as Record<string, unknown>);

/** DynamoDB holding these items (by pk), answering BatchGet with whichever of the asked keys it holds. */
const tableHolding = (items: Record<string, unknown>[]) => {
  const byPk = new Map(items.map((item) => [item.pk as string, item]));
  dbMock.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: Keys }> }) => ({
    Responses: { [TABLE]: (input.RequestItems[TABLE]?.Keys ?? []).flatMap((k) => byPk.get(k.pk) ?? []) },
  }));
  dbMock.on(BatchWriteCommand).resolves({});
};

/** SSO Admin listing sets 0..count-1, each described as Set<n> with the given description. */
const ssoListing = (count: number, description = (n: number): string | undefined => `about ${n}`) => {
  ssoMock.on(ListPermissionSetsCommand).resolves({ PermissionSets: Array.from({ length: count }, (_, n) => psArn(n)) });
  ssoMock.on(DescribePermissionSetCommand).callsFake((input: { PermissionSetArn: string }) => {
    const n = numberOf(input.PermissionSetArn);
    return {
      PermissionSet: { PermissionSetArn: input.PermissionSetArn, Name: `Set${n}`, Description: description(n) },
    };
  });
};

const directory = (overrides: Partial<IdentityCenterDirectoryDeps> = {}) =>
  createIdentityCenterDirectory({
    identityStore,
    organizations,
    ssoAdmin,
    clock,
    instanceArn: INSTANCE,
    identityStoreId: STORE,
    ssoAdminCallsPerSecond: 1_000_000,
    permissionSetNames: store(),
    ...overrides,
  });

const describedArns = () =>
  ssoMock.commandCalls(DescribePermissionSetCommand).map((c) => c.args[0].input.PermissionSetArn);

beforeEach(() => {
  dbMock.reset();
  orgMock.reset();
  ssoMock.reset();
  clock = fakeClock();
  jest.restoreAllMocks();
});

describe('the permission-set name store', () => {
  it('reads with BatchGetItem, at most 100 keys a call, by the key that keys.ts declares', async () => {
    // Prepare
    tableHolding([storedItem(0, 0, 'zero'), storedItem(150)]);
    const arns = Array.from({ length: 250 }, (_, n) => psArn(n));

    // Act
    const found = await store().read(arns);

    // Assess
    expect(batchGetKeys().map((keys) => keys.length)).toEqual([100, 100, 50]);
    expect(batchGetKeys()[0]?.[0]).toEqual({
      pk: `PERMISSION_SET#${psArn(0)}`,
      sk: 'NAME',
    });
    expect([...found.keys()]).toEqual([psArn(0), psArn(150)]);
    expect(found.get(psArn(0))).toEqual({
      set: { arn: psArn(0), name: 'Set0', description: 'zero' },
      describedAt: clock.now().getTime(),
    });
  });

  it('retries UnprocessedKeys, and leaves out the keys still unprocessed after maxAttempts', async () => {
    // Prepare: the first two answers leave key 1 unprocessed, the third call too (always), key 2 never comes back
    const items = new Map([0, 1, 2].map((n) => [permissionSetNameKey(psArn(n)).pk, storedItem(n)]));
    dbMock.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: Keys }> }) => {
      const keys = input.RequestItems[TABLE]?.Keys ?? [];
      const unprocessed = keys.filter((k) => k.pk !== permissionSetNameKey(psArn(0)).pk);
      return {
        Responses: { [TABLE]: keys.filter((k) => !unprocessed.includes(k)).map((k) => items.get(k.pk)) },
        UnprocessedKeys: unprocessed.length > 0 ? { [TABLE]: { Keys: unprocessed } } : {},
      };
    });
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => {});

    // Act
    const found = await store({ maxAttempts: 3 }).read([psArn(0), psArn(1), psArn(2)]);

    // Assess
    expect(batchGetKeys().map((keys) => keys.length)).toEqual([3, 2, 2]);
    expect([...found.keys()]).toEqual([psArn(0)]);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('unprocessed'), { unprocessed: 2 });
  });

  it('answers a failed read with nothing found (logged), so the caller describes every set', async () => {
    // Prepare
    dbMock.on(BatchGetCommand).rejects(awsError('AccessDeniedException'));
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => {});

    // Act
    const found = await store().read([psArn(0)]);

    // Assess
    expect(found.size).toBe(0);
    expect(warn).toHaveBeenCalledWith(expect.any(String), { error: 'AccessDeniedException', keys: 1 });
  });

  it('ignores a stored item that is not a copy (no name, or no describedAt)', async () => {
    // Prepare
    const { name: _, ...nameless } = storedItem(0);
    tableHolding([nameless, { ...storedItem(1), describedAt: 'yesterday' }]);

    // Act
    const found = await store().read([psArn(0), psArn(1)]);

    // Assess
    expect(found.size).toBe(0);
  });

  it('writes with BatchWriteItem, 25 puts a call, each with describedAt and a ttl 30 days on', async () => {
    // Prepare
    dbMock.on(BatchWriteCommand).resolves({});
    const sets: NamedPermissionSet[] = Array.from({ length: 30 }, (_, n) => ({ arn: psArn(n), name: `Set${n}` }));
    sets[0] = { ...sets[0], description: 'zero' } as NamedPermissionSet;

    // Act
    await store().write(sets);

    // Assess
    expect(dbMock.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.[TABLE]?.length)).toEqual([
      25, 5,
    ]);
    expect(writtenItems()[0]).toEqual({
      pk: `PERMISSION_SET#${psArn(0)}`,
      sk: 'NAME',
      permissionSetArn: psArn(0),
      name: 'Set0',
      description: 'zero',
      describedAt: '2026-12-01T00:00:00.000Z',
      ttl: Date.parse('2026-12-31T00:00:00Z') / 1000,
    });
    expect(writtenItems()[1]).not.toHaveProperty('description');
    expect(writtenItems()[1]).not.toHaveProperty('kind');
  });

  it('retries UnprocessedItems, and logs rather than throws when a write fails', async () => {
    // Prepare: the first write leaves one item unprocessed, the second write call fails outright
    dbMock
      .on(BatchWriteCommand)
      .resolvesOnce({ UnprocessedItems: { [TABLE]: [{ PutRequest: { Item: storedItem(1) } }] } })
      .rejects(awsError('ProvisionedThroughputExceededException'));
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => {});

    // Act
    const written = store().write([
      { arn: psArn(0), name: 'Set0' },
      { arn: psArn(1), name: 'Set1' },
    ]);

    // Assess
    await expect(written).resolves.toBeUndefined();
    expect(dbMock.commandCalls(BatchWriteCommand).map((c) => c.args[0].input.RequestItems?.[TABLE]?.length)).toEqual([
      2, 1,
    ]);
    expect(warn).toHaveBeenCalledWith(expect.any(String), {
      error: 'ProvisionedThroughputExceededException',
      items: 2,
    });
  });
});

describe('the directory with the stored names', () => {
  it('cold, with an empty table: one BatchGetItem, every set described once, all written back', async () => {
    // Prepare
    tableHolding([]);
    ssoListing(60);

    // Act
    const sets = await directory().permissionSets();

    // Assess
    expect(sets).toHaveLength(60);
    expect(sets[7]).toEqual({ arn: psArn(7), name: 'Set7', description: 'about 7' });
    expect(dbMock.commandCalls(BatchGetCommand)).toHaveLength(1);
    expect(describedArns()).toHaveLength(60);
    expect(writtenItems().map((item) => item.name)).toEqual(Array.from({ length: 60 }, (_, n) => `Set${n}`));
  });

  it('cold, with the names stored: one ListPermissionSets and one BatchGetItem, no describe and no write', async () => {
    // Prepare
    tableHolding(Array.from({ length: 60 }, (_, n) => storedItem(n, HOUR, `about ${n}`)));
    ssoListing(60);

    // Act
    const sets = await directory().permissionSets();

    // Assess
    expect(sets).toHaveLength(60);
    expect(sets[59]).toEqual({ arn: psArn(59), name: 'Set59', description: 'about 59' });
    expect(ssoMock.commandCalls(ListPermissionSetsCommand)).toHaveLength(1);
    expect(dbMock.commandCalls(BatchGetCommand)).toHaveLength(1);
    expect(describedArns()).toEqual([]);
    expect(dbMock.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('describes only the sets missing from the table or stored longer than the refresh age, and stores those', async () => {
    // Prepare: set 0 fresh, set 1 a day old (its description changed since), set 2 never stored
    tableHolding([storedItem(0, HOUR, 'about 0'), storedItem(1, DAY, 'old words')]);
    ssoListing(3);

    // Act
    const sets = await directory().permissionSets();

    // Assess
    expect(describedArns().sort()).toEqual([psArn(1), psArn(2)]);
    expect(sets.map((s) => s.description)).toEqual(['about 0', 'about 1', 'about 2']);
    expect(writtenItems().map((item) => [item.permissionSetArn, item.describedAt])).toEqual([
      [psArn(1), '2026-12-01T00:00:00.000Z'],
      [psArn(2), '2026-12-01T00:00:00.000Z'],
    ]);
  });

  it('never shows a stored set that ListPermissionSets no longer lists, nor one deleted between list and describe', async () => {
    // Prepare: set 5 deleted long ago (still stored), set 2 listed but gone by the describe
    tableHolding([storedItem(0), storedItem(5)]);
    ssoListing(3);
    ssoMock
      .on(DescribePermissionSetCommand, { PermissionSetArn: psArn(2) })
      .rejects(awsError('ResourceNotFoundException'));

    // Act
    const sets = await directory().permissionSets();

    // Assess
    expect(sets.map((s) => s.arn)).toEqual([psArn(0), psArn(1)]);
    expect(batchGetKeys()[0]).toHaveLength(3);
    expect(writtenItems().map((item) => item.permissionSetArn)).toEqual([psArn(1)]);
  });

  it('describes the sets whose keys stay unprocessed, rather than answer with part of the list', async () => {
    // Prepare: all three stored, but DynamoDB never processes set 2's key
    const items = new Map([0, 1, 2].map((n) => [permissionSetNameKey(psArn(n)).pk, storedItem(n)]));
    const stuck = permissionSetNameKey(psArn(2)).pk;
    dbMock.on(BatchGetCommand).callsFake((input: { RequestItems: Record<string, { Keys: Keys }> }) => {
      const keys = input.RequestItems[TABLE]?.Keys ?? [];
      return {
        Responses: { [TABLE]: keys.filter((k) => k.pk !== stuck).map((k) => items.get(k.pk)) },
        UnprocessedKeys: keys.some((k) => k.pk === stuck) ? { [TABLE]: { Keys: [{ pk: stuck, sk: 'NAME' }] } } : {},
      };
    });
    dbMock.on(BatchWriteCommand).resolves({});
    ssoListing(3);
    jest.spyOn(logger, 'warn').mockImplementation(() => {});

    // Act
    const sets = await directory().permissionSets();

    // Assess
    expect(sets.map((s) => s.name)).toEqual(['Set0', 'Set1', 'Set2']);
    expect(describedArns()).toEqual([psArn(2)]);
    expect(dbMock.commandCalls(BatchGetCommand)).toHaveLength(4);
  });

  it('answers the listing when the write-back fails, and logs the failure', async () => {
    // Prepare
    dbMock.on(BatchGetCommand).resolves({ Responses: { [TABLE]: [] } });
    dbMock.on(BatchWriteCommand).rejects(awsError('AccessDeniedException'));
    ssoListing(2);
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => {});

    // Act
    const sets = await directory().permissionSets();

    // Assess
    expect(sets.map((s) => s.name)).toEqual(['Set0', 'Set1']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Storing'), { error: 'AccessDeniedException', items: 2 });
  });

  it('keeps a stored copy whose description refresh fails, without storing it again', async () => {
    // Prepare
    tableHolding([storedItem(0, DAY, 'kept')]);
    ssoListing(1);
    ssoMock.on(DescribePermissionSetCommand).rejects(awsError('ThrottlingException'));
    jest.spyOn(logger, 'warn').mockImplementation(() => {});

    // Act
    const sets = await directory().permissionSets();

    // Assess
    expect(sets).toEqual([{ arn: psArn(0), name: 'Set0', description: 'kept' }]);
    expect(dbMock.commandCalls(BatchWriteCommand)).toHaveLength(0);
  });

  it('fails the listing when a set with no stored copy cannot be described', async () => {
    // Prepare
    tableHolding([]);
    ssoListing(1);
    ssoMock.on(DescribePermissionSetCommand).rejects(awsError('ThrottlingException'));

    // Act
    const listing = directory().permissionSets();

    // Assess
    await expect(listing).rejects.toMatchObject({ name: 'ThrottlingException' });
  });
});

describe('the directory serving its listings stale while one refresh runs (listingStaleMs)', () => {
  const LISTING = 5 * 60_000;
  const swrDirectory = () => directory({ ttl: { listingMs: LISTING, listingStaleMs: 2 * LISTING } });
  const flush = () => new Promise((resolve) => setImmediate(resolve));

  it('re-reads the permission sets in the background past listingMs, answering at once with the old list', async () => {
    // Prepare
    tableHolding([]);
    ssoListing(2);
    const dir = swrDirectory();
    await dir.permissionSets();
    ssoListing(3);
    clock.advance(LISTING + 1);

    // Act
    const stale = await dir.permissionSets();
    for (let i = 0; i < 5; i++) await flush();
    const refreshed = await dir.permissionSets();

    // Assess
    expect(stale).toHaveLength(2);
    expect(refreshed).toHaveLength(3);
    expect(ssoMock.commandCalls(ListPermissionSetsCommand)).toHaveLength(2);
  });

  it('keeps the old organisation when a background refresh fails, logs it, and waits past 3 × listingMs', async () => {
    // Prepare
    orgMock.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-root' }] });
    orgMock.on(ListOrganizationalUnitsForParentCommand).resolves({ OrganizationalUnits: [] });
    orgMock.on(ListAccountsForParentCommand).resolves({ Accounts: [{ Id: '111111111111', Name: 'one' }] });
    const dir = swrDirectory();
    await dir.organization();
    orgMock.on(ListRootsCommand).rejects(awsError('TooManyRequestsException'));
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => {});
    clock.advance(LISTING + 1);

    // Act
    const served = await dir.organization();
    for (let i = 0; i < 5; i++) await flush();
    clock.advance(2 * LISTING);
    const pastBound = await dir.organization().catch((error: unknown) => error);

    // Assess
    expect(served.accounts.get('111111111111')?.name).toBe('one');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('Refreshing'), {
      listing: 'organization',
      error: 'TooManyRequestsException',
    });
    expect(pastBound).toMatchObject({ name: 'TooManyRequestsException' });
  });
});
