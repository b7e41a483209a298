// The calls a user with the AWS CLI makes first against the local stack, through the real SDK clients the CLI's
// requests match (the CLI itself is not run here: it would lengthen every CI run). Issue 11 lists them.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeTimeToLiveCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import {
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
} from '@aws-sdk/client-sfn';
import {
  DescribePermissionSetCommand,
  ListInstancesCommand,
  ListPermissionSetsCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { timeToLiveOf } from '../../../local/dynamodb.js';
import { loadServerlessConfig, type TableDefinition } from '../../../local/serverlessConfig.js';
import { startLocalStack, type LocalStack } from '../../../local/stack.js';
import { SSO_PARAMETERS, ssoRequest } from '../../fixtures/requests.js';

let dataDir: string;
let stack: LocalStack;
let clients: { sfn: SFNClient; sso: SSOAdminClient; dynamodb: DynamoDBClient };

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'aa-cli-'));
  stack = await startLocalStack({ port: 0, awsPort: 0, dataDir, quiet: true, timeScale: 0.01 });
  // Any credentials work locally, as with `AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x aws --endpoint-url …`.
  const config = {
    endpoint: stack.awsUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  };
  clients = { sfn: new SFNClient(config), sso: new SSOAdminClient(config), dynamodb: new DynamoDBClient(config) };
});

afterAll(async () => {
  for (const client of Object.values(clients)) client.destroy();
  await stack.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the AWS CLI’s first calls against the local stack', () => {
  it('stepfunctions list-state-machines and describe-state-machine find the approval workflow', async () => {
    // Act
    const listed = await clients.sfn.send(new ListStateMachinesCommand({}));
    const described = await clients.sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: stack.stateMachineArn }),
    );

    // Assess
    expect(listed.stateMachines?.map((machine) => machine.stateMachineArn)).toEqual([stack.stateMachineArn]);
    expect(described).toMatchObject({ name: 'access-approvals-local-approval', status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition ?? '{}')).toHaveProperty('StartAt');
  });

  it('stepfunctions describe-state-machine-for-execution describes the machine a submitted request runs', async () => {
    // Prepare
    const token = await fetch(`${stack.httpUrl}/local/tokens`, {
      method: 'POST',
      body: JSON.stringify({ sub: 'alice', email: 'alice@example.com' }),
    }).then(async (answer) => ((await answer.json()) as { token: string }).token);
    const submitted = await fetch(`${stack.httpUrl}/requests`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': 'cli-1' },
      body: JSON.stringify(ssoRequest()),
    });
    const { executions } = await clients.sfn.send(
      new ListExecutionsCommand({ stateMachineArn: stack.stateMachineArn }),
    );

    // Act
    const described = await clients.sfn.send(
      new DescribeStateMachineForExecutionCommand({ executionArn: executions?.[0]?.executionArn }),
    );

    // Assess
    expect(submitted.status).toBe(202);
    expect(described).toMatchObject({
      stateMachineArn: stack.stateMachineArn,
      name: 'access-approvals-local-approval',
    });
  });

  it('sso-admin list-instances, list-permission-sets and describe-permission-set answer from the fixtures', async () => {
    // Act
    const { Instances } = await clients.sso.send(new ListInstancesCommand({}));
    const { PermissionSets } = await clients.sso.send(
      new ListPermissionSetsCommand({ InstanceArn: SSO_PARAMETERS.InstanceArn }),
    );
    const { PermissionSet } = await clients.sso.send(
      new DescribePermissionSetCommand({
        InstanceArn: SSO_PARAMETERS.InstanceArn,
        PermissionSetArn: SSO_PARAMETERS.PermissionSetArn,
      }),
    );

    // Assess
    expect(Instances).toEqual([expect.objectContaining({ InstanceArn: SSO_PARAMETERS.InstanceArn, Status: 'ACTIVE' })]);
    // The default fixtures name no identity store on this branch; with an identityStore section, its id is reported.
    expect(Instances?.[0]?.IdentityStoreId).toMatch(/^d-[0-9a-f]{10}$/);
    expect(PermissionSets).toContain(SSO_PARAMETERS.PermissionSetArn);
    expect(PermissionSet).toMatchObject({ Name: 'ReadOnly', PermissionSetArn: SSO_PARAMETERS.PermissionSetArn });
  });

  it('dynamodb describe-time-to-live answers ENABLED on ttl, as serverless.yml defines the table', async () => {
    // Prepare
    const declared = loadServerlessConfig().table.properties.TimeToLiveSpecification;

    // Act
    const { TimeToLiveDescription } = await clients.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: stack.tableName }),
    );

    // Assess
    expect(declared).toEqual({ AttributeName: 'ttl', Enabled: true });
    expect(TimeToLiveDescription).toEqual({ TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' });
  });

  it('dynamodb describe-time-to-live on a table that does not exist still gets dynalite’s ResourceNotFoundException', async () => {
    // Act
    const error = await clients.dynamodb
      .send(new DescribeTimeToLiveCommand({ TableName: 'no-such-table' }))
      .catch((caught: unknown) => caught);

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
  });
});

describe('timeToLiveOf', () => {
  const table = (TimeToLiveSpecification?: { AttributeName: string; Enabled: boolean }): TableDefinition => ({
    logicalId: 'Table',
    properties: {
      AttributeDefinitions: [],
      KeySchema: [],
      ...(TimeToLiveSpecification ? { TimeToLiveSpecification } : {}),
    },
  });

  it.each([
    [
      'enabled on expiresAt',
      table({ AttributeName: 'expiresAt', Enabled: true }),
      { TimeToLiveStatus: 'ENABLED', AttributeName: 'expiresAt' },
    ],
    ['declared but disabled', table({ AttributeName: 'ttl', Enabled: false }), { TimeToLiveStatus: 'DISABLED' }],
    ['not declared', table(), { TimeToLiveStatus: 'DISABLED' }],
  ])('answers what AWS would for a table with TTL %s', (_, definition, expected) => {
    // Act
    const description = timeToLiveOf(definition);

    // Assess
    expect(description).toEqual(expected);
  });
});
