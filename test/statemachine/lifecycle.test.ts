// Issue 10, parts 2 and 5, on the real approval.asl.json with stub Lambdas on dynalite:
// - once Identity Center may have accepted a creation, every way out records the grant (a time-bound one revoked at
//   its end) or verifies the assignment absent; if it cannot tell, the request is OUTCOME_UNKNOWN, listed and loud;
// - a failed record write after acceptance never skips the revocation;
// - the approver entries' copy of the status converges even when its write fails.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { notifyOutcome, type NotifyDeps } from '../../functions/notifications/notify.js';
import type { Notifier } from '../../functions/notifications/notifier.js';
import type { RequestItem } from '../../functions/requests/model.js';
import { queryRequests, type RequestFilters } from '../../functions/requests/queryRequests.js';
import { createRequestRepository, type RequestRepository } from '../../functions/requests/repository.js';
import {
  TABLE_NAME,
  assignmentStatus,
  awsError,
  buildInput,
  decide,
  enteredStates,
  eventTypes,
  getItem,
  history,
  lambdaInvocations,
  startExecution,
  startHarness,
  stateTransitions,
  verification,
  waitForExecution,
  type Harness,
  type Payload,
} from './harness.js';

const SSO = 'sso:CreateAccountAssignment' as const;
// At the harness's time scale of 0.001, 600 s of grant lasts 0.6 s.
const SHORT_GRANT = 600;

/** Request ids whose state-machine write of a given status DynamoDB refuses (as a non-retryable error would). */
const refusedWrites = new Map<string, string>();

/** The tasks' DynamoDB client, refusing the chosen status writes and passing everything else through. */
const refusingClient = (client: DynamoDBClient): DynamoDBClient =>
  new Proxy(client, {
    get(target, property, receiver) {
      if (property !== 'send') return Reflect.get(target, property, receiver) as unknown;
      return async (command: unknown) => {
        if (command instanceof UpdateItemCommand) {
          const { Key, ExpressionAttributeValues } = command.input;
          const requestId = Key?.pk?.S?.replace('REQUEST#', '') ?? '';
          const refused = refusedWrites.get(requestId);
          if (refused && ExpressionAttributeValues?.[':status']?.S === refused) {
            throw Object.assign(new Error(`One or more parameter values were invalid (refused ${refused} write)`), {
              name: 'ValidationException',
              $metadata: { httpStatusCode: 400 },
            });
          }
        }
        return target.send(command as UpdateItemCommand);
      };
    },
  });

let h: Harness;
let db: DynamoDBDocumentClient;
let repository: RequestRepository;

beforeAll(async () => {
  h = await startHarness({ timeScale: 0.001, taskDynamo: refusingClient });
  db = DynamoDBDocumentClient.from(h.dynamodb);
  repository = createRequestRepository({ db, tableName: TABLE_NAME });
});

afterAll(async () => {
  await h.close();
});

const run = async (options: { grantSeconds?: number }, script: (requestId: string) => void = () => undefined) => {
  const input = buildInput(SSO, options);
  script(input.requestId);
  const executionArn = await startExecution(h, input);
  expect((await decide(h, input.requestId, 'approve')).status).toBe(200);
  const execution = await waitForExecution(h, executionArn, 20_000);
  return {
    input,
    execution,
    item: await getItem(h, input.requestId),
    events: await history(h, executionArn),
  };
};

const recordedError = (item: Awaited<ReturnType<typeof getItem>>) => ({
  name: item.error?.M?.name?.S,
  cause: item.error?.M?.cause?.S,
});

const query = (filters: RequestFilters) =>
  queryRequests(
    { filters, limit: 50, caller: 'auditor@example.com' },
    { db, tableName: TABLE_NAME, cursorSecret: 'lifecycle-test-cursor-secret' },
  );

const pollsInProgress = (n: number) => Array.from({ length: n }, () => assignmentStatus('IN_PROGRESS'));

describe('after the creation may have been accepted', () => {
  it('status poll fails after its retries → verified (here: absent) → FAILED with the poll error kept', async () => {
    // Prepare + Act
    const { input, execution, item, events } = await run({}, (requestId) =>
      h.lambdas.script(
        'checkAssignment',
        requestId,
        ...Array.from({ length: 3 }, () => awsError('InternalServerException', 'poll failed')),
      ),
    );

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(item.status?.S).toBe('FAILED');
    expect(recordedError(item).name).toBe('InternalServerException');
    expect(h.lambdas.callsTo('verifyAssignment', input.requestId)).toEqual([
      expect.objectContaining({ after: 'InternalServerException', polls: 0 }),
    ]);
    expect(enteredStates(events)).toEqual(
      expect.arrayContaining(['WaitBeforeVerify', 'VerifyAssignment', 'VerifiedOutcome', 'RecordFailed']),
    );
  });

  it('status poll fails → verified present → the grant is recorded COMPLETED', async () => {
    // Prepare + Act
    const { input, execution, item } = await run({}, (requestId) => {
      h.lambdas.script(
        'checkAssignment',
        requestId,
        ...Array.from({ length: 3 }, () => awsError('InternalServerException', 'poll failed')),
      );
      h.lambdas.script('verifyAssignment', requestId, verification('PRESENT'));
    });

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(item.status?.S).toBe('COMPLETED');
    expect(JSON.parse(item.outcome?.S ?? '{}')).toMatchObject({ Status: 'SUCCEEDED', verified: 'PRESENT' });
    expect(h.lambdas.callsTo('checkAssignment', input.requestId)).toHaveLength(3);
    expect(h.lambdas.callsTo('notify', input.requestId, 'outcome')).toHaveLength(1);
  });

  it('status poll fails → verified present → time-bound grant ACTIVE, then revoked at its end', async () => {
    // Prepare + Act
    const { input, execution, item, events } = await run({ grantSeconds: SHORT_GRANT }, (requestId) => {
      h.lambdas.script(
        'checkAssignment',
        requestId,
        ...Array.from({ length: 3 }, () => awsError('TimeoutError', 'socket timed out')),
      );
      h.lambdas.script('verifyAssignment', requestId, verification('PRESENT'));
    });

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(item.status?.S).toBe('REVOKED');
    expect(eventTypes(item)).toEqual(['submitted', 'approved', 'completed', 'active', 'revoked']);
    const states = enteredStates(events);
    expect(states.slice(states.indexOf('VerifyAssignment'))).toEqual([
      'VerifyAssignment',
      'VerifiedOutcome',
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
    expect(events.some((e) => e.type === 'TaskTimedOut')).toBe(true); // the grant ended on its own time
    expect(h.lambdas.callsTo('revoke', input.requestId)).toHaveLength(1);
  });

  it('create call fails ambiguously (TimeoutError after its retries) → verified with no creation id → present → revoked on time', async () => {
    // Prepare + Act
    const { input, item } = await run({ grantSeconds: SHORT_GRANT }, (requestId) => {
      h.lambdas.script('assign', requestId, ...Array.from({ length: 3 }, () => awsError('TimeoutError', 'timed out')));
      h.lambdas.script('verifyAssignment', requestId, verification('PRESENT'));
    });

    // Assess
    expect(h.lambdas.callsTo('assign', input.requestId)).toHaveLength(3);
    expect(h.lambdas.callsTo('verifyAssignment', input.requestId)).toEqual([
      {
        requestId: input.requestId,
        parameters: input.parameters,
        grantSeconds: SHORT_GRANT,
        creationRequestId: '',
        polls: 0,
        after: 'TimeoutError',
      },
    ]);
    expect(item.status?.S).toBe('REVOKED');
    expect(h.lambdas.callsTo('revoke', input.requestId)).toHaveLength(1);
  });

  it.each([
    ['absent', 'ABSENT', 'FAILED'],
    ['present', 'PRESENT', 'COMPLETED'],
  ] as const)(
    'ConflictException after its retries (our ledger may refuse an accepted creation) → verified %s (%s) → %s',
    async (_label, found, status) => {
      // Prepare + Act
      const { input, item } = await run({}, (requestId) => {
        h.lambdas.script(
          'assign',
          requestId,
          ...Array.from({ length: 9 }, () =>
            awsError('ConflictException', 'A revocation of this assignment is in progress'),
          ),
        );
        h.lambdas.script('verifyAssignment', requestId, verification(found));
      });

      // Assess
      expect(h.lambdas.callsTo('assign', input.requestId)).toHaveLength(9);
      expect(h.lambdas.callsTo('verifyAssignment', input.requestId)).toEqual([
        expect.objectContaining({ after: 'ConflictException', creationRequestId: '' }),
      ]);
      expect(item.status?.S).toBe(status);
    },
  );

  it('errors that mean AWS refused the create call fail at once, without a verification', async () => {
    // Prepare + Act
    const refusals = ['AccessDeniedException', 'ValidationException', 'ResourceNotFoundException'];
    const results = await Promise.all(
      refusals.map((name) => run({}, (requestId) => h.lambdas.script('assign', requestId, awsError(name)))),
    );

    // Assess
    for (const [i, { input, item }] of results.entries()) {
      expect(item.status?.S).toBe('FAILED');
      expect(recordedError(item).name).toBe(refusals[i]);
      expect(h.lambdas.callsTo('verifyAssignment', input.requestId)).toHaveLength(0);
    }
  });

  it('status polls run out → verified absent → FAILED with the poll timeout recorded', async () => {
    // Prepare + Act
    const { input, execution, item } = await run({}, (requestId) => {
      h.lambdas.script('checkAssignment', requestId, ...pollsInProgress(40));
      h.lambdas.script('verifyAssignment', requestId, verification('ABSENT'));
    });

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(item.status?.S).toBe('FAILED');
    expect(recordedError(item).name).toBe('AssignmentStatusTimeout');
    const [verify] = h.lambdas.callsTo('verifyAssignment', input.requestId);
    expect(verify).toMatchObject({ polls: 40, after: 'AssignmentStatusTimeout' });
    expect(String(verify?.creationRequestId)).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('verification keeps failing → OUTCOME_UNKNOWN, error recorded, listed by status, announced', async () => {
    // Prepare + Act
    const { input, execution, item, events } = await run({ grantSeconds: SHORT_GRANT }, (requestId) => {
      h.lambdas.script('checkAssignment', requestId, ...pollsInProgress(40));
      h.lambdas.script(
        'verifyAssignment',
        requestId,
        ...Array.from({ length: 20 }, () => awsError('AssignmentNotSettled', 'creation still IN_PROGRESS')),
      );
    });
    const byStatus = await query({ status: 'OUTCOME_UNKNOWN' });
    const byRequester = await query({ requester: 'alice@example.com', status: 'OUTCOME_UNKNOWN' });

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(item.status?.S).toBe('OUTCOME_UNKNOWN');
    expect(recordedError(item).name).toBe('AssignmentNotSettled');
    expect(eventTypes(item).at(-1)).toBe('outcome_unknown');
    // The AssignmentNotSettled retrier: 1 + 10 attempts.
    expect(lambdaInvocations(events, 'verifyAssignment')).toBe(11);
    expect(byStatus.items.map((i) => i.requestId)).toContain(input.requestId);
    expect(byRequester.items.map((i) => i.requestId)).toContain(input.requestId);
    expect(h.lambdas.callsTo('notify', input.requestId, 'outcome')).toHaveLength(1);
    expect(h.lambdas.callsTo('revoke', input.requestId)).toHaveLength(0);
  });

  it('verification fails with an AWS error after its retries → OUTCOME_UNKNOWN', async () => {
    // Prepare + Act
    const { input, item } = await run({}, (requestId) => {
      h.lambdas.script('checkAssignment', requestId, awsError('AccessDeniedException', 'no describe'));
      h.lambdas.script(
        'verifyAssignment',
        requestId,
        ...Array.from({ length: 10 }, () => awsError('InternalServerException')),
      );
    });

    // Assess
    expect(item.status?.S).toBe('OUTCOME_UNKNOWN');
    expect(recordedError(item).name).toBe('InternalServerException');
    expect(h.lambdas.callsTo('verifyAssignment', input.requestId)).toHaveLength(6);
  });
});

describe('record steps after the creation was accepted', () => {
  it('RecordActive refused → the grant is still held and revoked at its end, and REVOKED is recorded', async () => {
    // Prepare
    const input = buildInput(SSO, { grantSeconds: SHORT_GRANT });
    refusedWrites.set(input.requestId, 'ACTIVE');
    const executionArn = await startExecution(h, input);

    // Act
    await decide(h, input.requestId, 'approve');
    const execution = await waitForExecution(h, executionArn, 20_000);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const item = await getItem(h, input.requestId);
    expect(item.status?.S).toBe('REVOKED');
    expect(eventTypes(item)).toEqual(['submitted', 'approved', 'revoked']);
    const events = await history(h, executionArn);
    const states = enteredStates(events);
    expect(states.slice(states.indexOf('RecordActive'))).toEqual([
      'RecordActive',
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
    expect(h.lambdas.callsTo('revoke', input.requestId)).toHaveLength(1);
    expect(JSON.parse(execution.output ?? '{}').recordActiveError).toMatchObject({
      Error: 'DynamoDB.ValidationException',
    });
  });

  it('RecordRevoked refused → the revocation still ran, and the execution fails visibly (RevocationNotRecorded)', async () => {
    // Prepare
    const input = buildInput(SSO, { grantSeconds: SHORT_GRANT });
    refusedWrites.set(input.requestId, 'REVOKED');
    const executionArn = await startExecution(h, input);

    // Act
    await decide(h, input.requestId, 'approve');
    const execution = await waitForExecution(h, executionArn, 20_000);

    // Assess
    expect(execution.status).toBe('FAILED');
    expect(execution.error).toBe('RevocationNotRecorded');
    expect(h.lambdas.callsTo('revoke', input.requestId)).toHaveLength(1);
    expect(h.lambdas.callsTo('checkRevocation', input.requestId)).toHaveLength(1);
  });

  it('RecordCompleted refused → OUTCOME_UNKNOWN rather than a request left APPROVED', async () => {
    // Prepare
    const input = buildInput(SSO);
    refusedWrites.set(input.requestId, 'COMPLETED');
    const executionArn = await startExecution(h, input);

    // Act
    await decide(h, input.requestId, 'approve');
    const execution = await waitForExecution(h, executionArn);

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const item = await getItem(h, input.requestId);
    expect(item.status?.S).toBe('OUTCOME_UNKNOWN');
    expect(recordedError(item).name).toBe('DynamoDB.ValidationException');
  });
});

describe('approver entries converge on the request status', () => {
  const notifier: Notifier = {
    send: async () => ({ channel: 'D1', ts: '1.0' }),
    update: async () => undefined,
  };
  const notifyDeps = (repo: RequestRepository): NotifyDeps => ({
    repository: repo,
    notifier,
    clock: { now: () => new Date() },
    linkSecret: 'lifecycle-test-link-secret-0123456789abcdef',
    publicBaseUrl: 'http://127.0.0.1:3000',
    people: [],
    auditors: ['auditor@example.com'],
  });

  /** The real outcome notification, over a repository whose approver-status copy fails the first `failures` times. */
  const outcomeWithFailingCopy = (failures: number) => {
    let left = failures;
    const flaky: RequestRepository = {
      ...repository,
      syncApproverStatus: async (item) => {
        if (left > 0) {
          left -= 1;
          throw awsError('ProvisionedThroughputExceededException', 'throughput exceeded (injected)');
        }
        return repository.syncApproverStatus(item);
      },
    };
    return async (payload: Payload) => {
      await notifyOutcome({ requestId: String(payload.requestId) }, notifyDeps(flaky));
      return { notified: true };
    };
  };

  /** As the notify Lambda's approval kind: writes the approver entries (PENDING_APPROVAL). */
  const approvalWritesEntries = async (payload: Payload) => {
    const item = await repository.get(String(payload.requestId));
    if (!item) throw new Error('no request');
    await repository.putApproverItems(item);
    return { sent: 1 };
  };

  it('COMPLETED: the copy fails 3 times, NotifyOutcome is retried, and approver + status finds the request', async () => {
    // Prepare
    const input = buildInput(SSO);
    const outcome = outcomeWithFailingCopy(3);
    h.lambdas.script('notify', input.requestId, approvalWritesEntries, outcome, outcome, outcome, outcome);
    const executionArn = await startExecution(h, input);

    // Act
    await decide(h, input.requestId, 'approve');
    const execution = await waitForExecution(h, executionArn);
    const completed = await query({ approver: 'bob@example.com', status: 'COMPLETED' });
    const pending = await query({ approver: 'bob@example.com', status: 'PENDING_APPROVAL' });

    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    expect(JSON.parse(execution.output ?? '{}').notifyError).toBeUndefined();
    const events = await history(h, executionArn);
    expect(lambdaInvocations(events, 'notify')).toBe(5); // approval + 3 failed + 1 successful outcome
    expect(completed.items.map((i) => i.requestId)).toContain(input.requestId);
    expect(pending.items.map((i) => i.requestId)).not.toContain(input.requestId);
    // Nobody was told twice: the copy is written before any message goes out.
    const item = unmarshall(await getItem(h, input.requestId)) as RequestItem;
    expect(item.events.filter((e) => e.type === 'requester_notified')).toHaveLength(1);
  });

  it('ACTIVE then REVOKED: both copies converge through failures, and OUTCOME_UNKNOWN too', async () => {
    // Prepare
    const grant = buildInput(SSO, { grantSeconds: SHORT_GRANT });
    const granted = outcomeWithFailingCopy(2);
    const ended = outcomeWithFailingCopy(2);
    h.lambdas.script('notify', grant.requestId, approvalWritesEntries, granted, granted, granted);
    const unknown = buildInput(SSO);
    const announced = outcomeWithFailingCopy(4);
    h.lambdas.script(
      'notify',
      unknown.requestId,
      approvalWritesEntries,
      announced,
      announced,
      announced,
      announced,
      announced,
    );
    h.lambdas.script('checkAssignment', unknown.requestId, awsError('AccessDeniedException'));
    h.lambdas.script(
      'verifyAssignment',
      unknown.requestId,
      ...Array.from({ length: 20 }, () => awsError('AssignmentNotSettled')),
    );
    const grantArn = await startExecution(h, grant);
    const unknownArn = await startExecution(h, unknown);

    // Act
    await decide(h, grant.requestId, 'approve');
    await decide(h, unknown.requestId, 'approve');
    // The ACTIVE copy, while the grant is held.
    const deadline = Date.now() + 5000;
    let active: Awaited<ReturnType<typeof query>> | undefined;
    while (Date.now() < deadline) {
      active = await query({ approver: 'bob@example.com', status: 'ACTIVE' });
      if (active.items.some((i) => i.requestId === grant.requestId)) break;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    h.lambdas.script('notify', grant.requestId, ended, ended, ended);
    await Promise.all([waitForExecution(h, grantArn, 20_000), waitForExecution(h, unknownArn, 20_000)]);
    const revoked = await query({ approver: 'bob@example.com', status: 'REVOKED' });
    const stillActive = await query({ approver: 'bob@example.com', status: 'ACTIVE' });
    const outcomeUnknown = await query({ approver: 'bob@example.com', status: 'OUTCOME_UNKNOWN' });

    // Assess
    expect(active?.items.map((i) => i.requestId)).toContain(grant.requestId);
    expect(revoked.items.map((i) => i.requestId)).toContain(grant.requestId);
    expect(stillActive.items.map((i) => i.requestId)).not.toContain(grant.requestId);
    expect(outcomeUnknown.items.map((i) => i.requestId)).toContain(unknown.requestId);
  });
});

describe('approver entries: writers that race', () => {
  it("a decider's APPROVED copy landing after the workflow's COMPLETED does not overwrite it", async () => {
    // Prepare: an approved request ran to COMPLETED, its entries synced by the outcome step.
    const input = buildInput(SSO);
    h.lambdas.script('notify', input.requestId, async (payload: Payload) => {
      const item = await repository.get(String(payload.requestId));
      if (!item) throw new Error('no request');
      await repository.putApproverItems(item);
      return { sent: 1 };
    });
    const executionArn = await startExecution(h, input);
    await decide(h, input.requestId, 'approve');
    await waitForExecution(h, executionArn);
    const final = await repository.get(input.requestId);
    if (!final) throw new Error('no request');
    await repository.syncApproverStatus(final);

    // Act: the decider's copy, delayed (SDK retries, a slow network), arrives last.
    await repository.syncApproverStatus({ ...final, status: 'APPROVED' });
    const completed = await query({ approver: 'bob@example.com', status: 'COMPLETED' });
    const approved = await query({ approver: 'bob@example.com', status: 'APPROVED' });

    // Assess
    expect(final.status).toBe('COMPLETED');
    expect(completed.items.map((i) => i.requestId)).toContain(input.requestId);
    expect(approved.items.map((i) => i.requestId)).not.toContain(input.requestId);
  });
});

it('keeps the happy-path counts: SSO 9 transitions with one poll', async () => {
  // Prepare + Act
  const { events } = await run({});

  // Assess
  expect(stateTransitions(events)).toBe(9);
  expect(lambdaInvocations(events, 'verifyAssignment')).toBe(0);
});
