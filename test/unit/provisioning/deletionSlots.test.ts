// Deletion slots against dynalite: the same leases as creations, in a partition of their own, and a full house is
// IdentityCenterBusy (a wait, retried on the busy retrier), not CreationSlotsFull.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, startDynalite, type LocalDynamo } from '../../../local/dynamodb.js';
import { loadServerlessConfig } from '../../../local/serverlessConfig.js';
import { createOperationSlots } from '../../../functions/provisioning/operationSlots.js';
import { IdentityCenterBusyError } from '../../../functions/shared/errors.js';

const TABLE = 'deletion-slots-test';
const INSTANCE = 'arn:aws:sso:::instance/ssoins-3333333333333333';
let dynamo: LocalDynamo;
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;

const slotsOf = (kind: 'creation' | 'deletion', now: { ms: number }) =>
  createOperationSlots({
    db,
    tableName: TABLE,
    clock: { now: () => new Date(now.ms) },
    slots: 2,
    kind,
    leaseSeconds: 60,
    random: () => 0,
  });

beforeAll(async () => {
  dynamo = await startDynalite();
  client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  db = DynamoDBDocumentClient.from(client);
  await ensureTable(client, TABLE, loadServerlessConfig().table);
});

afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

describe('deletion slots', () => {
  it('admit at most `slots` deletions, refuse the next with IdentityCenterBusy, and free on release', async () => {
    // Prepare
    const now = { ms: Date.parse('2026-12-03T12:00:00Z') };
    const deletions = slotsOf('deletion', now);

    // Act
    await deletions.acquire(INSTANCE, 'r-1');
    await deletions.acquire(INSTANCE, 'r-2');
    const refused = deletions.acquire(INSTANCE, 'r-3');

    // Assess
    await expect(refused).rejects.toBeInstanceOf(IdentityCenterBusyError);
    await deletions.release(INSTANCE, 'r-1');
    await expect(deletions.acquire(INSTANCE, 'r-3')).resolves.toEqual(expect.any(Number));
  });

  it('are counted apart from creation slots on the same instance', async () => {
    // Prepare
    const now = { ms: Date.parse('2026-12-03T12:00:00Z') };
    const instance = 'arn:aws:sso:::instance/ssoins-4444444444444444';
    const deletions = slotsOf('deletion', now);
    const creations = slotsOf('creation', now);
    await deletions.acquire(instance, 'd-1');
    await deletions.acquire(instance, 'd-2');

    // Act
    const created = [await creations.acquire(instance, 'c-1'), await creations.acquire(instance, 'c-2')];

    // Assess
    expect(created.sort()).toEqual([0, 1]);
    await expect(creations.acquire(instance, 'c-3')).rejects.toMatchObject({ name: 'CreationSlotsFull' });
    await expect(deletions.acquire(instance, 'd-3')).rejects.toMatchObject({ name: 'IdentityCenterBusy' });
  });

  it('lease ends free a deletion slot whose holder died', async () => {
    // Prepare
    const now = { ms: Date.parse('2026-12-03T12:00:00Z') };
    const instance = 'arn:aws:sso:::instance/ssoins-5555555555555555';
    const deletions = slotsOf('deletion', now);
    await deletions.acquire(instance, 'd-1');
    await deletions.acquire(instance, 'd-2');

    // Act
    now.ms += 61_000;

    // Assess
    await expect(deletions.acquire(instance, 'd-3')).resolves.toEqual(expect.any(Number));
  });
});
