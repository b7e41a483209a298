import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { RequestItem, RequestStatus } from '../../../functions/requests/model.js';
import {
  resumeWithStoredToken,
  storeTokenThenCheck,
  type TaskResult,
} from '../../../functions/requests/taskTokenHandoff.js';
import { awsError } from '../../fixtures/awsErrors.js';

const sfn = new SFNClient({ region: 'us-east-1' });
const sfnMock = mockClient(sfn);

const APPROVED: TaskResult = { output: { decision: 'approved', lastApprover: 'bob@example.com' } };
const settledWith = (item: RequestItem): TaskResult | undefined =>
  item.status === 'APPROVED' ? { output: { decision: 'approved' } } : undefined;

/**
 * One request and its workflow wait, in memory. Step Functions is played by the mock: a token answers once, and
 * TaskTimedOut after its wait closed (resumed, or replaced by the wait re-entered after a reminder), as AWS does.
 */
const world = () => {
  let status: RequestStatus = 'PENDING_APPROVAL';
  let stored: string | undefined = 'token-1';
  const open = new Set(['token-1']);
  const resumed: Array<{ taskToken: string; how: 'success' | 'failure' }> = [];
  let afterPut: () => void = () => undefined;
  const answer = (taskToken: string | undefined, how: 'success' | 'failure') => {
    if (!taskToken || !open.has(taskToken)) throw awsError('TaskTimedOut');
    open.delete(taskToken);
    resumed.push({ taskToken, how });
    return {};
  };
  sfnMock.on(SendTaskSuccessCommand).callsFake((input: { taskToken?: string }) => answer(input.taskToken, 'success'));
  sfnMock.on(SendTaskFailureCommand).callsFake((input: { taskToken?: string }) => answer(input.taskToken, 'failure'));
  const repository = {
    putTaskToken: async (_requestId: string, taskToken: string) => {
      stored = taskToken;
      afterPut();
    },
    getTaskToken: async () => stored,
    get: async () => ({ requestId: 'r-1', status }) as RequestItem,
  };
  return {
    deps: { repository, sfn },
    resumed,
    /** The reminder fires: the first wait closes and the workflow waits again on token-2 (not yet stored). */
    reenterWait: () => {
      open.delete('token-1');
      open.add('token-2');
    },
    /** The decider's conditional write. */
    recordDecision: () => {
      status = 'APPROVED';
    },
    /** Runs `step` between the waiting side's store and its read. */
    betweenStoreAndRead: (step: () => void) => {
      afterPut = step;
    },
    forgetToken: () => {
      stored = undefined;
    },
  };
};

beforeEach(() => {
  sfnMock.reset();
});

describe('the task-token hand-off: every order of the race resumes the workflow exactly once', () => {
  it('decision first: the decider finds the old token closed, and the waiting side resumes with the new one', async () => {
    // Prepare
    const w = world();
    w.reenterWait();
    // Act
    w.recordDecision();
    const decider = await resumeWithStoredToken(w.deps, 'r-1', APPROVED);
    const waiter = await storeTokenThenCheck(w.deps, { requestId: 'r-1', taskToken: 'token-2' }, settledWith);
    // Assess
    expect(decider).toBe('closed');
    expect(waiter.resumed).toBe(true);
    expect(w.resumed).toEqual([{ taskToken: 'token-2', how: 'success' }]);
  });

  it('token first: the waiting side keeps waiting, and the decider resumes with the new token', async () => {
    // Prepare
    const w = world();
    w.reenterWait();
    // Act
    const waiter = await storeTokenThenCheck(w.deps, { requestId: 'r-1', taskToken: 'token-2' }, settledWith);
    w.recordDecision();
    const decider = await resumeWithStoredToken(w.deps, 'r-1', APPROVED);
    // Assess
    expect(waiter).toMatchObject({ resumed: false, item: { status: 'PENDING_APPROVAL' } });
    expect(decider).toBe('resumed');
    expect(w.resumed).toEqual([{ taskToken: 'token-2', how: 'success' }]);
  });

  it('the decider read the old token before the new one was stored: its one re-read finds the new token', async () => {
    // Prepare: decide.ts starts reading the token alongside its write
    const w = world();
    const firstRead = w.deps.repository.getTaskToken();
    w.reenterWait();
    // Act
    const waiter = await storeTokenThenCheck(w.deps, { requestId: 'r-1', taskToken: 'token-2' }, settledWith);
    w.recordDecision();
    const decider = await resumeWithStoredToken(w.deps, 'r-1', APPROVED, firstRead);
    // Assess
    expect(waiter.resumed).toBe(false);
    expect(decider).toBe('resumed');
    expect(w.resumed).toEqual([{ taskToken: 'token-2', how: 'success' }]);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken)).toEqual([
      'token-1',
      'token-2',
    ]);
  });

  it('the decision lands between the store and the read: both sides see each other, and only one resume counts', async () => {
    // Prepare
    const w = world();
    w.reenterWait();
    w.betweenStoreAndRead(() => w.recordDecision());
    // Act
    const waiter = await storeTokenThenCheck(w.deps, { requestId: 'r-1', taskToken: 'token-2' }, settledWith);
    const decider = await resumeWithStoredToken(w.deps, 'r-1', APPROVED);
    // Assess
    expect(waiter.resumed).toBe(true);
    expect(decider).toBe('closed');
    expect(w.resumed).toEqual([{ taskToken: 'token-2', how: 'success' }]);
  });

  it('without a reminder the decider resumes the first wait directly, reading the token once', async () => {
    // Prepare
    const w = world();
    w.recordDecision();
    // Act
    const decider = await resumeWithStoredToken(w.deps, 'r-1', { error: 'Denied', cause: 'Denied by bob' });
    // Assess
    expect(decider).toBe('resumed');
    expect(w.resumed).toEqual([{ taskToken: 'token-1', how: 'failure' }]);
    expect(sfnMock.commandCalls(SendTaskFailureCommand)[0]?.args[0].input).toEqual({
      taskToken: 'token-1',
      error: 'Denied',
      cause: 'Denied by bob',
    });
  });
});

describe('resumeWithStoredToken', () => {
  it('sends the success output as JSON', async () => {
    // Prepare
    const w = world();
    // Act
    await resumeWithStoredToken(w.deps, 'r-1', { output: { revokedBy: 'alice@example.com' } });
    // Assess
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)[0]?.args[0].input).toEqual({
      taskToken: 'token-1',
      output: JSON.stringify({ revokedBy: 'alice@example.com' }),
    });
  });

  it.each(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist'])(
    'answers closed when the only token is closed (%s)',
    async (name) => {
      // Prepare
      const w = world();
      sfnMock.on(SendTaskSuccessCommand).rejects(awsError(name));
      // Act
      const outcome = await resumeWithStoredToken(w.deps, 'r-1', APPROVED);
      // Assess
      expect(outcome).toBe('closed');
      expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    },
  );

  it('throws any other Step Functions error, so the caller can withdraw or report it', async () => {
    // Prepare
    const w = world();
    sfnMock.on(SendTaskSuccessCommand).rejects(awsError('ThrottlingException'));
    // Act
    const attempt = resumeWithStoredToken(w.deps, 'r-1', APPROVED);
    // Assess
    await expect(attempt).rejects.toMatchObject({ name: 'ThrottlingException' });
  });

  it('fails loudly when no token is stored, and never sends', async () => {
    // Prepare
    const w = world();
    w.forgetToken();
    // Act
    const attempt = resumeWithStoredToken(w.deps, 'r-1', APPROVED);
    // Assess
    await expect(attempt).rejects.toThrow('No task token stored for request r-1');
    expect(sfnMock.calls()).toHaveLength(0);
  });
});

describe('storeTokenThenCheck', () => {
  it('stores the token before it reads the request', async () => {
    // Prepare
    const order: string[] = [];
    const repository = {
      putTaskToken: async () => void order.push('put'),
      get: async () => {
        order.push('get');
        return { requestId: 'r-1', status: 'PENDING_APPROVAL' } as RequestItem;
      },
    };
    // Act
    const result = await storeTokenThenCheck({ repository, sfn }, { requestId: 'r-1', taskToken: 't' }, settledWith);
    // Assess
    expect(order).toEqual(['put', 'get']);
    expect(result.resumed).toBe(false);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it('fails loudly for a request that does not exist', async () => {
    // Prepare
    const repository = { putTaskToken: async () => undefined, get: async () => undefined };
    // Act
    const attempt = storeTokenThenCheck({ repository, sfn }, { requestId: 'r-9', taskToken: 't' }, settledWith);
    // Assess
    await expect(attempt).rejects.toThrow('Request r-9 not found');
  });
});
