// Issue 13 on the real approval.asl.json with stub Lambdas: waiting for Identity Center capacity (IdentityCenterBusy,
// CreationSlotsFull) is retried on its own retrier and never uses up the Conflict/Throttling one; a creation whose
// contention outlasts a round is verified and, while its budget lasts, created again (RETRY); only non-retryable
// errors end an approved request FAILED; revocation retries transient errors (RevocationTransient) for its 24-hour
// budget and ends REVOKE_FAILED only when that runs out or for a non-retryable error.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  awsError,
  buildInput,
  decide,
  enteredStates,
  getItem,
  history,
  revocationStatus,
  startExecution,
  startHarness,
  verification,
  waitForExecution,
  type Harness,
  type Payload,
} from './harness.js';

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  BackoffRate?: number;
  MaxAttempts?: number;
  MaxDelaySeconds?: number;
  JitterStrategy?: string;
}
interface State {
  Retry?: Retrier[];
  Catch?: Array<{ ErrorEquals: string[]; Next: string }>;
}

const asl = JSON.parse(readFileSync(new URL('../../statemachine/approval.asl.json', import.meta.url), 'utf8')) as {
  States: Record<string, State>;
};
const retrierFor = (state: string, error: string): Retrier => {
  const found = (asl.States[state]?.Retry ?? []).find((r) => r.ErrorEquals.includes(error));
  if (!found) throw new Error(`${state} has no retrier for ${error}`);
  return found;
};

/**
 * A lower bound on a FULL-jitter retrier's total wait that it falls below with negligible probability: each delay is
 * uniform on [0, d], so the total has mean Σd/2 and variance Σd²/12; six standard deviations below the mean.
 */
const plausibleMinimumSeconds = (r: Retrier): number => {
  let mean = 0;
  let variance = 0;
  for (let attempt = 0; attempt < (r.MaxAttempts ?? 3); attempt++) {
    const d = Math.min((r.IntervalSeconds ?? 1) * (r.BackoffRate ?? 2) ** attempt, r.MaxDelaySeconds ?? Infinity);
    mean += d / 2;
    variance += (d * d) / 12;
  }
  return mean - 6 * Math.sqrt(variance);
};

const SSO = 'sso:CreateAccountAssignment' as const;
const SHORT_GRANT = 600;
const DAY = 24 * 60 * 60;
const SSO_TASKS = ['CreateAssignment', 'CheckAssignment', 'VerifyAssignment', 'RevokeGrant', 'CheckRevocation'];

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ timeScale: 0.001 });
});

afterAll(async () => {
  await h.close();
});

const run = async (grantSeconds: number, script: (requestId: string) => void) => {
  const input = buildInput(SSO, grantSeconds ? { grantSeconds } : {});
  script(input.requestId);
  const executionArn = await startExecution(h, input);
  expect((await decide(h, input.requestId, 'approve')).status).toBe(200);
  const execution = await waitForExecution(h, executionArn, 60_000);
  return { input, execution, item: await getItem(h, input.requestId), events: await history(h, executionArn) };
};

const times = (count: number, error: string): Error[] => Array.from({ length: count }, () => awsError(error));
const interleave = (a: Error[], b: Error[]): Error[] =>
  Array.from({ length: Math.max(a.length, b.length) }, (_, i) => [a[i], b[i]])
    .flat()
    .filter((e): e is Error => !!e);

describe('the retry numbers in approval.asl.json', () => {
  it.each(SSO_TASKS)(
    '%s retries IdentityCenterBusy on a retrier of its own, FULL jitter, capped, about a day',
    (state) => {
      // Assess
      const busy = retrierFor(state, 'IdentityCenterBusy');
      expect(busy.ErrorEquals).not.toContain('ConflictException');
      expect(busy.ErrorEquals).not.toContain('ThrottlingException');
      expect(busy.JitterStrategy).toBe('FULL');
      expect(busy.MaxDelaySeconds).toBeGreaterThanOrEqual(8);
      expect(busy.MaxDelaySeconds).toBeLessThanOrEqual(16);
      // Worst case about a day: MaxAttempts × cap.
      expect((busy.MaxAttempts ?? 0) * (busy.MaxDelaySeconds ?? 0)).toBeGreaterThanOrEqual(0.9 * DAY);
    },
  );

  it('CreateAssignment shares that retrier with CreationSlotsFull', () => {
    // Assess
    expect(retrierFor('CreateAssignment', 'CreationSlotsFull')).toBe(
      retrierFor('CreateAssignment', 'IdentityCenterBusy'),
    );
  });

  it.each(['RevokeGrant', 'CheckRevocation'])(
    '%s retries RevocationTransient for longer than the 24-hour budget the task measures, cap at most a minute',
    (state) => {
      // Assess
      const transient = retrierFor(state, 'RevocationTransient');
      expect(plausibleMinimumSeconds(transient)).toBeGreaterThan(DAY);
      expect(transient.MaxDelaySeconds).toBeLessThanOrEqual(60);
      expect(transient.JitterStrategy).toBe('FULL');
    },
  );

  it('only errors that mean Identity Center refused the call lead CreateAssignment straight to FAILED', () => {
    // Assess
    const toFailed = (asl.States.CreateAssignment?.Catch ?? []).filter((c) => c.Next === 'RecordFailed');
    expect(toFailed.flatMap((c) => c.ErrorEquals).sort()).toEqual(
      [
        'AccessDeniedException',
        'ResourceNotFoundException',
        'ServiceQuotaExceededException',
        'ValidationException',
      ].sort(),
    );
    for (const state of ['CheckAssignment', 'VerifyAssignment']) {
      expect((asl.States[state]?.Catch ?? []).map((c) => c.Next)).not.toContain('RecordFailed');
    }
  });
});

describe('waiting for capacity', () => {
  it('IdentityCenterBusy between 8 conflicts does not use up the Conflict/Throttling retrier: COMPLETED', async () => {
    // Prepare + Act: 8 conflicts are exactly the contention retrier's attempts; 20 busy waits come in between
    const { input, item } = await run(0, (requestId) =>
      h.lambdas.script(
        'assign',
        requestId,
        ...interleave(times(8, 'ConflictException'), times(20, 'IdentityCenterBusy')),
      ),
    );

    // Assess
    expect(item.status?.S).toBe('COMPLETED');
    expect(h.lambdas.callsTo('assign', input.requestId)).toHaveLength(29);
    expect(h.lambdas.callsTo('verifyAssignment', input.requestId)).toHaveLength(0);
  });

  it('CreationSlotsFull and IdentityCenterBusy together, 60 times: still just a wait, COMPLETED', async () => {
    // Prepare + Act
    const { input, item } = await run(0, (requestId) =>
      h.lambdas.script(
        'assign',
        requestId,
        ...interleave(times(30, 'CreationSlotsFull'), times(30, 'IdentityCenterBusy')),
      ),
    );

    // Assess
    expect(item.status?.S).toBe('COMPLETED');
    expect(h.lambdas.callsTo('assign', input.requestId)).toHaveLength(61);
  });

  it('IdentityCenterBusy on every SSO task of a time-bound grant: ACTIVE, then REVOKED', async () => {
    // Prepare + Act
    const { item } = await run(SHORT_GRANT, (requestId) => {
      for (const fn of ['assign', 'checkAssignment', 'revoke', 'checkRevocation'])
        h.lambdas.script(fn, requestId, ...times(15, 'IdentityCenterBusy'));
    });

    // Assess
    expect(item.status?.S).toBe('REVOKED');
  });
});

describe('creation: FAILED only for non-retryable errors', () => {
  it('contention outlasting a round is verified, and while its budget lasts created again (RETRY): COMPLETED', async () => {
    // Prepare + Act: 9 throttles use up the round; verify says "absent, retry"; the next round succeeds
    const { input, item, events } = await run(0, (requestId) => {
      h.lambdas.script('assign', requestId, ...times(9, 'ThrottlingException'));
      h.lambdas.script('verifyAssignment', requestId, (payload: Payload) => ({
        ...verification('ABSENT')(payload),
        status: 'RETRY',
      }));
    });

    // Assess
    expect(item.status?.S).toBe('COMPLETED');
    expect(h.lambdas.callsTo('assign', input.requestId)).toHaveLength(10);
    expect(h.lambdas.callsTo('verifyAssignment', input.requestId)).toEqual([
      expect.objectContaining({ after: 'ThrottlingException', creationRequestId: '' }),
    ]);
    const states = enteredStates(events);
    expect(states.slice(states.indexOf('VerifiedOutcome'), states.indexOf('VerifiedOutcome') + 2)).toEqual([
      'VerifiedOutcome',
      'CreateAssignment',
    ]);
  });

  it('ThrottlingException past a round is never FAILED without a verification', async () => {
    // Prepare + Act: the verification finds the assignment (the creation had gone through after all)
    const { input, item } = await run(0, (requestId) => {
      h.lambdas.script('assign', requestId, ...times(9, 'ThrottlingException'));
      h.lambdas.script('verifyAssignment', requestId, verification('PRESENT'));
    });

    // Assess
    expect(item.status?.S).toBe('COMPLETED');
    expect(h.lambdas.callsTo('verifyAssignment', input.requestId)).toHaveLength(1);
  });

  it('ServiceQuotaExceededException is non-retryable: FAILED at once, no verification', async () => {
    // Prepare + Act
    const { input, item } = await run(0, (requestId) =>
      h.lambdas.script('assign', requestId, awsError('ServiceQuotaExceededException')),
    );

    // Assess
    expect(item.status?.S).toBe('FAILED');
    expect(h.lambdas.callsTo('assign', input.requestId)).toHaveLength(1);
    expect(h.lambdas.callsTo('verifyAssignment', input.requestId)).toHaveLength(0);
  });
});

describe('revocation: REVOKE_FAILED only when the budget runs out or for a non-retryable error', () => {
  it('200 transient errors on the deletion and 200 on its polls: REVOKED, never REVOKE_FAILED', async () => {
    // Prepare + Act
    const { input, item } = await run(SHORT_GRANT, (requestId) => {
      h.lambdas.script('revoke', requestId, ...times(200, 'RevocationTransient'));
      h.lambdas.script('checkRevocation', requestId, ...times(200, 'RevocationTransient'));
    });

    // Assess
    expect(item.status?.S).toBe('REVOKED');
    expect(h.lambdas.callsTo('revoke', input.requestId)).toHaveLength(201);
    expect(h.lambdas.callsTo('checkRevocation', input.requestId)).toHaveLength(201);
  }, 120_000);

  it('the task says the 24-hour budget is spent: REVOKE_FAILED with RevocationRetryBudgetExhausted, at once', async () => {
    // Prepare + Act
    const { input, item } = await run(SHORT_GRANT, (requestId) =>
      h.lambdas.script(
        'revoke',
        requestId,
        ...times(3, 'RevocationTransient'),
        awsError('RevocationRetryBudgetExhausted', 'transient errors for more than 24 hours'),
      ),
    );

    // Assess
    expect(item.status?.S).toBe('REVOKE_FAILED');
    expect(item.error?.M?.name?.S).toBe('RevocationRetryBudgetExhausted');
    expect(h.lambdas.callsTo('revoke', input.requestId)).toHaveLength(4);
  });

  it.each(['AccessDeniedException', 'ValidationException', 'ResourceNotFoundException'])(
    'a non-retryable %s on the status poll: REVOKE_FAILED at once',
    async (name) => {
      // Prepare + Act
      const { input, item } = await run(SHORT_GRANT, (requestId) =>
        h.lambdas.script('checkRevocation', requestId, awsError(name)),
      );

      // Assess
      expect(item.status?.S).toBe('REVOKE_FAILED');
      expect(item.error?.M?.name?.S).toBe(name);
      expect(h.lambdas.callsTo('checkRevocation', input.requestId)).toHaveLength(1);
    },
  );

  it('a deletion still IN_PROGRESS after 40 checks is checked on (once a minute), not given up: REVOKED', async () => {
    // Prepare + Act
    const { input, item, events } = await run(SHORT_GRANT, (requestId) =>
      h.lambdas.script(
        'checkRevocation',
        requestId,
        ...Array.from({ length: 45 }, () => revocationStatus('IN_PROGRESS')),
      ),
    );

    // Assess
    expect(item.status?.S).toBe('REVOKED');
    expect(h.lambdas.callsTo('checkRevocation', input.requestId)).toHaveLength(46);
    expect(enteredStates(events)).toContain('WaitLongerForRevocation');
  });
});
