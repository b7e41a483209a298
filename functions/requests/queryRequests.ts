// The audit query. Every filter combination is one DynamoDB Query on the index named for its most
// selective filter, newest first, with the other filters as FilterExpressions. Examination is bounded per
// call, so a rare combination returns a short page and a cursor rather than reading without end.
import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { actionNames } from '../actions/registry.js';
import { ForbiddenError, ServiceUnavailableError, ValidationError, type ErrorDetail } from '../shared/errors.js';
import { decodeCursor, encodeCursor, queryFingerprint, type Position } from './cursor.js';
import {
  actionStatusKey,
  approverActionKey,
  approverStatusKey,
  indexes,
  REQUEST_KIND,
  requestKey,
  requesterStatusKey,
  targetStatusKey,
  type IndexName,
} from './keys.js';
import { REQUEST_STATUSES, type ApproverItem, type RequestItem, type RequestStatus } from './model.js';

export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;
/** Items one call may read before it answers with what it has and a cursor. */
export const MAX_EXAMINED = 1_000;
/** BatchGetItem takes at most 100 keys a call. */
const BATCH_GET_KEYS = 100;
/**
 * Calls per batch while DynamoDB leaves keys unprocessed (throttling, or its 16 MB answer limit), with backoff
 * in between (40 ms doubling to 640 ms, 1.24 s in all). Past that the call fails with 503 rather than drop rows.
 */
export const BATCH_GET_ROUNDS = 6;
/** What a 503 tells the caller to wait: DynamoDB's throttling is per second, so one second usually clears it. */
export const RETRY_AFTER_SECONDS = 1;

export interface RequestFilters {
  requester?: string;
  status?: RequestStatus;
  action?: string;
  targetId?: string;
  approver?: string;
  from?: string;
  to?: string;
}

export interface ListQuery {
  filters: RequestFilters;
  limit: number;
  cursor?: string;
  csv: boolean;
}

const FILTER_NAMES = ['requester', 'status', 'action', 'targetId', 'approver', 'from', 'to'] as const;
const KNOWN_PARAMETERS = new Set<string>([...FILTER_NAMES, 'limit', 'cursor', 'format']);
const ISO_UTC = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(?::(\d{2})(?:\.\d{1,3})?)?Z$/;

/**
 * The instant a UTC time names, as toISOString(), or undefined. Date.parse rolls impossible dates and times over
 * (2026-02-30 becomes 2026-03-02, T24:00 the next day), so the written fields must survive the round trip.
 */
const utcInstant = (value: string): string | undefined => {
  const match = ISO_UTC.exec(value);
  const time = Date.parse(value);
  if (!match || Number.isNaN(time)) return undefined;
  const iso = new Date(time).toISOString();
  return iso.startsWith(`${match[1]}:${match[2] ?? '00'}`) ? iso : undefined;
};

/** Reads and checks the query string; every problem is reported against the parameter's name. */
export const parseListQuery = (params: Record<string, string | undefined>, accept: string | undefined): ListQuery => {
  const details: ErrorDetail[] = [];
  for (const name of Object.keys(params)) {
    if (!KNOWN_PARAMETERS.has(name)) details.push({ path: name, message: 'is not a known parameter' });
  }
  const text = (name: string, max = 256): string | undefined => {
    const value = params[name];
    if (value === undefined) return undefined;
    if (value === '' || value.length > max) details.push({ path: name, message: `must be 1 to ${max} characters` });
    return value;
  };
  const filters: RequestFilters = {};
  for (const name of ['requester', 'targetId', 'approver'] as const) {
    const value = text(name);
    if (value !== undefined) filters[name] = value;
  }
  const status = text('status');
  if (status !== undefined) {
    if ((REQUEST_STATUSES as readonly string[]).includes(status)) filters.status = status as RequestStatus;
    else details.push({ path: 'status', message: `must be one of: ${REQUEST_STATUSES.join(', ')}` });
  }
  const action = text('action');
  if (action !== undefined) {
    if (actionNames().includes(action)) filters.action = action;
    else details.push({ path: 'action', message: `must be one of: ${actionNames().join(', ')}` });
  }
  for (const name of ['from', 'to'] as const) {
    const value = text(name, 40);
    if (value === undefined) continue;
    const instant = utcInstant(value);
    if (instant) filters[name] = instant;
    else details.push({ path: name, message: 'must be an ISO-8601 UTC time such as 2026-11-21T10:00:00Z' });
  }
  if (filters.from && filters.to && filters.from > filters.to)
    details.push({ path: 'from', message: 'must not be after to' });
  let limit = DEFAULT_LIMIT;
  const rawLimit = params.limit;
  if (rawLimit !== undefined) {
    limit = Number(rawLimit);
    if (!/^\d+$/.test(rawLimit) || limit < 1 || limit > MAX_LIMIT)
      details.push({ path: 'limit', message: `must be a whole number from 1 to ${MAX_LIMIT}` });
  }
  const format = params.format;
  if (format !== undefined && format !== 'csv' && format !== 'json')
    details.push({ path: 'format', message: 'must be one of: csv, json' });
  if (details.length > 0) throw new ValidationError(details);
  const csv = format === 'csv' || (format === undefined && (accept ?? '').includes('text/csv'));
  return { filters, limit, csv, ...(params.cursor !== undefined ? { cursor: params.cursor } : {}) };
};

/**
 * Auditors may ask anything. Everyone else must say whose requests they mean, and it must be themselves: the ones they
 * made (`requester=<you>`) or the ones they were asked to decide (`approver=<you>`, what the access page's "Waiting for
 * me" lists), with any other filters. Each names only requests they may read one by one anyway.
 */
export const authorizeQuery = (filters: RequestFilters, identity: string, auditor: boolean): void => {
  if (auditor) return;
  if (filters.requester !== identity && filters.approver !== identity) {
    throw new ForbiddenError(
      'Only auditors may query requests other than their own; add requester=<you> or approver=<you>',
    );
  }
};

interface Plan {
  index: IndexName;
  keyValue: string;
  filters: RequestFilters;
}

/**
 * The most selective filter picks the index. The common pairs (requester, approver or target with a status;
 * approver with an action; status with an action) have composite indexes, so they read no more than they return.
 */
export const planQuery = (filters: RequestFilters): Plan => {
  const { requester, approver, targetId, status, action } = filters;
  if (requester && status)
    return { index: 'byRequesterStatus', keyValue: requesterStatusKey(requester, status), filters };
  if (requester) return { index: 'byRequester', keyValue: requester, filters };
  if (approver && status) return { index: 'byApproverStatus', keyValue: approverStatusKey(approver, status), filters };
  if (approver && action) return { index: 'byApproverAction', keyValue: approverActionKey(approver, action), filters };
  if (approver) return { index: 'byApprover', keyValue: approver, filters };
  if (targetId && status) return { index: 'byTargetStatus', keyValue: targetStatusKey(targetId, status), filters };
  if (targetId) return { index: 'byTarget', keyValue: targetId, filters };
  if (status && action) return { index: 'byActionStatus', keyValue: actionStatusKey(action, status), filters };
  if (status) return { index: 'byStatus', keyValue: status, filters };
  if (action) return { index: 'byAction', keyValue: action, filters };
  return { index: 'byTime', keyValue: REQUEST_KIND, filters };
};

/** Indexes over approver entries, which point at request items rather than being them. */
const APPROVER_INDEXES = new Set<IndexName>(['byApprover', 'byApproverStatus', 'byApproverAction']);

interface Expression {
  KeyConditionExpression: string;
  FilterExpression?: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues: Record<string, unknown>;
}

const buildExpression = (plan: Plan): Expression => {
  const keyAttribute = indexes[plan.index];
  const names: Record<string, string> = { '#key': keyAttribute };
  const values: Record<string, unknown> = { ':key': plan.keyValue };
  let keyCondition = '#key = :key';
  const { from, to } = plan.filters;
  if (from || to) names['#createdAt'] = 'createdAt';
  if (from && to) {
    keyCondition += ' AND #createdAt BETWEEN :from AND :to';
    Object.assign(values, { ':from': from, ':to': to });
  } else if (from) {
    keyCondition += ' AND #createdAt >= :from';
    values[':from'] = from;
  } else if (to) {
    keyCondition += ' AND #createdAt <= :to';
    values[':to'] = to;
  }
  // Approver entries carry the request's fields under `ref`; request items carry them directly.
  const onApprover = APPROVER_INDEXES.has(plan.index);
  const conditions: string[] = [];
  const keyed: string[] = {
    byRequesterStatus: ['requester', 'status'],
    byApproverStatus: ['approver', 'status'],
    byTargetStatus: ['targetId', 'status'],
    byApproverAction: ['approver', 'action'],
    byActionStatus: ['action', 'status'],
  }[plan.index as string] ?? [indexes[plan.index]];
  const equals = (name: 'requester' | 'status' | 'action' | 'targetId', value: string | undefined): void => {
    if (value === undefined || keyed.includes(name)) return;
    names[`#${name}`] = name;
    if (onApprover) names['#ref'] = 'ref';
    conditions.push(`${onApprover ? '#ref.' : ''}#${name} = :${name}`);
    values[`:${name}`] = value;
  };
  equals('requester', plan.filters.requester);
  equals('status', plan.filters.status);
  equals('action', plan.filters.action);
  equals('targetId', plan.filters.targetId);
  if (plan.filters.approver && !onApprover) {
    names['#approvers'] = 'approvers';
    conditions.push('contains(#approvers, :approver)');
    values[':approver'] = plan.filters.approver;
  }
  return {
    KeyConditionExpression: keyCondition,
    ...(conditions.length ? { FilterExpression: conditions.join(' AND ') } : {}),
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
};

/** Where a page stopped, as DynamoDB's ExclusiveStartKey for the index: table key plus index key. */
const positionOf = (item: Record<string, unknown>, index: IndexName): Position => ({
  pk: String(item.pk),
  sk: String(item.sk),
  [indexes[index]]: String(item[indexes[index]]),
  createdAt: String(item.createdAt),
});

export interface QueryDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  cursorSecret: string;
}

export interface RequestPage {
  items: RequestItem[];
  nextCursor?: string;
  /** Items DynamoDB read (summed ScannedCount), for the audit benchmark. */
  examined: number;
  index: IndexName;
}

/**
 * The request items an approver-index page points at, in the page's order. Every one is read or the call fails:
 * the cursor already points past this page, so a row left out here would never be seen by the caller.
 */
const fetchRequests = async (deps: QueryDeps, entries: ApproverItem[]): Promise<RequestItem[]> => {
  const byId = new Map<string, RequestItem>();
  for (let start = 0; start < entries.length; start += BATCH_GET_KEYS) {
    let keys = entries.slice(start, start + BATCH_GET_KEYS).map((e) => requestKey(e.requestId));
    for (let round = 0; keys.length > 0; round += 1) {
      if (round === BATCH_GET_ROUNDS) {
        throw new ServiceUnavailableError(
          `DynamoDB left ${keys.length} of this page's requests unread after ${BATCH_GET_ROUNDS} tries; try again`,
          RETRY_AFTER_SECONDS,
        );
      }
      if (round > 0) await new Promise((r) => setTimeout(r, 20 * 2 ** round));
      const { Responses, UnprocessedKeys } = await deps.db.send(
        new BatchGetCommand({ RequestItems: { [deps.tableName]: { Keys: keys } } }),
      );
      for (const item of (Responses?.[deps.tableName] ?? []) as RequestItem[]) byId.set(item.requestId, item);
      keys = (UnprocessedKeys?.[deps.tableName]?.Keys ?? []) as typeof keys;
    }
  }
  // Every key was answered; an entry whose request item does not exist (none is ever deleted) has nothing to show.
  return entries.map((e) => byId.get(e.requestId)).filter((item): item is RequestItem => item !== undefined);
};

/**
 * How many items to read next. Without a filter, exactly what is wanted. With one, first what is wanted
 * (filters often match most items), then scaled by the match rate seen so far, within the budget.
 */
const readSize = (wanted: number, matched: number, examined: number, filtered: boolean): number => {
  if (!filtered || examined === 0) return Math.min(wanted, MAX_EXAMINED - examined);
  const perMatch = Math.min(20, (examined + 1) / (matched + 1));
  return Math.max(1, Math.min(MAX_EXAMINED - examined, Math.ceil(wanted * perMatch)));
};

/** One page of requests, newest first. */
export const queryRequests = async (
  query: { filters: RequestFilters; limit: number; cursor?: string; caller: string },
  deps: QueryDeps,
): Promise<RequestPage> => {
  const plan = planQuery(query.filters);
  const expression = buildExpression(plan);
  const fingerprint = queryFingerprint({ index: plan.index, filters: query.filters, caller: query.caller });
  let start: Position | undefined = query.cursor
    ? decodeCursor(query.cursor, fingerprint, deps.cursorSecret)
    : undefined;
  const found: Array<Record<string, unknown>> = [];
  let examined = 0;
  let more = false;
  do {
    // One more than asked, so a full last page is known to be the last (no cursor to an empty page).
    const wanted = query.limit + 1 - found.length;
    const page = await deps.db.send(
      new QueryCommand({
        TableName: deps.tableName,
        IndexName: plan.index,
        ScanIndexForward: false,
        Limit: readSize(wanted, found.length, examined, expression.FilterExpression !== undefined),
        ...expression,
        ...(start ? { ExclusiveStartKey: start } : {}),
      }),
    );
    examined += page.ScannedCount ?? 0;
    found.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey as Position | undefined;
    more = start !== undefined;
  } while (more && found.length <= query.limit && examined < MAX_EXAMINED);

  const kept = found.slice(0, query.limit);
  const lastKept = kept.at(-1);
  // Either we read past the page (resume after its last item), or we stopped on the examination budget.
  const resumeAt = found.length > query.limit && lastKept ? positionOf(lastKept, plan.index) : more ? start : undefined;
  const items = APPROVER_INDEXES.has(plan.index)
    ? await fetchRequests(deps, kept as unknown as ApproverItem[])
    : (kept as unknown as RequestItem[]);
  return {
    items,
    examined,
    index: plan.index,
    ...(resumeAt ? { nextCursor: encodeCursor(resumeAt, fingerprint, deps.cursorSecret) } : {}),
  };
};
