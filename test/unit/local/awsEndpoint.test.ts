import { describe, it, expect, beforeAll, afterAll, jest } from '@jest/globals';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
} from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  SFNClient,
  SendTaskSuccessCommand,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { startAwsEndpoint, type AwsEndpoint } from '../../../local/awsEndpoint.js';
import { startDynalite, type LocalDynamo } from '../../../local/dynamodb.js';
import { FaultInjector, parseFaults } from '../../../local/emulators/faults.js';
import { AwsServiceError, type ServiceEmulator } from '../../../local/emulators/types.js';

const credentials = { accessKeyId: 'anything', secretAccessKey: 'goes' };
const calls: Array<{ operation: string; input: unknown }> = [];

// Stands in for the Step Functions emulator: one success, one AWS error, one crash.
const fakeStepFunctions: ServiceEmulator = {
  targetPrefix: 'AWSStepFunctions',
  serviceName: 'states',
  contentType: 'application/x-amz-json-1.0',
  async handle(operation, input) {
    calls.push({ operation, input });
    if (operation === 'DescribeExecution') {
      return {
        status: 200,
        body: {
          executionArn: (input as { executionArn: string }).executionArn,
          status: 'RUNNING',
          startDate: 1700000000,
        },
      };
    }
    if (operation === 'StartExecution') throw new AwsServiceError('ExecutionAlreadyExists', 'Execution Already Exists');
    throw new Error('emulator bug');
  },
};

let dynalite: LocalDynamo;
let endpoint: AwsEndpoint;
let dynamodb: DynamoDBClient;
let sfn: SFNClient;
const logError = jest.fn<(line: string) => void>();

beforeAll(async () => {
  dynalite = await startDynalite();
  endpoint = await startAwsEndpoint({
    port: 0,
    host: '127.0.0.1',
    dynamodbEndpoint: dynalite.endpoint,
    emulators: [fakeStepFunctions],
    faults: new FaultInjector(
      parseFaults(
        'dynamodb.Query=ProvisionedThroughputExceededException:1,states.SendTaskSuccess=ThrottlingException:1',
      ),
    ),
    logError,
  });
  dynamodb = new DynamoDBClient({ endpoint: endpoint.url, region: 'us-east-1', credentials, maxAttempts: 1 });
  sfn = new SFNClient({ endpoint: endpoint.url, region: 'us-east-1', credentials, maxAttempts: 1 });
});

afterAll(async () => {
  dynamodb.destroy();
  sfn.destroy();
  await endpoint.close();
  await dynalite.close();
});

const post = (target: string, body: string) =>
  fetch(endpoint.url, {
    method: 'POST',
    headers: { 'x-amz-target': target, 'content-type': 'application/x-amz-json-1.0' },
    body,
  });

describe('startAwsEndpoint', () => {
  it('proxies DynamoDB to dynalite so the real SDK client works end to end', async () => {
    // Prepare
    await dynamodb.send(
      new CreateTableCommand({
        TableName: 'items',
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      }),
    );

    // Act
    await dynamodb.send(new PutItemCommand({ TableName: 'items', Item: { pk: { S: 'a' }, n: { N: '1' } } }));
    const { Item } = await dynamodb.send(new GetItemCommand({ TableName: 'items', Key: { pk: { S: 'a' } } }));

    // Assess
    expect(Item).toEqual({ pk: { S: 'a' }, n: { N: '1' } });
  });

  it('passes DynamoDB errors through unchanged', async () => {
    // Act
    const missing = dynamodb.send(new GetItemCommand({ TableName: 'missing', Key: { pk: { S: 'a' } } }));

    // Assess
    await expect(missing).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('injects DynamoDB faults before dynalite sees the request', async () => {
    // Act
    const query = dynamodb.send(
      new QueryCommand({
        TableName: 'items',
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: 'a' } },
      }),
    );

    // Assess
    await expect(query).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
  });

  it('dispatches on the X-Amz-Target prefix to the emulator, with the parsed input', async () => {
    // Prepare
    const executionArn = 'arn:aws:states:us-east-1:000000000000:execution:sm:r-1';

    // Act
    const output = await sfn.send(new DescribeExecutionCommand({ executionArn }));

    // Assess
    expect(output.status).toBe('RUNNING');
    expect(output.startDate).toEqual(new Date(1700000000 * 1000));
    expect(calls.at(-1)).toEqual({ operation: 'DescribeExecution', input: { executionArn } });
  });

  it('returns emulator errors under their AWS name, in body and x-amzn-ErrorType', async () => {
    // Act
    const start = sfn
      .send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:sm',
          name: 'r-1',
        }),
      )
      .catch((error: unknown) => error);
    const raw = await post('AWSStepFunctions.StartExecution', '{}');

    // Assess
    expect(await start).toMatchObject({ name: 'ExecutionAlreadyExists', message: 'Execution Already Exists' });
    expect(raw.status).toBe(400);
    expect(raw.headers.get('content-type')).toBe('application/x-amz-json-1.0');
    expect(raw.headers.get('x-amzn-errortype')).toBe('ExecutionAlreadyExists');
    expect(await raw.json()).toEqual({ __type: 'ExecutionAlreadyExists', message: 'Execution Already Exists' });
  });

  it('applies faults by service and operation without calling the emulator', async () => {
    // Prepare
    const before = calls.length;

    // Act
    const send = sfn.send(new SendTaskSuccessCommand({ taskToken: 't', output: '{}' }));

    // Assess
    await expect(send).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(calls).toHaveLength(before);
  });

  it('answers an unknown target with UnknownOperationException and bad JSON with SerializationException', async () => {
    // Act
    const unknown = await post('Nope_2020.DoIt', '{}');
    const missing = await fetch(endpoint.url, { method: 'POST', body: '{}' });
    const badJson = await post('AWSStepFunctions.DescribeExecution', '{not json');

    // Assess
    expect(unknown.status).toBe(400);
    expect(((await unknown.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    expect(badJson.status).toBe(400);
    expect(badJson.headers.get('x-amzn-errortype')).toBe('SerializationException');
  });

  it('turns an emulator crash into a 500 InternalFailure and logs it', async () => {
    // Act
    const crash = await post('AWSStepFunctions.GetExecutionHistory', '{"executionArn":"x"}');

    // Assess
    expect(crash.status).toBe(500);
    expect(((await crash.json()) as { __type: string }).__type).toBe('InternalFailure');
    expect(logError).toHaveBeenCalledWith(expect.stringContaining('emulator bug'));
  });

  it('answers GET / with a health line', async () => {
    // Act
    const health = await fetch(endpoint.url);

    // Assess
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok', services: ['DynamoDB', 'states'] });
  });
});
