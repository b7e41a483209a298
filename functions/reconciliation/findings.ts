// Unmanaged assignments: one record per assignment (instance, account, permission set, principal), kept across runs
// (firstSeenAt, lastSeenAt, status, events), never a new record per run. Every write is one conditional write.
// Queried by auditors through GET /reconciliation/findings, always a Query on an index:
// - byFindingAccount (accountId) when an account is given, the status then filtering;
// - byFindingStatus (status) when only a status is given;
// - byTime (kind = FINDING) otherwise. Each sorts by firstSeenAt (stored as createdAt), newest first.
import { createHash } from 'node:crypto';
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import { decodeCursor, encodeCursor, queryFingerprint, type Position } from '../requests/cursor.js';
import { event } from '../requests/repository.js';
import type { StoredEvent } from '../requests/model.js';
import { conditionalWrite } from '../shared/conditionalWrite.js';
import { ValidationError, type ErrorDetail } from '../shared/errors.js';

export const FINDING_KIND = 'FINDING';
export const FINDING_STATUSES = ['REPORTED', 'REMOVED', 'GONE'] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export interface UnmanagedAssignment {
  instanceArn: string;
  accountId: string;
  permissionSetArn: string;
  principalType: string;
  principalId: string;
}

export interface FindingItem extends UnmanagedAssignment {
  pk: string;
  sk: string;
  kind: typeof FINDING_KIND;
  findingId: string;
  status: FindingStatus;
  firstSeenAt: string;
  lastSeenAt: string;
  /** Index keys: byFindingAccount, byFindingStatus, and byTime's sort key. */
  findingAccountId: string;
  findingStatus: FindingStatus;
  createdAt: string;
  events: StoredEvent[];
  version: number;
}

export interface FindingView extends UnmanagedAssignment {
  findingId: string;
  status: FindingStatus;
  firstSeenAt: string;
  lastSeenAt: string;
  events: Array<{ at: string; type: string; detail: unknown }>;
}

export const findingIdOf = (a: UnmanagedAssignment): string =>
  createHash('sha256')
    .update([a.instanceArn, a.accountId, a.permissionSetArn, a.principalType, a.principalId].join('\n'))
    .digest('hex')
    .slice(0, 32);

const findingKey = (findingId: string) => ({ pk: `FINDING#${findingId}`, sk: 'FINDING' });

export const toFindingView = (item: FindingItem): FindingView => ({
  findingId: item.findingId,
  instanceArn: item.instanceArn,
  accountId: item.accountId,
  permissionSetArn: item.permissionSetArn,
  principalType: item.principalType,
  principalId: item.principalId,
  status: item.status,
  firstSeenAt: item.firstSeenAt,
  lastSeenAt: item.lastSeenAt,
  events: item.events.map((e) => ({ at: e.at, type: e.type, detail: JSON.parse(e.detail) as unknown })),
});

export interface FindingStoreDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
}

export const createFindingStore = ({ db, tableName }: FindingStoreDeps) => {
  const get = async (findingId: string): Promise<FindingItem | undefined> =>
    (await db.send(new GetCommand({ TableName: tableName, Key: findingKey(findingId), ConsistentRead: true }))).Item as
      | FindingItem
      | undefined;

  /** Moves a finding to `status` with an event, only from the version read: false when someone else moved it first. */
  const move = async (
    item: FindingItem,
    status: FindingStatus,
    at: string,
    events: StoredEvent[],
    seen: boolean,
  ): Promise<boolean> =>
    conditionalWrite(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: findingKey(item.findingId),
        UpdateExpression: `SET #status = :status, findingStatus = :status, events = list_append(events, :events), version = version + :one${seen ? ', lastSeenAt = :at' : ''}`,
        ConditionExpression: 'version = :version',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': status,
          ':events': events,
          ':one': 1,
          ':version': item.version,
          ...(seen ? { ':at': at } : {}),
        },
      }),
    );

  return {
    get,

    /**
     * Records that the assignment is listed now. Answers what the record is afterwards: 'new' for a first sighting,
     * 'again' when a finding that had gone (or been removed) is listed again, 'seen' otherwise.
     */
    async seen(a: UnmanagedAssignment, at: string): Promise<{ outcome: 'new' | 'again' | 'seen'; item: FindingItem }> {
      const findingId = findingIdOf(a);
      const existing = await get(findingId);
      if (!existing) {
        const item: FindingItem = {
          ...findingKey(findingId),
          kind: FINDING_KIND,
          findingId,
          ...a,
          status: 'REPORTED',
          firstSeenAt: at,
          lastSeenAt: at,
          findingAccountId: a.accountId,
          findingStatus: 'REPORTED',
          createdAt: at,
          events: [event(at, 'reported', { by: 'reconciler', reason: 'no grant of ours explains this assignment' })],
          version: 1,
        };
        const written = await conditionalWrite(
          db,
          new PutCommand({ TableName: tableName, Item: item, ConditionExpression: 'attribute_not_exists(pk)' }),
        );
        if (written) return { outcome: 'new', item };
        // A concurrent run wrote it first: it is seen, not new.
        return { outcome: 'seen', item: (await get(findingId)) ?? item };
      }
      // One that had gone is back. One we removed is still listed a run later (runs are minutes apart, a deletion
      // takes seconds): the removal did not take, so it is reported again (and removed again where policy allows).
      if (existing.status === 'GONE' || existing.status === 'REMOVED') {
        const reason = existing.status === 'GONE' ? 'listed again' : 'still listed after its removal';
        const events = [event(at, 'reported_again', { by: 'reconciler', previousStatus: existing.status, reason })];
        await move(existing, 'REPORTED', at, events, true);
        return { outcome: 'again', item: { ...existing, status: 'REPORTED', lastSeenAt: at } };
      }
      await db.send(
        new UpdateCommand({
          TableName: tableName,
          Key: findingKey(findingId),
          UpdateExpression: 'SET lastSeenAt = :at',
          ExpressionAttributeValues: { ':at': at },
        }),
      );
      return { outcome: 'seen', item: { ...existing, lastSeenAt: at } };
    },

    /** The assignment was removed by the reconciler (policy allows it for the account). */
    async removed(item: FindingItem, at: string, detail: Record<string, unknown>): Promise<boolean> {
      return move(item, 'REMOVED', at, [event(at, 'removed', { by: 'reconciler', ...detail })], true);
    },

    /** The assignment is no longer listed (removed by someone else, or our removal finished). */
    async gone(item: FindingItem, at: string): Promise<boolean> {
      return move(
        item,
        'GONE',
        at,
        [event(at, 'gone', { by: 'reconciler', verifiedBy: 'ListAccountAssignments' })],
        false,
      );
    },

    /** Every finding of one account that is not GONE (what a fully listed account is compared with). */
    async openFor(accountId: string): Promise<FindingItem[]> {
      const all: FindingItem[] = [];
      let ExclusiveStartKey: Record<string, unknown> | undefined;
      do {
        const page = await db.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: 'byFindingAccount',
            KeyConditionExpression: 'findingAccountId = :account',
            FilterExpression: 'findingStatus <> :gone',
            ExpressionAttributeValues: { ':account': accountId, ':gone': 'GONE' },
            ExclusiveStartKey,
          }),
        );
        all.push(...((page.Items ?? []) as FindingItem[]));
        ExclusiveStartKey = page.LastEvaluatedKey;
      } while (ExclusiveStartKey);
      return all;
    },
  };
};

export type FindingStore = ReturnType<typeof createFindingStore>;

// ---- The audit query ----

export const DEFAULT_FINDINGS_LIMIT = 50;
export const MAX_FINDINGS_LIMIT = 200;
/** Items one call reads before answering with what it has and a cursor (a status filter may skip many). */
export const MAX_FINDINGS_EXAMINED = 1_000;
const KNOWN = new Set(['accountId', 'status', 'from', 'to', 'limit', 'cursor']);
const ISO_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(?::(\d{2})(?:\.\d{1,3})?)?Z$/;

export interface FindingsQuery {
  accountId?: string;
  status?: FindingStatus;
  from?: string;
  to?: string;
  limit: number;
  cursor?: string;
}

const instant = (value: string): string | undefined => {
  const match = ISO_UTC.exec(value);
  const time = Date.parse(value);
  if (!match || Number.isNaN(time)) return undefined;
  const iso = new Date(time).toISOString();
  return iso.startsWith(`${match[1]}:${match[2] ?? '00'}`) ? iso : undefined;
};

/** Reads and checks the query string; every problem is reported against its parameter's name. */
export const parseFindingsQuery = (params: Record<string, string | undefined>): FindingsQuery => {
  const details: ErrorDetail[] = [];
  for (const name of Object.keys(params))
    if (!KNOWN.has(name)) details.push({ path: name, message: 'is not a known parameter' });
  const query: FindingsQuery = { limit: DEFAULT_FINDINGS_LIMIT };
  const { accountId, status, limit, cursor } = params;
  if (accountId !== undefined) {
    if (/^\d{12}$/.test(accountId)) query.accountId = accountId;
    else details.push({ path: 'accountId', message: 'must be a 12-digit AWS account id' });
  }
  if (status !== undefined) {
    if ((FINDING_STATUSES as readonly string[]).includes(status)) query.status = status as FindingStatus;
    else details.push({ path: 'status', message: `must be one of: ${FINDING_STATUSES.join(', ')}` });
  }
  for (const name of ['from', 'to'] as const) {
    const value = params[name];
    if (value === undefined) continue;
    const at = value.length <= 40 ? instant(value) : undefined;
    if (at) query[name] = at;
    else details.push({ path: name, message: 'must be an ISO-8601 UTC time such as 2026-11-21T10:00:00Z' });
  }
  if (query.from && query.to && query.from > query.to) details.push({ path: 'from', message: 'must not be after to' });
  if (limit !== undefined) {
    query.limit = Number(limit);
    if (!/^\d+$/.test(limit) || query.limit < 1 || query.limit > MAX_FINDINGS_LIMIT)
      details.push({ path: 'limit', message: `must be a whole number from 1 to ${MAX_FINDINGS_LIMIT}` });
  }
  if (cursor !== undefined) {
    if (cursor === '' || cursor.length > 4096)
      details.push({ path: 'cursor', message: 'is not a valid cursor for this query' });
    else query.cursor = cursor;
  }
  if (details.length > 0) throw new ValidationError(details);
  return query;
};

export interface FindingsPage {
  items: FindingView[];
  nextCursor?: string;
  index: string;
  examined: number;
}

export const queryFindings = async (
  query: FindingsQuery,
  deps: FindingStoreDeps & { cursorSecret: string },
): Promise<FindingsPage> => {
  const plan = query.accountId
    ? { index: 'byFindingAccount', key: 'findingAccountId', value: query.accountId }
    : query.status
      ? { index: 'byFindingStatus', key: 'findingStatus', value: query.status }
      : { index: 'byTime', key: 'kind', value: FINDING_KIND };
  const filterStatus = query.accountId && query.status ? query.status : undefined;
  const fingerprint = queryFingerprint(['findings', plan, filterStatus, query.from, query.to]);
  let ExclusiveStartKey: Position | undefined = query.cursor
    ? decodeCursor(query.cursor, fingerprint, deps.cursorSecret)
    : undefined;
  const range =
    query.from && query.to
      ? ' AND createdAt BETWEEN :from AND :to'
      : query.from
        ? ' AND createdAt >= :from'
        : query.to
          ? ' AND createdAt <= :to'
          : '';
  const items: FindingItem[] = [];
  let examined = 0;
  do {
    const page = await deps.db.send(
      new QueryCommand({
        TableName: deps.tableName,
        IndexName: plan.index,
        KeyConditionExpression: `#key = :key${range}`,
        ...(filterStatus ? { FilterExpression: 'findingStatus = :status' } : {}),
        ExpressionAttributeNames: { '#key': plan.key },
        ExpressionAttributeValues: {
          ':key': plan.value,
          ...(query.from ? { ':from': query.from } : {}),
          ...(query.to ? { ':to': query.to } : {}),
          ...(filterStatus ? { ':status': filterStatus } : {}),
        },
        ScanIndexForward: false,
        Limit: query.limit - items.length,
        ExclusiveStartKey,
      }),
    );
    examined += page.ScannedCount ?? 0;
    items.push(...((page.Items ?? []) as FindingItem[]));
    ExclusiveStartKey = page.LastEvaluatedKey as Position | undefined;
  } while (ExclusiveStartKey && items.length < query.limit && examined < MAX_FINDINGS_EXAMINED);
  return {
    items: items.map(toFindingView),
    ...(ExclusiveStartKey ? { nextCursor: encodeCursor(ExclusiveStartKey, fingerprint, deps.cursorSecret) } : {}),
    index: plan.index,
    examined,
  };
};
