// All reads and writes of request data. Every mutation is a single-item conditional write: dynalite (and
// cost) rule out transactions, and a condition on the current status is what keeps history consistent.
import {
  BatchWriteCommand,
  GetCommand,
  PutCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from '@aws-sdk/lib-dynamodb';
import {
  approverActionKey,
  approverKey,
  approverStatusKey,
  idempotencyKey,
  messagesKey,
  requestKey,
  statusIndexKeys,
  taskTokenKey,
} from './keys.js';
import {
  STATUS_STAGE,
  type Approval,
  type ApproverItem,
  type RequestItem,
  type RequestStatus,
  type StoredEvent,
} from './model.js';
import { conditionalUpdate, conditionalWrite } from '../shared/conditionalWrite.js';

/**
 * An event that repeats for as long as a retry budget lasts (a revocation's transient errors: up to a day of them). It
 * is counted (`counter`, with the latest as `last`) every time, but stored in the events only while it says something
 * new: the first `firstEvents`, each change of `key` (the error name), and every `everyNth`; and never once the events
 * hold `maxEvents`, so that a day of retries cannot outgrow DynamoDB's 400 KB item limit (docs/retry-policy.md).
 */
export interface RepeatedEvent {
  counter: 'revocationErrors';
  last: 'lastRevocationError';
  key: string;
}

/** The bounds of a RepeatedEvent's entries in the events (docs/retry-policy.md shows the arithmetic). */
export const REPEATED_EVENT_BOUNDS = { firstEvents: 10, everyNth: 100, maxEvents: 200 } as const;

export interface RepositoryDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
}

export interface IdempotencyRecord {
  bodyHash: string;
  requestId: string;
  /** The execution input, so a replay can finish a start that crashed half-way. */
  executionInput: string;
  response: Record<string, unknown>;
}

/** The byApprover index entries of a request: one per approver, so quorum requests are found by each. */
export const approverItems = (
  item: Pick<RequestItem, 'requestId' | 'approvers' | 'createdAt' | 'action' | 'targetId' | 'requester' | 'status'>,
): ApproverItem[] =>
  item.approvers.map((approver) => ({
    ...approverKey(item.requestId, approver),
    approver,
    requestId: item.requestId,
    createdAt: item.createdAt,
    ref: { action: item.action, targetId: item.targetId, requester: item.requester, status: item.status },
    approverStatus: approverStatusKey(approver, item.status),
    statusStage: STATUS_STAGE[item.status],
    approverAction: approverActionKey(approver, item.action),
  }));

const BATCH_SIZE = 25;

/** Where a message was posted (Slack: channel + ts), with what its redraw needs that the request does not hold. */
export interface StoredMessageRef {
  channel: string;
  ts: string;
  /** The channel message's link to the access page, as posted, so any updater redraws the same button. */
  pageUrl?: string;
}

/** The request's messages that are not an approver's own: the channel's approval message, the requester's DM. */
export type SharedMessage = 'channel' | 'requester';

/** The MESSAGES item's attributes for them; `to:<recipient>` stays the approvers' namespace. */
const SHARED_MESSAGE_ATTRIBUTES: Record<SharedMessage, string> = {
  channel: 'channelMessage',
  requester: 'requesterMessage',
};

/** Each approver's DM by recipient, and the shared messages alongside. */
export type MessageRefs = Map<string, { channel: string; ts: string }> &
  Partial<Record<SharedMessage, StoredMessageRef>>;

export const event = (at: string, type: string, detail: unknown = {}): StoredEvent => ({
  at,
  type,
  detail: JSON.stringify(detail),
});

/**
 * appendEventNoting for a RepeatedEvent: one write counts it, keeps it as the latest and notes the mark, and returns
 * the values it replaced, which say whether it is new enough for a second write to append it to the events.
 */
const countRepeatedEvent = async (
  { db, tableName }: RepositoryDeps,
  requestId: string,
  stored: StoredEvent,
  whenStatus: readonly RequestStatus[],
  mark: 'provisioningRetrySince' | 'revocationStartedAt',
  repeated: RepeatedEvent,
): Promise<string | undefined> => {
  const statusValues = Object.fromEntries(whenStatus.map((s, i) => [`:s${i}`, s]));
  const condition = `#status IN (${Object.keys(statusValues).join(', ')})`;
  const latest = { at: stored.at, key: repeated.key, type: stored.type, detail: stored.detail };
  const before = await conditionalUpdate(
    db,
    new UpdateCommand({
      TableName: tableName,
      Key: requestKey(requestId),
      UpdateExpression:
        'SET #count = if_not_exists(#count, :zero) + :one, #last = :latest, updatedAt = :now, #mark = if_not_exists(#mark, :now)',
      ConditionExpression: condition,
      ExpressionAttributeNames: {
        '#status': 'status',
        '#mark': mark,
        '#count': repeated.counter,
        '#last': repeated.last,
      },
      ExpressionAttributeValues: { ':zero': 0, ':one': 1, ':latest': latest, ':now': stored.at, ...statusValues },
      ReturnValues: 'UPDATED_OLD',
    }),
  );
  if (!before) return undefined;
  const count = (typeof before[repeated.counter] === 'number' ? (before[repeated.counter] as number) : 0) + 1;
  const previousKey = (before[repeated.last] as { key?: string } | undefined)?.key;
  const { firstEvents, everyNth, maxEvents } = REPEATED_EVENT_BOUNDS;
  if (count <= firstEvents || previousKey !== repeated.key || count % everyNth === 0) {
    await conditionalWrite(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: requestKey(requestId),
        UpdateExpression: 'SET events = list_append(events, :event)',
        ConditionExpression: `${condition} AND size(events) < :maxEvents`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':event': [event(stored.at, stored.type, { ...(JSON.parse(stored.detail) as object), count })],
          ':maxEvents': maxEvents,
          ...statusValues,
        },
      }),
    );
  }
  const since = before[mark];
  return typeof since === 'string' ? since : stored.at;
};

export const createRequestRepository = ({ db, tableName }: RepositoryDeps) => ({
  async get(requestId: string): Promise<RequestItem | undefined> {
    const { Item } = await db.send(
      new GetCommand({ TableName: tableName, Key: requestKey(requestId), ConsistentRead: true }),
    );
    return Item as RequestItem | undefined;
  },

  /** Appends an event only while the request is in one of `whenStatus`; returns false if it was not. */
  async appendEvent(requestId: string, stored: StoredEvent, whenStatus: readonly RequestStatus[]): Promise<boolean> {
    const statusValues = Object.fromEntries(whenStatus.map((s, i) => [`:s${i}`, s]));
    return conditionalWrite(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: requestKey(requestId),
        UpdateExpression: 'SET events = list_append(events, :event), updatedAt = :now',
        ConditionExpression: `#status IN (${Object.keys(statusValues).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':event': [stored], ':now': stored.at, ...statusValues },
      }),
    );
  },

  /**
   * appendEvent that also notes, once, when something began: `mark` is set to the event's time only if the item has
   * none yet (the provisioning tasks' retry budgets count from it). Returns the mark as stored, or undefined when the
   * status condition refused the write.
   */
  async appendEventNoting(
    requestId: string,
    stored: StoredEvent,
    whenStatus: readonly RequestStatus[],
    mark: 'provisioningRetrySince' | 'revocationStartedAt',
    repeated?: RepeatedEvent,
  ): Promise<string | undefined> {
    if (repeated) return countRepeatedEvent({ db, tableName }, requestId, stored, whenStatus, mark, repeated);
    const statusValues = Object.fromEntries(whenStatus.map((s, i) => [`:s${i}`, s]));
    const written = await conditionalUpdate(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: requestKey(requestId),
        UpdateExpression:
          'SET events = list_append(events, :event), updatedAt = :now, #mark = if_not_exists(#mark, :now)',
        ConditionExpression: `#status IN (${Object.keys(statusValues).join(', ')})`,
        ExpressionAttributeNames: { '#status': 'status', '#mark': mark },
        ExpressionAttributeValues: { ':event': [stored], ':now': stored.at, ...statusValues },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const value = written?.[mark];
    return typeof value === 'string' ? value : undefined;
  },

  /**
   * Records one approver's decision, first writer wins. The condition checks the request is still
   * pending, this approver has not decided, and the approval count is the one the caller saw, so
   * concurrent deciders cannot both believe they completed the quorum. Returns the request as written, so the
   * winner needs no second read, or undefined when the condition refused the write.
   */
  async recordDecision(input: {
    requestId: string;
    requester: string;
    targetId: string;
    action: string;
    approval: Approval;
    seenApprovalCount: number;
    newStatus?: RequestStatus;
  }): Promise<RequestItem | undefined> {
    const { approval } = input;
    const sets = [
      'approvals = list_append(approvals, :approval)',
      'events = list_append(events, :event)',
      'decisions.#approver = :decision',
      'updatedAt = :now',
    ];
    if (approval.decision === 'approve') sets.push('approvalCount = approvalCount + :one');
    if (input.newStatus)
      sets.push(
        '#status = :newStatus',
        ...Object.keys(statusIndexKeys(input, input.newStatus)).map((name) => `${name} = :${name}`),
      );
    const written = await conditionalUpdate(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: requestKey(input.requestId),
        UpdateExpression: `SET ${sets.join(', ')}`,
        ConditionExpression:
          '#status = :pending AND attribute_not_exists(decisions.#approver) AND approvalCount = :seen',
        ExpressionAttributeNames: { '#status': 'status', '#approver': approval.approver },
        ExpressionAttributeValues: {
          ':approval': [approval],
          ':event': [
            event(approval.at, 'decision', {
              approver: approval.approver,
              decision: approval.decision,
              via: approval.via,
              ...(approval.comment ? { comment: approval.comment } : {}),
            }),
          ],
          ':decision': approval.decision,
          ':now': approval.at,
          ':pending': 'PENDING_APPROVAL',
          ':seen': input.seenApprovalCount,
          ...(approval.decision === 'approve' ? { ':one': 1 } : {}),
          ...(input.newStatus
            ? {
                ':newStatus': input.newStatus,
                ...Object.fromEntries(
                  Object.entries(statusIndexKeys(input, input.newStatus)).map(([name, value]) => [`:${name}`, value]),
                ),
              }
            : {}),
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return written as RequestItem | undefined;
  },

  /** Writes the byApprover entries; idempotent, so a retried notification simply rewrites them. */
  async putApproverItems(item: RequestItem): Promise<void> {
    const entries = approverItems(item);
    for (let i = 0; i < entries.length; i += BATCH_SIZE) {
      let requests = entries.slice(i, i + BATCH_SIZE).map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 0; requests.length > 0; attempt += 1) {
        if (attempt > 0) await new Promise((r) => setTimeout(r, 50 * 2 ** attempt));
        const { UnprocessedItems } = await db.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
        requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
        if (attempt >= 5 && requests.length > 0)
          throw new Error(`Could not write ${requests.length} approver index entries`);
      }
    }
  },

  /**
   * Copies the request's current status onto its byApprover entries, so approver + status can be filtered
   * in the index. It trails the request item by the moments between a status write and this call. Writers race
   * (the decider's APPROVED, the workflow's outcome), so a copy from an earlier stage than the one stored is refused
   * and the later status stays: the copies converge whatever order the writes land in.
   */
  async syncApproverStatus(item: Pick<RequestItem, 'requestId' | 'approvers' | 'status'>): Promise<void> {
    await Promise.all(
      item.approvers.map(async (approver) => {
        // Refused when the entry does not exist (never written, or not yet), or already holds a later stage's
        // status: a slow writer of an earlier status must never overwrite a later one.
        await conditionalWrite(
          db,
          new UpdateCommand({
            TableName: tableName,
            Key: approverKey(item.requestId, approver),
            UpdateExpression: 'SET #ref.#status = :status, approverStatus = :approverStatus, statusStage = :stage',
            ConditionExpression:
              'attribute_exists(pk) AND (attribute_not_exists(statusStage) OR statusStage <= :stage)',
            ExpressionAttributeNames: { '#ref': 'ref', '#status': 'status' },
            ExpressionAttributeValues: {
              ':status': item.status,
              ':approverStatus': approverStatusKey(approver, item.status),
              ':stage': STATUS_STAGE[item.status],
            },
          }),
        );
      }),
    );
  },

  async putTaskToken(requestId: string, taskToken: string): Promise<void> {
    await db.send(new PutCommand({ TableName: tableName, Item: { ...taskTokenKey(requestId), taskToken } }));
  },

  async getTaskToken(requestId: string): Promise<string | undefined> {
    const { Item } = await db.send(
      new GetCommand({ TableName: tableName, Key: taskTokenKey(requestId), ConsistentRead: true }),
    );
    return typeof Item?.taskToken === 'string' ? Item.taskToken : undefined;
  },

  /**
   * Claims the early end of an ACTIVE grant, first caller wins: the condition is what makes a second (or a
   * concurrent) revoke a conflict rather than a second SendTaskSuccess. False when the claim was refused.
   */
  async markRevokeRequested(requestId: string, by: string, at: string): Promise<boolean> {
    return conditionalWrite(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: requestKey(requestId),
        UpdateExpression: 'SET revokeRequestedBy = :by, events = list_append(events, :event), updatedAt = :now',
        ConditionExpression: '#status = :active AND attribute_not_exists(revokeRequestedBy)',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':by': by,
          ':event': [event(at, 'revoke_requested', { by })],
          ':now': at,
          ':active': 'ACTIVE',
        },
      }),
    );
  },

  /**
   * Takes back a revoke claim whose resume never reached the workflow, so the caller can try again instead of
   * meeting "already requested" while the grant runs on. Only the claimant's own claim, and only while ACTIVE.
   */
  async withdrawRevokeRequest(requestId: string, by: string, at: string, reason: string): Promise<boolean> {
    return conditionalWrite(
      db,
      new UpdateCommand({
        TableName: tableName,
        Key: requestKey(requestId),
        UpdateExpression: 'REMOVE revokeRequestedBy SET events = list_append(events, :event), updatedAt = :now',
        ConditionExpression: '#status = :active AND revokeRequestedBy = :by',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: {
          ':by': by,
          ':event': [event(at, 'revoke_request_failed', { by, error: reason })],
          ':now': at,
          ':active': 'ACTIVE',
        },
      }),
    );
  },

  /** Remembers where a recipient's message went (one attribute per recipient, so concurrent saves never clash). */
  async saveMessageRef(requestId: string, recipient: string, ref: { channel: string; ts: string }): Promise<void> {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: messagesKey(requestId),
        UpdateExpression: 'SET #recipient = :ref',
        ExpressionAttributeNames: { '#recipient': `to:${recipient}` },
        ExpressionAttributeValues: { ':ref': ref },
      }),
    );
  },

  /**
   * Remembers one of the request's shared messages, apart from the approvers' (`to:` attributes): the approval message
   * posted once in the rule's Slack channel, or the requester's own DM for a request made in Slack. Apart, so the
   * approvers' rewrite never reaches them; each is redrawn by its own builder.
   */
  async saveSharedMessageRef(requestId: string, which: SharedMessage, ref: StoredMessageRef): Promise<void> {
    await db.send(
      new UpdateCommand({
        TableName: tableName,
        Key: messagesKey(requestId),
        UpdateExpression: 'SET #which = :ref',
        ExpressionAttributeNames: { '#which': SHARED_MESSAGE_ATTRIBUTES[which] },
        ExpressionAttributeValues: { ':ref': ref },
      }),
    );
  },

  /**
   * Where the request's messages are, from one read: each approver's DM by recipient, and beside them (as properties of
   * the map, so readers that only know the approvers' refs see nothing new) the channel message and the requester's DM.
   */
  async getMessageRefs(requestId: string): Promise<MessageRefs> {
    const { Item } = await db.send(
      new GetCommand({ TableName: tableName, Key: messagesKey(requestId), ConsistentRead: true }),
    );
    const refs: MessageRefs = new Map(
      Object.entries(Item ?? {})
        .filter(([name]) => name.startsWith('to:'))
        .map(([name, ref]) => [name.slice(3), ref as { channel: string; ts: string }]),
    );
    for (const [which, attribute] of Object.entries(SHARED_MESSAGE_ATTRIBUTES) as Array<[SharedMessage, string]>) {
      const ref = Item?.[attribute] as StoredMessageRef | undefined;
      if (ref) refs[which] = ref;
    }
    return refs;
  },

  async getIdempotency(requester: string, key: string): Promise<IdempotencyRecord | undefined> {
    const { Item } = await db.send(
      new GetCommand({ TableName: tableName, Key: idempotencyKey(requester, key), ConsistentRead: true }),
    );
    return Item as IdempotencyRecord | undefined;
  },

  /** Claims an idempotency key; false when someone (an earlier or concurrent call) already holds it. */
  async putIdempotency(
    requester: string,
    key: string,
    record: IdempotencyRecord,
    expiresAtEpochSeconds: number,
  ): Promise<boolean> {
    return conditionalWrite(
      db,
      new PutCommand({
        TableName: tableName,
        Item: { ...idempotencyKey(requester, key), ...record, ttl: expiresAtEpochSeconds },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  },
});

export type RequestRepository = ReturnType<typeof createRequestRepository>;
