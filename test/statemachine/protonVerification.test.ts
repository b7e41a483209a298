// The real approval.asl.json: an accept whose outcome is unknown (InternalServerException after its retries) is
// verified with Proton before the request ends, as an SSO creation is.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  awsError,
  buildInput,
  decide,
  enteredStates,
  getItem,
  history,
  startExecution,
  startHarness,
  waitForExecution,
  type Harness,
  type Step,
} from './harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ timeScale: 0.001 });
});

afterAll(async () => {
  await h.close();
});

const PROTON = 'proton:AcceptEnvironmentAccountConnection' as const;
/** The accept's own budget for InternalServerException: the first attempt and 2 retries. */
const ACCEPT_ATTEMPTS = 3;

const runApproved = async (...steps: Step[]) => {
  const input = buildInput(PROTON);
  h.lambdas.script('accept', input.requestId, ...steps);
  const executionArn = await startExecution(h, input);
  expect((await decide(h, input.requestId, 'approve')).status).toBe(200);
  await waitForExecution(h, executionArn);
  const calls = h.lambdas.callsTo('accept', input.requestId);
  return {
    item: await getItem(h, input.requestId),
    accepts: calls.filter((c) => c.verifyAfter === undefined),
    verifications: calls.filter((c) => c.verifyAfter !== undefined),
    states: enteredStates(await history(h, executionArn)),
  };
};

const internalErrors = (n: number): Step[] => Array.from({ length: n }, () => awsError('InternalServerException'));

describe('an accept whose outcome is unknown', () => {
  it('is verified CONNECTED → COMPLETED, after the accept budget, with the first error passed on', async () => {
    // Prepare + Act
    const { item, accepts, verifications, states } = await runApproved(...internalErrors(ACCEPT_ATTEMPTS));

    // Assess
    expect(item.status?.S).toBe('COMPLETED');
    expect(accepts).toHaveLength(ACCEPT_ATTEMPTS);
    expect(verifications).toEqual([expect.objectContaining({ verifyAfter: 'InternalServerException' })]);
    expect(states).toContain('VerifyConnection');
  });

  it('is verified not accepted → FAILED with ConnectionNotAccepted', async () => {
    // Prepare + Act
    const { item, verifications } = await runApproved(
      ...internalErrors(ACCEPT_ATTEMPTS),
      awsError('ConnectionNotAccepted', 'After InternalServerException, connection x is PENDING'),
    );

    // Assess
    expect(item.status?.S).toBe('FAILED');
    expect(item.error?.M?.name?.S).toBe('ConnectionNotAccepted');
    expect(verifications).toHaveLength(1);
  });

  it('cannot be verified (the look-up keeps failing) → OUTCOME_UNKNOWN, never a silent FAILED', async () => {
    // Prepare + Act
    const { item, verifications } = await runApproved(...internalErrors(ACCEPT_ATTEMPTS + 20));

    // Assess
    expect(item.status?.S).toBe('OUTCOME_UNKNOWN');
    expect(item.error?.M?.name?.S).toBe('InternalServerException');
    // The look-up and its 8 retries.
    expect(verifications).toHaveLength(9);
  });

  it('a refusal is not verified: AccessDeniedException → FAILED after one attempt', async () => {
    // Prepare + Act
    const { item, accepts, verifications } = await runApproved(awsError('AccessDeniedException'));

    // Assess
    expect(item.status?.S).toBe('FAILED');
    expect(accepts).toHaveLength(1);
    expect(verifications).toHaveLength(0);
  });
});
