// The fastest any client could finish the bulk scenario's work under Identity Center's limits, as the emulator
// enforces them (local/emulators/ssoAdmin.ts), in "AWS seconds" (scaled time); wall time is that × the time scale.
//
// Two bounds live here:
// - `idealBound`: creations only, closed form: max(ceil(N/S)·P, 2N/R) (permanent grants: one Create and one status
//   read per success). Kept for the creation-only arithmetic the README quotes.
// - `simulateIdeal`: a small discrete simulation of a perfect scheduler with zero overhead (no Lambda, engine or
//   database latency, no retries, no extra polls), for time-bound grants and their revocation with an outage. Every
//   operation makes the fewest calls it can: a time-bound creation one ListAccountAssignments look-up, one
//   CreateAccountAssignment and one status read P seconds later; a deletion one DeleteAccountAssignment and one
//   status read P seconds later. The limits are the emulator's: R calls in any one-second window shared by every
//   SSO Admin call, S outstanding creations and S outstanding deletions (an operation holds its slot for P seconds
//   from its call, whether or not anyone reads its status), and no call at all during the outage (operations already
//   started still finish, which only helps the bound). Each class is simulated with the rate to itself, as if the
//   other class always yielded: a lower bound for each wave on its own, never a schedule both could keep at once.
//   Several priority orders between look-ups, slotted calls and status reads are tried and the fastest kept.

export interface IdealInput {
  requests: number;
  /** Outstanding-creation limit. */
  slots: number;
  provisioningSeconds: number;
  /** Calls per second, shared by every SSO Admin API. */
  tps: number;
  timeScale: number;
}

export interface IdealBound {
  formula: string;
  /** ceil(N/S)·P, AWS seconds. */
  slotSeconds: number;
  /** 2N/R, AWS seconds. */
  rateSeconds: number;
  /** max of the two, AWS seconds. */
  seconds: number;
  binding: 'slots' | 'rate';
  /** The bound in wall-clock milliseconds at this time scale. */
  wallMs: number;
  /** The time-scaled SSO rate the emulator admits: R calls per (timeScale) wall seconds. */
  wallTps: number;
}

export const MIN_CALLS_PER_SUCCESS = 2;
export const idealBound = ({
  requests: n,
  slots: s,
  provisioningSeconds: p,
  tps: r,
  timeScale,
}: IdealInput): IdealBound => {
  const slotSeconds = Math.ceil(n / s) * p;
  const rateSeconds = (MIN_CALLS_PER_SUCCESS * n) / r;
  const seconds = Math.max(slotSeconds, rateSeconds);
  return {
    formula:
      `max(ceil(N/S)·P, 2N/R) = max(ceil(${n}/${s})·${p} s, 2·${n}/${r} s) = max(${slotSeconds.toFixed(1)} s, ${rateSeconds.toFixed(1)} s) ` +
      `= ${seconds.toFixed(1)} s (AWS time) × time scale ${timeScale} = ${(seconds * timeScale).toFixed(1)} s wall`,
    slotSeconds,
    rateSeconds,
    seconds,
    binding: slotSeconds >= rateSeconds ? 'slots' : 'rate',
    wallMs: seconds * timeScale * 1000,
    wallTps: r / timeScale,
  };
};

/** A window of AWS time, [from, to), in which no Identity Center call succeeds. */
export interface Outage {
  from: number;
  to: number;
}

export interface OperationsInput {
  /** When each operation may begin, AWS seconds (creations: all at the approval; deletions: their grants' ends). */
  due: readonly number[];
  /** Calls each operation makes before its slotted call (1: a time-bound creation's ListAccountAssignments). */
  callsBefore: number;
  /** Outstanding operations of this kind Identity Center accepts. */
  slots: number;
  provisioningSeconds: number;
  /** Calls admitted in any one-second window. */
  tps: number;
  outage?: Outage;
}

export interface OperationsIdeal {
  /** When each operation's status read saw it end, AWS seconds, in the order of `due`. */
  doneAt: number[];
  /** The earliest due time. */
  firstDue: number;
  /** The latest doneAt. */
  lastDone: number;
  /** lastDone − firstDue. */
  span: number;
  /** Calls the schedule made: operations × (callsBefore + 2). */
  calls: number;
  /** The priority order that gave this schedule. */
  order: string;
}

type CallKind = 'before' | 'slotted' | 'read';
const ORDERS: ReadonlyArray<readonly CallKind[]> = [
  ['slotted', 'read', 'before'],
  ['read', 'slotted', 'before'],
  ['slotted', 'before', 'read'],
  ['before', 'slotted', 'read'],
];
/** Guards against float drift when comparing times that are sums of the same terms. */
const EPSILON = 1e-9;

interface Op {
  due: number;
  /** Calls still to make before the slotted one. */
  beforeLeft: number;
  stage: CallKind | 'done';
  /** Earliest time its next call may be made. */
  readyAt: number;
  doneAt: number;
}

const runSchedule = (input: OperationsInput, order: readonly CallKind[]): number[] => {
  const { slots, provisioningSeconds: p, tps, outage } = input;
  // FIFO within a kind: earliest due first (ties keep input order).
  const ops: Op[] = input.due
    .map((due, index) => ({ due, index }))
    .sort((a, b) => a.due - b.due || a.index - b.index)
    .map(({ due }) => ({
      due,
      beforeLeft: input.callsBefore,
      stage: input.callsBefore > 0 ? 'before' : 'slotted',
      readyAt: due,
      doneAt: Number.NaN,
    }));
  const sortedIndex = input.due
    .map((due, index) => ({ due, index }))
    .sort((a, b) => a.due - b.due || a.index - b.index)
    .map(({ index }) => index);
  const calls: number[] = [];
  /** Times at which the slots in use free up (an operation holds one for P seconds from its slotted call). */
  let slotFrees: number[] = [];
  let remaining = ops.length;
  let t = ops.reduce((min, op) => Math.min(min, op.due), Number.POSITIVE_INFINITY);
  if (!Number.isFinite(t)) return [];

  const rateFreeAt = (): number => (calls.length < tps ? Number.NEGATIVE_INFINITY : (calls.at(-tps) as number) + 1);
  while (remaining > 0) {
    slotFrees = slotFrees.filter((free) => free > t + EPSILON);
    const inOutage = outage !== undefined && t >= outage.from - EPSILON && t < outage.to - EPSILON;
    const rateOk = rateFreeAt() <= t + EPSILON;
    let chosen: Op | undefined;
    if (!inOutage && rateOk) {
      for (const kind of order) {
        chosen = ops.find(
          (op) => op.stage === kind && op.readyAt <= t + EPSILON && (kind !== 'slotted' || slotFrees.length < slots),
        );
        if (chosen) break;
      }
    }
    if (chosen) {
      calls.push(t);
      if (chosen.stage === 'before') {
        chosen.beforeLeft -= 1;
        if (chosen.beforeLeft === 0) chosen.stage = 'slotted';
      } else if (chosen.stage === 'slotted') {
        slotFrees.push(t + p);
        chosen.stage = 'read';
        chosen.readyAt = t + p;
      } else {
        chosen.stage = 'done';
        chosen.doneAt = t;
        remaining -= 1;
      }
      continue;
    }
    // Nothing can be called now: move to the next moment something changes.
    const next = [
      ...ops.filter((op) => op.stage !== 'done' && op.readyAt > t + EPSILON).map((op) => op.readyAt),
      ...slotFrees,
      rateFreeAt(),
      ...(outage && t < outage.to - EPSILON ? [outage.to] : []),
    ].filter((time) => time > t + EPSILON);
    const soonest = Math.min(...next);
    if (!Number.isFinite(soonest)) throw new Error('ideal simulation: stuck with operations left');
    t = soonest;
  }
  const doneAt = new Array<number>(ops.length);
  ops.forEach((op, i) => {
    doneAt[sortedIndex[i] as number] = op.doneAt;
  });
  return doneAt;
};

/** The perfect scheduler's finish for one kind of operation (see the top of this file). */
export const simulateOperations = (input: OperationsInput): OperationsIdeal => {
  if (input.due.length === 0)
    return { doneAt: [], firstDue: 0, lastDone: 0, span: 0, calls: 0, order: ORDERS[0]?.join(' > ') ?? '' };
  const firstDue = Math.min(...input.due);
  let best: { doneAt: number[]; lastDone: number; order: readonly CallKind[] } | undefined;
  for (const order of ORDERS) {
    const doneAt = runSchedule(input, order);
    const lastDone = Math.max(...doneAt);
    if (!best || lastDone < best.lastDone - EPSILON) best = { doneAt, lastDone, order };
  }
  const { doneAt, lastDone, order } = best as NonNullable<typeof best>;
  return {
    doneAt,
    firstDue,
    lastDone,
    span: lastDone - firstDue,
    calls: input.due.length * (input.callsBefore + 2),
    order: order.join(' > '),
  };
};

export interface WaveInput {
  creations: number;
  /** Each grant's end, AWS seconds after the first approval: when its deletion is due. */
  grantEnds: readonly number[];
  slots: { creation: number; deletion: number };
  provisioningSeconds: number;
  tps: number;
  /** AWS seconds after the first approval. */
  outage?: Outage;
}

export interface WaveIdeal {
  creations: OperationsIdeal;
  deletions: OperationsIdeal;
  /** Closed-form floors without the outage, for comparison: max(ceil(N/S)·P, calls·N/R). */
  floors: { creationSeconds: number; deletionSeconds: number };
  assumptions: string[];
}

/** Calls a time-bound creation makes at best: ListAccountAssignments, CreateAccountAssignment, one status read. */
export const CREATION_CALLS = 3;
/** Calls a deletion makes at best: DeleteAccountAssignment and one status read. */
export const DELETION_CALLS = 2;

export const simulateIdeal = (input: WaveInput): WaveIdeal => {
  const { creations: n, grantEnds, slots, provisioningSeconds: p, tps, outage } = input;
  const creations = simulateOperations({
    due: new Array<number>(n).fill(0),
    callsBefore: CREATION_CALLS - 2,
    slots: slots.creation,
    provisioningSeconds: p,
    tps,
    outage,
  });
  const deletions = simulateOperations({
    due: grantEnds,
    callsBefore: DELETION_CALLS - 2,
    slots: slots.deletion,
    provisioningSeconds: p,
    tps,
    outage,
  });
  const floor = (count: number, slotCount: number, calls: number): number =>
    count === 0 ? 0 : Math.max(Math.ceil(count / slotCount) * p, (calls * count) / tps);
  return {
    creations,
    deletions,
    floors: {
      creationSeconds: floor(n, slots.creation, CREATION_CALLS),
      deletionSeconds: floor(grantEnds.length, slots.deletion, DELETION_CALLS),
    },
    assumptions: [
      `a perfect scheduler with zero overhead: no Lambda, engine or DynamoDB latency, no retries, no extra status reads`,
      `${tps} SSO Admin calls in any one-second window, shared by every call; ${slots.creation} outstanding creations and ${slots.deletion} outstanding deletions, each held ${p} s (provisioning time P)`,
      `a time-bound creation makes ${CREATION_CALLS} calls (ListAccountAssignments look-up, CreateAccountAssignment, one status read at +P); a deletion ${DELETION_CALLS} (DeleteAccountAssignment, one status read at +P)`,
      'creations all due at the first approval; each deletion due at its grant end as recorded (activeUntil)',
      outage
        ? `no call succeeds during the outage [${outage.from.toFixed(1)}, ${outage.to.toFixed(1)}) s after the first approval; operations already started still finish`
        : 'no outage',
      'each wave simulated with the rate to itself (the other yielding), the fastest of several call priorities kept: a lower bound for each wave',
    ],
  };
};
