// Worker thread of runHttpLoad (httpLoad.ts): sends the requests closed-loop and times each one, on an event loop
// of its own so the client's work never queues behind the stack it measures (or the other way round).
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import type { HttpLoadJob, HttpLoadMessage, HttpSample } from './httpLoad.js';

const port = parentPort;
if (!port) throw new Error('bench/lib/httpLoadWorker.ts runs as a worker thread');
const job = workerData as HttpLoadJob;
const post = (message: HttpLoadMessage): void => port.postMessage(message);

const samples: HttpSample[] = new Array<HttpSample>(job.requests.length);
let next = 0;
let done = 0;
let lastReport = 0;

// Each client takes the next request as soon as its previous one is answered: a closed loop, so the offered load
// is exactly `concurrency` requests in flight and never more than the stack can take.
const client = async (): Promise<void> => {
  for (let i = next++; i < job.requests.length; i = next++) {
    const request = job.requests[i];
    if (!request) continue;
    const start = performance.now();
    let status = 0;
    let error: string | undefined;
    try {
      const response = await fetch(`${job.baseUrl}${request.path}`, {
        method: request.method,
        headers: request.headers,
        body: request.body,
      });
      // The body is part of the answer: a request is done when the client has all of it.
      const text = await response.text();
      status = response.status;
      // Kept only for the unexpected answers, to say why without storing every body.
      if (status !== job.expectStatus) error = text.slice(0, 300);
    } catch (e) {
      error = e instanceof Error ? e.message : String(e);
    }
    samples[i] = { ms: performance.now() - start, status, ...(error ? { error } : {}) };
    done += 1;
    if (done - lastReport >= 10 || done === job.requests.length) {
      lastReport = done;
      post({ type: 'progress', done });
    }
    if (job.gapMs) await new Promise((resolve) => setTimeout(resolve, job.gapMs));
  }
};

try {
  await Promise.all(Array.from({ length: job.concurrency }, client));
  post({ type: 'done', samples });
} catch (error) {
  post({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
