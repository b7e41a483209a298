// The time-bound path of approval.asl.json with stub Lambdas: APPROVED → ACTIVE → (timeout, or an early
// SendTaskSuccess on the grant's token) → revoke, with retries → REVOKED or REVOKE_FAILED.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  awsError,
  buildInput,
  call,
  decide,
  enteredStates,
  eventTypes,
  getItem,
  history,
  lambdaInvocations,
  revocationStatus,
  startExecution,
  startHarness,
  waitForExecution,
  type Harness,
} from './harness.js';

const SSO = 'sso:CreateAccountAssignment' as const;
// At the harness's time scale of 0.001, 600 s of grant lasts 0.6 s and an hour 3.6 s.
const SHORT_GRANT = 600;
const HOUR_GRANT = 3600;

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ timeScale: 0.001 });
});

afterAll(async () => {
  await h.close();
});

const recordedError = (item: Awaited<ReturnType<typeof getItem>>) => ({
  name: item.error?.M?.name?.S,
  cause: item.error?.M?.cause?.S,
});

const eventDetail = (item: Awaited<ReturnType<typeof getItem>>, type: string): unknown => {
  const found = (item.events?.L ?? []).find((e) => e.M?.type?.S === type);
  const text = found?.M?.detail?.S;
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

/** Resolves once the workflow is holding the grant (notify got the `grant` wait's token). */
const grantToken = async (requestId: string, timeoutMs = 5000): Promise<string> => {
  const deadline = Date.now() + timeoutMs;
  while (h.lambdas.callsTo('notify', requestId, 'grant').length === 0) {
    if (Date.now() > deadline) throw new Error(`${requestId} never reached the grant's wait`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  return String(h.lambdas.callsTo('notify', requestId, 'grant')[0]!.taskToken);
};

/** Starts a time-bound request, approves it, and waits for the execution to end. */
const runGrant = async (grantSeconds: number, script: (requestId: string) => void = () => undefined) => {
  const input = buildInput(SSO, { grantSeconds });
  script(input.requestId);
  const executionArn = await startExecution(h, input);
  expect((await decide(h, input.requestId, 'approve')).status).toBe(200);
  const execution = await waitForExecution(h, executionArn);
  return {
    input,
    executionArn,
    execution,
    item: await getItem(h, input.requestId),
    events: await history(h, executionArn),
  };
};

describe('scheduled end', () => {
  it('approve → ACTIVE → the grant times out → revoke → REVOKED; a late SendTaskSuccess gets TaskTimedOut', async () => {
    // Prepare + Act
    const { input, execution, item, events } = await runGrant(SHORT_GRANT);
    const late = await h.emulator.handle('SendTaskSuccess', {
      taskToken: String(h.lambdas.callsTo('notify', input.requestId, 'grant')[0]?.taskToken),
      output: '{}',
    });

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(item.status?.S).toBe('REVOKED');
    expect(item.activeUntil?.S).toEqual(expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/));
    expect(eventTypes(item)).toEqual(['submitted', 'approved', 'completed', 'active', 'revoked']);
    expect(eventDetail(item, 'revoked')).toMatchObject({ Status: 'SUCCEEDED', deleted: true });
    const states = enteredStates(events);
    expect(states.slice(states.indexOf('RecordActive'))).toEqual([
      'RecordActive',
      'NotifyGranted',
      'AwaitGrantEnd',
      'RevokeGrant',
      'RevocationDone',
      'WaitForRevocation',
      'CheckRevocation',
      'RevocationDone',
      'RecordRevoked',
      'NotifyOutcome',
    ]);
    expect(events.some((e) => e.type === 'TaskTimedOut')).toBe(true);
    expect(h.lambdas.callsTo('revoke', input.requestId)).toEqual([
      { requestId: input.requestId, parameters: input.parameters },
    ]);
    expect(h.lambdas.callsTo('checkRevocation', input.requestId)).toHaveLength(1);
    // Once when the grant became ACTIVE, once with the final status.
    expect(h.lambdas.callsTo('notify', input.requestId, 'outcome')).toHaveLength(2);
    expect(late).toMatchObject({ status: 400, body: { __type: 'TaskTimedOut' } });
  });

  it('keeps polling while the deletion is IN_PROGRESS', async () => {
    // Prepare + Act
    const { input, item, events } = await runGrant(SHORT_GRANT, (requestId) =>
      h.lambdas.script('checkRevocation', requestId, revocationStatus('IN_PROGRESS'), revocationStatus('IN_PROGRESS')),
    );

    // Assess
    expect(item.status?.S).toBe('REVOKED');
    expect(eventDetail(item, 'revoked')).toMatchObject({ Status: 'SUCCEEDED', deleted: true, polls: 3 });
    expect(lambdaInvocations(events, 'checkRevocation')).toBe(3);
    expect(h.lambdas.callsTo('checkRevocation', input.requestId).map((p) => p.polls)).toEqual([0, 1, 2]);
  });

  it('when another grant still holds the assignment, revoke deletes nothing and the request is REVOKED without polling', async () => {
    // Prepare + Act: as the real revoke Lambda answers, with an empty deletion request id (the state selects it)
    const { input, item } = await runGrant(SHORT_GRANT, (requestId) =>
      h.lambdas.script('revoke', requestId, {
        Status: 'SUCCEEDED',
        deleted: false,
        deletionRequestId: '',
        polls: 0,
        reason: 'still held by 1 other grant(s)',
        FailureReason: '',
      }),
    );

    // Assess
    expect(item.status?.S).toBe('REVOKED');
    expect(eventDetail(item, 'revoked')).toMatchObject({ deleted: false, reason: 'still held by 1 other grant(s)' });
    expect(h.lambdas.callsTo('checkRevocation', input.requestId)).toHaveLength(0);
  });
});

describe('early end', () => {
  it('SendTaskSuccess on the grant token ends an ACTIVE grant now: revoked well before its time', async () => {
    // Prepare
    const input = buildInput(SSO, { grantSeconds: HOUR_GRANT });
    const executionArn = await startExecution(h, input);
    await decide(h, input.requestId, 'approve');
    const taskToken = await grantToken(input.requestId);
    const whileActive = await getItem(h, input.requestId);
    const started = Date.now();

    // Act
    const sent = await call(h, 'SendTaskSuccess', {
      taskToken,
      output: JSON.stringify({ revokedBy: 'alice@example.com' }),
    });
    const execution = await waitForExecution(h, executionArn);
    const again = await h.emulator.handle('SendTaskSuccess', { taskToken, output: '{}' });

    // Assess
    expect(sent).toEqual({});
    expect(whileActive.status?.S).toBe('ACTIVE');
    expect(whileActive.activeUntil?.S).toBeDefined();
    expect(Date.now() - started).toBeLessThan(2000);
    expect(execution.status).toBe('SUCCEEDED');
    const item = await getItem(h, input.requestId);
    expect(item.status?.S).toBe('REVOKED');
    expect(eventTypes(item)).toEqual(['submitted', 'approved', 'completed', 'active', 'revoked']);
    const events = await history(h, executionArn);
    expect(events.some((e) => e.type === 'TaskTimedOut')).toBe(false);
    expect(enteredStates(events)).toEqual(expect.arrayContaining(['AwaitGrantEnd', 'RevokeGrant', 'RecordRevoked']));
    expect(h.lambdas.callsTo('revoke', input.requestId)).toHaveLength(1);
    // The wait is closed: what revokeEarly treats as "already ending".
    expect(again.status).toBe(400);
    expect(['TaskTimedOut', 'InvalidToken', 'TaskDoesNotExist']).toContain((again.body as { __type: string }).__type);
  });
});

describe('revocation errors', () => {
  it('ConflictException twice, then success: REVOKED after 3 revoke attempts', async () => {
    // Prepare + Act
    const { input, item, events } = await runGrant(SHORT_GRANT, (requestId) =>
      h.lambdas.script('revoke', requestId, awsError('ConflictException'), awsError('ConflictException')),
    );

    // Assess
    expect(item.status?.S).toBe('REVOKED');
    expect(h.lambdas.callsTo('revoke', input.requestId)).toHaveLength(3);
    expect(lambdaInvocations(events, 'revoke')).toBe(3);
    const failures = events.filter((e) => e.type === 'TaskFailed').map((e) => e.taskFailedEventDetails);
    expect(failures).toEqual([
      expect.objectContaining({ resourceType: 'lambda', error: 'ConflictException' }),
      expect.objectContaining({ resourceType: 'lambda', error: 'ConflictException' }),
    ]);
  });

  it('AccessDeniedException: REVOKE_FAILED at once, with the error recorded and the outcome notification sent', async () => {
    // Prepare + Act
    const { input, execution, item } = await runGrant(SHORT_GRANT, (requestId) =>
      h.lambdas.script('revoke', requestId, awsError('AccessDeniedException', 'not allowed to delete assignments')),
    );

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(item.status?.S).toBe('REVOKE_FAILED');
    expect(h.lambdas.callsTo('revoke', input.requestId)).toHaveLength(1);
    const error = recordedError(item);
    expect(error.name).toBe('AccessDeniedException');
    expect(JSON.parse(error.cause ?? '{}')).toMatchObject({
      errorType: 'AccessDeniedException',
      errorMessage: 'not allowed to delete assignments',
    });
    expect(eventTypes(item)).toEqual(['submitted', 'approved', 'completed', 'active', 'revoke_failed']);
    expect(h.lambdas.callsTo('notify', input.requestId, 'outcome')).toHaveLength(2);
    const lastNotify = h.lambdas.calls.filter((c) => c.payload.requestId === input.requestId).at(-1);
    expect(lastNotify).toMatchObject({ functionName: 'notify', payload: { kind: 'outcome' } });
  });

  it('deletion status FAILED: REVOKE_FAILED with the FailureReason recorded', async () => {
    // Prepare + Act
    const { input, item } = await runGrant(SHORT_GRANT, (requestId) =>
      h.lambdas.script(
        'checkRevocation',
        requestId,
        revocationStatus('FAILED', 'Received a 404 status error: Not supported policy'),
      ),
    );

    // Assess
    expect(item.status?.S).toBe('REVOKE_FAILED');
    const error = recordedError(item);
    expect(error.name).toEqual(expect.any(String));
    expect(error.cause).toContain('Received a 404 status error: Not supported policy');
    expect(eventTypes(item).at(-1)).toBe('revoke_failed');
    expect(h.lambdas.callsTo('notify', input.requestId, 'outcome')).toHaveLength(2);
  });
});
