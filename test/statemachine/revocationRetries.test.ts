// Revocation's retry budget for ConflictException and ThrottlingException. Ending a grant is what takes access
// away, so a transient error there must not end the request REVOKE_FAILED (access left in place) after the
// 8 retries, about 2.5 minutes, that provisioning gets. Each revocation state retries them for about 30 minutes
// of AWS time. With 9 attempts, test/e2e/timeBoundFaults (50% conflicts on delete) lost a grant with probability
// 0.5^9 = 1/512, about one run in 60. The budget is read from approval.asl.json, the one definition.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  awsError,
  buildInput,
  decide,
  getItem,
  history,
  lambdaInvocations,
  revocationStatus,
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

const retrierFor = (state: string, error: string): Retrier => {
  const found = (asl.States[state]?.Retry ?? []).find((r) => r.ErrorEquals.includes(error));
  if (!found) throw new Error(`${state} has no retrier for ${error}`);
  return found;
};

/** The longest the retrier can wait in all (FULL jitter waits a uniform part of each delay), in AWS seconds. */
const worstCaseWaitSeconds = (r: Retrier): number => {
  let total = 0;
  for (let attempt = 0; attempt < (r.MaxAttempts ?? 3); attempt++) {
    const delay = (r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** attempt;
    total += Math.min(delay, r.MaxDelaySeconds ?? Number.POSITIVE_INFINITY);
  }
  return total;
};

// At the harness's time scale of 0.001, 600 s of grant lasts 0.6 s, and a 32 s retry delay 32 ms.
const SHORT_GRANT = 600;
const THIRTY_MINUTES = 30 * 60;

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ timeScale: 0.001 });
});

afterAll(async () => {
  await h.close();
});

const runGrant = async (script: (requestId: string) => void) => {
  const input = buildInput('sso:CreateAccountAssignment', { grantSeconds: SHORT_GRANT });
  script(input.requestId);
  const executionArn = await startExecution(h, input);
  expect((await decide(h, input.requestId, 'approve')).status).toBe(200);
  const execution = await waitForExecution(h, executionArn, 30_000);
  return { input, execution, item: await getItem(h, input.requestId), events: await history(h, executionArn) };
};

const times = (count: number, error: string): Error[] => Array.from({ length: count }, () => awsError(error));

const BUDGETS = [
  ['RevokeGrant', 'ConflictException'],
  ['RevokeGrant', 'ThrottlingException'],
  ['CheckRevocation', 'ConflictException'],
  ['CheckRevocation', 'ThrottlingException'],
] as const;

it.each(BUDGETS)('%s retries %s for at least 30 minutes of AWS time, with capped backoff', (state, error) => {
  // Assess
  const retrier = retrierFor(state, error);
  expect(worstCaseWaitSeconds(retrier)).toBeGreaterThanOrEqual(THIRTY_MINUTES);
  expect(retrier.MaxDelaySeconds).toBeLessThanOrEqual(60);
});

it.each(['RevokeGrant', 'CheckRevocation'])('%s retries Conflict and Throttling with one retrier', (state) => {
  // Assess
  expect(retrierFor(state, 'ConflictException')).toBe(retrierFor(state, 'ThrottlingException'));
});

// Both errors share one retrier per state (checked above), so each state is driven with one of them: every
// execution below makes about 60 Lambda invocations.
describe.each([
  ['RevokeGrant', 'revoke', 'ConflictException'],
  ['CheckRevocation', 'checkRevocation', 'ThrottlingException'],
])('%s (%s Lambda) on %s', (state, functionName, error) => {
  const retries = retrierFor(state, error).MaxAttempts ?? 3;

  it('every retry used, then success: REVOKED', async () => {
    // Prepare + Act
    const { input, item, events } = await runGrant((requestId) =>
      h.lambdas.script(functionName, requestId, ...times(retries, error)),
    );

    // Assess
    expect(item.status?.S).toBe('REVOKED');
    expect(h.lambdas.callsTo(functionName, input.requestId)).toHaveLength(1 + retries);
    expect(lambdaInvocations(events, functionName)).toBe(1 + retries);
  });

  it('one error more than the budget: REVOKE_FAILED with the error recorded, never silently', async () => {
    // Prepare + Act
    const { input, item } = await runGrant((requestId) =>
      h.lambdas.script(functionName, requestId, ...times(retries + 1, error), revocationStatus('SUCCEEDED')),
    );

    // Assess
    expect(item.status?.S).toBe('REVOKE_FAILED');
    expect(item.error?.M?.name?.S).toBe(error);
    expect(h.lambdas.callsTo(functionName, input.requestId)).toHaveLength(1 + retries);
  });
});
