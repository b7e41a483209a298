// In-memory rewrites of the approval state machine for the bulk benchmark: the JitterStrategy baseline and the
// retry/poll settings under experiment. The definition file is never touched; the stack applies these through
// `startLocalStack({ transformDefinition })`.

type Json = Record<string, unknown>;
const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const records = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isRecord) : []);

/** Errors whose retrier is the "contention" retrier of docs/retry-policy.md. */
const CONTENTION_ERRORS = ['ConflictException', 'ThrottlingException'];
/** The provisioning states the bulk scenario exercises (creation and its status poll). */
const CREATION_STATES = ['CreateAssignment', 'CheckAssignment'];

export interface Tuning {
  /** Written on every retrier of every state (the baseline is "the same machine without jitter"). */
  jitter: 'FULL' | 'NONE';
  /** Overrides for the contention retrier of CreateAssignment and CheckAssignment; unset fields keep the file's values. */
  contention?: { IntervalSeconds?: number; BackoffRate?: number; MaxDelaySeconds?: number; MaxAttempts?: number };
  /** WaitForAssignment's Seconds (the status poll interval). */
  pollWaitSeconds?: number;
  /** Prototype: admission control for creations (see withCreationSemaphore). */
  semaphore?: { limit: number; /** The acquire retrier's cap: how often a waiting execution tries again. */ maxDelaySeconds: number };
}

/** Where the prototype semaphore lives: one item in the requests table. */
export const SEMAPHORE_KEY = { pk: 'SEMAPHORE#sso:CreateAccountAssignment', sk: 'SEMAPHORE' };

const DYNAMODB_THROTTLING = ['DynamoDB.ProvisionedThroughputExceededException', 'DynamoDB.ThrottlingException', 'DynamoDB.InternalServerErrorException', 'DynamoDB.RequestLimitExceeded'];

/**
 * Prototype of admission control, entirely in the definition: before CreateAssignment an execution takes one of
 * `limit` slots with a conditional DynamoDB update (a counter, plus an attribute naming the holder), and it gives the
 * slot back on every way out of the creation (SUCCEEDED, FAILED, poll exhausted, caught error). While all slots
 * are taken, executions retry that cheap conditional write, not CreateAccountAssignment, so Identity Center sees
 * at most `limit` creations in flight and almost no throttled calls. Not production-ready: a slot held by an
 * execution that dies (aborted, timed out as a whole) is never given back; the real thing needs a lease (holders
 * with a timestamp that an acquirer may evict) or a clean-up on execution failure.
 */
const withCreationSemaphore = (states: Json, { limit, maxDelaySeconds }: { limit: number; maxDelaySeconds: number }): void => {
  const record = states.Record;
  const tableName = isRecord(record) && isRecord(record.Parameters) ? record.Parameters.TableName : undefined;
  if (typeof tableName !== 'string') throw new Error('bulk tuning: cannot find the table name in the Record state');
  const key = { pk: { S: SEMAPHORE_KEY.pk }, sk: { S: SEMAPHORE_KEY.sk } };
  const names = { '#count': 'inFlight', "#holder.$": "States.Format('holder#{}', $.requestId)" };
  const dynamoRetry = { ErrorEquals: DYNAMODB_THROTTLING, IntervalSeconds: 1, BackoffRate: 2, MaxAttempts: 5, MaxDelaySeconds: 10, JitterStrategy: 'FULL' };
  const choose = states.ChooseProvisioner;
  const rule = isRecord(choose) ? records(choose.Choices).find((c) => c.Next === 'CreateAssignment') : undefined;
  if (!rule) throw new Error('bulk tuning: ChooseProvisioner has no branch to CreateAssignment');
  rule.Next = 'AcquireCreationSlot';
  states.AcquireCreationSlot = {
    Type: 'Task',
    Comment: `Prototype: one of ${limit} creation slots, so waiting executions retry this write instead of Identity Center.`,
    Resource: 'arn:aws:states:::dynamodb:updateItem',
    Parameters: {
      TableName: tableName,
      Key: key,
      UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one, #holder = :now',
      ConditionExpression: '(attribute_not_exists(#count) OR #count < :limit) AND attribute_not_exists(#holder)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: { ':zero': { N: '0' }, ':one': { N: '1' }, ':limit': { N: String(limit) }, ':now': { 'S.$': '$$.State.EnteredTime' } },
    },
    ResultPath: null,
    Retry: [
      { ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'], IntervalSeconds: 1, BackoffRate: 1.5, MaxAttempts: 1000, MaxDelaySeconds: maxDelaySeconds, JitterStrategy: 'FULL' },
      dynamoRetry,
    ],
    Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailed' }],
    Next: 'CreateAssignment',
  };
  const releaseThen = (next: string): string => {
    const name = `ReleaseCreationSlotThen${next}`;
    states[name] ??= {
      Type: 'Task',
      Comment: 'Prototype: gives the creation slot back; a failure here never changes the outcome.',
      Resource: 'arn:aws:states:::dynamodb:updateItem',
      Parameters: {
        TableName: tableName,
        Key: key,
        UpdateExpression: 'REMOVE #holder SET #count = #count - :one',
        ConditionExpression: 'attribute_exists(#holder)',
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: { ':one': { N: '1' } },
      },
      ResultPath: null,
      Retry: [dynamoRetry],
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: null, Next: next }],
      Next: next,
    };
    return name;
  };
  for (const name of ['CreateAssignment', 'CheckAssignment']) {
    const state = states[name];
    for (const catcher of isRecord(state) ? records(state.Catch) : []) catcher.Next = releaseThen(String(catcher.Next));
  }
  const done = states.AssignmentDone;
  if (!isRecord(done)) throw new Error('bulk tuning: the state machine has no AssignmentDone state');
  for (const choice of records(done.Choices)) choice.Next = releaseThen(String(choice.Next));
};

/** A copy of `definition` with the tuning applied; throws if a state it names is missing, so a rename cannot go unnoticed. */
export const tuneDefinition = (definition: Json, tuning: Tuning): Json => {
  const copy = JSON.parse(JSON.stringify(definition)) as Json;
  const states = isRecord(copy.States) ? copy.States : {};
  // First, so the jitter strategy below reaches the prototype's retriers too.
  if (tuning.semaphore) withCreationSemaphore(states, tuning.semaphore);
  for (const state of Object.values(states)) {
    if (!isRecord(state)) continue;
    for (const retrier of records(state.Retry)) retrier.JitterStrategy = tuning.jitter;
  }
  for (const name of CREATION_STATES) {
    const state = states[name];
    if (!isRecord(state)) throw new Error(`bulk tuning: the state machine has no ${name} state`);
    const retrier = records(state.Retry).find((r) => Array.isArray(r.ErrorEquals) && CONTENTION_ERRORS.every((e) => (r.ErrorEquals as unknown[]).includes(e)));
    if (!retrier) throw new Error(`bulk tuning: ${name} has no retrier for ${CONTENTION_ERRORS.join(' and ')}`);
    Object.assign(retrier, tuning.contention ?? {});
  }
  if (tuning.pollWaitSeconds !== undefined) {
    const wait = states.WaitForAssignment;
    if (!isRecord(wait) || wait.Type !== 'Wait') throw new Error('bulk tuning: the state machine has no WaitForAssignment Wait state');
    wait.Seconds = tuning.pollWaitSeconds;
  }
  return copy;
};

/** The settings the bulk scenario ran with, read back from a (tuned) definition, for the report. */
export const effectiveSettings = (definition: Json): { contention: Json; pollWaitSeconds: unknown; jitter: unknown; semaphore: number | null } => {
  const states = isRecord(definition.States) ? definition.States : {};
  const create = isRecord(states.CreateAssignment) ? states.CreateAssignment : {};
  const retrier = records(create.Retry).find((r) => Array.isArray(r.ErrorEquals) && (r.ErrorEquals as unknown[]).includes('ThrottlingException')) ?? {};
  const { ErrorEquals: _errors, JitterStrategy: jitter, ...contention } = retrier;
  const wait = isRecord(states.WaitForAssignment) ? states.WaitForAssignment : {};
  const acquire = isRecord(states.AcquireCreationSlot) && isRecord(states.AcquireCreationSlot.Parameters) ? states.AcquireCreationSlot.Parameters : undefined;
  const limit = acquire && isRecord(acquire.ExpressionAttributeValues) && isRecord(acquire.ExpressionAttributeValues[':limit']) ? Number(acquire.ExpressionAttributeValues[':limit'].N) : null;
  return { contention, pollWaitSeconds: wait.Seconds, jitter, semaphore: limit };
};
