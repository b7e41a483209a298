// In-memory rewrites of the approval state machine for the bulk benchmark: the JitterStrategy baseline and the
// retry/poll settings under experiment. The definition file is never touched; the stack applies these through
// `startLocalStack({ transformDefinition })`.

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const records = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isRecord) : []);

/** Errors whose retrier is the "contention" retrier of docs/retry-policy.md. */
const CONTENTION_ERRORS = ['ConflictException', 'ThrottlingException'];
/** The provisioning states the bulk scenario exercises (creation and its status poll). */
const CREATION_STATES = ['CreateAssignment', 'CheckAssignment'];
/** What the assign task throws while every creation slot is taken (functions/provisioning/creationSlots.ts). */
const SLOTS_FULL = 'CreationSlotsFull';

export type RetrierSettings = {
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxDelaySeconds?: number;
  MaxAttempts?: number;
};

export interface Tuning {
  /** Written on every retrier of every state (the baseline is "the same machine without jitter"). */
  jitter: 'FULL' | 'NONE';
  /** Overrides for the contention retrier of CreateAssignment and CheckAssignment; unset fields keep the file's values. */
  contention?: RetrierSettings;
  /** Overrides for CreateAssignment's CreationSlotsFull retrier (how often a queued execution asks for a slot). */
  slots?: RetrierSettings;
  /** WaitForAssignment's Seconds (the status poll interval). */
  pollWaitSeconds?: number;
}

const retrierFor = (state: Json, errors: readonly string[]): Json | undefined =>
  records(state.Retry).find(
    (r) => Array.isArray(r.ErrorEquals) && errors.every((e) => (r.ErrorEquals as unknown[]).includes(e)),
  );

const stateNamed = (states: Json, name: string): Json => {
  const state = states[name];
  if (!isRecord(state)) throw new Error(`bulk tuning: the state machine has no ${name} state`);
  return state;
};

/** The admission-slot retrier of CreateAssignment: the error's name ends in "SlotsFull" (CreationSlotsFull). Only executions started on a definition from before the slots' queue meet it; the shipped machine queues (AwaitCreationSlot). */
const slotRetrier = (state: Json): Json | undefined =>
  records(state.Retry).find(
    (r) => Array.isArray(r.ErrorEquals) && r.ErrorEquals.some((e) => typeof e === 'string' && e.endsWith('SlotsFull')),
  );

/**
 * A copy of `definition` with the tuning applied. A state or retrier an experiment names must exist (a rename cannot
 * go unnoticed); one nothing asks to change may be missing, so the baseline still runs on a reshaped machine.
 */
export const tuneDefinition = (definition: Json, tuning: Tuning): Json => {
  const copy = JSON.parse(JSON.stringify(definition)) as Json;
  const states = isRecord(copy.States) ? copy.States : {};
  for (const state of Object.values(states)) {
    if (!isRecord(state)) continue;
    for (const retrier of records(state.Retry)) retrier.JitterStrategy = tuning.jitter;
  }
  if (tuning.contention) {
    for (const name of CREATION_STATES) {
      const retrier = retrierFor(stateNamed(states, name), CONTENTION_ERRORS);
      if (!retrier) throw new Error(`bulk tuning: ${name} has no retrier for ${CONTENTION_ERRORS.join(' and ')}`);
      Object.assign(retrier, tuning.contention);
    }
  }
  if (tuning.slots) {
    const slots = slotRetrier(stateNamed(states, 'CreateAssignment'));
    if (!slots) throw new Error(`bulk tuning: CreateAssignment has no retrier for ${SLOTS_FULL}`);
    Object.assign(slots, tuning.slots);
  }
  if (tuning.pollWaitSeconds !== undefined) {
    const wait = stateNamed(states, 'WaitForAssignment');
    if (wait.Type !== 'Wait') throw new Error('bulk tuning: WaitForAssignment is not a Wait state');
    wait.Seconds = tuning.pollWaitSeconds;
  }
  return copy;
};

const settingsOf = (retrier: Json | undefined): { settings: Json; jitter: unknown } => {
  const { ErrorEquals: _errors, JitterStrategy: jitter, ...settings } = retrier ?? {};
  return { settings, jitter };
};

/** The settings the bulk scenario ran with, read back from a (tuned) definition, for the report. */
export const effectiveSettings = (
  definition: Json,
): { contention: Json; slots: Json; revocation: Json; internal: Json; pollWaitSeconds: unknown; jitter: unknown } => {
  const states = isRecord(definition.States) ? definition.States : {};
  const create = isRecord(states.CreateAssignment) ? states.CreateAssignment : {};
  const revoke = isRecord(states.RevokeGrant) ? states.RevokeGrant : {};
  const contention = settingsOf(retrierFor(create, CONTENTION_ERRORS));
  const wait = isRecord(states.WaitForAssignment) ? states.WaitForAssignment : {};
  return {
    contention: contention.settings,
    slots: settingsOf(slotRetrier(create)).settings,
    // The revocation's time-budgeted retrier where there is one (RevocationTransient), else its Conflict/Throttling one.
    revocation: settingsOf(retrierFor(revoke, ['RevocationTransient']) ?? retrierFor(revoke, CONTENTION_ERRORS))
      .settings,
    internal: settingsOf(retrierFor(create, ['InternalServerException'])).settings,
    pollWaitSeconds: wait.Seconds,
    jitter: contention.jitter,
  };
};
