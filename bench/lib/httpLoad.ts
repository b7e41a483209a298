// Closed-loop HTTP load from a worker thread (see httpLoadWorker.ts), with a progress line in this thread.
import { startProgress } from './progress.js';
import { startTsWorker } from './worker.js';

export interface LoadRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface HttpLoadJob {
  baseUrl: string;
  requests: LoadRequest[];
  concurrency: number;
  /** The status every request should get; the body of any other answer is kept in its sample. */
  expectStatus: number;
  /**
   * A pause after each answer before the client's next request (default none: back to back). With one client it
   * lets the work a request set off in the background finish, so the next one meets a quiet stack.
   */
  gapMs?: number;
}

export interface HttpSample {
  ms: number;
  /** 0 when the request failed before an answer. */
  status: number;
  /** Why: the network error, or the start of the body of an unexpected status. */
  error?: string;
}

export type HttpLoadMessage =
  | { type: 'progress'; done: number }
  | { type: 'done'; samples: HttpSample[] }
  | { type: 'error'; message: string };

/** Sends every request, `concurrency` at a time, and returns one sample per request in the order given. */
export const runHttpLoad = (job: HttpLoadJob, progressLabel?: string): Promise<HttpSample[]> =>
  new Promise((resolve, reject) => {
    const progress = progressLabel
      ? startProgress({ label: progressLabel, total: job.requests.length, unit: 'requests', intervalMs: 2000 })
      : undefined;
    const worker = startTsWorker(new URL('./httpLoadWorker.ts', import.meta.url), job);
    let samples: HttpSample[] | undefined;
    let failure: Error | undefined;
    worker.on('message', (message: HttpLoadMessage) => {
      if (message.type === 'progress') progress?.update(message.done);
      else if (message.type === 'done') samples = message.samples;
      else failure = new Error(`HTTP load worker: ${message.message}`);
    });
    worker.on('error', (error) => (failure ??= error));
    worker.on('exit', (code) => {
      if (samples) {
        progress?.finish();
        resolve(samples);
      } else reject(failure ?? new Error(`HTTP load worker exited with code ${code} before finishing`));
    });
  });
