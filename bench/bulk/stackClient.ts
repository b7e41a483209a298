// The driver's handle on a stack running in bench/bulk/stackWorker.ts.
import { startTsWorker } from '../lib/worker.js';
import type { CallSeries, FromWorker, Query, ReconcileRun, StackJob, ToWorker } from './stackWorker.js';

export interface BulkStack {
  httpUrl: string;
  awsUrl: string;
  tableName: string;
  stateMachineArn: string;
  settings: Extract<FromWorker, { type: 'ready' }>['settings'];
  /** Epoch ms just before the stack started (LOCAL_FAULTS windows count from then, give or take its start-up). */
  startingAtMs: number;
  /** `awsCallCount` of each X-Amz-Target, read inside the worker. */
  counts(targets: string[]): Promise<Record<string, number>>;
  /** Resolves once every execution has ended (their last steps, e.g. NotifyOutcome), or after timeoutMs: how many still run. */
  idle(timeoutMs: number): Promise<number>;
  /** Starts measuring how busy the stack's thread is. */
  markBusy(): Promise<void>;
  /** The stack thread's event-loop utilisation (0..1) since markBusy. */
  busy(): Promise<number>;
  /** Starts sampling the running total of calls to `prefix` (an X-Amz-Target prefix) every intervalMs. */
  startSeries(intervalMs: number, prefix: string): Promise<void>;
  /** The samples so far; null before startSeries. */
  series(): Promise<CallSeries | null>;
  /** Runs the reconciler once now (LocalStack.reconcileNow), timed and with the calls it made. */
  reconcile(): Promise<ReconcileRun>;
  close(): Promise<void>;
}

export const startBulkStack = (job: StackJob): Promise<BulkStack> =>
  new Promise((resolve, reject) => {
    const worker = startTsWorker(new URL('./stackWorker.ts', import.meta.url), job);
    const pending = new Map<number, { answer: (value: unknown) => void; refuse: (error: Error) => void }>();
    let nextId = 0;
    let closing: { resolve: () => void; reject: (error: Error) => void } | undefined;
    let ready = false;
    let failure: Error | undefined;
    const send = (message: ToWorker): void => worker.postMessage(message);
    const ask = <T>(query: Query): Promise<T> =>
      failure
        ? Promise.reject(failure)
        : new Promise<T>((answer, refuse) => {
            const id = nextId++;
            pending.set(id, { answer: answer as (value: unknown) => void, refuse });
            send({ type: 'query', id, query });
          });
    const fail = (error: Error): void => {
      failure = error;
      if (!ready) reject(error);
      else if (closing) closing.reject(error);
      else console.error(error.message);
    };

    worker.on('message', (message: FromWorker) => {
      switch (message.type) {
        case 'ready':
          ready = true;
          resolve({
            httpUrl: message.httpUrl,
            awsUrl: message.awsUrl,
            tableName: message.tableName,
            stateMachineArn: message.stateMachineArn,
            settings: message.settings,
            startingAtMs: message.startingAtMs,
            counts: (targets) => ask({ op: 'counts', targets }),
            idle: (timeoutMs) => ask({ op: 'idle', timeoutMs }),
            markBusy: () => ask({ op: 'markBusy' }),
            busy: () => ask({ op: 'busy' }),
            startSeries: (intervalMs, prefix) => ask({ op: 'startSeries', intervalMs, prefix }),
            series: () => ask({ op: 'series' }),
            reconcile: () => ask({ op: 'reconcile' }),
            close: () =>
              new Promise<void>((done, failed) => {
                closing = { resolve: done, reject: failed };
                send({ type: 'close' });
              }),
          });
          break;
        case 'answer':
          pending.get(message.id)?.answer(message.value);
          pending.delete(message.id);
          break;
        case 'refusal':
          pending.get(message.id)?.refuse(new Error(`bulk stack worker: ${message.message}`));
          pending.delete(message.id);
          break;
        case 'closed':
          closing?.resolve();
          break;
        case 'error':
          fail(new Error(`bulk stack worker: ${message.message}`));
          break;
      }
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      if (!ready) reject(new Error(`bulk stack worker exited with code ${code} before it was ready`));
      closing?.resolve();
    });
  });
