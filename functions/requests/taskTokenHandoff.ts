// The task-token hand-off between a workflow waiting on a person and whoever ends that wait. The workflow gets a
// new token each time it enters a wait (the approval, the wait after a reminder, the grant's wait), and a decision
// can land while the token is being replaced. Both sides follow one order, so that one of them always sees the
// other and the decision is never lost:
// - the waiting side stores its new token first, then reads the request; if a decision is already recorded (it
//   may have been sent to the old token), it resumes the workflow itself, with the new token;
// - the deciding side records its decision first, then reads the token and sends to it; if that token is closed,
//   it reads the token once more: a different one means the wait was re-entered, and the new one is tried.
// Either the decider reads the new token, or the waiter reads the decision. The token itself is a secret: it is
// passed to Step Functions and the table, never logged or returned.
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { RequestItem } from './model.js';
import type { RequestRepository } from './repository.js';

/** What a wait is resumed with: success with an output, or failure with an error name the workflow catches. */
export type TaskResult = { output: Record<string, unknown> } | { error: string; cause: string };

/** Step Functions' answers for a token whose wait has ended (timed out, resumed, or superseded). */
const CLOSED_TASK_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

const sendTaskResult = async (sfn: SFNClient, taskToken: string, result: TaskResult): Promise<void> => {
  if ('output' in result) {
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(result.output) }));
  } else {
    await sfn.send(new SendTaskFailureCommand({ taskToken, error: result.error, cause: result.cause }));
  }
};

/**
 * Resumes the wait that `taskToken` belongs to: 'closed' when that wait has already ended (timed out, resumed, or
 * its execution stopped), which the caller decides the meaning of; any other Step Functions error is thrown.
 */
export const resumeWait = async (
  sfn: SFNClient,
  taskToken: string,
  result: TaskResult,
): Promise<'resumed' | 'closed'> => {
  try {
    await sendTaskResult(sfn, taskToken, result);
    return 'resumed';
  } catch (error) {
    if (CLOSED_TASK_ERRORS.has((error as Error).name)) return 'closed';
    throw error;
  }
};

export interface WaitingSideDeps {
  repository: Pick<RequestRepository, 'putTaskToken' | 'get'>;
  sfn: SFNClient;
}

/**
 * The waiting side: stores the wait's new token, then reads the request. `settledWith` says what to resume the
 * wait with if the request already holds a decision, or undefined to keep waiting. Returns the request as read
 * after the token was stored, and whether this call resumed the workflow.
 */
export const storeTokenThenCheck = async (
  deps: WaitingSideDeps,
  input: { requestId: string; taskToken: string },
  settledWith: (item: RequestItem) => TaskResult | undefined,
): Promise<{ item: RequestItem; resumed: boolean }> => {
  await deps.repository.putTaskToken(input.requestId, input.taskToken);
  const item = await deps.repository.get(input.requestId);
  if (!item) throw new Error(`Request ${input.requestId} not found`);
  const result = settledWith(item);
  if (result) await sendTaskResult(deps.sfn, input.taskToken, result);
  return { item, resumed: result !== undefined };
};

export interface DecidingSideDeps {
  repository: Pick<RequestRepository, 'getTaskToken'>;
  sfn: SFNClient;
}

/**
 * The deciding side, called once the decision is recorded: resumes the wait with the stored token. 'closed' when
 * the stored token's wait had ended and no newer token replaced it (the wait timed out, or was resumed by the
 * waiting side); the caller decides what that means. Any other Step Functions error is thrown.
 */
export const resumeWithStoredToken = async (
  deps: DecidingSideDeps,
  requestId: string,
  result: TaskResult,
  /** A read of the token already under way, started alongside the decision's write to save a round trip. */
  firstRead?: Promise<string | undefined>,
): Promise<'resumed' | 'closed'> => {
  let taskToken = await (firstRead ?? deps.repository.getTaskToken(requestId));
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (!taskToken) throw new Error(`No task token stored for request ${requestId}`);
    if ((await resumeWait(deps.sfn, taskToken, result)) === 'resumed') return 'resumed';
    // One re-read is the protocol: a waiting side that stored a token after our read also read our decision, so
    // if the newer token is closed too, that side has resumed the workflow itself.
    if (attempt > 0) break;
    const current = await deps.repository.getTaskToken(requestId);
    if (current === taskToken) break;
    taskToken = current;
  }
  return 'closed';
};
