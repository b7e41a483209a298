// A revocation task that got no answer at all (the task or its Lambda timed out, or Lambda refused the invocation)
// must not end the request REVOKE_FAILED after a few attempts: it is retried like RevocationTransient, on the revocation's
// day-long budget, and the next invocation's own budget check (RevocationRetryBudgetExhausted) still ends it in time.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  awsError,
  buildInput,
  decide,
  getItem,
  startExecution,
  startHarness,
  waitForExecution,
  type Harness,
} from './harness.js';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxAttempts?: number;
  MaxDelaySeconds?: number;
}

const asl = JSON.parse(readFileSync(new URL('../../statemachine/approval.asl.json', import.meta.url), 'utf8')) as {
  States: Record<string, { Retry?: Retrier[] }>;
};

/** The retrier Step Functions uses for `error`: the first whose ErrorEquals names it. */
const retrierFor = (state: string, error: string): Retrier => {
  const found = (asl.States[state]?.Retry ?? []).find((r) => r.ErrorEquals.includes(error));
  if (!found) throw new Error(`${state} has no retrier for ${error}`);
  return found;
};

const DAY = 24 * 60 * 60;
const NO_ANSWER = ['States.Timeout', 'Sandbox.Timedout', 'Lambda.Unknown', 'Lambda.TooManyRequestsException'];

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ timeScale: 0.001 });
});

afterAll(async () => {
  await h.close();
});

describe.each(['RevokeGrant', 'CheckRevocation'])('%s', (state) => {
  it.each(NO_ANSWER)('retries %s on the same day-long retrier as RevocationTransient', (error) => {
    // Prepare
    const transient = retrierFor(state, 'RevocationTransient');

    // Act
    const retrier = retrierFor(state, error);

    // Assess
    expect(retrier.MaxAttempts).toBe(transient.MaxAttempts);
    expect(retrier.MaxDelaySeconds).toBe(transient.MaxDelaySeconds);
    // FULL jitter waits half the cap on average: still about a day before the retrier gives up on its own.
    expect(((retrier.MaxAttempts ?? 0) * (retrier.MaxDelaySeconds ?? 0)) / 2).toBeGreaterThanOrEqual(DAY);
  });
});

describe('a revoke Lambda that times out again and again', () => {
  it('is retried past the 3 attempts a Lambda fault gets, and the grant is REVOKED', async () => {
    // Prepare
    const input = buildInput('sso:CreateAccountAssignment', { grantSeconds: 600 });
    h.lambdas.script('revoke', input.requestId, ...Array.from({ length: 6 }, () => awsError('Sandbox.Timedout')));
    const executionArn = await startExecution(h, input);

    // Act
    expect((await decide(h, input.requestId, 'approve')).status).toBe(200);
    await waitForExecution(h, executionArn, 30_000);

    // Assess
    expect((await getItem(h, input.requestId)).status?.S).toBe('REVOKED');
    expect(h.lambdas.callsTo('revoke', input.requestId)).toHaveLength(7);
  });
});
