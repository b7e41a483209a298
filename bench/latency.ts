// Latency scenario: POST /requests at 1, 16 and 64 concurrent clients, and Slack interaction handling from request
// to ack, warm (signed clicks over HTTP to a running stack) and cold (a fresh Node process that loads the handler
// and handles one click against the same stack), each click deciding a request that is really pending.
//
// Every phase gets a fresh stack in a fresh process: the local workflow engine keeps every execution and its
// history, so a stack that already served the earlier levels would make each level slower than the last for
// reasons that are not the level's. The phases write their rows to a file; this process prints and judges them.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createExecutionJournal } from '../local/emulators/executionJournal.js';
import type { InvocationTiming } from '../local/invocationClock.js';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../local/stack.js';
import { projectRoot } from '../local/serverlessConfig.js';
import { ssoRequest } from '../test/fixtures/requests.js';
import { bundleFunction, providerLiteralEnvironment } from './lib/bundle.js';
import { coldSlackScript } from './lib/coldSlackScript.js';
import { baseEnvironment, runFreshNode } from './lib/freshNode.js';
import { runHttpLoad, type HttpSample, type LoadRequest } from './lib/httpLoad.js';
import { runIsolated, tsxNodeArgs } from './lib/isolate.js';
import { createLocalApi, poll, signedSlackRequest, slackClickPayload, type LocalApi } from './lib/localApi.js';
import { intOption, optionValue } from './lib/options.js';
import { startProgress } from './lib/progress.js';
import { writeResult } from './lib/results.js';
import type { ScenarioOutcome } from './lib/scenario.js';
import { summarize } from './lib/stats.js';
import { formatTable, resultCell } from './lib/table.js';
import { formatDuration, formatMs, now, timed } from './lib/timing.js';

const LEVELS = [1, 16, 64] as const;
/**
 * Timed requests per level. 200 (p99 is then the third slowest), not more: every request leaves a workflow behind
 * that the stack must finish before it can close, and at 16 and 64 clients that backlog, not the timed part, is most
 * of the phase's time; the whole scenario is meant to take about two minutes.
 */
const DEFAULT_PER_LEVEL = 200;
const PHASES = [...LEVELS.map((c) => `submit-${c}`), 'slack'] as const;
const TARGET_SUBMIT_P99_MS = 50;
const TARGET_SUBMIT_AT = 16;
const TARGET_COLD_MS = 500;
const TARGET_WARM_P99_MS = 50;
const REQUESTER = 'alice@example.com';
const LOCAL_POLICY = join(projectRoot, 'config/policy.local.json');
/** Approves SSO requests for 111111111111 in config/policy.local.json, which also gives his Slack user id. */
const SLACK_APPROVER = 'bob@example.com';
/** The click decides: approve, the path that matters (the handler does the same work for deny). */
const CLICK_ACTION = 'approve';
/** Untimed clicks first: the first one loads the handler module into the stack, which is the cold case. */
const WARM_UP_CLICKS = 10;
/**
 * The Slack phase runs scaled down, so the workflow an approval resumes (provisioning, its 3 s poll wait) is over in
 * milliseconds and each cold process meets a quiet stack; its policy stretches the approval window to match.
 */
const SLACK_TIME_SCALE = 0.01;
/**
 * The quiet runs: one client, sending each request only once the workflow the previous one set off (notify after a
 * submit; provisioning after an approval, scaled) has finished and been written. In AWS that work runs in other
 * Lambdas and never shares a CPU with the next request; on the local stack it shares one event loop, so
 * back-to-back runs measure the stack's own contention as much as the handler.
 */
const QUIET_GAP_MS = 150;
const SETTLED = ['COMPLETED', 'FAILED', 'DENIED'];

interface LoopDelay {
  /**
   * How late a 10 ms timer fired on the stack's event loop while the phase ran (the load clients run in a worker;
   * the quiet runs' single client shares the loop, sending one request at a time).
   */
  p99Ms: number;
  maxMs: number;
}

/**
 * What a row measures. `response`: the client's wait, from sending to the whole answer, on the local stack.
 * `handler`: the handler's own time per invocation (what Lambda would bill): its window minus `queued`. `queued`: the
 * time, during the handler's window, that the stack's one thread spent on unrelated work (other handlers, the
 * workflow engine, other requests' emulation), which on AWS runs elsewhere. See local/invocationClock.ts. `cold`:
 * the handler module's import plus its first invocation, in a fresh process of its own.
 */
export type Measure = 'response' | 'handler' | 'queued' | 'cold';

export interface LatencyRow {
  phase: string;
  measure: Measure;
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
  /** Requests per second over the phase, warm-up included (closed loop: this is what the stack sustained). */
  throughput?: number;
  errors: number;
  /** The first few unexpected answers, to say why. */
  errorExamples: string[];
  loopDelay?: LoopDelay;
  /**
   * Handler rows: how long each call's thread waited for a CPU while other processes on the machine ran (Linux only).
   * It lands in whatever the thread was doing, own work included, so it says how much of a figure is the machine's.
   */
  osWait?: { p50Ms: number; p99Ms: number };
  /** Quiet runs: calls the emulated AWS endpoint received per request, from sending it to its answer. */
  callsPerRequest?: Record<string, number>;
  /** Which statistic is judged, and against what. */
  target?: { stat: 'p99' | 'median'; ms: number };
  pass: boolean;
  missed: string[];
}

interface ColdSample {
  importMs: number;
  invokeMs: number;
  totalMs: number;
  /** From process start (performance.timeOrigin) to the ack: Node's own boot and, for tsx, its hooks included. */
  sinceStartMs: number;
  statusCode: number;
  body?: string;
}

interface EngineState {
  executions: number;
  /** The compacted state file plus the journal of changes since. */
  bytes: number;
  /** What stringifying the whole state costs: once per compaction (start-up and close), no longer per change. */
  stringifyMs: number;
}

interface PhaseOutput {
  phase: string;
  rows: LatencyRow[];
  wallMs: number;
  engineState?: EngineState;
  details: Record<string, unknown>;
}

const round = (value: number): number => Math.round(value * 100) / 100;

const rowFrom = (
  phase: string,
  measure: Measure,
  ms: number[],
  extra: {
    errors: string[];
    throughput?: number;
    loopDelay?: LoopDelay;
    osWait?: LatencyRow['osWait'];
    callsPerRequest?: Record<string, number>;
    target?: LatencyRow['target'];
  },
): LatencyRow => {
  const s = summarize(ms);
  const missed: string[] = [];
  if (extra.errors.length > 0) missed.push(`${extra.errors.length} errors`);
  if (extra.target) {
    const value = extra.target.stat === 'p99' ? s.p99 : s.p50;
    if (!(value <= extra.target.ms)) missed.push(`${extra.target.stat} ${formatMs(value)} ms > ${extra.target.ms}`);
  }
  return {
    phase,
    measure,
    samples: s.count,
    p50: round(s.p50),
    p95: round(s.p95),
    p99: round(s.p99),
    max: round(s.max),
    mean: round(s.mean),
    ...(extra.throughput !== undefined ? { throughput: Math.round(extra.throughput) } : {}),
    errors: extra.errors.length,
    errorExamples: [...new Set(extra.errors)].slice(0, 3),
    ...(extra.loopDelay ? { loopDelay: extra.loopDelay } : {}),
    ...(extra.osWait ? { osWait: extra.osWait } : {}),
    ...(extra.callsPerRequest ? { callsPerRequest: extra.callsPerRequest } : {}),
    ...(extra.target ? { target: extra.target } : {}),
    pass: missed.length === 0,
    missed,
  };
};

/** The handler's own time and its queueing, from the invocation clock's timings of one phase's measured calls. */
const handlerRows = (
  phase: string,
  timings: readonly InvocationTiming[],
  expected: number,
  target?: LatencyRow['target'],
): LatencyRow[] => {
  // Each measured request invokes the handler once; a missing timing would leave a sample out unseen.
  const errors =
    timings.length === expected ? [] : [`${timings.length} handler invocations timed for ${expected} requests`];
  const waits = timings.flatMap((t) => (t.machineWaitMs === undefined ? [] : [t.machineWaitMs]));
  const wait = summarize(waits);
  const osWait = waits.length > 0 ? { p50Ms: round(wait.p50), p99Ms: round(wait.p99) } : undefined;
  return [
    rowFrom(
      phase,
      'handler',
      timings.map((t) => t.ownMs),
      { errors, ...(osWait ? { osWait } : {}), ...(target ? { target } : {}) },
    ),
    rowFrom(
      phase,
      'queued',
      timings.map((t) => t.queuedMs),
      { errors: [] },
    ),
  ];
};

type ClockSummary = ReturnType<typeof clockSummary>;

/** What the clock saw of one phase, for the JSON: how the handlers' windows split, summed over the calls. */
const clockSummary = (timings: readonly InvocationTiming[]) => {
  const sum = (pick: (t: InvocationTiming) => number): number => round(timings.reduce((a, t) => a + pick(t), 0));
  return {
    invocations: timings.length,
    wallMsTotal: sum((t) => t.wallMs),
    queuedMsTotal: sum((t) => t.queuedMs),
    ownBusyMsTotal: sum((t) => t.ownBusyMs),
    unclaimedMsTotal: sum((t) => t.unclaimedMs),
    idleMsTotal: sum((t) => t.idleMs),
    outsideCallbacksMsTotal: sum((t) => t.outsideCallbacksMs),
    gcMsTotal: sum((t) => t.gcMs),
    majorGcMsTotal: sum((t) => t.majorGcMs),
    machineWaitMsTotal: sum((t) => t.machineWaitMs ?? 0),
    /** The calls with the most own time, whole, to show what a tail is made of. */
    slowest: [...timings]
      .sort((a, b) => b.ownMs - a.ownMs)
      .slice(0, 3)
      .map(({ functionName: _name, startedAt: _at, ...parts }) =>
        Object.fromEntries(Object.entries(parts).map(([k, v]) => [k, round(v)])),
      ),
  };
};

/** The timings of `functionName` recorded since the last take, in the order the invocations started. */
const takeTimings = async (stack: LocalStack, functionName: string): Promise<InvocationTiming[]> =>
  (await stack.invocationTimings())
    .filter((t) => t.functionName === functionName)
    .sort((a, b) => a.startedAt - b.startedAt);

const unexpected = (samples: HttpSample[], status: number): string[] =>
  samples.filter((s) => s.status !== status).map((s) => `HTTP ${s.status}: ${s.error ?? ''}`);

/** Measures how late the stack's event loop runs while `fn` does. */
const withLoopDelay = async <T>(fn: () => Promise<T>): Promise<{ value: T; loopDelay: LoopDelay }> => {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  try {
    const value = await fn();
    return { value, loopDelay: { p99Ms: round(histogram.percentile(99) / 1e6), maxMs: round(histogram.max / 1e6) } };
  } finally {
    histogram.disable();
  }
};

/** Requests whose approval messages are in the outbox: notify has stored their task token and sent the links. */
const notifiedCount = (outboxFile: string): number => {
  if (!existsSync(outboxFile)) return 0;
  const ids = new Set<string>();
  for (const line of readFileSync(outboxFile, 'utf8').split('\n')) {
    let message: { kind?: string; requestId?: string };
    try {
      message = JSON.parse(line) as typeof message;
    } catch {
      // The line notify is appending right now, or the empty one after the last newline.
      continue;
    }
    if (message.kind === 'approval' && message.requestId) ids.add(message.requestId);
  }
  return ids.size;
};

const mtimeMs = (file: string): number => (existsSync(file) ? statSync(file).mtimeMs : 0);
/**
 * The calls handlers make to the emulated AWS endpoint. A Lambda the engine timed out keeps running locally (nothing
 * can kill it), so the engine's state going still does not mean the handlers have; their calls arriving does.
 */
const HANDLER_CALLS = [
  ...[
    'GetItem',
    'PutItem',
    'UpdateItem',
    'DeleteItem',
    'BatchWriteItem',
    'BatchGetItem',
    'Query',
    'TransactWriteItems',
  ].map((op) => `DynamoDB_20120810.${op}`),
  ...['StartExecution', 'SendTaskSuccess', 'SendTaskFailure', 'SendTaskHeartbeat'].map(
    (op) => `AWSStepFunctions.${op}`,
  ),
];
const handlerCalls = (stack: LocalStack): number =>
  HANDLER_CALLS.reduce((sum, target) => sum + stack.awsCallCount(target), 0);

const engineFile = (stack: LocalStack): string => join(stack.dataDir, 'stepfunctions.json');
const journalFile = (stack: LocalStack): string => `${engineFile(stack)}.journal`;

/** What changes while the stack works: the outbox, the calls handlers make, and the engine's journal. */
const activity = (stack: LocalStack): string => {
  const outbox = join(stack.dataDir, 'outbox.jsonl');
  return `${existsSync(outbox) ? statSync(outbox).size : 0}/${handlerCalls(stack)}/${mtimeMs(journalFile(stack))}`;
};

/**
 * Resolves once nothing has changed for `quietMs` and `done()` (if given) holds. The engine appends its changes to
 * its journal 50 ms after they happen, so 150 ms of stillness means the last change has been written.
 */
const waitQuiet = async (
  stack: LocalStack,
  quietMs: number,
  done: () => boolean = () => true,
  timeoutMs = 180_000,
): Promise<void> => {
  let last = activity(stack);
  let since = Date.now();
  await poll(
    `the stack to go quiet for ${quietMs} ms`,
    async () => {
      const current = activity(stack);
      if (current !== last) {
        last = current;
        since = Date.now();
      }
      return Date.now() - since >= quietMs && done() ? true : undefined;
    },
    timeoutMs,
  );
};

/** Quiet long enough for a stack that has notified everyone; an overloaded one can sit for seconds on queued calls. */
const QUIET_MS = 1000;
const QUIET_INCOMPLETE_MS = 5000;

/**
 * Waits until every request submitted so far has been notified and the stack is quiet (the links go out before
 * notify's last writes, so the count alone is not the end), or, when notify failed some (an overloaded stack times
 * its own calls out), until it has been quiet for longer. Each POST starts a workflow that keeps working (Record,
 * then notify) after the 202; letting it finish keeps one step's tail out of the next step, and closing a stack
 * with calls in flight can crash dynalite. Returns how many were notified.
 */
const settle = async (stack: LocalStack, submitted: number): Promise<number> => {
  const outboxFile = join(stack.dataDir, 'outbox.jsonl');
  let notified = notifiedCount(outboxFile);
  // Only shown when there is a backlog worth watching.
  const progress =
    notified < submitted - 20
      ? startProgress({ label: 'notify catching up', total: submitted, unit: 'requests', intervalMs: 5000 })
      : undefined;
  const started = Date.now();
  let lastCount = -1;
  let countChanged = started;
  await waitQuiet(stack, QUIET_MS, () => {
    notified = notifiedCount(outboxFile);
    progress?.update(notified);
    if (notified !== lastCount) {
      lastCount = notified;
      countChanged = Date.now();
    }
    return notified >= submitted || Date.now() - countChanged >= QUIET_INCOMPLETE_MS;
  });
  progress?.finish();
  return notified;
};

/** The engine's state as a restart would see it: the compacted file with the journal's changes replayed. */
const engineState = (stack: LocalStack): EngineState | undefined => {
  const files = [engineFile(stack), journalFile(stack)].filter((file) => existsSync(file));
  if (files.length === 0) return undefined;
  const executions = createExecutionJournal(engineFile(stack)).peek();
  const start = now();
  JSON.stringify({ executions });
  return {
    executions: executions.length,
    bytes: files.reduce((sum, file) => sum + statSync(file).size, 0),
    stringifyMs: round(now() - start),
  };
};

const submitRequest = (token: string, justification: string): LoadRequest => ({
  method: 'POST',
  path: '/requests',
  headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
  // No Idempotency-Key, and a distinct justification, so every request is a new one.
  body: JSON.stringify({ ...ssoRequest(), justification }),
});

/** Submits `count` requests (8 at a time, untimed) and returns their ids. */
const submitPending = async (api: LocalApi, token: string, count: number, label: string): Promise<string[]> => {
  const ids: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let i = next++; i < count; i = next++) {
      const { status, body, text } = await api.call('POST', '/requests', {
        token,
        body: { ...ssoRequest(), justification: `bench latency ${label} #${i}` },
      });
      if (status !== 202) throw new Error(`POST /requests answered ${status}: ${text.slice(0, 300)}`);
      ids.push((body as { requestId: string }).requestId);
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
  return ids;
};

const startStack = async (options: Partial<LocalStackOptions>): Promise<{ stack: LocalStack; dataDir: string }> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'access-approvals-bench-latency-'));
  const { value: stack, ms } = await timed(() =>
    startLocalStack({ port: 0, awsPort: 0, dataDir, quiet: true, ...options }),
  );
  console.log(`stack: HTTP ${stack.httpUrl}, time scale ${options.timeScale ?? 1}, started in ${formatDuration(ms)}`);
  return { stack, dataDir };
};

/**
 * Times one request at a time from this thread, each once the stack has gone quiet after the previous one, and
 * collects the invocation clock's timing of the handler (`functionName`) each request invoked.
 */
const quietSeries = async (
  stack: LocalStack,
  label: string,
  functionName: string,
  requests: LoadRequest[],
  expectStatus: number,
  afterEach: (index: number) => Promise<void>,
): Promise<{
  samples: HttpSample[];
  timings: InvocationTiming[];
  loopDelay: LoopDelay;
  callsPerRequest: Record<string, number>;
}> => {
  const progress = startProgress({ label, total: requests.length, unit: 'requests', intervalMs: 5000 });
  const samples: HttpSample[] = [];
  const timings: InvocationTiming[] = [];
  const delays: LoopDelay[] = [];
  const calls = new Map<string, number>();
  const snapshot = (): number[] => HANDLER_CALLS.map((target) => stack.awsCallCount(target));
  for (const [i, request] of requests.entries()) {
    await waitQuiet(stack, QUIET_GAP_MS);
    // The previous request's workflow and the waits' own calls are not this request's.
    await stack.invocationTimings();
    const before = snapshot();
    // Only while the request is in flight: the waits in between are quiet by construction.
    const { value, loopDelay } = await withLoopDelay(async () => {
      const start = now();
      const response = await fetch(`${stack.httpUrl}${request.path}`, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
      const text = await response.text();
      return {
        ms: now() - start,
        status: response.status,
        ...(response.status !== expectStatus ? { error: text.slice(0, 300) } : {}),
      };
    });
    // Calls made by the time of the answer: the handler's own, plus any the work it resumed made meanwhile.
    snapshot().forEach((count, t) => {
      const target = HANDLER_CALLS[t] ?? '?';
      if (count > (before[t] ?? 0)) calls.set(target, (calls.get(target) ?? 0) + count - (before[t] ?? 0));
    });
    samples.push(value);
    // Recorded before the answer left: the HTTP API answers once the invocation has settled.
    timings.push(...(await takeTimings(stack, functionName)));
    delays.push(loopDelay);
    progress.update(samples.length);
    await afterEach(i);
  }
  progress.finish();
  const callsPerRequest = Object.fromEntries(
    [...calls].map(([target, count]) => [
      target.replace(/^[A-Za-z]+_\d+\.|^AWSStepFunctions\./, ''),
      round(count / requests.length),
    ]),
  );
  return {
    samples,
    timings,
    loopDelay: { p99Ms: Math.max(...delays.map((d) => d.p99Ms)), maxMs: Math.max(...delays.map((d) => d.maxMs)) },
    callsPerRequest,
  };
};

/** One level of POST /requests on a fresh stack; at one client also the quiet run. */
const submitPhase = async (
  concurrency: number,
  perLevel: number,
  quietRequests: number,
): Promise<Omit<PhaseOutput, 'phase' | 'wallMs'>> => {
  const { stack, dataDir } = await startStack({ timeInvocations: true });
  try {
    const api = createLocalApi(stack.httpUrl);
    const token = await api.token(REQUESTER);
    // The first request loads the submit handler module: a cold start, which is not what this measures.
    const firstWarmUp = Array.from({ length: 10 }, (_, i) => submitRequest(token, `bench latency warm-up #${i}`));
    await runHttpLoad({ baseUrl: stack.httpUrl, requests: firstWarmUp, concurrency: 1, expectStatus: 202 });
    await settle(stack, firstWarmUp.length);
    // A short warm-up at the level's own concurrency opens its connections before anything is timed.
    const warmUp = Math.max(20, 2 * concurrency);
    const requests = Array.from({ length: warmUp + perLevel }, (_, i) =>
      submitRequest(token, `bench latency c${concurrency} #${i}`),
    );
    await stack.invocationTimings();
    const { value, loopDelay } = await withLoopDelay(() =>
      timed(() =>
        runHttpLoad(
          { baseUrl: stack.httpUrl, requests, concurrency, expectStatus: 202 },
          `POST /requests ×${concurrency}`,
        ),
      ),
    );
    const samples = value.value.slice(warmUp);
    // Taken at once: the workflows the level set off invoke other functions, never submit.
    const timings = (await takeTimings(stack, 'submit')).slice(warmUp);
    const levelSubmitted = firstWarmUp.length + requests.length;
    const label = `POST /requests, ${concurrency} client${concurrency === 1 ? '' : 's'}`;
    const levelRows = [
      rowFrom(
        label,
        'response',
        samples.map((s) => s.ms),
        {
          errors: unexpected(samples, 202),
          throughput: (requests.length * 1000) / value.ms,
          loopDelay,
        },
      ),
      ...handlerRows(
        label,
        timings,
        perLevel,
        concurrency === TARGET_SUBMIT_AT ? { stat: 'p99', ms: TARGET_SUBMIT_P99_MS } : undefined,
      ),
    ];
    const clock: Record<string, unknown> = { [label]: clockSummary(timings) };
    let submitted = levelSubmitted;
    // Counted before anything else is submitted: notify calls the overloaded stack timed out show up here.
    const notified = await settle(stack, submitted);
    const rows = [...levelRows];
    if (concurrency === 1) {
      const quiet = Array.from({ length: quietRequests }, (_, i) => submitRequest(token, `bench latency quiet #${i}`));
      const measured = await quietSeries(stack, 'POST /requests, quiet', 'submit', quiet, 202, async () => undefined);
      const quietLabel = 'POST /requests, 1 client, quiet stack';
      rows.push(
        rowFrom(
          quietLabel,
          'response',
          measured.samples.map((s) => s.ms),
          {
            errors: unexpected(measured.samples, 202),
            loopDelay: measured.loopDelay,
            callsPerRequest: measured.callsPerRequest,
          },
        ),
        ...handlerRows(quietLabel, measured.timings, quiet.length),
      );
      clock[quietLabel] = clockSummary(measured.timings);
      submitted += quiet.length;
      await settle(stack, submitted);
    }
    // Measured once the workflows behind the requests have caught up, so the state is the phase's whole load.
    return {
      rows,
      engineState: engineState(stack),
      details: {
        concurrency,
        warmUp,
        timed: perLevel,
        wallMs: Math.round(value.ms),
        submitted: levelSubmitted,
        notified,
        clock,
      },
    };
  } catch (error) {
    // Printed here: closing the stack with work in flight can crash dynalite before the error reaches the caller.
    console.error(error);
    throw error;
  } finally {
    await stack.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
};

// The cold child: a signed click, imported and invoked once in a fresh process (bench/lib/coldSlackScript.ts).
const COLD_SCRIPT = coldSlackScript({
  path: '/slack/interactions',
  functionName: 'slackInteractions',
  rawBodyExpression: "'payload=' + encodeURIComponent(env.BENCH_SLACK_PAYLOAD)",
});

/** The handler's environment in the cold child: what the stack gave the in-process handlers, and nothing else. */
const coldEnvironment = (extra: Record<string, string>): Record<string, string> => {
  const env = baseEnvironment();
  for (const name of [
    'AWS_ENDPOINT_URL',
    'AWS_REGION',
    'TABLE_NAME',
    'STATE_MACHINE_ARN',
    'POLICY_FILE',
    'OUTBOX_FILE',
    'SLACK_SIGNING_SECRET',
    'LINK_SIGNING_SECRET',
    'PUBLIC_BASE_URL',
    'POWERTOOLS_SERVICE_NAME',
    'POWERTOOLS_LOG_LEVEL',
  ]) {
    const value = process.env[name];
    if (value === undefined) throw new Error(`${name} is not set: the stack sets it before handlers run`);
    env[name] = value;
  }
  return { ...env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', ...extra };
};

const runCold = async (
  stack: LocalStack,
  api: LocalApi,
  token: string,
  slackUserId: string,
  variant: { label: string; handlerUrl: string; nodeArgs: string[]; env: Record<string, string> },
  runs: number,
): Promise<ColdSample[]> => {
  const ids = await submitPending(api, token, runs, `cold ${variant.label}`);
  const samples: ColdSample[] = [];
  const progress = startProgress({
    label: `cold click, ${variant.label}`,
    total: runs,
    unit: 'processes',
    intervalMs: 2000,
  });
  for (const requestId of ids) {
    // Its links are out, so its task token is stored and the click has something to decide; and the stack is
    // still, so the fresh process does not share the CPU with the last one's workflow.
    await api.waitForLink(requestId, SLACK_APPROVER);
    await waitQuiet(stack, QUIET_GAP_MS);
    const sample = await runFreshNode<ColdSample>({
      script: COLD_SCRIPT,
      nodeArgs: variant.nodeArgs,
      env: {
        ...variant.env,
        BENCH_HANDLER_URL: variant.handlerUrl,
        BENCH_SLACK_PAYLOAD: JSON.stringify(slackClickPayload(slackUserId, CLICK_ACTION, requestId)),
      },
    });
    samples.push(sample);
    progress.update(samples.length);
    // The approval resumes the workflow; the next process should meet a quiet stack, not this one's provisioning.
    await api.waitForStatus(requestId, token, SETTLED);
  }
  progress.finish();
  return samples;
};

/** Waits until every one of the requests has run its workflow to the end. */
const waitAllSettled = async (api: LocalApi, token: string, ids: readonly string[]): Promise<void> => {
  for (const id of ids) await api.waitForStatus(id, token, SETTLED, 60_000);
};

const median = (values: number[]): number => summarize(values).p50;

/** Warm clicks over HTTP, then cold processes, on one stack. */
const slackPhase = async (
  clicks: number,
  quietClicks: number,
  coldRuns: number,
): Promise<Omit<PhaseOutput, 'phase' | 'wallMs'>> => {
  const local = JSON.parse(readFileSync(LOCAL_POLICY, 'utf8')) as {
    people?: Array<{ id: string; slackUserId?: string }>;
  } & Record<string, unknown>;
  const slackUserId = local.people?.find((p) => p.id === SLACK_APPROVER)?.slackUserId;
  if (!slackUserId) throw new Error(`${SLACK_APPROVER} has no slackUserId in ${LOCAL_POLICY}`);
  const bundleDir = mkdtempSync(join(tmpdir(), 'access-approvals-bench-latency-bundle-'));
  const policyDir = mkdtempSync(join(tmpdir(), 'access-approvals-bench-latency-policy-'));
  // The local policy as it is, with a 300-day window: scaled down it is still days, so no request expires and no
  // reminder (at half the window) replaces a task token mid-run. (A year no longer loads: window plus grant must fit
  // in a Standard execution with its margin, see policy.ts.)
  const policyFile = join(policyDir, 'policy.json');
  writeFileSync(policyFile, JSON.stringify({ ...local, approvalTimeoutSeconds: 300 * 86_400 }));
  const { stack, dataDir } = await startStack({ timeScale: SLACK_TIME_SCALE, policyFile, timeInvocations: true });
  try {
    const api = createLocalApi(stack.httpUrl);
    const token = await api.token(REQUESTER);

    const secret = process.env.SLACK_SIGNING_SECRET ?? '';
    // Signed just before they are sent: Slack's signatures are only good for five minutes.
    const clickRequests = (requestIds: readonly string[]): LoadRequest[] =>
      requestIds.map((requestId) => {
        const signed = signedSlackRequest(slackClickPayload(slackUserId, CLICK_ACTION, requestId), secret);
        return { method: 'POST', path: '/slack/interactions', headers: signed.headers, body: signed.rawBody };
      });

    // Warm, quiet: first, while the engine's state is still small. The untimed warm-up clicks load the handler.
    const quietIds = await submitPending(api, token, WARM_UP_CLICKS + quietClicks, 'slack quiet');
    await settle(stack, quietIds.length);
    const warmUp = await runHttpLoad({
      baseUrl: stack.httpUrl,
      requests: clickRequests(quietIds.slice(0, WARM_UP_CLICKS)),
      concurrency: 1,
      expectStatus: 200,
    });
    const measuredIds = quietIds.slice(WARM_UP_CLICKS);
    const quiet = await quietSeries(
      stack,
      'slack clicks, quiet',
      'slackInteractions',
      clickRequests(measuredIds),
      200,
      async (i) => {
        // The approval resumes the workflow; the next click waits until it has provisioned and finished.
        await api.waitForStatus(measuredIds[i] ?? '', token, SETTLED, 60_000);
      },
    );
    const quietLabel = 'slack click → ack, warm, quiet stack';
    const quietRows = [
      rowFrom(
        quietLabel,
        'response',
        quiet.samples.map((s) => s.ms),
        {
          errors: [...unexpected(warmUp, 200), ...unexpected(quiet.samples, 200)],
          loopDelay: quiet.loopDelay,
          callsPerRequest: quiet.callsPerRequest,
        },
      ),
      ...handlerRows(quietLabel, quiet.timings, measuredIds.length, { stat: 'p99', ms: TARGET_WARM_P99_MS }),
    ];

    // Warm, back to back: the next click as soon as the previous one is acked, provisioning still under way.
    const busyIds = await submitPending(api, token, clicks, 'slack back to back');
    await settle(stack, quietIds.length + busyIds.length);
    await stack.invocationTimings();
    const backToBack = await withLoopDelay(() =>
      runHttpLoad(
        { baseUrl: stack.httpUrl, requests: clickRequests(busyIds), concurrency: 1, expectStatus: 200 },
        'slack clicks, back to back',
      ),
    );
    const backToBackTimings = await takeTimings(stack, 'slackInteractions');
    const backToBackLabel = 'slack click → ack, warm, back to back';
    const backToBackRows = [
      rowFrom(
        backToBackLabel,
        'response',
        backToBack.value.map((s) => s.ms),
        {
          errors: unexpected(backToBack.value, 200),
          loopDelay: backToBack.loopDelay,
        },
      ),
      ...handlerRows(backToBackLabel, backToBackTimings, busyIds.length),
    ];
    // Every clicked workflow runs to its end before a cold process competes with it for the CPU.
    await waitAllSettled(api, token, busyIds);

    // Cold: a fresh process per click. As the brief defines it (tsx loading the TypeScript source), and the bundle
    // serverless deploys, run with the NODE_OPTIONS serverless.yml gives the functions.
    const source = await runCold(
      stack,
      api,
      token,
      slackUserId,
      {
        label: 'tsx source',
        handlerUrl: pathToFileURL(join(projectRoot, 'functions/slackInteractions.ts')).href,
        nodeArgs: tsxNodeArgs(),
        env: coldEnvironment({}),
      },
      coldRuns,
    );
    const built = await bundleFunction(projectRoot, 'functions/slackInteractions.ts', bundleDir);
    const deployedNodeOptions = providerLiteralEnvironment(projectRoot).NODE_OPTIONS;
    const bundle = await runCold(
      stack,
      api,
      token,
      slackUserId,
      {
        label: 'bundle',
        handlerUrl: pathToFileURL(built.file).href,
        nodeArgs: [],
        env: coldEnvironment(deployedNodeOptions ? { NODE_OPTIONS: deployedNodeOptions } : {}),
      },
      coldRuns,
    );
    const coldRow = (label: string, samples: ColdSample[], judged: boolean): LatencyRow =>
      rowFrom(
        label,
        'cold',
        samples.map((s) => s.totalMs),
        {
          errors: samples.filter((s) => s.statusCode !== 200).map((s) => `status ${s.statusCode}: ${s.body ?? ''}`),
          ...(judged ? { target: { stat: 'median' as const, ms: TARGET_COLD_MS } } : {}),
        },
      );
    const coldSummary = (samples: ColdSample[]) => ({
      importMedianMs: round(median(samples.map((s) => s.importMs))),
      invokeMedianMs: round(median(samples.map((s) => s.invokeMs))),
      sinceStartMedianMs: round(median(samples.map((s) => s.sinceStartMs))),
      samples,
    });
    return {
      rows: [
        ...quietRows,
        ...backToBackRows,
        coldRow('slack click → ack, cold (tsx, source)', source, false),
        coldRow(
          `slack click → ack, cold (bundle${deployedNodeOptions ? `, ${deployedNodeOptions}` : ''})`,
          bundle,
          // Judged on the bundle: it is what a Lambda cold-starts. The tsx row is the developer's loop, information.
          true,
        ),
      ],
      engineState: engineState(stack),
      details: {
        timeScale: SLACK_TIME_SCALE,
        quietGapMs: QUIET_GAP_MS,
        quietClicks,
        clicks,
        warmUpClicks: WARM_UP_CLICKS,
        clickAction: CLICK_ACTION,
        clock: { [quietLabel]: clockSummary(quiet.timings), [backToBackLabel]: clockSummary(backToBackTimings) },
        cold: { source: coldSummary(source), bundle: coldSummary(bundle) },
      },
    };
  } catch (error) {
    console.error(error);
    throw error;
  } finally {
    await stack.close();
    for (const dir of [dataDir, bundleDir, policyDir]) rmSync(dir, { recursive: true, force: true });
  }
};

/** One phase, in the fresh process runIsolated started; its output goes to the file named by --out. */
export const runInProcess = async (args: readonly string[]): Promise<ScenarioOutcome> => {
  const phase = optionValue(args, 'phase');
  const out = optionValue(args, 'out');
  if (!phase || !out) throw new Error('latency: runInProcess needs --phase and --out');
  const perLevel = intOption(args, 'level-requests', 'BENCH_LATENCY_LEVEL_REQUESTS', DEFAULT_PER_LEVEL);
  const clicks = intOption(args, 'clicks', 'BENCH_LATENCY_CLICKS', 60);
  const quietRequests = intOption(args, 'quiet-requests', 'BENCH_LATENCY_QUIET_REQUESTS', 30);
  const quietClicks = intOption(args, 'quiet-clicks', 'BENCH_LATENCY_QUIET_CLICKS', 30);
  const coldRuns = intOption(args, 'cold-runs', 'BENCH_LATENCY_COLD_RUNS', 5);
  const start = now();
  const level = /^submit-(\d+)$/.exec(phase)?.[1];
  const result = level
    ? await submitPhase(Number(level), perLevel, quietRequests)
    : phase === 'slack'
      ? await slackPhase(clicks, quietClicks, coldRuns)
      : undefined;
  if (!result) throw new Error(`latency: unknown phase ${phase}`);
  const output: PhaseOutput = { phase, ...result, wallMs: Math.round(now() - start) };
  writeFileSync(out, JSON.stringify(output));
  // Judged by the parent, which sees every phase.
  return { passed: true };
};

const printRows = (rows: LatencyRow[]): void => {
  const flag = (r: LatencyRow, stat: 'p99' | 'median', value: number): string =>
    r.target?.stat === stat && value > r.target.ms ? '!' : '';
  console.log(
    formatTable<LatencyRow>(
      [
        { header: 'phase', cell: (r) => r.phase },
        { header: 'measure', cell: (r) => r.measure },
        { header: 'n', cell: (r) => String(r.samples), align: 'right' },
        { header: 'p50 ms', cell: (r) => `${formatMs(r.p50)}${flag(r, 'median', r.p50)}`, align: 'right' },
        { header: 'p95 ms', cell: (r) => formatMs(r.p95), align: 'right' },
        { header: 'p99 ms', cell: (r) => `${formatMs(r.p99)}${flag(r, 'p99', r.p99)}`, align: 'right' },
        { header: 'max ms', cell: (r) => formatMs(r.max), align: 'right' },
        { header: 'req/s', cell: (r) => (r.throughput === undefined ? '' : String(r.throughput)), align: 'right' },
        { header: 'errors', cell: (r) => String(r.errors), align: 'right' },
        {
          header: 'stack loop delay p99/max ms',
          cell: (r) => (r.loopDelay ? `${formatMs(r.loopDelay.p99Ms)} / ${formatMs(r.loopDelay.maxMs)}` : ''),
          align: 'right',
        },
        {
          header: 'OS run-queue wait p50/p99 ms',
          cell: (r) => (r.osWait ? `${formatMs(r.osWait.p50Ms)} / ${formatMs(r.osWait.p99Ms)}` : ''),
          align: 'right',
        },
        { header: 'target', cell: (r) => (r.target ? `${r.target.stat} ≤ ${r.target.ms} ms` : '') },
        {
          header: 'result',
          cell: resultCell,
        },
      ],
      rows,
    ),
  );
};

export const run = async (args: readonly string[]): Promise<ScenarioOutcome> => {
  const scenarioStart = now();
  const outDir = mkdtempSync(join(tmpdir(), 'access-approvals-bench-latency-out-'));
  try {
    const phases: PhaseOutput[] = [];
    for (const phase of PHASES) {
      console.log(`-- ${phase}`);
      const out = join(outDir, `${phase}.json`);
      await runIsolated(import.meta.url, [...args, '--phase', phase, '--out', out]);
      phases.push(JSON.parse(readFileSync(out, 'utf8')) as PhaseOutput);
    }
    const rows = phases.flatMap((p) => p.rows);
    const perLevel = intOption(args, 'level-requests', 'BENCH_LATENCY_LEVEL_REQUESTS', DEFAULT_PER_LEVEL);
    const slack = phases.find((p) => p.phase === 'slack');
    const cold = slack?.details.cold as
      | Record<
          'source' | 'bundle',
          { importMedianMs: number; invokeMedianMs: number; sinceStartMedianMs: number; samples: ColdSample[] }
        >
      | undefined;

    console.log(
      `\nPOST /requests: ${perLevel} timed requests per level after a warm-up, closed loop from a worker thread, a fresh stack per level`,
    );
    console.log(
      `Slack: warm = signed clicks over HTTP, one client, after ${WARM_UP_CLICKS} untimed; cold = a fresh Node process per click, import + first invocation`,
    );
    console.log(
      `quiet = one client, each request sent once the stack has been still for ${QUIET_GAP_MS} ms (the previous one's workflow done and written; in AWS it runs in other Lambdas)`,
    );
    console.log(
      'measure: response = the client waits, on the local stack (one thread runs the API, every Lambda, the engine, the emulators and dynalite); ' +
        "handler = the handler's own time per invocation, what Lambda would bill (its window minus queued); " +
        "queued = the stack thread's time on unrelated work during the handler's window (information); cold = import + first invocation in a fresh process",
    );
    console.log(
      "OS run-queue wait = per handler call, the time the stack's thread waited for a CPU while other processes on the machine ran; it lands in the handler's own time too, so a large one says the figure is the machine's (information)",
    );
    console.log(
      `targets: POST /requests handler p99 ≤ ${TARGET_SUBMIT_P99_MS} ms at ${TARGET_SUBMIT_AT} clients; warm click (quiet) handler p99 ≤ ${TARGET_WARM_P99_MS} ms; cold click (bundle) median ≤ ${TARGET_COLD_MS} ms\n`,
    );
    printRows(rows);
    console.log('');
    for (const [label, c] of Object.entries(cold ?? {})) {
      console.log(
        `cold ${label}: import ${formatMs(c.importMedianMs)} ms + first invocation ${formatMs(c.invokeMedianMs)} ms (medians); ` +
          `process start → ack ${formatMs(c.sinceStartMedianMs)} ms; samples ${c.samples.map((s) => formatMs(s.totalMs)).join(', ')} ms`,
      );
    }
    for (const p of phases) {
      const { submitted, notified } = p.details as { submitted?: number; notified?: number };
      const state = p.engineState
        ? `local engine state ${p.engineState.executions} executions, ${(p.engineState.bytes / 1e6).toFixed(1)} MB on disk, ${formatMs(p.engineState.stringifyMs)} ms to stringify (only when compacted); `
        : '';
      const notify =
        submitted !== undefined && notified !== undefined
          ? `notified ${notified}/${submitted} of the level's requests${notified < submitted ? ' (notify timed out on the rest)' : ''}; `
          : '';
      console.log(`${p.phase}: ${notify}${state}phase took ${formatDuration(p.wallMs)}`);
    }
    for (const r of rows) {
      if (!r.callsPerRequest) continue;
      const calls = Object.entries(r.callsPerRequest).map(([op, n]) => `${op} ${n}`);
      console.log(`${r.phase}: AWS calls per request by the time of the answer: ${calls.join(', ') || 'none'}`);
    }
    for (const p of phases) {
      const clock = (p.details as { clock?: Record<string, ClockSummary> }).clock ?? {};
      for (const [label, c] of Object.entries(clock)) {
        const per = (ms: number): string => formatMs(c.invocations > 0 ? ms / c.invocations : Number.NaN);
        console.log(
          `${label}: per handler call ${per(c.wallMsTotal)} ms window = ${per(c.queuedMsTotal)} queued + ${per(c.wallMsTotal - c.queuedMsTotal)} own ` +
            `(own callbacks ${per(c.ownBusyMsTotal)}, unclaimed ${per(c.unclaimedMsTotal)}, idle ${per(c.idleMsTotal)}; shared: outside callbacks ${per(c.outsideCallbacksMsTotal)}; GC ${per(c.gcMsTotal)}, of which mark-compact, counted as queued, ${per(c.majorGcMsTotal)}); ` +
            `OS run-queue wait ${per(c.machineWaitMsTotal)} ms (other processes on the machine)`,
        );
      }
    }
    for (const r of rows) for (const e of r.errorExamples) console.log(`${r.phase}: unexpected answer: ${e}`);
    console.log(
      `machine load average (1 min) at the end: ${loadavg()[0]?.toFixed(2)} on ${cpus().length} cores; other work on the box inflates every number`,
    );
    const judged = rows.filter((r) => r.target);
    const passed = rows.every((r) => r.pass);
    console.log(
      `\noverall: ${passed ? 'PASS' : 'FAIL'} (${judged.filter((r) => r.pass).length}/${judged.length} targets met)`,
    );
    const file = writeResult('latency', {
      loadAverage: loadavg(),
      passed,
      targets: {
        submitP99Ms: TARGET_SUBMIT_P99_MS,
        submitAtConcurrency: TARGET_SUBMIT_AT,
        warmClickP99Ms: TARGET_WARM_P99_MS,
        coldClickMedianMs: TARGET_COLD_MS,
      },
      rows,
      phases: phases.map(({ rows: _rows, ...rest }) => rest),
      totalMs: Math.round(now() - scenarioStart),
    });
    console.log(`results: ${file}; scenario took ${formatDuration(now() - scenarioStart)}`);
    return { passed };
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
};
