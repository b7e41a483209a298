// EventBridge Scheduler's stand-in: runs the reconcile function through the local Lambda runtime every period of wall
// time (300 AWS seconds × LOCAL_TIME_SCALE by default), once right after start so a restart catches up at once, and
// never two runs at once: a run asked for while one is under way follows it.
import type { ReconcileSummary } from '../functions/reconciliation/reconciler.js';

export interface ReconcileTimer {
  /** Settles when the run at start has (at once when there is none); it never rejects. */
  started: Promise<void>;
  /** Runs the reconciler now (after the run under way, if any) and resolves with its summary. */
  runNow(): Promise<ReconcileSummary>;
  /** Stops the timer and waits for the run under way. */
  close(): Promise<void>;
}

export const startReconcileTimer = (options: {
  invoke: () => Promise<unknown>;
  /** Wall milliseconds between runs; 0: no scheduled runs at all (not even the first), only runNow. */
  periodMs: number;
  /** A failed scheduled run is reported, not thrown: the next period tries again, as Scheduler would. */
  onError: (error: Error) => void;
}): ReconcileTimer => {
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  // The chain of runs: each starts when the previous has settled.
  let last: Promise<unknown> = Promise.resolve();

  const enqueue = (): Promise<ReconcileSummary> => {
    const run = last.then(
      () => options.invoke() as Promise<ReconcileSummary>,
      () => options.invoke() as Promise<ReconcileSummary>,
    );
    last = run.catch(() => undefined);
    return run;
  };

  const schedule = (): void => {
    if (closed || options.periodMs <= 0) return;
    timer = setTimeout(() => {
      enqueue()
        .catch((error: unknown) => options.onError(error as Error))
        .finally(schedule);
    }, options.periodMs);
    timer.unref();
  };

  const started =
    options.periodMs > 0
      ? enqueue()
          .then(
            () => undefined,
            (error: unknown) => options.onError(error as Error),
          )
          .finally(schedule)
      : Promise.resolve();

  return {
    started,
    runNow: () => {
      if (closed) return Promise.reject(new Error('The reconcile timer is closed'));
      return enqueue();
    },
    async close() {
      closed = true;
      clearTimeout(timer);
      await last;
    },
  };
};
