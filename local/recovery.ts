// The local engine cannot resume an execution that was running when the process died (its state lives in
// memory). Rather than leave such requests silently waiting forever, the stack settles them at start-up, before the
// reconciler's first run:
// - PENDING_APPROVAL (and an approved Proton request) becomes FAILED: nothing was done, so it is asked again;
// - an approved SSO request becomes OUTCOME_UNKNOWN: its creation may or may not have been accepted, and the
//   reconciler settles it (the grant recorded, or FAILED with the assignment verified absent), never FAILED unverified;
// - an ACTIVE grant stays ACTIVE with a `workflow_lost` event: its execution now reads ABORTED, so the reconciler
//   removes it at its end time and records REVOKED with an event that says how.
// Each gets an event saying why; nothing is deleted or rewritten otherwise.
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { event, createRequestRepository } from '../functions/requests/repository.js';
import type { RequestStatus } from '../functions/requests/model.js';

export const ENGINE_RESTARTED = 'LocalEngineRestarted';

interface LostInput {
  action?: string;
  keys?: Record<string, never>;
  statusKeys?: Partial<Record<RequestStatus, Record<string, string>>>;
}

interface Transition {
  from: RequestStatus[];
  /** Undefined: the status stays, and only the event is appended. */
  to?: RequestStatus;
  event: string;
  cause: string;
  /** Whether an error is recorded on the request. */
  error: boolean;
}

const SSO_ACTION = 'sso:CreateAccountAssignment';

const transitionsFor = (action: string | undefined): Transition[] => [
  {
    from: action === SSO_ACTION ? ['PENDING_APPROVAL'] : ['PENDING_APPROVAL', 'APPROVED'],
    to: 'FAILED',
    event: 'failed',
    error: true,
    cause:
      'The local stack stopped while this request was in progress and its workflow cannot be resumed; submit it again.',
  },
  {
    from: ['APPROVED'],
    to: 'OUTCOME_UNKNOWN',
    event: 'outcome_unknown',
    error: true,
    cause:
      'The local stack stopped while this approved request was being provisioned, so whether the assignment was created is unknown; the reconciler verifies it and records the grant or its absence.',
  },
  {
    from: ['ACTIVE'],
    event: 'workflow_lost',
    error: false,
    cause:
      'The local stack stopped while this grant was active, so its workflow was lost; the reconciler removes the access at its end time.',
  },
];

/** Marks the requests of lost executions; returns how many were changed. */
export const failLostRequests = async (
  dynamodb: DynamoDBClient,
  tableName: string,
  lost: ReadonlyArray<{ input: string }>,
  now = new Date(),
): Promise<number> => {
  const db = DynamoDBDocumentClient.from(dynamodb);
  const repository = createRequestRepository({ db, tableName });
  let changed = 0;
  for (const execution of lost) {
    let input: LostInput;
    try {
      input = JSON.parse(execution.input) as LostInput;
    } catch {
      continue;
    }
    if (!input.keys) continue;
    const key = unmarshall(input.keys);
    for (const { from, to, event: type, error, cause } of transitionsFor(input.action)) {
      const indexKeys = to ? (input.statusKeys?.[to] ?? {}) : {};
      const at = now.toISOString();
      const sets = [
        ...(to ? ['#status = :to'] : []),
        ...(error ? ['#error = :error'] : []),
        'updatedAt = :at',
        'events = list_append(events, :event)',
        ...Object.keys(indexKeys).map((name) => `${name} = :${name}`),
      ];
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: `SET ${sets.join(', ')}`,
            ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
            ExpressionAttributeNames: { '#status': 'status', ...(error ? { '#error': 'error' } : {}) },
            ExpressionAttributeValues: {
              ...(to ? { ':to': to } : {}),
              ...(error ? { ':error': { name: ENGINE_RESTARTED, cause } } : {}),
              ':at': at,
              ':event': [event(at, type, { error: ENGINE_RESTARTED, ...(error ? {} : { cause }) })],
              ...Object.fromEntries(from.map((status, i) => [`:from${i}`, status])),
              ...Object.fromEntries(Object.entries(indexKeys).map(([name, value]) => [`:${name}`, value])),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        changed += 1;
        if (Attributes && to)
          await repository.syncApproverStatus(
            Attributes as { requestId: string; approvers: string[]; status: RequestStatus },
          );
        break;
      } catch (error) {
        if (
          !(error instanceof ConditionalCheckFailedException) &&
          (error as Error).name !== 'ConditionalCheckFailedException'
        )
          throw error;
      }
    }
  }
  return changed;
};
