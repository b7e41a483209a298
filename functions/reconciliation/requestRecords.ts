// The reconciler's reads and writes of request items: the byStatus index (a Query on an index) to find its work,
// and single conditional writes that move a request on only from the status it was found in.
import { QueryCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SsoAssignmentParameters } from '../actions/ssoCreateAccountAssignment.js';
import { requestKey, statusIndexKeys } from '../requests/keys.js';
import type { RequestItem, RequestStatus, StoredEvent } from '../requests/model.js';
import { conditionalUpdate, conditionalWrite } from '../shared/conditionalWrite.js';

/**
 * Up to `limit` requests in one status, oldest first, optionally only those whose `activeUntil` is before `endedBefore`
 * or whose `updatedAt` is before `updatedBefore` (one of the two).
 * `more` says whether the index holds further matches this page did not reach: a list cut at a limit says so.
 */
export const requestsInStatus = async (
  deps: { db: DynamoDBDocumentClient; tableName: string },
  status: RequestStatus,
  options: { limit: number; endedBefore?: string; updatedBefore?: string },
): Promise<{ items: RequestItem[]; more: boolean }> => {
  const items: RequestItem[] = [];
  let ExclusiveStartKey: Record<string, unknown> | undefined;
  do {
    const page = await deps.db.send(
      new QueryCommand({
        TableName: deps.tableName,
        IndexName: 'byStatus',
        KeyConditionExpression: '#status = :status',
        ...(options.endedBefore ? { FilterExpression: 'activeUntil < :endedBefore' } : {}),
        ...(options.updatedBefore ? { FilterExpression: 'updatedAt < :updatedBefore' } : {}),
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':status': status,
          ...(options.endedBefore ? { ':endedBefore': options.endedBefore } : {}),
          ...(options.updatedBefore ? { ':updatedBefore': options.updatedBefore } : {}),
        },
        // Oldest first: the requests waiting longest are settled first when a run cannot take them all.
        ScanIndexForward: true,
        Limit: options.limit,
        ExclusiveStartKey,
      }),
    );
    for (const item of (page.Items ?? []) as RequestItem[]) {
      if (items.length === options.limit) return { items, more: true };
      items.push(item);
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
  return { items, more: false };
};

export const ssoParameters = (item: RequestItem): SsoAssignmentParameters =>
  JSON.parse(item.parameters) as SsoAssignmentParameters;

export interface StatusChange {
  from: readonly RequestStatus[];
  to: RequestStatus;
  events: StoredEvent[];
  /** Further attributes to set (activeUntil, outcome, error). */
  set?: Record<string, unknown>;
  /** Attributes to remove (a stored deletion request id once the deletion is over). */
  remove?: string[];
}

/** Moves a request on, only from one of `from`; the request as written, or undefined when the condition refused it. */
export const changeStatus = async (
  deps: { db: DynamoDBDocumentClient; tableName: string },
  item: RequestItem,
  change: StatusChange,
  at: string,
): Promise<RequestItem | undefined> => {
  const set = { ...statusIndexKeys(item, change.to), ...change.set };
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':to': change.to, ':at': at, ':events': change.events };
  const assignments = ['#status = :to', 'updatedAt = :at', 'events = list_append(events, :events)'];
  Object.entries(set).forEach(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    assignments.push(`#a${i} = :a${i}`);
  });
  const removals = (change.remove ?? []).map((name, i) => {
    names[`#r${i}`] = name;
    return `#r${i}`;
  });
  change.from.forEach((status, i) => {
    values[`:from${i}`] = status;
  });
  const written = await conditionalUpdate(
    deps.db,
    new UpdateCommand({
      TableName: deps.tableName,
      Key: requestKey(item.requestId),
      UpdateExpression: `SET ${assignments.join(', ')}${removals.length ? ` REMOVE ${removals.join(', ')}` : ''}`,
      ConditionExpression: `#status IN (${change.from.map((_, i) => `:from${i}`).join(', ')})`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
      ReturnValues: 'ALL_NEW',
    }),
  );
  return written as RequestItem | undefined;
};

/** Sets attributes (and appends events) on a request still in one of `whenStatus`; false when it had moved on. */
export const annotate = async (
  deps: { db: DynamoDBDocumentClient; tableName: string },
  requestId: string,
  whenStatus: readonly RequestStatus[],
  attributes: Record<string, unknown>,
  events: StoredEvent[],
  at: string,
  /** An attribute that must not exist yet: written once, by whoever gets there first. */
  onceAttribute?: string,
): Promise<boolean> => {
  const names: Record<string, string> = { '#status': 'status' };
  const values: Record<string, unknown> = { ':at': at, ':events': events };
  const assignments = ['updatedAt = :at', 'events = list_append(events, :events)'];
  Object.entries(attributes).forEach(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    assignments.push(`#a${i} = :a${i}`);
  });
  whenStatus.forEach((status, i) => {
    values[`:s${i}`] = status;
  });
  if (onceAttribute) names['#once'] = onceAttribute;
  return conditionalWrite(
    deps.db,
    new UpdateCommand({
      TableName: deps.tableName,
      Key: requestKey(requestId),
      UpdateExpression: `SET ${assignments.join(', ')}`,
      ConditionExpression: `#status IN (${whenStatus.map((_, i) => `:s${i}`).join(', ')})${onceAttribute ? ' AND attribute_not_exists(#once)' : ''}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
};
