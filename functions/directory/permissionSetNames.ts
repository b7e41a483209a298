// The durable copy of permission-set names, in the requests table, so that a cold function names every permission set
// with one BatchGetItem instead of one DescribePermissionSet per set (SSO Admin reads are paced at 15 a second; 60
// sets took 4 s). Identity Center has no rename, so a stored name is never wrong; descriptions can change, so each
// copy carries when it was described and the directory describes it again once that is older than its refresh age.
// Which sets exist is never decided here: ListPermissionSets is, so a deleted set's copy is never shown, and the
// copy's `ttl` lets DynamoDB remove it after a while (README "Copies of state").
//
// Both directions are best effort. A read that fails, or keys DynamoDB leaves unprocessed after a few tries, come back
// as missing, so the directory describes those sets: never part of the list as if it were all of it. A failed write is
// logged and costs only the next cold function the describe calls again.
import { BatchGetCommand, BatchWriteCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { permissionSetNameKey, type TableKey } from '../requests/keys.js';
import type { Clock } from '../shared/clock.js';
import { logger } from '../shared/logger.js';
import type { NamedPermissionSet } from './directory.js';

/** A stored copy and when it was described (epoch ms). */
export interface StoredPermissionSet {
  set: NamedPermissionSet;
  describedAt: number;
}

export interface PermissionSetNameStore {
  /** The stored copies of these ARNs; an ARN missing from the map has none, or could not be read. Never throws. */
  read(arns: readonly string[]): Promise<Map<string, StoredPermissionSet>>;
  /** Stores these copies as described now. Never throws: a failure is logged. */
  write(sets: readonly NamedPermissionSet[]): Promise<void>;
}

export interface PermissionSetNameStoreDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  clock: Clock;
  /** How long DynamoDB keeps a copy that is not written again (the `ttl` attribute), in ms. */
  retainMs?: number;
  /** Attempts per batch, the first included, before unprocessed keys or items are given up on. */
  maxAttempts?: number;
  /** Waits between attempts; replaced in tests. */
  sleep?: (ms: number) => Promise<void>;
}

/** The item as stored. No `kind`: the byTime index holds requests only. */
interface PermissionSetNameItem extends TableKey {
  permissionSetArn: string;
  name: string;
  description?: string;
  /** ISO time of the DescribePermissionSet this copy came from. */
  describedAt: string;
  /** Epoch seconds: the table's TTL attribute. */
  ttl: number;
}

/** A live set is described again at least daily (its refresh age), so 30 days only ever removes copies of deleted sets. */
export const DEFAULT_RETAIN_MS = 30 * 24 * 60 * 60_000;
// BatchGetItem takes at most 100 keys, BatchWriteItem at most 25 requests (DynamoDB's limits).
const BATCH_GET_MAX = 100;
const BATCH_WRITE_MAX = 25;
const DEFAULT_MAX_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 50;

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const chunksOf = <T>(items: readonly T[], size: number): T[][] => {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size) chunks.push(items.slice(start, start + size));
  return chunks;
};

/** The stored copy, or undefined for an item that is not one (so it is described again rather than trusted). */
const fromItem = (item: Record<string, unknown>): StoredPermissionSet | undefined => {
  const { permissionSetArn, name, description, describedAt } = item;
  const at = typeof describedAt === 'string' ? Date.parse(describedAt) : Number.NaN;
  if (typeof permissionSetArn !== 'string' || typeof name !== 'string' || Number.isNaN(at)) return undefined;
  const set: NamedPermissionSet = { arn: permissionSetArn, name };
  if (typeof description === 'string' && description !== '') set.description = description;
  return { set, describedAt: at };
};

const errorName = (error: unknown): string => (error instanceof Error ? error.name : String(error));

export const createPermissionSetNameStore = (deps: PermissionSetNameStoreDeps): PermissionSetNameStore => {
  const { db, tableName, clock } = deps;
  const retainMs = deps.retainMs ?? DEFAULT_RETAIN_MS;
  const maxAttempts = deps.maxAttempts ?? DEFAULT_MAX_ATTEMPTS;
  const sleep = deps.sleep ?? realSleep;
  const backoff = (attempt: number): Promise<void> => sleep(BACKOFF_BASE_MS * 2 ** (attempt - 1));

  const readChunk = async (keys: TableKey[], found: Map<string, StoredPermissionSet>): Promise<void> => {
    let pending: Record<string, unknown>[] = keys.map((key) => ({ ...key }));
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > maxAttempts) {
        logger.warn('Permission-set names left unprocessed by BatchGetItem; describing those sets', {
          unprocessed: pending.length,
        });
        return;
      }
      if (attempt > 1) await backoff(attempt - 1);
      const output = await db.send(new BatchGetCommand({ RequestItems: { [tableName]: { Keys: pending } } }));
      for (const item of output.Responses?.[tableName] ?? []) {
        const stored = fromItem(item);
        if (stored !== undefined) found.set(stored.set.arn, stored);
      }
      pending = output.UnprocessedKeys?.[tableName]?.Keys ?? [];
    }
  };

  const writeChunk = async (items: PermissionSetNameItem[]): Promise<void> => {
    let pending: NonNullable<ConstructorParameters<typeof BatchWriteCommand>[0]['RequestItems']>[string] = items.map(
      (Item) => ({ PutRequest: { Item } }),
    );
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > maxAttempts) {
        logger.warn('Permission-set names left unprocessed by BatchWriteItem; the next cold function describes them', {
          unprocessed: pending.length,
        });
        return;
      }
      if (attempt > 1) await backoff(attempt - 1);
      const output = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: pending } }));
      pending = output.UnprocessedItems?.[tableName] ?? [];
    }
  };

  return {
    async read(arns) {
      const found = new Map<string, StoredPermissionSet>();
      const keys = [...new Set(arns)].map(permissionSetNameKey);
      await Promise.all(
        chunksOf(keys, BATCH_GET_MAX).map((chunk) =>
          readChunk(chunk, found).catch((error: unknown) => {
            // What could not be read is missing, so the directory describes it: slower, never wrong.
            logger.warn('Reading stored permission-set names failed; describing those sets', {
              error: errorName(error),
              keys: chunk.length,
            });
          }),
        ),
      );
      return found;
    },

    async write(sets) {
      if (sets.length === 0) return;
      const now = clock.now();
      const items = sets.map(
        (set): PermissionSetNameItem => ({
          ...permissionSetNameKey(set.arn),
          permissionSetArn: set.arn,
          name: set.name,
          ...(set.description ? { description: set.description } : {}),
          describedAt: now.toISOString(),
          ttl: Math.floor((now.getTime() + retainMs) / 1000),
        }),
      );
      await Promise.all(
        chunksOf(items, BATCH_WRITE_MAX).map((chunk) =>
          writeChunk(chunk).catch((error: unknown) => {
            logger.warn('Storing permission-set names failed; the next cold function describes them again', {
              error: errorName(error),
              items: chunk.length,
            });
          }),
        ),
      );
    },
  };
};
