import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from '@jest/globals';
import aslValidator from 'asl-validator';
import { projectRoot } from '../../local/serverlessConfig.js';
import {
  STATE_MACHINE_ARN,
  assignmentStatus,
  awsError,
  buildInput,
  call,
  decide,
  enteredStates,
  eventTypes,
  getItem,
  history,
  lambdaInvocations,
  loadDefinition,
  startExecution,
  startHarness,
  stateTransitions,
  waitForExecution,
  type Action,
  type Harness,
} from './harness.js';

const PROTON: Action = 'proton:AcceptEnvironmentAccountConnection';
const SSO: Action = 'sso:CreateAccountAssignment';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ timeScale: 0.001 });
});

afterAll(async () => {
  await h.close();
});

/** Starts a request, approves it as the decide Lambda would, and waits for the execution to end. */
const runApproved = async (action: Action, script: (requestId: string) => void = () => undefined) => {
  const input = buildInput(action);
  script(input.requestId);
  const executionArn = await startExecution(h, input);
  const sent = await decide(h, input.requestId, 'approve');
  expect(sent.status).toBe(200);
  const execution = await waitForExecution(h, executionArn);
  return {
    input,
    executionArn,
    execution,
    item: await getItem(h, input.requestId),
    events: await history(h, executionArn),
  };
};

const recordedError = (item: Awaited<ReturnType<typeof getItem>>) => ({
  name: item.error?.M?.name?.S,
  cause: item.error?.M?.cause?.S,
});

describe('approval.asl.json', () => {
  it('passes asl-validator as written and with its substitutions applied', () => {
    // Prepare
    const raw = JSON.parse(readFileSync(join(projectRoot, 'statemachine/approval.asl.json'), 'utf8')) as unknown;

    // Act
    const results = [raw, loadDefinition()].map((definition) =>
      aslValidator(definition, { checkArn: true, checkPaths: true }),
    );

    // Assess
    for (const result of results) expect(result.errors).toEqual([]);
  });
});

describe('approve', () => {
  it('Proton: COMPLETED with the connection as outcome, in 6 state transitions', async () => {
    // Prepare + Act
    const { input, execution, item, events } = await runApproved(PROTON);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(item.status?.S).toBe('COMPLETED');
    expect(JSON.parse(item.outcome?.S ?? '{}')).toEqual({
      status: 'CONNECTED',
      connection: { id: input.parameters.id, status: 'CONNECTED', environmentName: 'dev' },
    });
    expect(eventTypes(item)).toEqual(['submitted', 'approved', 'completed']);
    expect(stateTransitions(events)).toBe(6);
    expect(h.lambdas.callsTo('notify', input.requestId, 'outcome')).toHaveLength(1);
    expect(lambdaInvocations(events, 'accept')).toBe(1);
  });

  it('SSO: COMPLETED after one status poll, in 9 state transitions', async () => {
    // Prepare + Act
    const { input, execution, item, events } = await runApproved(SSO);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(item.status?.S).toBe('COMPLETED');
    const outcome = JSON.parse(item.outcome?.S ?? '{}') as Record<string, unknown>;
    expect(outcome).toMatchObject({ Status: 'SUCCEEDED', polls: 1, assignment: { Status: 'SUCCEEDED' } });
    expect(eventTypes(item)).toEqual(['submitted', 'approved', 'completed']);
    expect(stateTransitions(events)).toBe(9);
    expect(h.lambdas.callsTo('checkAssignment', input.requestId)).toEqual([
      {
        requestId: input.requestId,
        parameters: input.parameters,
        creationRequestId: outcome.creationRequestId,
        polls: 0,
        grantSeconds: 0,
      },
    ]);
  });

  it('SSO: keeps polling while the creation is IN_PROGRESS (3 more transitions per poll)', async () => {
    // Prepare + Act
    const { item, events } = await runApproved(SSO, (requestId) =>
      h.lambdas.script('checkAssignment', requestId, assignmentStatus('IN_PROGRESS'), assignmentStatus('IN_PROGRESS')),
    );

    // Assess
    expect(item.status?.S).toBe('COMPLETED');
    expect(JSON.parse(item.outcome?.S ?? '{}')).toMatchObject({ Status: 'SUCCEEDED', polls: 3 });
    expect(stateTransitions(events)).toBe(15);
    expect(lambdaInvocations(events, 'checkAssignment')).toBe(3);
  });
});

describe('deny and expiry', () => {
  it('deny: the item stays DENIED and the requester is notified', async () => {
    // Prepare
    const input = buildInput(PROTON);
    const executionArn = await startExecution(h, input);

    // Act
    const sent = await decide(h, input.requestId, 'deny');
    const execution = await waitForExecution(h, executionArn);

    // Assess
    expect(sent.status).toBe(200);
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? '{}').error).toEqual({ Error: 'Denied', Cause: 'Denied by bob@example.com' });
    const item = await getItem(h, input.requestId);
    expect(item.status?.S).toBe('DENIED');
    expect(eventTypes(item)).toEqual(['submitted', 'denied']);
    expect(h.lambdas.callsTo('notify', input.requestId, 'outcome')).toEqual([
      { kind: 'outcome', requestId: input.requestId },
    ]);
    expect(h.lambdas.callsTo('accept', input.requestId)).toHaveLength(0);
  });

  it('expiry: EXPIRED when nobody decides within the approval window; a late decision gets TaskTimedOut', async () => {
    // Prepare
    const input = buildInput(PROTON, { approvalTimeoutSeconds: 5 });
    const executionArn = await startExecution(h, input);
    const taskToken = await h.lambdas.taskToken(input.requestId);

    // Act
    const execution = await waitForExecution(h, executionArn);
    const late = await h.emulator.handle('SendTaskSuccess', { taskToken, output: '{}' });

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const item = await getItem(h, input.requestId);
    expect(item.status?.S).toBe('EXPIRED');
    expect(eventTypes(item)).toEqual(['submitted', 'expired']);
    expect(h.lambdas.callsTo('notify', input.requestId, 'outcome')).toHaveLength(1);
    expect((await history(h, executionArn)).some((e) => e.type === 'TaskTimedOut')).toBe(true);
    expect(late).toMatchObject({ status: 400, body: { __type: 'TaskTimedOut' } });
  });
});

describe('provisioning errors and retries', () => {
  it('ConflictException once, then success: COMPLETED after 2 attempts', async () => {
    // Prepare + Act
    const { input, item, events } = await runApproved(PROTON, (requestId) =>
      h.lambdas.script('accept', requestId, awsError('ConflictException')),
    );

    // Assess
    expect(item.status?.S).toBe('COMPLETED');
    expect(h.lambdas.callsTo('accept', input.requestId)).toHaveLength(2);
    expect(lambdaInvocations(events, 'accept')).toBe(2);
  });

  it('ThrottlingException three times, then success: COMPLETED after 4 attempts, each failure in the history', async () => {
    // Prepare + Act
    const { input, item, events } = await runApproved(SSO, (requestId) =>
      h.lambdas.script(
        'assign',
        requestId,
        ...Array.from({ length: 3 }, () => awsError('ThrottlingException', 'Rate exceeded')),
      ),
    );

    // Assess
    expect(item.status?.S).toBe('COMPLETED');
    expect(h.lambdas.callsTo('assign', input.requestId)).toHaveLength(4);
    expect(lambdaInvocations(events, 'assign')).toBe(4);
    const failures = events.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails);
    expect(failures).toHaveLength(3);
    expect(failures[0]).toMatchObject({ resourceType: 'lambda', resource: 'invoke', error: 'ThrottlingException' });
  });

  it('ConflictException on every attempt: FAILED after 1 + MaxAttempts (8) attempts, with the error recorded', async () => {
    // Prepare + Act
    const { input, execution, item, events } = await runApproved(PROTON, (requestId) =>
      h.lambdas.script(
        'accept',
        requestId,
        ...Array.from({ length: 20 }, () => awsError('ConflictException', 'connection is busy')),
      ),
    );

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(h.lambdas.callsTo('accept', input.requestId)).toHaveLength(9);
    expect(lambdaInvocations(events, 'accept')).toBe(9);
    expect(item.status?.S).toBe('FAILED');
    const error = recordedError(item);
    expect(error.name).toBe('ConflictException');
    expect(JSON.parse(error.cause ?? '{}')).toEqual({
      errorType: 'ConflictException',
      errorMessage: 'connection is busy',
      trace: [],
    });
    expect(eventTypes(item)).toEqual(['submitted', 'approved', 'failed']);
    expect(h.lambdas.callsTo('notify', input.requestId, 'outcome')).toHaveLength(1);
  });

  it('AccessDeniedException is not retried: FAILED after exactly one attempt', async () => {
    // Prepare + Act
    const { input, item } = await runApproved(PROTON, (requestId) =>
      h.lambdas.script('accept', requestId, awsError('AccessDeniedException', 'not authorized')),
    );

    // Assess
    expect(h.lambdas.callsTo('accept', input.requestId)).toHaveLength(1);
    expect(item.status?.S).toBe('FAILED');
    expect(recordedError(item).name).toBe('AccessDeniedException');
  });

  it('InternalServerException gets only its own budget: FAILED after 1 + 2 attempts', async () => {
    // Prepare + Act
    const { input, item } = await runApproved(SSO, (requestId) =>
      h.lambdas.script('assign', requestId, ...Array.from({ length: 10 }, () => awsError('InternalServerException'))),
    );

    // Assess
    expect(h.lambdas.callsTo('assign', input.requestId)).toHaveLength(3);
    expect(item.status?.S).toBe('FAILED');
    expect(recordedError(item).name).toBe('InternalServerException');
  });

  it('SSO creation status FAILED: FAILED with the FailureReason recorded', async () => {
    // Prepare + Act
    const reason = 'Received a 404 status error: Not supported account.';
    const { input, item } = await runApproved(SSO, (requestId) =>
      h.lambdas.script('checkAssignment', requestId, assignmentStatus('FAILED', reason)),
    );

    // Assess
    expect(item.status?.S).toBe('FAILED');
    expect(recordedError(item)).toEqual({ name: 'AssignmentFailed', cause: reason });
    expect(h.lambdas.callsTo('notify', input.requestId, 'outcome')).toHaveLength(1);
  });
});

describe('notifications', () => {
  it('a failing outcome notification does not fail the execution', async () => {
    // Prepare + Act
    const { execution, item, events } = await runApproved(PROTON, (requestId) =>
      h.lambdas.script('notify', requestId, { sent: 1 }, awsError('SlackApiError', 'channel_not_found')),
    );

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(item.status?.S).toBe('COMPLETED');
    expect(JSON.parse(execution.output ?? '{}').notifyError).toMatchObject({ Error: 'SlackApiError' });
    expect(events.map((e) => e.type).slice(-3)).toEqual([
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
  });
});

describe('Step Functions API', () => {
  it('StartExecution: same name and input while RUNNING returns the original; anything else is ExecutionAlreadyExists', async () => {
    // Prepare
    const input = buildInput(PROTON);
    const start = { stateMachineArn: STATE_MACHINE_ARN, name: input.requestId, input: JSON.stringify(input) };
    const first = await h.emulator.handle('StartExecution', start);

    // Act
    const repeated = await h.emulator.handle('StartExecution', start);
    const otherInput = await h.emulator.handle('StartExecution', {
      ...start,
      input: JSON.stringify({ ...input, approvalTimeoutSeconds: 60 }),
    });
    await decide(h, input.requestId, 'approve');
    await waitForExecution(h, (first.body as { executionArn: string }).executionArn);
    const afterCompletion = await h.emulator.handle('StartExecution', start);

    // Assess
    expect(first.status).toBe(200);
    expect(repeated).toEqual(first);
    expect(otherInput).toMatchObject({ status: 400, body: { __type: 'ExecutionAlreadyExists' } });
    expect(afterCompletion).toMatchObject({ status: 400, body: { __type: 'ExecutionAlreadyExists' } });
  });

  it('a replayed request under another execution name fails without overwriting the recorded request', async () => {
    // Prepare
    const input = buildInput(PROTON);
    await startExecution(h, input);
    await h.lambdas.taskToken(input.requestId);

    // Act
    const replayArn = await startExecution(h, input, `${input.requestId}-replay`);
    const replay = await waitForExecution(h, replayArn);

    // Assess
    expect(replay).toMatchObject({ status: 'FAILED', error: 'RequestAlreadyRecorded' });
    expect((await getItem(h, input.requestId)).status?.S).toBe('PENDING_APPROVAL');
    expect(h.lambdas.callsTo('notify', input.requestId, 'approval')).toHaveLength(1);
    await decide(h, input.requestId, 'deny');
  });

  it('SendTaskSuccess: an unknown token is InvalidToken, a used one TaskTimedOut', async () => {
    // Prepare
    const { input } = await runApproved(PROTON);
    const usedToken = await h.lambdas.taskToken(input.requestId);

    // Act
    const bogus = await h.emulator.handle('SendTaskSuccess', { taskToken: 'not-a-real-token', output: '{}' });
    const used = await h.emulator.handle('SendTaskSuccess', { taskToken: usedToken, output: '{}' });
    const heartbeat = await h.emulator.handle('SendTaskHeartbeat', { taskToken: usedToken });

    // Assess
    expect(bogus).toMatchObject({ status: 400, body: { __type: 'InvalidToken' } });
    expect(used).toMatchObject({ status: 400, body: { __type: 'TaskTimedOut' } });
    expect(heartbeat).toMatchObject({ status: 400, body: { __type: 'TaskTimedOut' } });
    expect(JSON.stringify([bogus, used, heartbeat])).not.toContain(usedToken);
  });

  it('the task token is long, unguessable and appears in no history event or execution description', async () => {
    // Prepare + Act
    const { input, executionArn } = await runApproved(SSO);
    const token = await h.lambdas.taskToken(input.requestId);
    const described = await call(h, 'DescribeExecution', { executionArn });
    const events = await history(h, executionArn);

    // Assess
    expect(token).toMatch(/^[A-Za-z0-9_-]{64,}$/);
    expect(JSON.stringify(events)).not.toContain(token);
    expect(JSON.stringify(described)).not.toContain(token);
    const scheduled = events.find(
      (e) =>
        e.type === 'TaskScheduled' &&
        (e.taskScheduledEventDetails as { resource: string }).resource === 'invoke.waitForTaskToken',
    );
    expect(scheduled?.taskScheduledEventDetails).toMatchObject({ resourceType: 'lambda', timeoutInSeconds: 86_400 });
  });

  it('rejects invalid starts and unknown executions with the AWS error names', async () => {
    // Prepare
    const input = JSON.stringify(buildInput(PROTON));
    const cases: Array<[string, unknown, string]> = [
      ['StartExecution', { stateMachineArn: STATE_MACHINE_ARN, name: 'has spaces', input }, 'InvalidName'],
      ['StartExecution', { stateMachineArn: STATE_MACHINE_ARN, name: 'x'.repeat(81), input }, 'InvalidName'],
      [
        'StartExecution',
        { stateMachineArn: STATE_MACHINE_ARN, name: 'bad-json', input: '{not json' },
        'InvalidExecutionInput',
      ],
      [
        'StartExecution',
        { stateMachineArn: `${STATE_MACHINE_ARN}-other`, name: 'other', input },
        'StateMachineDoesNotExist',
      ],
      ['StartExecution', { name: 'no-arn', input }, 'ValidationException'],
      [
        'DescribeExecution',
        { executionArn: `${STATE_MACHINE_ARN.replace(':stateMachine:', ':execution:')}:missing` },
        'ExecutionDoesNotExist',
      ],
      ['GetExecutionHistory', { executionArn: 'not-an-arn' }, 'InvalidArn'],
      ['CreateStateMachine', {}, 'UnknownOperationException'],
    ];

    // Act
    const responses = await Promise.all(cases.map(([operation, body]) => h.emulator.handle(operation, body)));

    // Assess
    expect(responses.map((r) => [r.status, (r.body as { __type: string }).__type])).toEqual(
      cases.map(([, , name]) => [400, name]),
    );
  });
});

describe('reminders', () => {
  /** Waits until notify has been asked to remind the approvers of this request. */
  const reminded = async (requestId: string): Promise<void> => {
    for (let i = 0; i < 2500 && h.lambdas.callsTo('notify', requestId, 'reminder').length === 0; i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };

  it('reminds once at the heartbeat, then an approval with the new task token completes the request', async () => {
    // Prepare: a 2000 s window with the reminder at 200 s (2 s and 0.2 s at this time scale)
    const input = buildInput(PROTON, { approvalTimeoutSeconds: 2000, reminderAfterSeconds: 200 });
    const executionArn = await startExecution(h, input);
    const firstToken = await h.lambdas.taskToken(input.requestId);
    await reminded(input.requestId);

    // Act
    const sent = await decide(h, input.requestId, 'approve');
    const execution = await waitForExecution(h, executionArn);

    // Assess
    expect(sent.status).toBe(200);
    expect(execution.status).toBe('SUCCEEDED');
    expect((await getItem(h, input.requestId)).status?.S).toBe('COMPLETED');
    const reminders = h.lambdas.callsTo('notify', input.requestId, 'reminder');
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.taskToken).not.toBe(firstToken);
    const entered = enteredStates(await history(h, executionArn));
    expect(entered.slice(0, 4)).toEqual(['Record', 'RequestApproval', 'RemindAndAwaitDecision', 'ChooseProvisioner']);
  });

  it('after the reminder, the rest of the window runs out into EXPIRED', async () => {
    // Prepare
    const input = buildInput(PROTON, { approvalTimeoutSeconds: 400, reminderAfterSeconds: 100 });
    const executionArn = await startExecution(h, input);

    // Act
    const execution = await waitForExecution(h, executionArn);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect((await getItem(h, input.requestId)).status?.S).toBe('EXPIRED');
    expect(h.lambdas.callsTo('notify', input.requestId, 'reminder')).toHaveLength(1);
    const entered = enteredStates(await history(h, executionArn));
    expect(entered).toEqual(['Record', 'RequestApproval', 'RemindAndAwaitDecision', 'RecordExpired', 'NotifyOutcome']);
  });

  it('a deny after the reminder ends DENIED', async () => {
    // Prepare
    const input = buildInput(PROTON, { approvalTimeoutSeconds: 2000, reminderAfterSeconds: 100 });
    const executionArn = await startExecution(h, input);
    await reminded(input.requestId);

    // Act
    await decide(h, input.requestId, 'deny');
    const execution = await waitForExecution(h, executionArn);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect((await getItem(h, input.requestId)).status?.S).toBe('DENIED');
  });
});
