// The state machine calls (ListStateMachines, DescribeStateMachine, DescribeStateMachineForExecution) through the
// real SDK client and the real local endpoint, valid and invalid inputs alike.
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import {
  DescribeStateMachineCommand,
  DescribeStateMachineForExecutionCommand,
  ExecutionDoesNotExist,
  InvalidArn,
  InvalidToken,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  StateMachineDoesNotExist,
  ValidationException,
  paginateListStateMachines,
} from '@aws-sdk/client-sfn';
import { createStepFunctionsEmulator, type StepFunctionsEmulator } from '../../../local/emulators/stepFunctions.js';
import { serveEmulator, type EmulatorEndpoint } from '../../fixtures/awsEndpoint.js';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:machines-test';
const EXECUTIONS = 'arn:aws:states:us-east-1:000000000000:execution:machines-test';
const ROLE = 'arn:aws:iam::000000000000:role/machines-test-role';
const definition = { Comment: 'one pass state', StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } };

let emulator: StepFunctionsEmulator;
let served: EmulatorEndpoint;
let sfn: SFNClient;
let before: Date;

beforeAll(async () => {
  before = new Date(Math.floor(Date.now() / 1000) * 1000);
  emulator = createStepFunctionsEmulator({
    definition,
    stateMachineArn: ARN,
    roleArn: ROLE,
    taskRunner: { run: async () => ({}) },
  });
  served = await serveEmulator(emulator);
  sfn = new SFNClient({
    endpoint: served.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
});

afterAll(async () => {
  sfn.destroy();
  await served.close();
  await emulator.close();
});

const failure = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );

describe('Step Functions emulator: ListStateMachines', () => {
  it('lists the one state machine the stack runs, STANDARD, created when the emulator started', async () => {
    // Act
    const output = await sfn.send(new ListStateMachinesCommand({}));

    // Assess
    expect(output.stateMachines).toEqual([
      { stateMachineArn: ARN, name: 'machines-test', type: 'STANDARD', creationDate: expect.any(Date) },
    ]);
    expect(output.stateMachines?.[0]?.creationDate?.getTime()).toBeGreaterThanOrEqual(before.getTime());
    expect(output.nextToken).toBeUndefined();
  });

  it('pages through the SDK paginator with a page size of 1', async () => {
    // Prepare
    const names: string[] = [];

    // Act
    for await (const page of paginateListStateMachines({ client: sfn, pageSize: 1 }, {})) {
      names.push(...(page.stateMachines ?? []).map((machine) => machine.name ?? ''));
    }

    // Assess
    expect(names).toEqual(['machines-test']);
  });

  it.each([
    ['maxResults 1001', { maxResults: 1001 }, ValidationException],
    ['maxResults -1', { maxResults: -1 }, ValidationException],
    ['an empty nextToken', { nextToken: '' }, ValidationException],
    ['a nextToken it did not issue', { nextToken: 'bm90LWEtbnVtYmVy' }, InvalidToken],
  ])('refuses %s', async (_, input, type) => {
    // Act
    const error = await failure(sfn.send(new ListStateMachinesCommand(input)));

    // Assess
    expect(error).toBeInstanceOf(type);
  });
});

describe('Step Functions emulator: DescribeStateMachine', () => {
  it('describes the state machine with its definition as deployed and its role', async () => {
    // Act
    const output = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: ARN }));

    // Assess
    expect(output).toMatchObject({
      stateMachineArn: ARN,
      name: 'machines-test',
      status: 'ACTIVE',
      roleArn: ROLE,
      type: 'STANDARD',
      creationDate: expect.any(Date),
    });
    expect(JSON.parse(output.definition ?? '')).toEqual(definition);
  });

  it('leaves out the definition with includedData METADATA_ONLY', async () => {
    // Act
    const output = await sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: ARN, includedData: 'METADATA_ONLY' }),
    );

    // Assess
    expect(output.definition).toBeUndefined();
    expect(output.name).toBe('machines-test');
  });

  it.each([
    ['another state machine', `${ARN}-other`, StateMachineDoesNotExist],
    [
      'a version of another state machine',
      'arn:aws:states:us-east-1:000000000000:stateMachine:other:1',
      StateMachineDoesNotExist,
    ],
    ['something that is not an ARN', 'machines-test', InvalidArn],
    ['an execution ARN', `${EXECUTIONS}:run-1`, InvalidArn],
  ])('answers %s with its AWS error', async (_, stateMachineArn, type) => {
    // Act
    const error = await failure(sfn.send(new DescribeStateMachineCommand({ stateMachineArn })));

    // Assess
    expect(error).toBeInstanceOf(type);
  });

  it.each([
    ['no stateMachineArn', {}, "Value null at 'stateMachineArn'"],
    [
      'a 257-character stateMachineArn',
      { stateMachineArn: `${ARN}${'x'.repeat(257 - ARN.length)}` },
      'less than or equal to 256',
    ],
    ['an unknown includedData', { stateMachineArn: ARN, includedData: 'SOME_DATA' }, 'enum value set'],
  ])('refuses %s with ValidationException', async (_, input, constraint) => {
    // Act
    const error = await failure(
      sfn.send(new DescribeStateMachineCommand(input as { stateMachineArn: string; includedData?: 'ALL_DATA' })),
    );

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toContain(constraint);
  });
});

describe('Step Functions emulator: DescribeStateMachineForExecution', () => {
  it('describes the machine an execution ran', async () => {
    // Prepare
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: ARN, name: 'run-1' }));
    const described = await sfn.send(new DescribeStateMachineCommand({ stateMachineArn: ARN }));

    // Act
    const output = await sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn }));

    // Assess
    expect(output).toMatchObject({
      stateMachineArn: ARN,
      name: 'machines-test',
      roleArn: ROLE,
      updateDate: described.creationDate,
    });
    expect(JSON.parse(output.definition ?? '')).toEqual(definition);
  });

  it.each([
    ['an execution that does not exist', `${EXECUTIONS}:never-started`, ExecutionDoesNotExist],
    ['a state machine ARN', ARN, InvalidArn],
    ['something that is not an ARN', 'run-1', InvalidArn],
  ])('answers %s with its AWS error', async (_, executionArn, type) => {
    // Act
    const error = await failure(sfn.send(new DescribeStateMachineForExecutionCommand({ executionArn })));

    // Assess
    expect(error).toBeInstanceOf(type);
  });

  it('refuses a missing executionArn with ValidationException', async () => {
    // Act
    const error = await failure(sfn.send(new DescribeStateMachineForExecutionCommand({} as { executionArn: string })));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
    expect((error as Error).message).toContain("Value null at 'executionArn'");
  });
});
