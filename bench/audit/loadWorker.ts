// Loading runs in a worker thread: building items and marshalling them through the SDK takes about a third of
// the CPU a load costs, and the main thread (where the local stack's dynalite runs) needs all of its own. The
// worker rebuilds the same data from the shape alone, since generation is deterministic.
import { parentPort, workerData } from 'node:worker_threads';
import { batchWriteAll, type BatchWriteStats } from '../lib/batchWrite.js';
import { localDocumentClient } from '../lib/dynamo.js';
import { planDataset, type DatasetShape } from './dataset.js';

export interface LoadJob {
  awsUrl: string;
  tableName: string;
  shape: DatasetShape;
  concurrency: number;
}

export type LoadMessage = { type: 'progress'; written: number } | { type: 'done'; stats: BatchWriteStats };

const job = workerData as LoadJob;
const port = parentPort;
if (!port) throw new Error('loadWorker.ts runs only as a worker thread');

const dataset = planDataset(job.shape);
const db = localDocumentClient(job.awsUrl);

function* tableItems(): Generator<object> {
  for (const plan of dataset.plans) yield* dataset.itemsOf(plan);
}

// Progress is sent at most every 100 ms: a message per batch would cost the main thread for nothing.
let lastSent = 0;
try {
  const stats = await batchWriteAll(tableItems(), {
    db,
    tableName: job.tableName,
    concurrency: job.concurrency,
    onProgress: (written) => {
      const t = Date.now();
      if (t - lastSent < 100) return;
      lastSent = t;
      port.postMessage({ type: 'progress', written } satisfies LoadMessage);
    },
  });
  port.postMessage({ type: 'done', stats } satisfies LoadMessage);
} finally {
  db.destroy();
}
