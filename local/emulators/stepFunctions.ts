// Step Functions for the local stack. aws-local-stepfunctions interprets the real ASL file; this module adds what the
// library leaves out: executions addressed by name and ARN, the callback pattern (task tokens, timeouts, heartbeats),
// an AWS-shaped execution history, LOCAL_TIME_SCALE, and execution records that survive a restart.
import '../polyfills.js';
import { randomBytes, randomUUID } from 'node:crypto';
import aslValidator from 'asl-validator';
import { StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { createExecutionJournal, type ExecutionRecord, type HistoryEvent } from './executionJournal.js';
import type { TaskRunner } from './taskRunner.js';
import { AwsServiceError, runOperation, type EmulatorResponse, type ServiceEmulator } from './types.js';
import { isRecord, validateInput } from './validation.js';

type LocalHandler = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>[string];
type JsonValue = Parameters<LocalHandler>[0];
type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;
type Json = Record<string, unknown>;

export type { ExecutionStatus } from './executionJournal.js';

export interface StepFunctionsEmulator extends ServiceEmulator {
  /**
   * Resolves when every running execution has settled (for tests/shutdown), or after timeoutMs, with how many are
   * still running: 0 means idle, anything else that the wait gave up and the caller must not read the state as final.
   */
  waitForIdle(timeoutMs?: number): Promise<number>;
  /** Aborts running executions and stops timers; persists state. */
  close(): Promise<void>;
  /**
   * Executions that were RUNNING when the previous process stopped (a crash, or close() at shutdown). The library
   * cannot resume an execution, so on load each is recorded as ABORTED with error `Local.EngineRestarted`; the
   * stack decides what happens to the requests behind them. As in AWS, their names cannot be started again.
   */
  lostExecutions(): Array<{ name: string; executionArn: string; input: string }>;
}

interface Waiter {
  succeed(output: JsonValue): void;
  fail(error: Error): void;
  heartbeat(): void;
}

/** One run of a Task's handler. Its events wait until the history has reached the state entry or retry it belongs to. */
interface Attempt {
  state: string;
  live: boolean;
  buffered: Array<{ type: string; timestamp: number; details: Json }>;
}

interface LiveExecution {
  record: ExecutionRecord;
  aborted: boolean;
  /** The next callback task's token, minted when Parameters first read `$$.Task.Token`. */
  token?: string;
  queued: Attempt[];
  waiters: Set<Waiter>;
  abort(): void;
  settled: Promise<void>;
}

interface TaskSpec {
  resource: string;
  /** `{resourceType, resource}` for a service integration; undefined for a plain Lambda ARN. */
  integration?: { resourceType: string; resource: string };
  callback: boolean;
  timeoutSeconds?: number;
  heartbeatSeconds?: number;
  /** Whether Parameters carry hidden *SecondsPath values (and, when the state had none, the whole input). */
  hidden: boolean;
  wrapsInput: boolean;
}

const HIDDEN_INPUT = '__localInput';
const HIDDEN_TIMEOUT = '__localTimeoutSeconds';
const HIDDEN_HEARTBEAT = '__localHeartbeatSeconds';
const MAX_TIMER_MS = 2_147_483_647;
// The library gives every Task a 60 s default timeout; this engine enforces task timeouts itself, so the library's
// timer is parked at setTimeout's maximum.
const LIBRARY_TASK_TIMEOUT_SECONDS = Math.floor(MAX_TIMER_MS / 1000);
/** How long close() waits for Lambda invocations already under way: the tasks' 30 s timeout would be too long. */
const IN_FLIGHT_DRAIN_MS = 10_000;
const DEFAULT_PAGE_SIZE = 100;

// Timeouts raised here are plain Errors named States.Timeout, so unlike AWS a `States.TaskFailed` matcher also
// catches them (the library exempts only its own, unexported, timeout class). The approval workflow does not use it.
const namedError = (name: string, message: string, uncatchable = false): Error =>
  Object.assign(new Error(message), { name }, uncatchable ? { isRetryable: false, isCatchable: false } : {});
const stoppedError = (): Error => namedError('States.Runtime', 'The execution was stopped', true);
const isTimeout = (error: Error): boolean =>
  error.name === 'States.Timeout' || error.name === 'States.HeartbeatTimeout';
const mintToken = (): string => randomBytes(48).toString('base64url');
const objects = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isRecord) : []);
const seconds = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

const prepareTask = (state: Json): TaskSpec => {
  const resource = String(state.Resource);
  const integration = /^arn:aws[a-z-]*:states:::([a-z0-9-]+):(.+)$/.exec(resource);
  const spec: TaskSpec = {
    resource,
    integration: integration ? { resourceType: integration[1] ?? '', resource: integration[2] ?? '' } : undefined,
    callback: resource.endsWith('.waitForTaskToken'),
    timeoutSeconds: seconds(state.TimeoutSeconds),
    heartbeatSeconds: seconds(state.HeartbeatSeconds),
    hidden: false,
    wrapsInput: false,
  };
  // The library resolves TimeoutSecondsPath against the processed Parameters (and only to whole seconds), so the
  // paths ride along as hidden Parameters, evaluated against the state input, and are stripped before the task runs.
  const hidden: Json = {};
  if (typeof state.TimeoutSecondsPath === 'string') hidden[`${HIDDEN_TIMEOUT}.$`] = state.TimeoutSecondsPath;
  if (typeof state.HeartbeatSecondsPath === 'string') hidden[`${HIDDEN_HEARTBEAT}.$`] = state.HeartbeatSecondsPath;
  if (Object.keys(hidden).length > 0) {
    spec.hidden = true;
    spec.wrapsInput = !isRecord(state.Parameters);
    state.Parameters = isRecord(state.Parameters)
      ? { ...state.Parameters, ...hidden }
      : { [`${HIDDEN_INPUT}.$`]: '$', ...hidden };
  }
  // In AWS a heartbeat timeout is matched by both States.HeartbeatTimeout and States.Timeout.
  if (spec.heartbeatSeconds !== undefined || typeof state.HeartbeatSecondsPath === 'string') {
    for (const rule of [...objects(state.Retry), ...objects(state.Catch)]) {
      if (Array.isArray(rule.ErrorEquals) && rule.ErrorEquals.includes('States.Timeout')) {
        rule.ErrorEquals = [...(rule.ErrorEquals as unknown[]), 'States.HeartbeatTimeout'];
      }
    }
  }
  for (const key of ['TimeoutSecondsPath', 'HeartbeatSeconds', 'HeartbeatSecondsPath']) delete state[key];
  state.TimeoutSeconds = LIBRARY_TASK_TIMEOUT_SECONDS;
  return spec;
};

/**
 * Rewrites the in-memory copy the library runs (the file is never touched). LOCAL_TIME_SCALE multiplies, as
 * fractional seconds: Retry IntervalSeconds and MaxDelaySeconds (BackoffRate and JitterStrategy stay as written, so
 * backoff and FULL jitter behave as in AWS), Wait Seconds, the machine's TimeoutSeconds, and, for callback
 * (.waitForTaskToken) tasks, TimeoutSeconds(Path) and HeartbeatSeconds(Path), which runTask enforces. Wait SecondsPath, Timestamp and TimestampPath are not scaled.
 */
const prepareMachine = (machine: Json, scale: number, tasks: Map<string, TaskSpec>): void => {
  if (typeof machine.TimeoutSeconds === 'number') machine.TimeoutSeconds = machine.TimeoutSeconds * scale;
  for (const [name, state] of Object.entries(isRecord(machine.States) ? machine.States : {})) {
    if (!isRecord(state)) continue;
    for (const retrier of objects(state.Retry)) {
      retrier.IntervalSeconds = (seconds(retrier.IntervalSeconds) ?? 1) * scale;
      if (typeof retrier.MaxDelaySeconds === 'number') retrier.MaxDelaySeconds = retrier.MaxDelaySeconds * scale;
    }
    if (state.Type === 'Wait' && typeof state.Seconds === 'number') state.Seconds = state.Seconds * scale;
    if (state.Type === 'Task') tasks.set(name, prepareTask(state));
    for (const nested of objects([...objects(state.Branches), state.ItemProcessor ?? state.Iterator])) {
      prepareMachine(nested, scale, tasks);
    }
  }
};

const taskEvent = (spec: TaskSpec, kind: string, details: Json): [string, Json] =>
  spec.integration
    ? [`Task${kind}`, { [`task${kind}EventDetails`]: { ...spec.integration, ...details } }]
    : [`LambdaFunction${kind}`, { [`lambdaFunction${kind}EventDetails`]: details }];

const terminalEvents = {
  SUCCEEDED: 'ExecutionSucceeded',
  FAILED: 'ExecutionFailed',
  TIMED_OUT: 'ExecutionTimedOut',
  ABORTED: 'ExecutionAborted',
} as const;

const arnRule = { type: 'string', required: true, minLength: 1, maxLength: 2048 } as const;
const tokenRule = arnRule;
const pageRules = {
  maxResults: { type: 'integer', min: 0, max: 1000 },
  nextToken: { type: 'string', minLength: 1, maxLength: 3096 },
} as const;
const rules = {
  start: {
    stateMachineArn: arnRule,
    name: { type: 'string' },
    input: { type: 'string', maxLength: 262_144 },
    traceHeader: { type: 'string', maxLength: 256 },
  },
  describe: { executionArn: arnRule, includedData: { type: 'string', enum: ['ALL_DATA', 'METADATA_ONLY'] } },
  history: { executionArn: arnRule, ...pageRules },
  stop: {
    executionArn: arnRule,
    error: { type: 'string', maxLength: 256 },
    cause: { type: 'string', maxLength: 32_768 },
  },
  list: {
    stateMachineArn: { type: 'string', minLength: 1, maxLength: 2048 },
    statusFilter: {
      type: 'string',
      enum: ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'],
    },
    ...pageRules,
  },
  success: { taskToken: tokenRule, output: { type: 'string', required: true, maxLength: 262_144 } },
  failure: {
    taskToken: tokenRule,
    error: { type: 'string', maxLength: 256 },
    cause: { type: 'string', maxLength: 32_768 },
  },
  heartbeat: { taskToken: tokenRule },
  // The state machine calls, from the current stepfunctions model: its Arn shape is 1 to 256 characters.
  listMachines: {
    maxResults: { type: 'integer', min: 0, max: 1000 },
    nextToken: { type: 'string', minLength: 1, maxLength: 1024 },
  },
  describeMachine: {
    stateMachineArn: { type: 'string', required: true, minLength: 1, maxLength: 256 },
    includedData: { type: 'string', enum: ['ALL_DATA', 'METADATA_ONLY'] },
  },
  describeMachineForExecution: {
    executionArn: { type: 'string', required: true, minLength: 1, maxLength: 256 },
    includedData: { type: 'string', enum: ['ALL_DATA', 'METADATA_ONLY'] },
  },
} as const;

// A state machine ARN, optionally qualified by a version or alias, as DescribeStateMachine accepts them.
const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[^:]+(:[^:]+)?$/;

const page = <T>(
  items: T[],
  maxResults: number | undefined,
  nextToken: string | undefined,
): { items: T[]; nextToken?: string } => {
  const offset = nextToken === undefined ? 0 : Number(Buffer.from(nextToken, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0)
    throw new AwsServiceError('InvalidToken', 'Invalid Token: the nextToken is not valid');
  const end = offset + (maxResults || DEFAULT_PAGE_SIZE);
  return {
    items: items.slice(offset, end),
    nextToken: end < items.length ? Buffer.from(String(end)).toString('base64url') : undefined,
  };
};

const withoutData = (event: HistoryEvent): HistoryEvent =>
  JSON.parse(
    JSON.stringify(event, (key, value: unknown) =>
      ['input', 'output', 'parameters'].includes(key) ? undefined : value,
    ),
  ) as HistoryEvent;

export const createStepFunctionsEmulator = (options: {
  definition: Record<string, unknown>;
  stateMachineArn: string;
  /** What DescribeStateMachine reports as the machine's role; the local stack has no IAM. Default: a role named after the machine. */
  roleArn?: string;
  taskRunner: TaskRunner;
  timeScale?: number;
  stateFile?: string;
  /**
   * Runs the start of an execution, and so everything it sets off, as the engine's own work rather than the
   * StartExecution caller's (the latency benchmark's invocation clock tells them apart). Default: just runs it.
   */
  runAsEngine?: <T>(start: () => T) => T;
}): StepFunctionsEmulator => {
  const { definition, stateMachineArn, taskRunner, stateFile } = options;
  const runAsEngine = options.runAsEngine ?? (<T>(start: () => T): T => start());
  const scale = options.timeScale ?? 1;
  if (!Number.isFinite(scale) || scale <= 0) throw new Error(`timeScale must be a positive number, got ${scale}`);
  const arn = /^arn:(aws[a-z-]*):states:([a-z0-9-]+):(\d{12}):stateMachine:([0-9A-Za-z_-]{1,80})$/.exec(
    stateMachineArn,
  );
  if (!arn) throw new Error(`Not a state machine ARN: ${stateMachineArn}`);
  const [, partition = '', region = '', account = '', stateMachineName = ''] = arn;
  const roleArn = options.roleArn ?? `arn:${partition}:iam::${account}:role/${stateMachineName}`;
  // The definition as deployed (substituted, unscaled), which is what AWS describes; the library runs a rewritten copy.
  const definitionText = JSON.stringify(definition);
  const startedSeconds = Date.now() / 1000;

  // JSON copies, not structuredClone: the library only expands `.$` fields inside objects of its own realm (jest runs
  // modules in a vm context), and asl-validator annotates what it checks.
  const copy = (): Json => JSON.parse(JSON.stringify(definition)) as Json;
  const validation = aslValidator(copy(), { checkArn: true, checkPaths: true });
  if (!validation.isValid) {
    const problems = validation.errors.map((e) => `${e.path ?? ''} ${e.message ?? JSON.stringify(e)}`.trim());
    throw new Error(`The state machine definition is invalid: ${problems.join('; ')}`);
  }
  const tasks = new Map<string, TaskSpec>();
  const prepared = copy();
  prepareMachine(prepared, scale, tasks);
  const machine = new StateMachine(prepared as unknown as StateMachineDefinition, {
    validationOptions: { noValidate: true },
  });

  const executions = new Map<string, ExecutionRecord>();
  const live = new Map<string, LiveExecution>();
  const inFlight = new Set<Promise<void>>();
  /** Every token handed out; null once its task stopped waiting. Tokens live only in memory, never on disk. */
  const tokens = new Map<string, Waiter | null>();
  const timerMs = (value: number): number => Math.min(value * 1000 * scale, MAX_TIMER_MS);
  const executionArnFor = (name: string): string =>
    `arn:${partition}:states:${region}:${account}:execution:${stateMachineName}:${name}`;

  let closed = false;
  const journal = stateFile ? createExecutionJournal(stateFile) : undefined;

  /** Appends to a running execution's history; the terminal event is appended just before the status changes. */
  const append = (record: ExecutionRecord, type: string, details: Json, timestamp = Date.now() / 1000): void => {
    if (record.status !== 'RUNNING') return;
    const id = record.history.length + 1;
    const event: HistoryEvent = { id, previousEventId: id - 1, timestamp, type, ...details };
    record.history.push(event);
    journal?.event(record.executionArn, event);
  };

  const finish = (
    record: ExecutionRecord,
    status: keyof typeof terminalEvents,
    result: { output?: string; error?: string; cause?: string },
    timestamp = Date.now() / 1000,
  ): void => {
    const type = terminalEvents[status];
    const details =
      status === 'SUCCEEDED'
        ? { output: result.output, outputDetails: { truncated: false } }
        : { error: result.error, cause: result.cause };
    append(record, type, { [`execution${type.slice('Execution'.length)}EventDetails`]: details }, timestamp);
    if (record.status !== 'RUNNING') return;
    Object.assign(record, { status, stopDate: timestamp }, result);
    journal?.outcome(record.executionArn, { status, stopDate: timestamp, ...result });
  };

  const stop = (execution: LiveExecution): void => {
    execution.aborted = true;
    execution.abort();
    for (const waiter of [...execution.waiters]) waiter.fail(stoppedError());
  };

  const place = (execution: LiveExecution, state: string): void => {
    const index = execution.queued.findIndex((attempt) => attempt.state === state);
    const [attempt] = index < 0 ? [] : execution.queued.splice(index, 1);
    if (!attempt) return;
    attempt.live = true;
    for (const { type, timestamp, details } of attempt.buffered) append(execution.record, type, details, timestamp);
  };

  const positiveInteger = (value: unknown, field: string, fallback: number | undefined): number | undefined => {
    if (value === undefined) return fallback;
    if (typeof value === 'number' && Number.isInteger(value) && value >= 1) return value;
    throw namedError(
      'States.Runtime',
      `${field} must resolve to a positive integer, got ${JSON.stringify(value)}`,
      true,
    );
  };

  // Runs synchronously up to the runner call: the library evaluates Parameters (minting the token) and calls the
  // handler in one tick, which is what ties a token to this attempt.
  const runTask = async (
    execution: LiveExecution,
    state: string,
    spec: TaskSpec,
    processed: JsonValue,
  ): Promise<JsonValue> => {
    if (execution.aborted) throw stoppedError();
    let token: string | undefined;
    if (spec.callback) {
      token = execution.token ?? mintToken();
      execution.token = undefined;
    }
    let parameters: unknown = processed;
    let { timeoutSeconds, heartbeatSeconds } = spec;
    if (spec.hidden && isRecord(processed)) {
      const { [HIDDEN_INPUT]: input, [HIDDEN_TIMEOUT]: timeout, [HIDDEN_HEARTBEAT]: heartbeat, ...rest } = processed;
      parameters = spec.wrapsInput ? input : rest;
      timeoutSeconds = positiveInteger(timeout, 'TimeoutSecondsPath', timeoutSeconds);
      heartbeatSeconds = positiveInteger(heartbeat, 'HeartbeatSecondsPath', heartbeatSeconds);
    }
    const attempt: Attempt = { state, live: false, buffered: [] };
    execution.queued.push(attempt);
    const emit = (kind: string, details: Json): void => {
      const [type, body] = taskEvent(spec, kind, details);
      const timestamp = Date.now() / 1000;
      if (attempt.live) append(execution.record, type, body, timestamp);
      else attempt.buffered.push({ type, timestamp, details: body });
    };
    // AWS shows a callback's Parameters, token included; here the token stays out of the history and the state file.
    const shown = token
      ? JSON.stringify(parameters ?? null).replaceAll(token, '<task token>')
      : JSON.stringify(parameters ?? null);
    emit('Scheduled', {
      ...(spec.integration ? { region, parameters: shown } : { resource: spec.resource, input: shown }),
      timeoutInSeconds: timeoutSeconds,
      heartbeatInSeconds: spec.callback ? heartbeatSeconds : undefined,
    });
    emit('Started', {});

    return new Promise<JsonValue>((resolve, reject) => {
      let done = false;
      let timeoutTimer: NodeJS.Timeout | undefined;
      let heartbeatTimer: NodeJS.Timeout | undefined;
      const settle = (then: () => void): void => {
        if (done) return;
        done = true;
        clearTimeout(timeoutTimer);
        clearTimeout(heartbeatTimer);
        execution.waiters.delete(waiter);
        if (token) tokens.set(token, null);
        then();
      };
      const waiter: Waiter = {
        succeed: (output) =>
          settle(() => {
            emit('Succeeded', { output: JSON.stringify(output) });
            resolve(output);
          }),
        fail: (error) =>
          settle(() => {
            emit(isTimeout(error) ? 'TimedOut' : 'Failed', { error: error.name, cause: error.message });
            reject(error);
          }),
        heartbeat: () => {
          if (heartbeatSeconds === undefined || !token) return;
          clearTimeout(heartbeatTimer);
          heartbeatTimer = setTimeout(
            () => waiter.fail(namedError('States.HeartbeatTimeout', `No heartbeat within ${heartbeatSeconds} seconds`)),
            timerMs(heartbeatSeconds),
          );
        },
      };
      execution.waiters.add(waiter);
      if (timeoutSeconds !== undefined) {
        const limit = timeoutSeconds;
        // Only waits on people (callback tasks: the approval window) are scaled. A Lambda's timeout budgets real
        // work, which runs at real speed locally too; scaling it would time out cold starts.
        const limitMs = spec.callback ? timerMs(limit) : Math.min(limit * 1000, MAX_TIMER_MS);
        timeoutTimer = setTimeout(
          () => waiter.fail(namedError('States.Timeout', `Task did not finish within ${limit} seconds`)),
          limitMs,
        );
      }
      if (token) {
        tokens.set(token, waiter);
        waiter.heartbeat();
      }
      const invocation = taskRunner.run(spec.resource, parameters).then(
        (result) => {
          if (!token) waiter.succeed(result as JsonValue);
          else if (!done) emit('Submitted', { output: JSON.stringify(result ?? null) });
        },
        (error: unknown) => waiter.fail(error instanceof Error ? error : new Error(String(error))),
      );
      inFlight.add(invocation);
      void invocation.finally(() => inFlight.delete(invocation));
    });
  };

  // Builds the history from the library's event log, which must be drained or the execution stalls.
  const follow = async (execution: LiveExecution, events: AsyncGenerator<EventLog>): Promise<void> => {
    const { record } = execution;
    for await (const event of events) {
      const timestamp = event.timestamp / 1000;
      switch (event.type) {
        case 'StateEntered': {
          const { name, type, input } = event.state;
          const details = { name, input: JSON.stringify(input), inputDetails: { truncated: false } };
          append(record, `${type}StateEntered`, { stateEnteredEventDetails: details }, timestamp);
          if (type === 'Task') place(execution, name);
          break;
        }
        case 'StateRetried':
          place(execution, event.state.name);
          break;
        case 'StateExited': {
          const { name, type, output } = event.state;
          const details = { name, output: JSON.stringify(output), outputDetails: { truncated: false } };
          append(record, `${type}StateExited`, { stateExitedEventDetails: details }, timestamp);
          break;
        }
        case 'StateCaught':
          append(
            record,
            `${event.state.type}StateExited`,
            { stateExitedEventDetails: { name: event.state.name } },
            timestamp,
          );
          break;
        case 'ExecutionSucceeded':
          finish(record, 'SUCCEEDED', { output: JSON.stringify(event.output) }, timestamp);
          break;
        case 'ExecutionFailed':
          finish(
            record,
            'FAILED',
            { error: event.Error, cause: typeof event.Cause === 'string' ? event.Cause : JSON.stringify(event.Cause) },
            timestamp,
          );
          break;
        case 'ExecutionTimeout':
          finish(
            record,
            'TIMED_OUT',
            { error: 'States.Timeout', cause: 'The execution ran longer than its TimeoutSeconds' },
            timestamp,
          );
          break;
        case 'ExecutionAborted':
          finish(record, 'ABORTED', {}, timestamp);
          break;
        default:
          break;
      }
    }
    // An execution that timed out as a whole can leave a callback task waiting.
    stop(execution);
  };

  const contextFor = (execution: LiveExecution) => {
    let enteredTime: string | undefined;
    return {
      // The library adds Execution.Input and Execution.StartTime itself.
      Execution: { Id: execution.record.executionArn, Name: execution.record.name },
      StateMachine: { Id: stateMachineArn, Name: stateMachineName },
      // Getters, because the library keeps no per-state context. A state's Parameters are evaluated in the tick it
      // is entered, so "now", held for that tick, is the EnteredTime every field of the state sees.
      State: {
        get EnteredTime(): string {
          if (enteredTime === undefined) {
            enteredTime = new Date().toISOString();
            queueMicrotask(() => {
              enteredTime = undefined;
            });
          }
          return enteredTime;
        },
      },
      Task: {
        get Token(): string {
          execution.token ??= mintToken();
          return execution.token;
        },
      },
    };
  };

  const start = (name: string, input: string, parsed: JsonValue): ExecutionRecord => {
    const record: ExecutionRecord = {
      executionArn: executionArnFor(name),
      name,
      input,
      status: 'RUNNING',
      startDate: Date.now() / 1000,
      history: [],
    };
    executions.set(record.executionArn, record);
    journal?.started(record);
    append(
      record,
      'ExecutionStarted',
      { executionStartedEventDetails: { input, inputDetails: { truncated: false } } },
      record.startDate,
    );
    const execution: LiveExecution = {
      record,
      aborted: false,
      queued: [],
      waiters: new Set(),
      abort: () => undefined,
      settled: Promise.resolve(),
    };
    live.set(record.executionArn, execution);
    const handlers = Object.fromEntries(
      [...tasks].map(([state, spec]): [string, LocalHandler] => [
        state,
        (value) => runTask(execution, state, spec, value),
      ]),
    );
    runAsEngine(() => {
      const run = machine.run(parsed, {
        context: contextFor(execution),
        overrides: { taskResourceLocalHandlers: handlers },
        noThrowOnAbort: true,
      });
      // The record is built from the event log; the result promise only needs to be observed.
      run.result.catch(() => undefined);
      execution.abort = run.abort;
      execution.settled = follow(execution, run.eventLogs).finally(() => live.delete(record.executionArn));
    });
    return record;
  };

  const find = (executionArn: string): ExecutionRecord => {
    if (!/^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:execution:[^:]+:[^:]+$/.test(executionArn)) {
      throw new AwsServiceError('InvalidArn', `Invalid Arn: '${executionArn}'`);
    }
    const record = executions.get(executionArn);
    if (!record) throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  };

  // Messages never echo the token.
  const waiterFor = (taskToken: string): Waiter => {
    const waiter = tokens.get(taskToken);
    if (waiter === undefined)
      throw new AwsServiceError('InvalidToken', 'Invalid Token: the task token is malformed or unknown');
    if (waiter === null)
      throw new AwsServiceError('TaskTimedOut', 'Task Timed Out: the task for this token is no longer waiting');
    return waiter;
  };

  const summary = (record: ExecutionRecord) => ({
    executionArn: record.executionArn,
    stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: record.startDate,
    stopDate: record.stopDate,
  });

  // This process created the machine when it started; executions kept from an earlier start are older, and AWS never
  // reports an execution that started before its machine was created.
  const creationDate = (): number =>
    Math.min(startedSeconds, ...[...executions.values()].map((record) => record.startDate));

  const machineDescription = (includedData: string | undefined) => ({
    stateMachineArn,
    name: stateMachineName,
    ...(includedData === 'METADATA_ONLY' ? {} : { definition: definitionText }),
    roleArn,
  });

  const operations: Record<string, (body: unknown) => unknown> = {
    ListStateMachines: (body) => {
      const input = validateInput(body, rules.listMachines);
      const machines = [{ stateMachineArn, name: stateMachineName, type: 'STANDARD', creationDate: creationDate() }];
      const { items, nextToken } = page(machines, input.maxResults, input.nextToken);
      return { stateMachines: items, nextToken };
    },
    DescribeStateMachine: (body) => {
      const input = validateInput(body, rules.describeMachine);
      if (!STATE_MACHINE_ARN.test(input.stateMachineArn)) {
        throw new AwsServiceError('InvalidArn', `Invalid Arn: '${input.stateMachineArn}'`);
      }
      if (input.stateMachineArn !== stateMachineArn) {
        throw new AwsServiceError(
          'StateMachineDoesNotExist',
          `State Machine Does Not Exist: '${input.stateMachineArn}'`,
        );
      }
      return {
        ...machineDescription(input.includedData),
        status: 'ACTIVE',
        type: 'STANDARD',
        creationDate: creationDate(),
      };
    },
    DescribeStateMachineForExecution: (body) => {
      const input = validateInput(body, rules.describeMachineForExecution);
      find(input.executionArn);
      // The machine is never updated, so the version an execution ran is the one created.
      return { ...machineDescription(input.includedData), updateDate: creationDate() };
    },
    StartExecution: (body) => {
      const input = validateInput(body, rules.start);
      const name = input.name ?? randomUUID();
      if (!/^[0-9A-Za-z_-]{1,80}$/.test(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
      if (input.stateMachineArn !== stateMachineArn) {
        throw new AwsServiceError(
          'StateMachineDoesNotExist',
          `State Machine Does Not Exist: '${input.stateMachineArn}'`,
        );
      }
      const text = input.input ?? '{}';
      let parsed: JsonValue;
      try {
        parsed = JSON.parse(text) as JsonValue;
      } catch (error) {
        throw new AwsServiceError(
          'InvalidExecutionInput',
          `Invalid State Machine Execution Input: '${(error as Error).message}'`,
        );
      }
      const existing = executions.get(executionArnFor(name));
      // AWS treats a repeated start of a running execution with the same input as the same call.
      if (existing?.status === 'RUNNING' && existing.input === text)
        return { executionArn: existing.executionArn, startDate: existing.startDate };
      if (existing)
        throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${existing.executionArn}'`);
      const record = start(name, text, parsed);
      return { executionArn: record.executionArn, startDate: record.startDate };
    },
    DescribeExecution: (body) => {
      const input = validateInput(body, rules.describe);
      const record = find(input.executionArn);
      const data = input.includedData !== 'METADATA_ONLY';
      return {
        ...summary(record),
        input: data ? record.input : undefined,
        inputDetails: { included: data },
        output: data ? record.output : undefined,
        outputDetails: record.output === undefined ? undefined : { included: data },
        error: record.error,
        cause: record.cause,
      };
    },
    GetExecutionHistory: (body) => {
      const { reverseOrder = false, includeExecutionData = true, ...rest } = isRecord(body) ? body : {};
      if (typeof reverseOrder !== 'boolean' || typeof includeExecutionData !== 'boolean') {
        throw new AwsServiceError('ValidationException', 'reverseOrder and includeExecutionData must be booleans');
      }
      const input = validateInput(rest, rules.history);
      const { history } = find(input.executionArn);
      const ordered = reverseOrder ? [...history].reverse() : history;
      const { items, nextToken } = page(ordered, input.maxResults, input.nextToken);
      return { events: includeExecutionData ? items : items.map(withoutData), nextToken };
    },
    StopExecution: (body) => {
      const input = validateInput(body, rules.stop);
      const record = find(input.executionArn);
      finish(record, 'ABORTED', { error: input.error, cause: input.cause });
      const execution = live.get(record.executionArn);
      if (execution) stop(execution);
      return { stopDate: record.stopDate };
    },
    ListExecutions: (body) => {
      const input = validateInput(body, rules.list);
      if (input.stateMachineArn !== undefined && input.stateMachineArn !== stateMachineArn) {
        throw new AwsServiceError(
          'StateMachineDoesNotExist',
          `State Machine Does Not Exist: '${input.stateMachineArn}'`,
        );
      }
      const matching = [...executions.values()]
        .filter((record) => input.statusFilter === undefined || record.status === input.statusFilter)
        .sort((a, b) => b.startDate - a.startDate);
      const { items, nextToken } = page(matching, input.maxResults, input.nextToken);
      return { executions: items.map(summary), nextToken };
    },
    SendTaskSuccess: (body) => {
      const input = validateInput(body, rules.success);
      const waiter = waiterFor(input.taskToken);
      let output: JsonValue;
      try {
        output = JSON.parse(input.output) as JsonValue;
      } catch {
        throw new AwsServiceError('InvalidOutput', 'Invalid Output: output is not valid JSON');
      }
      waiter.succeed(output);
      return {};
    },
    SendTaskFailure: (body) => {
      const input = validateInput(body, rules.failure);
      waiterFor(input.taskToken).fail(namedError(input.error ?? 'States.TaskFailed', input.cause ?? ''));
      return {};
    },
    SendTaskHeartbeat: (body) => {
      waiterFor(validateInput(body, rules.heartbeat).taskToken).heartbeat();
      return {};
    },
  };

  const lost = ((): Array<{ name: string; executionArn: string; input: string }> => {
    if (!journal) return [];
    const saved = journal.load();
    const found = [];
    for (const record of saved) {
      executions.set(record.executionArn, record);
      if (record.status !== 'RUNNING') continue;
      const cause = 'The local Step Functions engine stopped while this execution was running; it cannot be resumed.';
      finish(record, 'ABORTED', { error: 'Local.EngineRestarted', cause });
      found.push({ name: record.name, executionArn: record.executionArn, input: record.input });
    }
    return found;
  })();

  return {
    targetPrefix: 'AWSStepFunctions',
    serviceName: 'states',
    contentType: 'application/x-amz-json-1.0',
    handle: (operation: string, input: unknown): Promise<EmulatorResponse> =>
      runOperation(operations, operation, (perform) => perform(input)),
    async waitForIdle(timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (live.size > 0 && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<void>((resolve) => {
          timer = setTimeout(resolve, deadline - Date.now());
        });
        await Promise.race([Promise.all([...live.values()].map((execution) => execution.settled)), expired]);
        clearTimeout(timer);
      }
      return live.size;
    },
    async close() {
      if (closed) return;
      // Written before stopping, so running executions stay RUNNING on disk and come back as lostExecutions().
      journal?.compact(executions.values());
      journal?.close();
      closed = true;
      const running = [...live.values()];
      running.forEach(stop);
      await Promise.all(running.map((execution) => execution.settled));
      // Stopping an execution cannot stop a Lambda already running; let those finish (bounded by the Lambda
      // timeout) so they never write to a database that has been closed under them.
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.allSettled([...inFlight]),
        new Promise<void>((resolve) => (timer = setTimeout(resolve, IN_FLIGHT_DRAIN_MS))),
      ]);
      clearTimeout(timer);
    },
    lostExecutions: () => lost.map((execution) => ({ ...execution })),
  };
};
