// The local stack's bounded waits say when they gave up, so nobody reads a still-moving state as final.
import { afterAll, describe, expect, it } from '@jest/globals';
import { createStepFunctionsEmulator } from '../../../local/emulators/stepFunctions.js';
import type { TaskRunner } from '../../../local/emulators/taskRunner.js';
import { createLambdaRuntime } from '../../../local/lambdaRuntime.js';
import { projectRoot, type ServerlessConfig } from '../../../local/serverlessConfig.js';

const ARN = 'arn:aws:states:us-east-1:000000000000:stateMachine:wait-budgets';

/** One callback task: the execution waits until someone sends its token, which nobody does here. */
const waitingMachine = {
  StartAt: 'Ask',
  States: {
    Ask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
      Parameters: { FunctionName: 'arn:aws:lambda:us-east-1:000000000000:function:worker', Payload: {} },
      End: true,
    },
  },
};

const runner: TaskRunner = { run: async () => ({}) };
const emulator = createStepFunctionsEmulator({ definition: waitingMachine, stateMachineArn: ARN, taskRunner: runner });

afterAll(async () => {
  await emulator.close();
});

describe('stepFunctions.waitForIdle', () => {
  it('answers how many executions are still running when it gives up, and 0 once they have ended', async () => {
    // Prepare
    const started = await emulator.handle('StartExecution', { stateMachineArn: ARN, name: 'waits', input: '{}' });
    const { executionArn } = started.body as { executionArn: string };
    // Act
    const whileWaiting = await emulator.waitForIdle(50);
    await emulator.handle('StopExecution', { executionArn, error: 'Stopped', cause: 'by test' });
    const afterStop = await emulator.waitForIdle(5_000);
    // Assess
    expect(whileWaiting).toBe(1);
    expect(afterStop).toBe(0);
  });
});

describe('lambdaRuntime.drain', () => {
  it('answers how many handlers are still running when it gives up, and 0 once they are done', async () => {
    // Prepare
    const config = {
      service: 'access-approvals',
      functions: [
        { name: 'slow', modulePath: 'test/unit/local/fixtures/slowHandler', exportName: 'handler', environment: {} },
      ],
      routes: [],
    } as unknown as ServerlessConfig;
    const runtime = createLambdaRuntime(config, { projectRoot, timeoutMs: 5_000 });
    const running = runtime.invoke('slow', { ms: 300 });
    // Act
    const early = await runtime.drain(10);
    const late = await runtime.drain(5_000);
    // Assess
    expect(early).toBe(1);
    expect(late).toBe(0);
    await expect(running).resolves.toEqual({ waitedMs: 300 });
  });
});
