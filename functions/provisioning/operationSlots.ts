// Admission control for the Identity Center operations that run asynchronously: assignment creations and deletions.
// Identity Center works on a bounded number of each at once (15 outstanding creations per instance, documented; the
// same for deletions, which it provisions the same way) and throttles the rest. When hundreds of requests are approved
// together, or hundreds of grants end together, letting every execution call AWS and back off on ThrottlingException
// spends several calls per success, and the throttled calls eat the 20 TPS that the status polls need. So an execution
// first takes one of a fixed number of slots of its kind, a conditional write on a slot item in the table, and gives it
// back when the status poll sees the operation end.
// Slots are leases: one whose holder died (a timeout, an aborted execution, a poll that gave up) is free again once
// its lease runs out, and every status poll that still sees IN_PROGRESS renews it.
//
// While every slot is taken, the caller fails fast without calling AWS. Deletions (IdentityCenterBusy) and creations
// of callers that cannot wait on a task token (CreationSlotsFull) are retried by Step Functions with jittered backoff.
// Creations of the state machine queue instead (QueueForSlot → AwaitCreationSlot): the execution parks on a task
// token in the slots' queue, and whoever frees a slot hands it straight to a longest-waiting execution and resumes
// it. A jittered retry finds a freed slot only when its timer happens to fire: measured with 100 creations approved
// at once, the last fifth of them slept up to 16 s on free slots, and the hundreds of waiters' retries were most of
// the table's load. The hand-off protocol, on both sides:
// - the waiting side puts itself in the queue (keyed by its execution's start time, so queueing again overwrites its
//   own entry), then runs a hand-off itself, so that a slot freed before it joined is not missed;
// - every release runs a hand-off after it frees the slot: it reserves a free slot under a name of its own, takes one
//   of the oldest waiters out of the queue (a delete conditioned on the waiter's token, so two hand-offs never both
//   take one waiter), moves the slot to it and resumes it. With no waiter left, the reservation is given back and the
//   queue looked at once more, so a waiter that joined meanwhile is not stranded.
// A waiter whose wait has ended (its execution stopped) is dropped, and its slot given to the next. The task's timeout
// (AwaitCreationSlot, 300 s) is the safety net for a slot freed with no release after it: a lease that ran out.
import { randomUUID } from 'node:crypto';
import type { SFNClient } from '@aws-sdk/client-sfn';
import {
  DeleteCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { resumeWait } from '../requests/taskTokenHandoff.js';
import type { Clock } from '../shared/clock.js';
import { conditionalWrite } from '../shared/conditionalWrite.js';
import { logger } from '../shared/logger.js';
import { CreationSlotsFullError, IdentityCenterBusyError } from '../shared/errors.js';
import {
  operationSlotKey,
  operationSlotsPartition,
  slotWaiterKey,
  slotWaitersPartition,
  type OperationKind,
} from '../requests/keys.js';

export interface OperationSlotsDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  /** How many operations of this kind may be in flight per Identity Center instance. */
  slots: number;
  /** Which operations these slots admit; each kind has its own partition. */
  kind: OperationKind;
  /** How long a slot stays taken without a renewal. */
  leaseSeconds: number;
  /** Which free slot to try first; injectable so tests are deterministic. */
  random?: () => number;
  /** Resumes queued executions; without it the slots have no queue, and `release` hands nothing on. */
  sfn?: SFNClient;
}

interface WaiterItem {
  pk: string;
  sk: string;
  requestId: string;
  /** The waiting task's token: a secret, kept only here and passed only to Step Functions. */
  taskToken: string;
  /** Epoch milliseconds: the execution's start, which orders the queue. */
  joinedAt: number;
}

/** What a resumed AwaitCreationSlot task returns: the slot it now holds. */
export interface SlotHandedOver {
  slot: number;
}

interface SlotItem {
  sk: string;
  holder?: string;
  /** Epoch milliseconds. */
  expiresAt?: number;
}

/** A lost race for one free slot is retried on another free one, this many times, before reporting them full. */
const CLAIM_TRIES = 3;

const slotNumber = (sk: string): number => Number(sk.slice(sk.indexOf('#') + 1));

export const createOperationSlots = ({
  db,
  tableName,
  clock,
  slots,
  kind,
  leaseSeconds,
  random = Math.random,
  sfn,
}: OperationSlotsDeps) => {
  const full = (instanceArn: string): Error => {
    const message = `All ${slots} assignment-${kind} slots of ${instanceArn} are taken; the state machine retries`;
    return kind === 'creation' ? new CreationSlotsFullError(message) : new IdentityCenterBusyError(message);
  };

  const read = async (instanceArn: string): Promise<SlotItem[]> =>
    ((
      await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': operationSlotsPartition(kind, instanceArn) },
          ConsistentRead: true,
        }),
      )
    ).Items ?? []) as SlotItem[];

  /** Sets the lease on `slot` if it is free, expired, or already ours; false if someone else holds it. */
  const claim = async (instanceArn: string, slot: number, requestId: string, nowMs: number): Promise<boolean> => {
    return conditionalWrite(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: operationSlotKey(kind, instanceArn, slot),
        UpdateExpression: 'SET holder = :holder, expiresAt = :expiresAt',
        ConditionExpression: 'attribute_not_exists(holder) OR expiresAt <= :now OR holder = :holder',
        ExpressionAttributeValues: { ':holder': requestId, ':expiresAt': nowMs + leaseSeconds * 1000, ':now': nowMs },
      }),
    );
  };

  /** Every slot `requestId` holds (normally one; more only after a retried acquire lost its answer). */
  const heldBy = (items: SlotItem[], requestId: string): number[] =>
    items.filter((i) => i.holder === requestId).map((i) => slotNumber(i.sk));

  const freeSlots = (items: SlotItem[], nowMs: number): number[] => {
    const taken = new Set(
      items.filter((i) => i.holder !== undefined && (i.expiresAt ?? 0) > nowMs).map((i) => slotNumber(i.sk)),
    );
    return Array.from({ length: slots }, (_, slot) => slot).filter((slot) => !taken.has(slot));
  };

  /** Claims a free slot for `requestId`: its number, or undefined when none is free. */
  const claimFree = async (instanceArn: string, requestId: string, items: SlotItem[], nowMs: number) => {
    const free = freeSlots(items, nowMs);
    // A random free slot, so that executions reading the same free slots rarely race for the same one.
    for (let tries = 0; tries < CLAIM_TRIES && free.length > 0; tries += 1) {
      const [slot] = free.splice(Math.floor(random() * free.length), 1);
      if (slot !== undefined && (await claim(instanceArn, slot, requestId, nowMs))) return slot;
    }
    return undefined;
  };

  /** The slot this request holds (its lease renewed) or a newly claimed one; undefined when every slot is taken. */
  const tryAcquire = async (instanceArn: string, requestId: string): Promise<number | undefined> => {
    const items = await read(instanceArn);
    const nowMs = clock.now().getTime();
    const mine = heldBy(items, requestId)[0];
    if (mine !== undefined && (await claim(instanceArn, mine, requestId, nowMs))) return mine;
    return claimFree(instanceArn, requestId, items, nowMs);
  };

  /** Gives back one slot; refused when the lease expired and another request took it: no longer ours to give. */
  const releaseSlot = (instanceArn: string, slot: number, holder: string): Promise<boolean> =>
    conditionalWrite(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: operationSlotKey(kind, instanceArn, slot),
        UpdateExpression: 'REMOVE holder, expiresAt',
        ConditionExpression: 'holder = :holder',
        ExpressionAttributeValues: { ':holder': holder },
      }),
    );

  /** The longest-waiting executions, oldest first: as many as there are slots, the most that one round can admit. */
  const oldestWaiters = async (instanceArn: string): Promise<WaiterItem[]> =>
    ((
      await db.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': slotWaitersPartition(kind, instanceArn) },
          ConsistentRead: true,
          Limit: slots,
        }),
      )
    ).Items ?? []) as WaiterItem[];

  const putWaiter = (waiter: WaiterItem): Promise<unknown> =>
    db.send(new PutCommand({ TableName: tableName, Item: { ...waiter } }));

  /**
   * Takes `waiter` out of the queue; false when another hand-off took it first, or when the execution queued again
   * since it was read (its wait timed out): the item then holds a newer token, and the next read finds it.
   */
  const takeWaiter = (waiter: WaiterItem): Promise<boolean> =>
    conditionalWrite(
      db,
      new DeleteCommand({
        TableName: tableName,
        Key: { pk: waiter.pk, sk: waiter.sk },
        ConditionExpression: 'taskToken = :token',
        ExpressionAttributeValues: { ':token': waiter.taskToken },
      }),
    );

  /**
   * Hands free slots to the longest-waiting executions and resumes them, until the queue is empty or no slot is free.
   * Returns how many it resumed. Bounded: each pass hands a slot on, drops a waiter whose wait has ended, or stops,
   * and a pass that finds its waiter taken by another hand-off moves to the next one.
   */
  /** Resumes a waiting task with the slot it now holds; 'closed' when its wait has already ended. */
  const handOver = (client: SFNClient, taskToken: string, slot: number): Promise<'resumed' | 'closed'> => {
    const answer: SlotHandedOver = { slot };
    return resumeWait(client, taskToken, { output: { ...answer } });
  };

  /** Moves a slot from one holder to another, with a fresh lease; false if `from` no longer holds it. */
  const moveSlot = (instanceArn: string, slot: number, from: string, to: string): Promise<boolean> =>
    conditionalWrite(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: operationSlotKey(kind, instanceArn, slot),
        UpdateExpression: 'SET holder = :to, expiresAt = :expiresAt',
        ConditionExpression: 'holder = :from',
        ExpressionAttributeValues: {
          ':from': from,
          ':to': to,
          ':expiresAt': clock.now().getTime() + leaseSeconds * 1000,
        },
      }),
    );

  /**
   * Takes one of the longest-waiting executions out of the queue; undefined when the queue is empty. Several releases
   * hand off at once, so each starts at a random one of the oldest and they rarely chase the same waiter; among the
   * oldest `slots`, the order is as near first-come as one round of hand-offs can keep.
   */
  const takeOldWaiter = async (instanceArn: string): Promise<WaiterItem | undefined> => {
    for (let read = 0; read < CLAIM_TRIES; read += 1) {
      const waiters = await oldestWaiters(instanceArn);
      if (waiters.length === 0) return undefined;
      const start = Math.floor(random() * waiters.length);
      for (let i = 0; i < waiters.length; i += 1) {
        const waiter = waiters[(start + i) % waiters.length] as WaiterItem;
        if (await takeWaiter(waiter)) return waiter;
      }
    }
    return undefined;
  };

  /**
   * Hands free slots to queued executions and resumes them, until the queue is empty or no slot is free; returns how
   * many it resumed. A slot is reserved first (held under a name of this hand-off's own), then a waiter taken, then
   * the slot moved to it: so a waiter leaves the queue only when there is a slot for it.
   */
  const handOff = async (instanceArn: string): Promise<number> => {
    if (!sfn) return 0;
    const reserver = `HANDOFF#${randomUUID()}`;
    let resumed = 0;
    let finished = false;
    const rounds = slots * 2;
    for (let round = 0; round < rounds; round += 1) {
      const slot = await claimFree(instanceArn, reserver, await read(instanceArn), clock.now().getTime());
      // Stopping is safe: a slot freed after that read is handed on by its own release.
      if (slot === undefined) {
        finished = true;
        break;
      }
      const waiter = await takeOldWaiter(instanceArn);
      if (!waiter) {
        await releaseSlot(instanceArn, slot, reserver);
        // A waiter that joined while the slot was reserved here found none free; it must not be left waiting.
        if ((await oldestWaiters(instanceArn)).length === 0) {
          finished = true;
          break;
        }
        continue;
      }
      if (!(await moveSlot(instanceArn, slot, reserver, waiter.requestId))) {
        // The reservation's lease ran out and the slot went to someone else: the waiter goes back in its place.
        await putWaiter(waiter);
        continue;
      }
      if ((await handOver(sfn, waiter.taskToken, slot)) === 'resumed') {
        resumed += 1;
      } else {
        // Its wait has ended: the execution stopped, or its task timed out and queued again with a new token (that
        // entry gets a slot in turn). The next round gives this slot to the next waiter.
        await releaseSlot(instanceArn, slot, waiter.requestId);
      }
    }
    // Said, not hidden: a slot left free here is handed on by the next release, or taken at a wait's timeout.
    if (!finished) {
      logger.warn('A slot hand-off stopped at its bound with waiters perhaps still queued', {
        kind,
        instanceArn,
        resumed,
      });
    }
    return resumed;
  };

  return {
    /** Takes a slot for this request (or keeps the one it has) and returns its number; throws (see `full`) if none is free. */
    async acquire(instanceArn: string, requestId: string): Promise<number> {
      const slot = await tryAcquire(instanceArn, requestId);
      if (slot === undefined) throw full(instanceArn);
      return slot;
    },

    /**
     * The waiting side of the hand-off, for a task waiting on `taskToken`: resumes it at once with a free slot, or
     * queues it and runs a hand-off (which may resume it, or an execution that has waited longer). `queuedSince`
     * orders the queue and, with the request id, names the execution's place in it: the same on every call for one
     * execution (the state machine passes its start time), so a wait that timed out and queues again replaces its
     * own entry, token and all, and keeps its place instead of going to the back.
     */
    async waitForSlot(
      instanceArn: string,
      requestId: string,
      taskToken: string,
      queuedSince: string,
    ): Promise<'admitted' | 'queued'> {
      if (!sfn)
        throw new Error(`The ${kind} slots have no queue: createOperationSlots was given no Step Functions client`);
      const slot = await tryAcquire(instanceArn, requestId);
      if (slot !== undefined) {
        await handOver(sfn, taskToken, slot);
        return 'admitted';
      }
      const since = Date.parse(queuedSince);
      const joinedAt = Number.isFinite(since) ? since : clock.now().getTime();
      await putWaiter({ ...slotWaiterKey(kind, instanceArn, joinedAt, requestId), requestId, taskToken, joinedAt });
      await handOff(instanceArn);
      return 'queued';
    },

    /** Extends this request's lease while its operation is still in progress. */
    async renew(instanceArn: string, requestId: string): Promise<void> {
      const nowMs = clock.now().getTime();
      for (const slot of heldBy(await read(instanceArn), requestId)) await claim(instanceArn, slot, requestId, nowMs);
    },

    /**
     * Gives back whatever slot this request holds (a no-op if it holds none: already released, or expired and
     * retaken), then hands freed slots to queued executions.
     */
    async release(instanceArn: string, requestId: string): Promise<void> {
      for (const slot of heldBy(await read(instanceArn), requestId)) await releaseSlot(instanceArn, slot, requestId);
      await handOff(instanceArn);
    },
  };
};

export type OperationSlots = ReturnType<typeof createOperationSlots>;
/** What a provisioning task does with its slot: take it, keep it, give it back. */
export type SlotLeases = Pick<OperationSlots, 'acquire' | 'renew' | 'release'>;
