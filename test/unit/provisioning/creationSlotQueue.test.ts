// The creation slots' queue against dynalite, with Step Functions mocked: a release hands its slot to the
// longest-waiting execution and resumes that execution's task; a waiter whose wait has ended is dropped and its slot
// goes to the next; two releases never resume one waiter twice.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SFNClient, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { ensureTable, startDynalite, type LocalDynamo } from '../../../local/dynamodb.js';
import { loadServerlessConfig } from '../../../local/serverlessConfig.js';
import { createOperationSlots } from '../../../functions/provisioning/operationSlots.js';
import { slotWaitersPartition } from '../../../functions/requests/keys.js';

const TABLE = 'creation-slot-queue-test';
let dynamo: LocalDynamo;
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let instanceCounter = 0;
const sfn = new SFNClient({ region: 'us-east-1' });
const sfnMock = mockClient(sfn);

const freshInstance = (): string => `arn:aws:sso:::instance/ssoins-${String(++instanceCounter).padStart(16, '0')}`;

/** An execution's start time, `n` seconds after a fixed moment: its place in the queue. */
const startedAt = (n: number): string => new Date(Date.parse('2026-12-03T11:00:00Z') + n * 1000).toISOString();

/** A clock that moves 1 ms per reading. */
const steppingClock = () => {
  let now = Date.parse('2026-12-03T12:00:00Z');
  return {
    now: () => {
      now += 1;
      return new Date(now);
    },
  };
};

const slotsOf = (slots: number) =>
  createOperationSlots({
    db,
    tableName: TABLE,
    clock: steppingClock(),
    slots,
    kind: 'creation',
    leaseSeconds: 60,
    random: () => 0,
    sfn,
  });

/** The tokens resumed so far, in order, with the slot each was handed. */
const resumed = (): Array<{ token: string; slot: number }> =>
  sfnMock
    .commandCalls(SendTaskSuccessCommand)
    .map((c) => ({ token: String(c.args[0].input.taskToken), slot: JSON.parse(String(c.args[0].input.output)).slot }));

const waiting = async (instance: string): Promise<string[]> =>
  (
    (
      await db.send(
        new QueryCommand({
          TableName: TABLE,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': slotWaitersPartition('creation', instance) },
          ConsistentRead: true,
        }),
      )
    ).Items ?? []
  ).map((i) => String(i.requestId));

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

beforeEach(() => {
  sfnMock.reset();
  sfnMock.on(SendTaskSuccessCommand).resolves({});
});

afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

describe('the creation slots queue', () => {
  it('admits a waiter at once while a slot is free, and queues nothing', async () => {
    // Prepare
    const instance = freshInstance();
    const slots = slotsOf(2);

    // Act
    const outcome = await slots.waitForSlot(instance, 'r-1', 'token-1', startedAt(1));

    // Assess
    expect(outcome).toBe('admitted');
    expect(resumed()).toEqual([{ token: 'token-1', slot: expect.any(Number) }]);
    expect(await waiting(instance)).toEqual([]);
  });

  it('hands each released slot to the longest-waiting execution, by when each execution started', async () => {
    // Prepare: w-2 queues first, but w-1 started earlier
    const instance = freshInstance();
    const slots = slotsOf(1);
    await slots.acquire(instance, 'holder');
    expect(await slots.waitForSlot(instance, 'w-2', 'token-w-2', startedAt(2))).toBe('queued');
    expect(await slots.waitForSlot(instance, 'w-1', 'token-w-1', startedAt(1))).toBe('queued');
    expect(await slots.waitForSlot(instance, 'w-3', 'token-w-3', startedAt(3))).toBe('queued');

    // Act
    await slots.release(instance, 'holder');
    await slots.release(instance, 'w-1');

    // Assess
    expect(resumed().map((r) => r.token)).toEqual(['token-w-1', 'token-w-2']);
    expect(await waiting(instance)).toEqual(['w-3']);
    await expect(slots.acquire(instance, 'w-2')).resolves.toBe(resumed()[1]?.slot);
  });

  it('drops a waiter whose wait has ended and gives its slot to the next', async () => {
    // Prepare
    const instance = freshInstance();
    const slots = slotsOf(1);
    await slots.acquire(instance, 'holder');
    await slots.waitForSlot(instance, 'gone', 'token-gone', startedAt(1));
    await slots.waitForSlot(instance, 'next', 'token-next', startedAt(2));
    sfnMock
      .on(SendTaskSuccessCommand, { taskToken: 'token-gone' })
      .rejects(Object.assign(new Error('Task timed out'), { name: 'TaskTimedOut' }));

    // Act
    await slots.release(instance, 'holder');

    // Assess
    expect(resumed().map((r) => r.token)).toEqual(['token-gone', 'token-next']);
    expect(await waiting(instance)).toEqual([]);
    await expect(slots.acquire(instance, 'gone')).rejects.toThrow();
  });

  it('two releases at once resume one waiter once, and the second slot goes to the next waiter', async () => {
    // Prepare
    const instance = freshInstance();
    const slots = slotsOf(2);
    await slots.acquire(instance, 'h-1');
    await slots.acquire(instance, 'h-2');
    await slots.waitForSlot(instance, 'w-1', 'token-w-1', startedAt(1));
    await slots.waitForSlot(instance, 'w-2', 'token-w-2', startedAt(2));

    // Act
    await Promise.all([slots.release(instance, 'h-1'), slots.release(instance, 'h-2')]);

    // Assess
    expect(
      resumed()
        .map((r) => r.token)
        .sort(),
    ).toEqual(['token-w-1', 'token-w-2']);
    expect(new Set(resumed().map((r) => r.slot)).size).toBe(2);
    expect(await waiting(instance)).toEqual([]);
  });

  it('a waiter stays queued while every slot stays taken', async () => {
    // Prepare
    const instance = freshInstance();
    const slots = slotsOf(1);
    await slots.acquire(instance, 'holder');

    // Act
    const outcome = await slots.waitForSlot(instance, 'w-1', 'token-w-1', startedAt(1));
    await slots.renew(instance, 'holder');

    // Assess
    expect(outcome).toBe('queued');
    expect(resumed()).toEqual([]);
    expect(await waiting(instance)).toEqual(['w-1']);
  });

  it('a wait that timed out and queues again keeps its place, and only its new token is resumed', async () => {
    // Prepare
    const instance = freshInstance();
    const slots = slotsOf(1);
    await slots.acquire(instance, 'holder');
    await slots.waitForSlot(instance, 'w-1', 'token-w-1-first', startedAt(1));
    await slots.waitForSlot(instance, 'w-2', 'token-w-2', startedAt(2));

    // Act
    await slots.waitForSlot(instance, 'w-1', 'token-w-1-second', startedAt(1));
    await slots.release(instance, 'holder');

    // Assess
    expect(resumed().map((r) => r.token)).toEqual(['token-w-1-second']);
    expect(await waiting(instance)).toEqual(['w-2']);
  });
});
