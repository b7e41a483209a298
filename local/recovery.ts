// The local engine cannot resume an execution that was running when the process died (its state lives in
// memory). Rather than leave such requests silently PENDING_APPROVAL forever, the stack fails them visibly
// at start-up: pending or approved requests become FAILED, and an ACTIVE time-bound grant, whose revocation
// was lost with the engine, becomes REVOKE_FAILED so the loud path applies. Each gets an event and an
// error saying why; nothing is deleted or rewritten otherwise.
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { event, createRequestRepository } from '../functions/requests/repository.js';
import type { RequestStatus } from '../functions/requests/model.js';

export const ENGINE_RESTARTED = 'LocalEngineRestarted';

interface LostInput {
  keys?: Record<string, never>;
  statusKeys?: Partial<Record<RequestStatus, Record<string, string>>>;
}

const transitions: Array<{ from: RequestStatus[]; to: RequestStatus; cause: string }> = [
  {
    from: ['PENDING_APPROVAL', 'APPROVED'],
    to: 'FAILED',
    cause:
      'The local stack stopped while this request was in progress and its workflow cannot be resumed; submit it again.',
  },
  {
    from: ['ACTIVE'],
    to: 'REVOKE_FAILED',
    cause:
      'The local stack stopped while this grant was active, so its scheduled revocation was lost; the access may still be in place.',
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
    for (const { from, to, cause } of transitions) {
      const indexKeys = input.statusKeys?.[to] ?? {};
      const at = now.toISOString();
      try {
        const { Attributes } = await db.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: `SET #status = :to, #error = :error, updatedAt = :at, events = list_append(events, :event)${Object.keys(
              indexKeys,
            )
              .map((name) => `, ${name} = :${name}`)
              .join('')}`,
            ConditionExpression: `#status IN (${from.map((_, i) => `:from${i}`).join(', ')})`,
            ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
            ExpressionAttributeValues: {
              ':to': to,
              ':error': { name: ENGINE_RESTARTED, cause },
              ':at': at,
              ':event': [event(at, to === 'FAILED' ? 'failed' : 'revoke_failed', { error: ENGINE_RESTARTED })],
              ...Object.fromEntries(from.map((status, i) => [`:from${i}`, status])),
              ...Object.fromEntries(Object.entries(indexKeys).map(([name, value]) => [`:${name}`, value])),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        changed += 1;
        if (Attributes)
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
