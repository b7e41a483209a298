// Bulk loading through BatchWriteItem: 25 items a call (DynamoDB's limit), several calls in flight, and
// UnprocessedItems retried with capped exponential backoff, as the AWS docs require of any bulk writer.
import { BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { sleep } from './timing.js';

export const BATCH_LIMIT = 25;

export interface BatchWriteOptions {
  db: DynamoDBDocumentClient;
  tableName: string;
  /** Batches in flight at once. */
  concurrency?: number;
  /** Retries of one batch's unprocessed remainder before giving up. */
  maxRetries?: number;
  onProgress?: (written: number) => void;
}

export interface BatchWriteStats {
  items: number;
  batches: number;
  /** Calls that came back with UnprocessedItems (or a throttling error) and were retried. */
  retries: number;
}

const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
]);

/** Writes every item of `items` (pulled lazily, so a large load is never all in memory at once). */
export const batchWriteAll = async (items: Iterable<object>, options: BatchWriteOptions): Promise<BatchWriteStats> => {
  const { db, tableName, concurrency = 8, maxRetries = 10, onProgress } = options;
  const stats: BatchWriteStats = { items: 0, batches: 0, retries: 0 };
  const iterator = items[Symbol.iterator]();
  let failed = false;
  // Each worker pulls its next batch from the shared iterator; JS is single-threaded, so no two take the same.
  const nextBatch = (): Array<Record<string, unknown>> => {
    const batch: Array<Record<string, unknown>> = [];
    while (!failed && batch.length < BATCH_LIMIT) {
      const { value, done } = iterator.next();
      if (done) break;
      batch.push(value as Record<string, unknown>);
    }
    return batch;
  };

  const writeBatch = async (batch: Array<Record<string, unknown>>): Promise<void> => {
    let pending = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt += 1) {
      if (attempt > 0) {
        if (attempt > maxRetries)
          throw new Error(`BatchWriteItem: ${pending.length} items still unprocessed after ${maxRetries} retries`);
        stats.retries += 1;
        // Full jitter, capped at 2 s.
        await sleep(Math.random() * Math.min(2000, 25 * 2 ** attempt));
      }
      try {
        const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
        pending = (UnprocessedItems?.[tableName] ?? []) as typeof pending;
      } catch (error) {
        if (!RETRYABLE.has((error as Error).name)) throw error;
      }
    }
    stats.items += batch.length;
    stats.batches += 1;
    onProgress?.(stats.items);
  };

  const worker = async (): Promise<void> => {
    try {
      for (let batch = nextBatch(); batch.length > 0; batch = nextBatch()) await writeBatch(batch);
    } catch (error) {
      // The other workers stop at their next batch instead of loading on past a failure.
      failed = true;
      throw error;
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return stats;
};
