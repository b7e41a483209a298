// Admission control for the Identity Center operations that run asynchronously: assignment creations and deletions.
// Identity Center works on a bounded number of each at once (15 outstanding creations per instance, documented; the
// same for deletions, which it provisions the same way) and throttles the rest. When hundreds of requests are approved
// together, or hundreds of grants end together, letting every execution call AWS and back off on ThrottlingException
// spends several calls per success, and the throttled calls eat the 20 TPS that the status polls need. So an execution
// first takes one of a fixed number of slots of its kind, a conditional write on a slot item in the table, and gives it
// back when the status poll sees the operation end. While every slot is taken it fails fast without calling AWS
// (creations: CreationSlotsFull, the name the state machine and the bulk bench know; deletions: IdentityCenterBusy),
// and Step Functions retries that with jittered backoff on a retrier that never counts against Conflict/Throttling.
// Slots are leases: one whose holder died (a timeout, an aborted execution, a poll that gave up) is free again once
// its lease runs out, and every status poll that still sees IN_PROGRESS renews it.
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../shared/clock.js';
import { conditionalWrite } from '../shared/conditionalWrite.js';
import { CreationSlotsFullError, IdentityCenterBusyError } from '../shared/errors.js';
import { operationSlotKey, operationSlotsPartition, type OperationKind } from '../requests/keys.js';

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

  return {
    /** Takes a slot for this request (or keeps the one it has) and returns its number; throws (see `full`) if none is free. */
    async acquire(instanceArn: string, requestId: string): Promise<number> {
      const items = await read(instanceArn);
      const nowMs = clock.now().getTime();
      const mine = heldBy(items, requestId)[0];
      if (mine !== undefined && (await claim(instanceArn, mine, requestId, nowMs))) return mine;
      const taken = new Set(
        items.filter((i) => i.holder !== undefined && (i.expiresAt ?? 0) > nowMs).map((i) => slotNumber(i.sk)),
      );
      const free = Array.from({ length: slots }, (_, slot) => slot).filter((slot) => !taken.has(slot));
      // A random free slot, so that executions reading the same free slots rarely race for the same one.
      for (let tries = 0; tries < CLAIM_TRIES && free.length > 0; tries += 1) {
        const [slot] = free.splice(Math.floor(random() * free.length), 1);
        if (slot !== undefined && (await claim(instanceArn, slot, requestId, nowMs))) return slot;
      }
      throw full(instanceArn);
    },

    /** Extends this request's lease while its operation is still in progress. */
    async renew(instanceArn: string, requestId: string): Promise<void> {
      const nowMs = clock.now().getTime();
      for (const slot of heldBy(await read(instanceArn), requestId)) await claim(instanceArn, slot, requestId, nowMs);
    },

    /** Gives back whatever slot this request holds; a no-op if it holds none (already released, or expired and retaken). */
    async release(instanceArn: string, requestId: string): Promise<void> {
      for (const slot of heldBy(await read(instanceArn), requestId)) {
        // Refused when the lease expired and another request took the slot: it is no longer ours to give back.
        await conditionalWrite(
          db,
          new UpdateCommand({
            TableName: tableName,
            Key: operationSlotKey(kind, instanceArn, slot),
            UpdateExpression: 'REMOVE holder, expiresAt',
            ConditionExpression: 'holder = :holder',
            ExpressionAttributeValues: { ':holder': requestId },
          }),
        );
      }
    },
  };
};

export type OperationSlots = ReturnType<typeof createOperationSlots>;
