// The creation slots against dynalite: the conditional writes are the whole mechanism, so they are tested real.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, startDynalite, type LocalDynamo } from '../../../local/dynamodb.js';
import { loadServerlessConfig } from '../../../local/serverlessConfig.js';
import { createCreationSlots } from '../../../functions/provisioning/creationSlots.js';
import { CreationSlotsFullError } from '../../../functions/shared/errors.js';

const TABLE = 'creation-slots-test';
let dynamo: LocalDynamo;
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let instanceCounter = 0;

/** Each test its own instance, so slot partitions never leak between tests. */
const freshInstance = (): string => `arn:aws:sso:::instance/ssoins-${String(++instanceCounter).padStart(16, '0')}`;

const slotsAt = (clockMs: { now: number }, slots = 3, leaseSeconds = 60) =>
  createCreationSlots({
    db,
    tableName: TABLE,
    clock: { now: () => new Date(clockMs.now) },
    slots,
    leaseSeconds,
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

describe('creation slots', () => {
  it('admits at most `slots` holders and refuses the next with CreationSlotsFull', async () => {
    // Prepare
    const instance = freshInstance();
    const slots = slotsAt({ now: Date.parse('2026-11-21T12:00:00Z') });

    // Act
    const taken = [
      await slots.acquire(instance, 'r-1'),
      await slots.acquire(instance, 'r-2'),
      await slots.acquire(instance, 'r-3'),
    ];
    const refused = slots.acquire(instance, 'r-4');

    // Assess
    expect(new Set(taken).size).toBe(3);
    await expect(refused).rejects.toBeInstanceOf(CreationSlotsFullError);
    await expect(slots.acquire(instance, 'r-5')).rejects.toMatchObject({ name: 'CreationSlotsFull' });
  });

  it('gives the same slot back to a retried acquire of the same request', async () => {
    const instance = freshInstance();
    const slots = slotsAt({ now: Date.parse('2026-11-21T12:00:00Z') });

    const first = await slots.acquire(instance, 'r-1');
    const again = await slots.acquire(instance, 'r-1');

    expect(again).toBe(first);
    await slots.acquire(instance, 'r-2');
    await slots.acquire(instance, 'r-3');
    await expect(slots.acquire(instance, 'r-4')).rejects.toBeInstanceOf(CreationSlotsFullError);
  });

  it('frees a slot on release, and a release of a slot not held changes nothing', async () => {
    const instance = freshInstance();
    const slots = slotsAt({ now: Date.parse('2026-11-21T12:00:00Z') }, 1);
    await slots.acquire(instance, 'r-1');

    await slots.release(instance, 'r-2');
    await expect(slots.acquire(instance, 'r-2')).rejects.toBeInstanceOf(CreationSlotsFullError);
    await slots.release(instance, 'r-1');

    expect(await slots.acquire(instance, 'r-2')).toBe(0);
  });

  it('lets a slot whose lease ran out be taken, and a renewal keeps it', async () => {
    const clock = { now: Date.parse('2026-11-21T12:00:00Z') };
    const instance = freshInstance();
    const slots = slotsAt(clock, 1, 60);
    await slots.acquire(instance, 'r-1');

    clock.now += 50_000;
    await slots.renew(instance, 'r-1');
    clock.now += 50_000; // 100 s after the acquire, but 50 s after the renewal
    await expect(slots.acquire(instance, 'r-2')).rejects.toBeInstanceOf(CreationSlotsFullError);
    clock.now += 11_000; // the renewed lease has now run out

    expect(await slots.acquire(instance, 'r-2')).toBe(0);
    // The old holder's late release must not free the slot its successor now holds.
    await slots.release(instance, 'r-1');
    await expect(slots.acquire(instance, 'r-3')).rejects.toBeInstanceOf(CreationSlotsFullError);
  });

  it('never admits more than `slots` of many concurrent acquirers', async () => {
    const instance = freshInstance();
    const slots = createCreationSlots({
      db,
      tableName: TABLE,
      clock: { now: () => new Date('2026-11-21T12:00:00Z') },
      slots: 5,
      leaseSeconds: 60,
    });

    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => slots.acquire(instance, `r-${i}`)));

    const admitted = outcomes
      .filter((o): o is PromiseFulfilledResult<number> => o.status === 'fulfilled')
      .map((o) => o.value);
    expect(admitted.length).toBeLessThanOrEqual(5);
    expect(new Set(admitted).size).toBe(admitted.length);
    expect(admitted.length).toBeGreaterThan(0);
    for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(CreationSlotsFullError);
  });

  it('keeps instances apart', async () => {
    const slots = slotsAt({ now: Date.parse('2026-11-21T12:00:00Z') }, 1);
    const a = freshInstance();
    const b = freshInstance();

    await slots.acquire(a, 'r-1');

    expect(await slots.acquire(b, 'r-2')).toBe(0);
  });
});
