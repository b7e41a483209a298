// The creation slots' queue on the real approval.asl.json with stub Lambdas: a creation that finds every slot taken
// (QueueForSlot) waits in AwaitCreationSlot on a task token, is resumed by whoever hands it a slot, and then runs
// CreateAssignment again; a wait that nobody resumes times out and queues once more. The wait is not an attempt: it
// never reaches a record of failure. Deletions do not queue: RevokeGrant's payload stays as it was.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  awsError,
  buildInput,
  decide,
  getItem,
  history,
  startExecution,
  startHarness,
  waitForExecution,
  type Harness,
  type Payload,
} from './harness.js';

interface State {
  Type: string;
  Resource?: string;
  Parameters?: { Payload?: Record<string, unknown> };
  Retry?: Array<{ ErrorEquals: string[] }>;
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
  TimeoutSeconds?: number;
  Next?: string;
}
const asl = JSON.parse(readFileSync(new URL('../../statemachine/approval.asl.json', import.meta.url), 'utf8')) as {
  States: Record<string, State>;
};

const SSO = 'sso:CreateAccountAssignment' as const;
let h: Harness;

beforeAll(async () => {
  h = await startHarness({ timeScale: 0.001 });
});

afterAll(async () => {
  await h.close();
});

/** An awaitSlot stub that hands the waiting task a slot, as a release's hand-off would. */
const handSlot = (payload: Payload) => {
  setTimeout(() => {
    void h.emulator.handle('SendTaskSuccess', { taskToken: payload.taskToken, output: JSON.stringify({ slot: 7 }) });
  }, 1);
  return { outcome: 'queued' };
};
/** An awaitSlot stub whose hand-off never comes (a slot freed by a lease that ran out, not by a release). */
const neverHanded = () => ({ outcome: 'queued' });

const run = async (grantSeconds: number, script: (requestId: string) => void) => {
  const input = buildInput(SSO, grantSeconds ? { grantSeconds } : {});
  script(input.requestId);
  const executionArn = await startExecution(h, input);
  expect((await decide(h, input.requestId, 'approve')).status).toBe(200);
  const execution = await waitForExecution(h, executionArn, 60_000);
  return { input, execution, item: await getItem(h, input.requestId), events: await history(h, executionArn) };
};

describe('the queue state in approval.asl.json', () => {
  it('CreateAssignment asks to queue and catches QueueForSlot (never retries it) into AwaitCreationSlot, which leads back', () => {
    // Assess
    const state = asl.States.CreateAssignment as State;
    expect(state.Parameters?.Payload?.slotQueue).toBe(true);
    expect((state.Retry ?? []).flatMap((r) => r.ErrorEquals)).not.toContain('QueueForSlot');
    expect(state.Catch?.find((c) => c.ErrorEquals.includes('QueueForSlot'))?.Next).toBe('AwaitCreationSlot');
    const waitState = asl.States.AwaitCreationSlot as State;
    expect(waitState.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(waitState.Parameters?.Payload?.kind).toBe('creation');
    expect(waitState.Parameters?.Payload?.['taskToken.$']).toBe('$$.Task.Token');
    expect(waitState.Parameters?.Payload?.['queuedSince.$']).toBe('$$.Execution.StartTime');
    expect(waitState.Next).toBe('CreateAssignment');
    expect(waitState.TimeoutSeconds).toBeGreaterThan(0);
  });
});

describe('waiting in the queue', () => {
  it('a creation queued twice is resumed each time and ends COMPLETED', async () => {
    // Prepare + Act
    const { input, item } = await run(0, (requestId) => {
      h.lambdas.script('assign', requestId, awsError('QueueForSlot'), awsError('QueueForSlot'));
      h.lambdas.script('awaitSlot', requestId, handSlot, handSlot);
    });

    // Assess
    expect(item.status?.S).toBe('COMPLETED');
    expect(h.lambdas.callsTo('assign', input.requestId)).toHaveLength(3);
    const waits = h.lambdas.callsTo('awaitSlot', input.requestId);
    expect(waits.map((w) => w.kind)).toEqual(['creation', 'creation']);
    expect(waits.every((w) => typeof w.taskToken === 'string' && w.taskToken !== '')).toBe(true);
    expect(h.lambdas.callsTo('assign', input.requestId)[0]?.slotQueue).toBe(true);
  });

  it('a wait nobody resumes times out and queues again, without an error on the request', async () => {
    // Prepare + Act
    const { input, item } = await run(0, (requestId) => {
      h.lambdas.script('assign', requestId, awsError('QueueForSlot'));
      h.lambdas.script('awaitSlot', requestId, neverHanded, handSlot);
    });

    // Assess
    expect(item.status?.S).toBe('COMPLETED');
    expect(h.lambdas.callsTo('awaitSlot', input.requestId)).toHaveLength(2);
    expect(h.lambdas.callsTo('verifyAssignment', input.requestId)).toHaveLength(0);
  });
});
