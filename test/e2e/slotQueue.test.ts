// More creations at once than Identity Center has slots for, on the real local stack: the executions that find every
// creation slot taken wait in the slots' queue (AwaitCreationSlot), each is handed a slot by a release and resumed,
// and every grant is created and revoked once. Nothing is left in the queue.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { GetExecutionHistoryCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { slotWaitersPartition } from '../../functions/requests/keys.js';
import { SSO_PARAMETERS, newDataDir, ssoRequest, startHarness, type Harness } from './harness.js';

// The default 15 slots of each kind; twice as many grants, approved together and all ending together.
const GRANTS = 30;
const PRINCIPALS = Array.from(
  { length: GRANTS },
  (_, i) => `a81d4fae-7dec-11d0-a765-00a0c91e7e${String(i).padStart(2, '0')}`,
);
const FIXTURES = JSON.stringify({
  sso: {
    instanceArn: SSO_PARAMETERS.InstanceArn,
    permissionSets: [SSO_PARAMETERS.PermissionSetArn],
    principals: PRINCIPALS.map((id) => ({ id, type: 'USER' })),
    accounts: ['111111111111'],
    provisioningSeconds: 3,
  },
});

let h: Harness;
let alice: string;

beforeAll(async () => {
  const dataDir = newDataDir();
  const policyFile = join(dataDir, 'policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      approvalTimeoutSeconds: 86_400,
      auditors: ['dana@example.com'],
      rules: [{ action: 'sso:CreateAccountAssignment', approvers: ['bob@example.com'] }],
    }),
  );
  h = await startHarness({ dataDir, policyFile, fixtures: FIXTURES, timeScale: 0.05 });
  alice = await h.token('alice@example.com');
});

afterAll(async () => {
  await h.close();
});

const statesEntered = async (sfn: SFNClient, requestId: string): Promise<string[]> => {
  const executionArn = `${h.stack.stateMachineArn.replace(':stateMachine:', ':execution:')}:${requestId}`;
  const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return events.flatMap((e) => (e.stateEnteredEventDetails?.name ? [e.stateEnteredEventDetails.name] : []));
};

const waiting = async (dynamodb: DynamoDBClient): Promise<number> =>
  (
    await dynamodb.send(
      new QueryCommand({
        TableName: h.stack.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: slotWaitersPartition('creation', SSO_PARAMETERS.InstanceArn) } },
        ConsistentRead: true,
      }),
    )
  ).Count ?? 0;

describe('twice as many grants as slots, approved and ending together', () => {
  it('queues the rest, hands each a slot, and creates and revokes every grant once', async () => {
    // Prepare
    const requests: Array<{ requestId: string; link: string }> = [];
    for (const PrincipalId of PRINCIPALS) {
      const submitted = await h.call('POST', '/requests', {
        token: alice,
        body: { ...ssoRequest({ PrincipalId }), durationMinutes: 1 },
      });
      expect(submitted.status).toBe(202);
      const { requestId } = submitted.body as { requestId: string };
      requests.push({ requestId, link: [...(await h.waitForLinks(requestId, 1)).values()][0]! });
    }

    // Act
    await Promise.all(
      requests.map((r) =>
        h.call('POST', r.link, {
          rawBody: 'decision=approve',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        }),
      ),
    );
    const finals = await Promise.all(
      requests.map((r) =>
        h.waitForStatus(r.requestId, alice, ['REVOKED', 'REVOKE_FAILED', 'FAILED', 'OUTCOME_UNKNOWN'], 120_000),
      ),
    );

    // Assess
    expect(finals.map((f) => (f as { status: string }).status)).toEqual(requests.map(() => 'REVOKED'));
    const sfn = new SFNClient(h.aws);
    const entered = await Promise.all(requests.map((r) => statesEntered(sfn, r.requestId)));
    sfn.destroy();
    expect(entered.filter((states) => states.includes('AwaitCreationSlot')).length).toBeGreaterThan(0);
    for (const states of entered) {
      expect(states.filter((s) => s === 'RecordActive')).toHaveLength(1);
      expect(states.filter((s) => s === 'RecordRevoked')).toHaveLength(1);
    }
    const dynamodb = new DynamoDBClient(h.aws);
    expect(await waiting(dynamodb)).toBe(0);
    dynamodb.destroy();
    const sso = new SSOAdminClient({ ...h.aws, maxAttempts: 10 });
    const listed = await sso.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: SSO_PARAMETERS.InstanceArn,
        AccountId: '111111111111',
        PermissionSetArn: SSO_PARAMETERS.PermissionSetArn,
        MaxResults: 100,
      }),
    );
    sso.destroy();
    expect((listed.AccountAssignments ?? []).filter((a) => PRINCIPALS.includes(a.PrincipalId ?? ''))).toEqual([]);
  }, 180_000);
});
