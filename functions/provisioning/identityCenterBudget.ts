// One call budget for Identity Center, shared by every function and execution that calls it. Identity Center allows
// 20 account-access calls per second per instance, all APIs together; a function that throttles itself per process
// cannot keep a fleet of concurrent Lambdas under that, so the budget lives in the requests table, one item per
// instance.
//
// The design is GCRA ("reservations"): the item holds the next free send time (epoch ms, wall time). A caller reads
// it; if that time is within the wait it may afford, it reserves it with one conditional write that moves the next
// free time one interval on (an atomic increment, so concurrent callers each get their own time rather than racing
// for one; an idle budget is restarted at "now" instead), sleeps until it and sends. If the next free time is further
// off than the caller may wait, it throws IdentityCenterBusy without writing: hundreds of executions waiting for
// capacity then cost reads, not contended writes, and Step Functions retries them later. One GetItem and one
// UpdateItem per Identity Center call.
//
// No burst: each reservation is exactly one interval after the previous one, even after an idle minute. A token
// bucket with burst capacity B would let B calls go at once after idling, and Identity Center (like the local
// emulator) counts calls in any sliding second, not per calendar second: B calls at once plus the steady rate in the
// following second exceed 20. Evenly spaced sends are the only schedule that holds in every sliding window.
//
// Server faults pause the budget. When a call answers with a server fault (InternalServerException, a 5xx), the
// middleware reports it and the budget refuses every call for a few seconds (IdentityCenterBusy, which costs no
// retry). When the pause runs out, one caller wins a conditional write and probes Identity Center with one cheap
// read; a failing probe pauses again, a passing one reopens the budget. So an outage of every Identity Center call is
// met by one probe every few seconds instead of every waiting execution spending its InternalServerException retries
// on it, and work resumes within seconds of the outage ending.
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../shared/clock.js';
import { conditionalUpdate, conditionalWrite } from '../shared/conditionalWrite.js';
import { IdentityCenterBusyError } from '../shared/errors.js';
import { identityCenterBudgetKey } from '../requests/keys.js';

export interface IdentityCenterBudgetDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  /** Calls per second for all callers together (config.ssoTpsBudget). */
  callsPerSecond: number;
  /** Wall seconds per AWS second (config.timeScale): the interval and the pauses shrink with it. */
  timeScale: number;
  /** Spreads the retries of lost races; injectable so tests are deterministic. */
  random?: () => number;
  /** In-process waiting; injectable so tests need not sleep. */
  sleep?: (ms: number) => Promise<void>;
}

export interface TakeOptions {
  /** The longest this caller may sleep in process for its reserved send time, in wall ms. */
  maxWaitMs: number;
  /**
   * One cheap call that tells whether Identity Center answers again after a server fault. Without one, the caller that
   * wins the probe sends its own call as the probe.
   */
  probe?: () => Promise<void>;
}

interface BudgetItem {
  /** Wall epoch ms of the next free send time. */
  nextSendAt?: number;
  /** Wall epoch ms until which every call is refused after a server fault (or a probe is under way). */
  pausedUntil?: number;
}

/** A lost race for a reservation is read and tried again this many times before the caller is told to come back. */
const RESERVE_TRIES = 4;
/** How long Identity Center is left alone after a server fault, in AWS seconds. */
export const PAUSE_SECONDS = 3;
/** How long a probe may take before another caller may probe in its place, in AWS seconds. */
const PROBE_LEASE_SECONDS = 10;

/** Whether an error is Identity Center failing on its side (InternalServerException, or any 5xx). */
export const isServerFault = (error: unknown): boolean => {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } } | undefined;
  return e?.name === 'InternalServerException' || (e?.$metadata?.httpStatusCode ?? 0) >= 500;
};

const defaultSleep = (ms: number): Promise<void> =>
  ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));

export const createIdentityCenterBudget = ({
  db,
  tableName,
  clock,
  callsPerSecond,
  timeScale,
  random = Math.random,
  sleep = defaultSleep,
}: IdentityCenterBudgetDeps) => {
  /** Wall ms between two sends. */
  const intervalMs = (1000 * timeScale) / callsPerSecond;
  const pauseMs = PAUSE_SECONDS * 1000 * timeScale;
  const probeLeaseMs = PROBE_LEASE_SECONDS * 1000 * timeScale;

  const read = async (instanceArn: string): Promise<BudgetItem> =>
    ((
      await db.send(
        new GetCommand({ TableName: tableName, Key: identityCenterBudgetKey(instanceArn), ConsistentRead: true }),
      )
    ).Item ?? {}) as BudgetItem;

  const busy = (instanceArn: string, why: string, waitMs: number): IdentityCenterBusyError =>
    new IdentityCenterBusyError(`Identity Center budget of ${instanceArn}: ${why}; try again later`, waitMs / 1000);

  /**
   * The budget was idle (its next free time has passed, or it was never used): this caller sends now and the next one
   * an interval later. False if another caller got there first.
   */
  const restart = (instanceArn: string, now: number): Promise<boolean> =>
    conditionalWrite(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: identityCenterBudgetKey(instanceArn),
        UpdateExpression: 'SET nextSendAt = :next',
        ConditionExpression:
          '(attribute_not_exists(nextSendAt) OR nextSendAt < :now) AND attribute_not_exists(pausedUntil)',
        ExpressionAttributeValues: { ':next': now + intervalMs, ':now': now },
      }),
    );

  /**
   * Reserves the next free time by moving it one interval on, atomically: concurrent callers each get their own time
   * instead of racing for one (a read-compare-write loses most races once dozens of executions take at once). The
   * condition refuses it when the time has passed (then `restart`), is beyond the wait, or the budget is paused.
   * Returns the reserved time, or undefined if refused.
   */
  const reserveNext = async (instanceArn: string, now: number, maxWaitMs: number): Promise<number | undefined> => {
    const written = await conditionalUpdate(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: identityCenterBudgetKey(instanceArn),
        UpdateExpression: 'SET nextSendAt = nextSendAt + :interval',
        ConditionExpression: 'nextSendAt >= :now AND nextSendAt <= :latest AND attribute_not_exists(pausedUntil)',
        ExpressionAttributeValues: { ':interval': intervalMs, ':now': now, ':latest': now + maxWaitMs },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const next = written?.nextSendAt;
    return typeof next === 'number' ? next - intervalMs : undefined;
  };

  /** Pauses the budget until `until`, unless it is already paused longer. */
  const pauseUntil = (instanceArn: string, until: number): Promise<boolean> =>
    conditionalWrite(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: identityCenterBudgetKey(instanceArn),
        UpdateExpression: 'SET pausedUntil = :until',
        ConditionExpression: 'attribute_not_exists(pausedUntil) OR pausedUntil < :until',
        ExpressionAttributeValues: { ':until': until },
      }),
    );

  /** The pause has run out: one caller (whoever moves pausedUntil first) probes; the rest keep waiting. */
  const probeAfterPause = async (instanceArn: string, seen: number, options: TakeOptions): Promise<void> => {
    const lease = clock.now().getTime() + probeLeaseMs;
    const mine = await conditionalWrite(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: identityCenterBudgetKey(instanceArn),
        UpdateExpression: 'SET pausedUntil = :lease',
        ConditionExpression: 'pausedUntil = :seen',
        ExpressionAttributeValues: { ':lease': lease, ':seen': seen },
      }),
    );
    if (!mine) throw busy(instanceArn, 'another caller is probing Identity Center after a server fault', pauseMs);
    if (options.probe) {
      try {
        await options.probe();
      } catch (error) {
        // Any other answer (even a throttle or a refusal) means Identity Center is serving again.
        if (isServerFault(error)) {
          // This caller holds the probe's lease, so it sets the next pause outright (shorter than the lease).
          await conditionalWrite(
            db,
            new UpdateCommand({
              TableName: tableName,
              Key: identityCenterBudgetKey(instanceArn),
              UpdateExpression: 'SET pausedUntil = :until',
              ConditionExpression: 'pausedUntil = :lease',
              ExpressionAttributeValues: { ':until': clock.now().getTime() + pauseMs, ':lease': lease },
            }),
          );
          throw busy(instanceArn, 'Identity Center still answers with a server fault', pauseMs);
        }
      }
    }
    // Reopened; a probe-less caller's own call is the probe, and its server fault (if any) pauses again.
    await conditionalWrite(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: identityCenterBudgetKey(instanceArn),
        UpdateExpression: 'REMOVE pausedUntil',
        ConditionExpression: 'pausedUntil = :lease',
        ExpressionAttributeValues: { ':lease': lease },
      }),
    );
  };

  return {
    /**
     * Resolves when this caller may send one Identity Center call now (after sleeping at most `maxWaitMs` for its
     * reserved time); throws IdentityCenterBusy, having written nothing, when the next free time is further off.
     */
    async take(instanceArn: string, options: TakeOptions): Promise<void> {
      for (let tries = 0; tries < RESERVE_TRIES; tries += 1) {
        const item = await read(instanceArn);
        const now = clock.now().getTime();
        if (item.pausedUntil !== undefined) {
          if (now < item.pausedUntil) throw busy(instanceArn, 'paused after a server fault', item.pausedUntil - now);
          await probeAfterPause(instanceArn, item.pausedUntil, options);
          continue;
        }
        if ((item.nextSendAt ?? now) - now > options.maxWaitMs)
          throw busy(instanceArn, 'no capacity within the wait', (item.nextSendAt ?? now) - now);
        if ((item.nextSendAt === undefined || item.nextSendAt < now) && (await restart(instanceArn, now))) return;
        const at = await reserveNext(instanceArn, now, options.maxWaitMs);
        if (at !== undefined) {
          await sleep(at - now);
          return;
        }
        // The budget changed under this caller (idle again, paused, or filled up): read it again after a short pause.
        await sleep(random() * intervalMs);
      }
      throw busy(instanceArn, 'the budget kept changing under this caller', intervalMs);
    },

    /** Reports a server fault from Identity Center: every call waits out a short pause, then one caller probes. */
    async serverFault(instanceArn: string): Promise<void> {
      await pauseUntil(instanceArn, clock.now().getTime() + pauseMs);
    },
  };
};

export type IdentityCenterBudget = ReturnType<typeof createIdentityCenterBudget>;
