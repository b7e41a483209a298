// The Identity Center budget: reservations of evenly spaced send times in one table item, refusals without writes,
// lost races, the time scale, and the pause after a server fault with its single probe. DynamoDB is mocked with
// aws-sdk-client-mock, backed by one in-memory item that honours the budget's conditions, as DynamoDB would.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { createIdentityCenterBudget, PAUSE_SECONDS } from '../../../functions/provisioning/identityCenterBudget.js';
import { IdentityCenterBusyError } from '../../../functions/shared/errors.js';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dbMock = mockClient(db);
const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const START = Date.parse('2026-12-03T12:00:00.000Z');

interface Item {
  nextSendAt?: number;
  pausedUntil?: number;
}

const conditionFailed = (): Error =>
  Object.assign(new Error('The conditional request failed'), { name: 'ConditionalCheckFailedException' });

/** Applies the budget's updates to `item` if their condition holds, as DynamoDB would; returns UPDATED_NEW. */
const applyUpdate = (item: Item, input: UpdateCommandInput): Record<string, unknown> => {
  const values = (input.ExpressionAttributeValues ?? {}) as Record<string, number>;
  const condition = input.ConditionExpression ?? '';
  const expression = input.UpdateExpression ?? '';
  const unpaused = item.pausedUntil === undefined;
  if (expression === 'SET nextSendAt = :next') {
    const idle = item.nextSendAt === undefined || item.nextSendAt < (values[':now'] ?? 0);
    if (!(unpaused && idle)) throw conditionFailed();
    item.nextSendAt = values[':next'];
  } else if (expression === 'SET nextSendAt = nextSendAt + :interval') {
    const next = item.nextSendAt;
    if (!(unpaused && next !== undefined && next >= (values[':now'] ?? 0) && next <= (values[':latest'] ?? 0)))
      throw conditionFailed();
    item.nextSendAt = next + (values[':interval'] ?? 0);
    return { Attributes: { nextSendAt: item.nextSendAt } };
  } else if (expression === 'SET pausedUntil = :until' && condition === 'pausedUntil = :lease') {
    if (item.pausedUntil !== values[':lease']) throw conditionFailed();
    item.pausedUntil = values[':until'];
  } else if (expression === 'SET pausedUntil = :until') {
    if (!(item.pausedUntil === undefined || item.pausedUntil < (values[':until'] ?? 0))) throw conditionFailed();
    item.pausedUntil = values[':until'];
  } else if (expression === 'SET pausedUntil = :lease') {
    if (item.pausedUntil !== values[':seen']) throw conditionFailed();
    item.pausedUntil = values[':lease'];
  } else if (expression === 'REMOVE pausedUntil') {
    if (item.pausedUntil !== values[':lease']) throw conditionFailed();
    delete item.pausedUntil;
  } else {
    throw new Error(`unexpected update ${expression}`);
  }
  return {};
};

let item: Item;
let clockMs: number;
let slept: number[];

const budget = (callsPerSecond = 20, timeScale = 1) =>
  createIdentityCenterBudget({
    db,
    tableName: 'requests',
    clock: { now: () => new Date(clockMs) },
    callsPerSecond,
    timeScale,
    random: () => 0.5,
    sleep: async (ms) => {
      slept.push(ms);
      clockMs += ms;
    },
  });

const updates = () => dbMock.commandCalls(UpdateCommand).map((c) => c.args[0].input);

beforeEach(() => {
  dbMock.reset();
  item = {};
  clockMs = START;
  slept = [];
  dbMock.on(GetCommand).callsFake(() => ({ Item: { ...item } }));
  dbMock.on(UpdateCommand).callsFake((input: UpdateCommandInput) => applyUpdate(item, input));
});

describe('identity center budget', () => {
  it('reserves send times one interval apart, in order, and sleeps until each', async () => {
    // Prepare
    const b = budget(20);

    // Act: three callers at the same instant (the clock does not move between them, as if concurrent)
    const sends: number[] = [];
    for (let i = 0; i < 3; i++) {
      const before = clockMs;
      await b.take(INSTANCE, { maxWaitMs: 1000 });
      sends.push(clockMs);
      clockMs = before;
    }

    // Assess: 50 ms apart (20 per second), no burst: the first goes now, the others wait their turn
    expect(sends).toEqual([START, START + 50, START + 100]);
    expect(item.nextSendAt).toBe(START + 150);
    expect(dbMock.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({ ConsistentRead: true });
  });

  it('never lets an idle period build up a burst', async () => {
    // Prepare: the last reservation was long ago
    item.nextSendAt = START - 60_000;
    const b = budget(20);

    // Act
    await b.take(INSTANCE, { maxWaitMs: 1000 });
    const first = clockMs;
    clockMs = START;
    await b.take(INSTANCE, { maxWaitMs: 1000 });

    // Assess: the second call is one interval after the first, not "also now"
    expect(first).toBe(START);
    expect(clockMs).toBe(START + 50);
  });

  it('throws IdentityCenterBusy without writing when the next free time is beyond the wait', async () => {
    // Prepare
    item.nextSendAt = START + 5_000;
    const b = budget(20);

    // Act
    const taken = b.take(INSTANCE, { maxWaitMs: 1_000 });

    // Assess
    await expect(taken).rejects.toBeInstanceOf(IdentityCenterBusyError);
    await expect(b.take(INSTANCE, { maxWaitMs: 1_000 })).rejects.toMatchObject({
      name: 'IdentityCenterBusy',
      retryAfterSeconds: 5,
    });
    expect(updates()).toHaveLength(0);
    expect(slept).toEqual([]);
  });

  it('a caller that loses the restart of an idle budget takes the next time instead, without reading again', async () => {
    // Prepare: another caller restarts the idle budget between this caller's read and write
    const b = budget(20);
    let raced = false;
    dbMock.on(UpdateCommand).callsFake((input: UpdateCommandInput) => {
      if (!raced) {
        raced = true;
        item.nextSendAt = START + 50; // the rival sends at START
        throw conditionFailed();
      }
      return applyUpdate(item, input);
    });

    // Act
    await b.take(INSTANCE, { maxWaitMs: 1000 });

    // Assess: one read, two writes, and this caller's send time is one interval after the rival's
    expect(dbMock.commandCalls(GetCommand)).toHaveLength(1);
    expect(updates()).toHaveLength(2);
    expect(item.nextSendAt).toBe(START + 100);
    expect(clockMs).toBe(START + 50);
  });

  it('concurrent callers never race for one time: each reservation moves the next free time on atomically', async () => {
    // Prepare: a busy budget (its next free time is ahead), and 10 callers that all read it before any writes
    item.nextSendAt = START + 10;
    const b = budget(20);

    // Act
    await Promise.all(Array.from({ length: 10 }, () => b.take(INSTANCE, { maxWaitMs: 1000 })));

    // Assess: 10 distinct times, one interval apart, one write each
    expect(updates()).toHaveLength(10);
    expect(item.nextSendAt).toBe(START + 10 + 10 * 50);
    expect(new Set(slept).size).toBe(10);
  });

  it('gives up with IdentityCenterBusy after a few refused writes rather than spinning', async () => {
    // Prepare
    const b = budget(20);
    dbMock.on(UpdateCommand).rejects(conditionFailed());

    // Act + Assess
    await expect(b.take(INSTANCE, { maxWaitMs: 1000 })).rejects.toBeInstanceOf(IdentityCenterBusyError);
    expect(updates().length).toBeLessThanOrEqual(8);
  });

  it('scales the interval with the time scale', async () => {
    // Prepare: 20 calls per AWS second at LOCAL_TIME_SCALE 0.01 is one call per 0.5 wall ms
    const b = budget(20, 0.01);

    // Act
    await b.take(INSTANCE, { maxWaitMs: 10 });
    clockMs = START;
    await b.take(INSTANCE, { maxWaitMs: 10 });

    // Assess
    expect(clockMs).toBe(START + 0.5);
    expect(item.nextSendAt).toBe(START + 1);
  });

  it('after a server fault refuses every call until the pause ends, then one probe reopens it', async () => {
    // Prepare
    const b = budget(20);
    await b.serverFault(INSTANCE);
    const probes: string[] = [];

    // Act
    const during = b.take(INSTANCE, { maxWaitMs: 1000, probe: async () => void probes.push('probe') });
    await expect(during).rejects.toBeInstanceOf(IdentityCenterBusyError);
    clockMs += PAUSE_SECONDS * 1000;
    await b.take(INSTANCE, { maxWaitMs: 1000, probe: async () => void probes.push('probe') });

    // Assess
    expect(probes).toEqual(['probe']);
    expect(item.pausedUntil).toBeUndefined();
    expect(item.nextSendAt).toBe(clockMs + 50);
  });

  it('a probe that meets a server fault again pauses again, and the caller waits without an error of its own', async () => {
    // Prepare
    const b = budget(20);
    await b.serverFault(INSTANCE);
    clockMs += PAUSE_SECONDS * 1000;
    const outage = Object.assign(new Error('internal'), {
      name: 'InternalServerException',
      $metadata: { httpStatusCode: 500 },
    });

    // Act
    const probing = b.take(INSTANCE, {
      maxWaitMs: 1000,
      probe: async () => {
        throw outage;
      },
    });

    // Assess
    await expect(probing).rejects.toBeInstanceOf(IdentityCenterBusyError);
    expect(item.pausedUntil).toBe(clockMs + PAUSE_SECONDS * 1000);
    expect(item.nextSendAt).toBeUndefined();
  });

  it('lets only one caller probe: the others keep waiting while it does', async () => {
    // Prepare
    const b = budget(20);
    await b.serverFault(INSTANCE);
    clockMs += PAUSE_SECONDS * 1000;
    let release: () => void = () => undefined;
    const slowProbe = () => new Promise<void>((resolve) => (release = resolve));

    // Act
    const prober = b.take(INSTANCE, { maxWaitMs: 1000, probe: slowProbe });
    await new Promise((resolve) => setImmediate(resolve));
    const other = b.take(INSTANCE, { maxWaitMs: 1000, probe: async () => undefined });
    await expect(other).rejects.toBeInstanceOf(IdentityCenterBusyError);
    release();
    await prober;

    // Assess
    expect(item.pausedUntil).toBeUndefined();
  });
});
