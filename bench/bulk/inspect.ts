// Reading the outcome straight from the stack's stores: the requests table and Identity Center (the emulator).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { PutCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { assignmentKey } from '../../functions/requests/keys.js';
import { pool } from './driver.js';
import { ACCOUNT_ID, INSTANCE_ARN, PERMISSION_SET_ARN } from './workload.js';

export interface StoredEvent {
  at: string;
  type: string;
  detail?: string;
}

export interface RequestItem {
  requestId: string;
  /** JSON text of the action's parameters. */
  parameters: string;
  status: string;
  events?: StoredEvent[];
  error?: { name?: string; cause?: string };
}

export const countStatus = async (db: DynamoDBDocumentClient, tableName: string, status: string): Promise<number> => {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': status },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
};

export const readRequests = async (db: DynamoDBDocumentClient, tableName: string): Promise<RequestItem[]> => {
  const items: RequestItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({ TableName: tableName, FilterExpression: 'sk = :sk', ExpressionAttributeValues: { ':sk': 'REQUEST' }, ExclusiveStartKey: start }),
    );
    items.push(...((page.Items ?? []) as RequestItem[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};

export const listAssignments = async (awsUrl: string): Promise<string[]> => {
  // The listing shares the 20 TPS too; the SDK's own retries ride out any throttling after the run.
  const sso = new SSOAdminClient({ endpoint: awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 20 });
  try {
    const principals: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await sso.send(new ListAccountAssignmentsCommand({ InstanceArn: INSTANCE_ARN, AccountId: ACCOUNT_ID, PermissionSetArn: PERMISSION_SET_ARN, MaxResults: 100, NextToken }));
      principals.push(...(page.AccountAssignments ?? []).map((a) => a.PrincipalId ?? '?'));
      NextToken = page.NextToken;
    } while (NextToken);
    return principals;
  } finally {
    sso.destroy();
  }
};

/** Creation operations the emulator started, per principal, from its state file. */
export const creationsPerPrincipal = (dataDir: string): Map<string, number> => {
  const state = JSON.parse(readFileSync(join(dataDir, 'sso-admin.json'), 'utf8')) as { operations?: Array<{ kind: string; PrincipalId: string }> };
  const counts = new Map<string, number>();
  for (const op of state.operations ?? []) if (op.kind === 'create') counts.set(op.PrincipalId, (counts.get(op.PrincipalId) ?? 0) + 1);
  return counts;
};

export const principalOf = (item: RequestItem): string => (JSON.parse(item.parameters) as { PrincipalId: string }).PrincipalId;

export const errorName = (event: StoredEvent): string => {
  try {
    const detail = JSON.parse(event.detail ?? '{}') as { error?: string };
    return detail.error ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

/** The what-if of skipExistenceCheck: a ledger item per assignment that already holds a (placeholder) grant. */
export const seedLedger = async (db: DynamoDBDocumentClient, tableName: string, principals: readonly string[]): Promise<void> => {
  await pool(principals, 16, async (PrincipalId) => {
    const assignment = { InstanceArn: INSTANCE_ARN, PermissionSetArn: PERMISSION_SET_ARN, PrincipalId, PrincipalType: 'USER', TargetId: ACCOUNT_ID, TargetType: 'AWS_ACCOUNT' };
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...assignmentKey(assignment), assignment, grants: { 'bench-placeholder': 'permanent' }, preExisting: false, version: 1 },
      }),
    );
  });
};

