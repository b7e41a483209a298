// The engine's own behaviour on small definitions: callbacks, heartbeats, time scaling, persistence, the API.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, afterAll } from '@jest/globals';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createStepFunctionsEmulator, type StepFunctionsEmulator } from '../../local/emulators/stepFunctions.js';
import { createTaskRunner, type TaskRunner } from '../../local/emulators/taskRunner.js';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:engine-test';
const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:worker';
const CALLBACK = 'arn:aws:states:::lambda:invoke.waitForTaskToken';

type Body = Record<string, unknown>;
interface Event {
  type: string;
  timestamp: number;
  [details: string]: unknown;
}

const emulators: StepFunctionsEmulator[] = [];
const dirs: string[] = [];
afterAll(async () => {
  await Promise.all(emulators.map((e) => e.close()));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A runner that records what it ran and hands the token (if any) to the test. */
const recordingRunner = (
  respond: (parameters: Body, call: number) => Promise<unknown> = async () => ({ ok: true }),
) => {
  const calls: Body[] = [];
  const runner: TaskRunner = {
    run: async (_resource, parameters) => {
      calls.push(parameters as Body);
      return respond(parameters as Body, calls.length);
    },
  };
  return { runner, calls };
};

const emulatorFor = (definition: Body, runner: TaskRunner, extra: { stateFile?: string; timeScale?: number } = {}) => {
  const emulator = createStepFunctionsEmulator({
    definition,
    stateMachineArn: ARN,
    taskRunner: runner,
    timeScale: 0.001,
    ...extra,
  });
  emulators.push(emulator);
  return emulator;
};

const ok = async (emulator: StepFunctionsEmulator, operation: string, body: Body): Promise<Body> => {
  const response = await emulator.handle(operation, body);
  if (response.status !== 200) throw new Error(`${operation}: ${JSON.stringify(response.body)}`);
  return response.body as Body;
};

const start = async (emulator: StepFunctionsEmulator, name: string, input: unknown = {}): Promise<string> =>
  (await ok(emulator, 'StartExecution', { stateMachineArn: ARN, name, input: JSON.stringify(input) }))
    .executionArn as string;

const settled = async (emulator: StepFunctionsEmulator, executionArn: string): Promise<Body> => {
  for (let i = 0; i < 2000; i += 1) {
    const execution = await ok(emulator, 'DescribeExecution', { executionArn });
    if (execution.status !== 'RUNNING') return execution;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  throw new Error(`${executionArn} never settled`);
};

const eventsOf = async (emulator: StepFunctionsEmulator, executionArn: string): Promise<Event[]> =>
  (await ok(emulator, 'GetExecutionHistory', { executionArn, maxResults: 1000 })).events as Event[];

const until = async (condition: () => boolean): Promise<void> => {
  for (let i = 0; i < 2000 && !condition(); i += 1) await new Promise((resolve) => setTimeout(resolve, 2));
};

const callbackMachine = (task: Body = {}): Body => ({
  StartAt: 'Ask',
  States: {
    Ask: {
      Type: 'Task',
      Resource: CALLBACK,
      Parameters: { FunctionName: FUNCTION, Payload: { 'token.$': '$$.Task.Token' } },
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'TimedOut' }],
      End: true,
      ...task,
    },
    TimedOut: { Type: 'Pass', End: true },
  },
});

const tokenOf = (calls: Body[], index = 0): string => String((calls[index]?.Payload as Body | undefined)?.token);

describe('callback tasks', () => {
  it('SendTaskHeartbeat keeps a task alive; a missed heartbeat is States.HeartbeatTimeout, matched by States.Timeout', async () => {
    // Prepare
    const { runner, calls } = recordingRunner();
    const emulator = emulatorFor(callbackMachine({ HeartbeatSeconds: 40 }), runner);
    const executionArn = await start(emulator, 'heartbeat');
    await until(() => calls.length > 0);
    const started = Date.now();

    // Act
    for (let i = 0; i < 5; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 15));
      await ok(emulator, 'SendTaskHeartbeat', { taskToken: tokenOf(calls) });
    }
    const execution = await settled(emulator, executionArn);

    // Assess
    expect(Date.now() - started).toBeGreaterThanOrEqual(75);
    expect(JSON.parse(String(execution.output)).error).toMatchObject({ Error: 'States.HeartbeatTimeout' });
    const events = await eventsOf(emulator, executionArn);
    expect(events.find((e) => e.type === 'TaskTimedOut')?.taskTimedOutEventDetails).toMatchObject({
      error: 'States.HeartbeatTimeout',
    });
  });

  it('resolves TimeoutSecondsPath against the state input and never shows the hidden parameter to the task', async () => {
    // Prepare
    const { runner, calls } = recordingRunner(() => new Promise(() => undefined));
    const definition = {
      StartAt: 'Work',
      States: {
        Work: {
          Type: 'Task',
          Resource: FUNCTION,
          TimeoutSecondsPath: '$.limit',
          Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.error', Next: 'Late' }],
          End: true,
        },
        Late: { Type: 'Pass', End: true },
      },
    };
    const emulator = emulatorFor(definition, runner);

    // Act: a Lambda task's timeout budgets real work, so it is not time-scaled; one real second.
    const executionArn = await start(emulator, 'timeout-path', { limit: 1, job: 'x' });
    const execution = await settled(emulator, executionArn);

    // Assess
    expect(calls).toEqual([{ limit: 1, job: 'x' }]);
    expect(JSON.parse(String(execution.output))).toMatchObject({ error: { Error: 'States.Timeout' } });
    const events = await eventsOf(emulator, executionArn);
    expect(events.map((e) => e.type)).toContain('LambdaFunctionTimedOut');
  });

  it('SendTaskFailure fails the task with the given error and cause; the token then reports TaskTimedOut', async () => {
    // Prepare
    const { runner, calls } = recordingRunner();
    const emulator = emulatorFor(callbackMachine(), runner);
    const executionArn = await start(emulator, 'failure');
    await until(() => calls.length > 0);

    // Act
    await ok(emulator, 'SendTaskFailure', { taskToken: tokenOf(calls), error: 'Rejected', cause: 'no' });
    const execution = await settled(emulator, executionArn);
    const again = await emulator.handle('SendTaskFailure', { taskToken: tokenOf(calls), error: 'Rejected' });

    // Assess
    expect(execution).toMatchObject({ status: 'FAILED', error: 'Rejected', cause: 'no' });
    expect(again.body).toMatchObject({ __type: 'TaskTimedOut' });
  });
});

describe('time scale', () => {
  it('scales Wait and Retry intervals but keeps the backoff rate', async () => {
    // Prepare
    const { runner } = recordingRunner(async (_parameters, call) => {
      if (call <= 3) throw Object.assign(new Error('boom'), { name: 'Boom' });
      return 'done';
    });
    const definition = {
      StartAt: 'Pause',
      States: {
        Pause: { Type: 'Wait', Seconds: 50, Next: 'Work' },
        Work: {
          Type: 'Task',
          Resource: FUNCTION,
          Retry: [
            { ErrorEquals: ['Boom'], IntervalSeconds: 20, BackoffRate: 2, MaxAttempts: 3, JitterStrategy: 'NONE' },
          ],
          End: true,
        },
      },
    };
    const emulator = emulatorFor(definition, runner);

    // Act
    const executionArn = await start(emulator, 'scaled');
    const execution = await settled(emulator, executionArn);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const events = await eventsOf(emulator, executionArn);
    const at = (type: string) => events.filter((e) => e.type === type).map((e) => e.timestamp * 1000);
    const [waitEntered] = at('WaitStateEntered');
    const [waitExited] = at('WaitStateExited');
    expect((waitExited ?? 0) - (waitEntered ?? 0)).toBeGreaterThanOrEqual(49);
    const failed = at('LambdaFunctionFailed');
    const scheduled = at('LambdaFunctionScheduled');
    const gaps = failed.map((f, i) => (scheduled[i + 1] ?? 0) - f);
    expect(gaps).toHaveLength(3);
    for (const [i, gap] of gaps.entries()) expect(gap).toBeGreaterThanOrEqual(20 * 2 ** i - 1);
    expect(gaps[2]).toBeLessThan(1000);
  });
});

describe('persistence', () => {
  it('keeps finished executions across a restart and reports running ones as lost', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'sfn-'));
    dirs.push(dir);
    const stateFile = join(dir, 'executions.json');
    const first = recordingRunner();
    const before = emulatorFor(callbackMachine(), first.runner, { stateFile });
    const doneArn = await start(before, 'done');
    await until(() => first.calls.length > 0);
    await ok(before, 'SendTaskSuccess', { taskToken: tokenOf(first.calls), output: '{"answer":42}' });
    await settled(before, doneArn);
    const waitingArn = await start(before, 'waiting', { n: 1 });
    await until(() => first.calls.length > 1);
    const doneHistory = await eventsOf(before, doneArn);

    // Act
    await before.close();
    const after = emulatorFor(callbackMachine(), recordingRunner().runner, { stateFile });

    // Assess
    expect(await ok(after, 'DescribeExecution', { executionArn: doneArn })).toMatchObject({
      status: 'SUCCEEDED',
      output: '{"answer":42}',
    });
    expect(await eventsOf(after, doneArn)).toEqual(doneHistory);
    expect(await ok(after, 'DescribeExecution', { executionArn: waitingArn })).toMatchObject({
      status: 'ABORTED',
      error: 'Local.EngineRestarted',
    });
    expect(after.lostExecutions()).toEqual([{ name: 'waiting', executionArn: waitingArn, input: '{"n":1}' }]);
    expect(
      (await after.handle('StartExecution', { stateMachineArn: ARN, name: 'waiting', input: '{"n":1}' })).body,
    ).toMatchObject({
      __type: 'ExecutionAlreadyExists',
    });
    const saved = readFileSync(stateFile, 'utf8');
    expect(saved).not.toContain(tokenOf(first.calls, 0));
    expect(saved).not.toContain(tokenOf(first.calls, 1));
  });
});

describe('API', () => {
  it('StopExecution aborts a waiting execution and retires its token', async () => {
    // Prepare
    const { runner, calls } = recordingRunner();
    const emulator = emulatorFor(callbackMachine(), runner);
    const executionArn = await start(emulator, 'stopped');
    await until(() => calls.length > 0);

    // Act
    await ok(emulator, 'StopExecution', { executionArn, error: 'Cancelled', cause: 'by test' });
    await emulator.waitForIdle(1000);
    const late = await emulator.handle('SendTaskSuccess', { taskToken: tokenOf(calls), output: '{}' });

    // Assess
    expect(await ok(emulator, 'DescribeExecution', { executionArn })).toMatchObject({
      status: 'ABORTED',
      error: 'Cancelled',
      cause: 'by test',
    });
    expect((await eventsOf(emulator, executionArn)).at(-1)?.type).toBe('ExecutionAborted');
    expect(late.body).toMatchObject({ __type: 'TaskTimedOut' });
    expect(await ok(emulator, 'ListExecutions', { stateMachineArn: ARN, statusFilter: 'ABORTED' })).toMatchObject({
      executions: [{ executionArn, status: 'ABORTED' }],
    });
  });

  it('GetExecutionHistory pages, reverses and can leave out execution data', async () => {
    // Prepare
    const { runner } = recordingRunner();
    const emulator = emulatorFor(
      { StartAt: 'Work', States: { Work: { Type: 'Task', Resource: FUNCTION, End: true } } },
      runner,
    );
    const executionArn = await start(emulator, 'paged', { secret: 'input' });
    await settled(emulator, executionArn);
    const all = await eventsOf(emulator, executionArn);

    // Act
    const first = await ok(emulator, 'GetExecutionHistory', { executionArn, maxResults: 2 });
    const second = await ok(emulator, 'GetExecutionHistory', {
      executionArn,
      maxResults: 2,
      nextToken: first.nextToken,
    });
    const reversed = await ok(emulator, 'GetExecutionHistory', {
      executionArn,
      reverseOrder: true,
      includeExecutionData: false,
    });

    // Assess
    expect([...(first.events as Event[]), ...(second.events as Event[])]).toEqual(all.slice(0, 4));
    expect((reversed.events as Event[]).map((e) => e.type)).toEqual(all.map((e) => e.type).reverse());
    expect(JSON.stringify(reversed.events)).not.toContain('secret');
  });

  it('refuses an invalid definition, listing the problems', () => {
    // Prepare
    const definition = { StartAt: 'Missing', States: { Only: { Type: 'Pass', Next: 'Nowhere' } } };

    // Act
    const create = () =>
      createStepFunctionsEmulator({ definition, stateMachineArn: ARN, taskRunner: recordingRunner().runner });

    // Assess
    expect(create).toThrow(/definition is invalid: .*Nowhere/);
  });
});

describe('taskRunner', () => {
  const dynamodb = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: 'http://127.0.0.1:9',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
  });
  afterAll(() => dynamodb.destroy());

  it('invokes Lambda integrations by function name and shapes results and errors like AWS', async () => {
    // Prepare
    const invoked: Array<[string, unknown]> = [];
    const runner = createTaskRunner({
      dynamodb,
      invokeLambda: async (name, payload) => {
        invoked.push([name, payload]);
        if (name === 'broken') throw Object.assign(new Error('nope'), { name: 'ConflictException' });
        return { at: new Date(0), nothing: undefined };
      },
    });

    // Act
    const integration = await runner.run('arn:aws:states:::lambda:invoke', {
      FunctionName: FUNCTION,
      Payload: { a: 1 },
    });
    const plain = await runner.run(FUNCTION, { b: 2 });
    const failure = await runner
      .run('arn:aws:states:::lambda:invoke', { FunctionName: 'broken' })
      .catch((e: Error) => e);
    const unsupported = await runner.run('arn:aws:states:::sqs:sendMessage', {}).catch((e: Error) => e);

    // Assess
    expect(invoked).toEqual([
      ['worker', { a: 1 }],
      ['worker', { b: 2 }],
      ['broken', {}],
    ]);
    expect(integration).toEqual({
      Payload: { at: '1970-01-01T00:00:00.000Z' },
      StatusCode: 200,
      ExecutedVersion: '$LATEST',
    });
    expect(plain).toEqual({ at: '1970-01-01T00:00:00.000Z' });
    expect(failure).toMatchObject({
      name: 'ConflictException',
      message: JSON.stringify({ errorType: 'ConflictException', errorMessage: 'nope', trace: [] }),
    });
    expect(unsupported).toMatchObject({ message: expect.stringContaining('arn:aws:states:::sqs:sendMessage') });
  });
});
