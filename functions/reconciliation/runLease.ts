// One reconciler run at a time: a lease item in the requests table, taken with one conditional write that succeeds
// only when no lease is held or the one held has expired. It is short (reconciler.ts renews it while the run goes
// on), so a run that died (a killed process locally, a Lambda past its timeout) holds up the next for two AWS minutes
// at most. Scheduler and Lambda retries are off too (serverless.yml), but a late tick or a manual invoke must still
// never overlap a run: two runs would each claim, delete and poll the same grants.
import { randomUUID } from 'node:crypto';
import { UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Clock } from '../shared/clock.js';
import { conditionalWrite } from '../shared/conditionalWrite.js';

export const RUN_LEASE_KEY = { pk: 'RECONCILER#RUN', sk: 'LEASE' };

export interface RunLease {
  /** True when this run holds the lease until `untilMs` (wall ms since the epoch); false when another run holds it. */
  acquire(untilMs: number): Promise<boolean>;
  /** Extends the lease to `untilMs`; false when it is no longer ours (it expired and another run took it). */
  renew(untilMs: number): Promise<boolean>;
  /** Gives the lease back early (a no-op when it is no longer ours); the next run need not wait for it to expire. */
  release(): Promise<void>;
}

export const createRunLease = (deps: { db: DynamoDBDocumentClient; tableName: string; clock: Clock }): RunLease => {
  const holder = randomUUID();
  return {
    acquire: (untilMs) =>
      conditionalWrite(
        deps.db,
        new UpdateCommand({
          TableName: deps.tableName,
          Key: RUN_LEASE_KEY,
          UpdateExpression: 'SET holder = :holder, expiresAt = :until, takenAt = :now',
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: {
            ':holder': holder,
            ':until': new Date(untilMs).toISOString(),
            ':now': deps.clock.now().toISOString(),
          },
        }),
      ),
    renew: (untilMs) =>
      conditionalWrite(
        deps.db,
        new UpdateCommand({
          TableName: deps.tableName,
          Key: RUN_LEASE_KEY,
          UpdateExpression: 'SET expiresAt = :until',
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder, ':until': new Date(untilMs).toISOString() },
        }),
      ),
    release: async () => {
      await conditionalWrite(
        deps.db,
        new UpdateCommand({
          TableName: deps.tableName,
          Key: RUN_LEASE_KEY,
          UpdateExpression: 'SET expiresAt = :now',
          ConditionExpression: 'holder = :holder',
          ExpressionAttributeValues: { ':holder': holder, ':now': deps.clock.now().toISOString() },
        }),
      );
    },
  };
};
