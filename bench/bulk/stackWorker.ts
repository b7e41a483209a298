// Runs one local stack in a worker thread for the bulk scenario. A thread of its own, because handlers keep
// the first stack's configuration for the life of their module instance (local/stack.ts), and each variant
// needs a fresh stack with its own definition and data; and because the driver's approvals and progress polls
// then never share an event loop with the stack they measure.
import '../../local/polyfills.js';
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { parentPort, workerData } from 'node:worker_threads';
import { callsBetween } from '../../local/callCounter.js';
import type { ReconcileSummary } from '../../functions/reconciliation/reconciler.js';
import type { LocalStack } from '../../local/stack.js';
import { effectiveSettings, tuneDefinition, type Tuning } from './tuning.js';

export interface StackJob {
  dataDir: string;
  timeScale: number;
  fixtures: string;
  faults: string;
  policyFile: string;
  tuning: Tuning;
  /** Linux nice value for this stack's thread (0: as is). The baseline yields to the shipped machine when both run. */
  nice: number;
  /** The local reconciler timer's period, AWS seconds (absent: the stack's default, 300; 0: no timer). */
  reconcileIntervalSeconds?: number;
}

/** What the driver can ask of the stack: call counts, waiting for executions to end, and how busy this thread is. */
export type Query =
  | { op: 'counts'; targets: string[] }
  | { op: 'idle'; timeoutMs: number }
  | { op: 'markBusy' }
  | { op: 'busy' }
  | { op: 'startSeries'; intervalMs: number; prefix: string }
  | { op: 'series' }
  | { op: 'reconcile' };

/** One reconciler run as the stack's `reconcileNow()` gave it, timed and counted on the stack's own thread. */
export interface ReconcileRun {
  /** The run's own summary. */
  summary: ReconcileSummary;
  wallMs: number;
  /** Calls the emulated AWS endpoint received during the run, per X-Amz-Target. */
  calls: Record<string, number>;
}

/** Running totals of the calls to one service, sampled every intervalMs from `startedAtMs` (wall, epoch ms). */
export interface CallSeries {
  startedAtMs: number;
  intervalMs: number;
  /** The total when sampling started. */
  startTotal: number;
  /** The running total at the end of each interval. */
  totals: number[];
  /** When each total was read, epoch ms (a busy thread's timer fires late, so rates divide by these). */
  times: number[];
}

export type ToWorker = { type: 'query'; id: number; query: Query } | { type: 'close' };

export type FromWorker =
  | {
      type: 'ready';
      httpUrl: string;
      awsUrl: string;
      tableName: string;
      stateMachineArn: string;
      settings: ReturnType<typeof effectiveSettings>;
      /** Epoch ms just before the stack started: the origin, give or take its start-up, of LOCAL_FAULTS windows. */
      startingAtMs: number;
    }
  | { type: 'answer'; id: number; value: unknown }
  /** A query that failed: the driver's promise rejects with this message instead of waiting forever. */
  | { type: 'refusal'; id: number; message: string }
  | { type: 'closed' }
  | { type: 'error'; message: string };

const port = parentPort;
if (!port) throw new Error('bench/bulk/stackWorker.ts runs as a worker thread');
const job = workerData as StackJob;
const post = (message: FromWorker): void => port.postMessage(message);
const describe = (error: unknown): string => (error instanceof Error ? (error.stack ?? error.message) : String(error));

// Set before any handler module loads (they read it once). Throttled calls are what this run is about, not news,
// and hundreds of WARN lines would bury the progress output; the requests' own events record every attempt.
process.env.POWERTOOLS_LOG_LEVEL = 'ERROR';

// On Linux a thread has its own nice value, and setpriority on a thread id changes only that thread.
if (job.nice !== 0 && process.platform === 'linux') {
  const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
  setPriority(tid, job.nice);
}

let stack: LocalStack | undefined;
let busyMark: EventLoopUtilization = performance.eventLoopUtilization();
let series: (CallSeries & { timer: NodeJS.Timeout }) | undefined;
let startingAtMs = Date.now();
try {
  const { startLocalStack } = await import('../../local/stack.js');
  // After the import (seconds of module loading): the fault injector's clock starts within this call's first steps.
  startingAtMs = Date.now();
  let settings: ReturnType<typeof effectiveSettings> | undefined;
  stack = await startLocalStack({
    port: 0,
    awsPort: 0,
    dataDir: job.dataDir,
    quiet: true,
    timeScale: job.timeScale,
    fixtures: job.fixtures,
    faults: job.faults,
    policyFile: job.policyFile,
    ...(job.reconcileIntervalSeconds !== undefined ? { reconcileIntervalSeconds: job.reconcileIntervalSeconds } : {}),
    transformDefinition: (definition) => {
      const tuned = tuneDefinition(definition, job.tuning);
      settings = effectiveSettings(tuned);
      return tuned;
    },
  });
  if (!settings) throw new Error('startLocalStack did not apply transformDefinition');
  post({
    type: 'ready',
    httpUrl: stack.httpUrl,
    awsUrl: stack.awsUrl,
    tableName: stack.tableName,
    stateMachineArn: stack.stateMachineArn,
    settings,
    startingAtMs,
  });
} catch (error) {
  post({ type: 'error', message: describe(error) });
  await stack?.close().catch(() => undefined);
  stack = undefined;
  port.close();
}

const answer = async (live: LocalStack, query: Query): Promise<unknown> => {
  switch (query.op) {
    case 'counts':
      return Object.fromEntries(query.targets.map((target) => [target, live.awsCallCount(target)]));
    case 'idle':
      return live.stepFunctions.waitForIdle(query.timeoutMs);
    case 'markBusy':
      busyMark = performance.eventLoopUtilization();
      return undefined;
    case 'busy':
      return performance.eventLoopUtilization(busyMark).utilization;
    case 'startSeries': {
      // Sampled here, on the stack's own thread, so the driver's pauses never blur the series.
      const total = (): number =>
        Object.entries(live.awsCallCounts())
          .filter(([target]) => target.startsWith(`${query.prefix}.`))
          .reduce((sum, [, count]) => sum + count, 0);
      if (series) clearInterval(series.timer);
      const sampled: CallSeries = {
        startedAtMs: Date.now(),
        intervalMs: query.intervalMs,
        startTotal: total(),
        totals: [],
        times: [],
      };
      const timer = setInterval(() => {
        sampled.totals.push(total());
        sampled.times.push(Date.now());
      }, query.intervalMs);
      timer.unref();
      series = { ...sampled, timer };
      return undefined;
    }
    case 'reconcile': {
      const before = live.awsCallCounts();
      const start = performance.now();
      const summary = await live.reconcileNow();
      const wallMs = performance.now() - start;
      const run: ReconcileRun = { summary, wallMs, calls: callsBetween(before, live.awsCallCounts()) };
      return run;
    }
    case 'series': {
      if (!series) return null;
      const { timer: _timer, ...sampled } = series;
      return { ...sampled, totals: [...sampled.totals], times: [...sampled.times] };
    }
  }
};

port.on('message', (message: ToWorker) => {
  const live = stack;
  if (!live) return;
  if (message.type === 'query') {
    void answer(live, message.query).then(
      (value) => post({ type: 'answer', id: message.id, value }),
      (error: unknown) => post({ type: 'refusal', id: message.id, message: describe(error) }),
    );
    return;
  }
  stack = undefined;
  if (series) clearInterval(series.timer);
  void live.close().then(
    () => {
      post({ type: 'closed' });
      port.close();
    },
    (error: unknown) => {
      post({ type: 'error', message: describe(error) });
      port.close();
    },
  );
});
