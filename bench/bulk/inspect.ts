// Reading the outcome straight from the stack's stores: the requests table and Identity Center (the emulator).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { countPartition } from '../lib/dynamo.js';
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
  /** A time-bound grant's end (wall time, ISO), set when it became ACTIVE. */
  activeUntil?: string;
  events?: StoredEvent[];
  error?: { name?: string; cause?: string };
}

export const countStatus = (db: DynamoDBDocumentClient, tableName: string, status: string): Promise<number> =>
  countPartition(db, tableName, 'byStatus', 'status', status);

export const readRequests = async (db: DynamoDBDocumentClient, tableName: string): Promise<RequestItem[]> => {
  const items: RequestItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({
        TableName: tableName,
        FilterExpression: 'sk = :sk',
        ExpressionAttributeValues: { ':sk': 'REQUEST' },
        ExclusiveStartKey: start,
      }),
    );
    items.push(...((page.Items ?? []) as RequestItem[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};

/** Every principal Identity Center lists on the scenario's account and permission set, through a real SDK client. */
export const listAssignments = async (awsUrl: string): Promise<string[]> => {
  // The listing shares the 20 TPS too; the SDK's own retries ride out any throttling after the run.
  const sso = new SSOAdminClient({
    endpoint: awsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    maxAttempts: 20,
  });
  try {
    const principals: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await sso.send(
        new ListAccountAssignmentsCommand({
          InstanceArn: INSTANCE_ARN,
          AccountId: ACCOUNT_ID,
          PermissionSetArn: PERMISSION_SET_ARN,
          MaxResults: 100,
          NextToken,
        }),
      );
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
  const state = JSON.parse(readFileSync(join(dataDir, 'sso-admin.json'), 'utf8')) as {
    operations?: Array<{ kind: string; PrincipalId: string }>;
  };
  const counts = new Map<string, number>();
  for (const op of state.operations ?? [])
    if (op.kind === 'create') counts.set(op.PrincipalId, (counts.get(op.PrincipalId) ?? 0) + 1);
  return counts;
};

export const principalOf = (item: RequestItem): string =>
  (JSON.parse(item.parameters) as { PrincipalId: string }).PrincipalId;

/** The recorded error's name; for throttling, which of Identity Center's two limits refused it. */
export const errorName = (event: StoredEvent): string => {
  try {
    const detail = JSON.parse(event.detail ?? '{}') as { error?: string; message?: string };
    const name = detail.error ?? 'unknown';
    if (name !== 'ThrottlingException') return name;
    return `${name} (${/in progress/.test(detail.message ?? '') ? 'outstanding' : 'rate'})`;
  } catch {
    return 'unknown';
  }
};
