// approvalRequired: false through the real approval.asl.json: the approval step is the real startApproval (the notify
// Lambda's "approval" task) against the harness's dynalite and Step Functions engine. It records `system`'s approval
// and resumes the wait itself, so the request is provisioned with nobody asked, and, when time-bound, revoked on time.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startApproval } from '../../functions/approvals/systemApproval.js';
import type { Delivery, Notifier } from '../../functions/notifications/notifier.js';
import { createRequestRepository } from '../../functions/requests/repository.js';
import { toRequestView } from '../../functions/requests/view.js';
import type { RequestItem } from '../../functions/requests/model.js';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import {
  TABLE_NAME,
  buildInput,
  enteredStates,
  getItem,
  history,
  startExecution,
  startHarness,
  waitForExecution,
  type Action,
  type Harness,
  type Payload,
} from './harness.js';

const SSO: Action = 'sso:CreateAccountAssignment';
let h: Harness;
const sent: Delivery[] = [];

/** The SFN client the notify Lambda would use, answered by the harness's engine. */
const engineSfn = (): SFNClient =>
  ({
    send: async (command: { constructor: { name: string }; input: unknown }) => {
      const operation = command.constructor.name.replace(/Command$/, '');
      const response = await h.emulator.handle(operation, command.input);
      if (response.status !== 200) {
        const body = response.body as { __type?: string; message?: string };
        throw Object.assign(new Error(body.message ?? operation), { name: body.__type?.split('#').pop() ?? 'Error' });
      }
      return response.body;
    },
  }) as unknown as SFNClient;

const recordingNotifier: Notifier = {
  send: async (delivery) => {
    sent.push(delivery);
    return { channel: 'outbox', ts: String(sent.length) };
  },
  update: async () => undefined,
};

/** The notify Lambda's approval task, run for real. */
const realApprovalStep = (payload: Payload) =>
  startApproval(payload as { requestId: string; taskToken: string }, {
    repository: createRequestRepository({ db: DynamoDBDocumentClient.from(h.dynamodb), tableName: TABLE_NAME }),
    notifier: recordingNotifier,
    clock: { now: () => new Date() },
    linkSecret: 'state-machine-test-secret',
    publicBaseUrl: 'http://127.0.0.1:3000',
    people: [],
    auditors: [],
    sfn: engineSfn(),
  }).then(() => ({ notified: true }));

const until = async <T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

/** An execution input whose request was routed by a rule with approvalRequired: false. */
const systemApprovedInput = (grantSeconds?: number) => {
  const input = buildInput(SSO, grantSeconds === undefined ? {} : { grantSeconds });
  return { ...input, item: { ...input.item, approvalRequired: { BOOL: false } } };
};

beforeAll(async () => {
  h = await startHarness({ timeScale: 0.001 });
});

afterAll(async () => {
  await h.close();
});

describe('approvalRequired: false', () => {
  it('is approved by system at once and provisioned, with nobody asked', async () => {
    // Prepare
    const input = systemApprovedInput();
    h.lambdas.script('notify', input.requestId, realApprovalStep);
    // Act
    const executionArn = await startExecution(h, input);
    const execution = await waitForExecution(h, executionArn);
    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const view = toRequestView(unmarshall(await getItem(h, input.requestId)) as RequestItem);
    expect(view.status).toBe('COMPLETED');
    expect(view.approvals).toEqual([
      expect.objectContaining({ approver: 'system', decision: 'approve', via: 'system' }),
    ]);
    expect(view.events.map((e) => e.type)).toEqual(['submitted', 'decision', 'completed']);
    expect(view.events[1]?.detail).toMatchObject({ approver: 'system', decision: 'approve', via: 'system' });
    const states = enteredStates(await history(h, executionArn));
    expect(states.slice(0, 4)).toEqual(['Record', 'RequestApproval', 'ChooseProvisioner', 'CreateAssignment']);
    expect(states).not.toContain('RemindAndAwaitDecision');
    expect(sent.filter((d) => d.requestId === input.requestId)).toEqual([]);
    expect(h.lambdas.callsTo('notify', input.requestId).map((p) => p.kind)).toEqual(['approval', 'outcome']);
  });

  it('is revoked on time when time-bound', async () => {
    // Prepare
    const input = systemApprovedInput(2);
    h.lambdas.script('notify', input.requestId, realApprovalStep);
    // Act
    const executionArn = await startExecution(h, input);
    const execution = await waitForExecution(h, executionArn, 20_000);
    // Assess
    expect(execution.status).toBe('SUCCEEDED');
    const item = unmarshall(await getItem(h, input.requestId)) as RequestItem;
    expect(item.status).toBe('REVOKED');
    expect(item.approvals.map((a) => a.approver)).toEqual(['system']);
    expect(enteredStates(await history(h, executionArn))).toEqual(
      expect.arrayContaining(['RecordActive', 'AwaitGrantEnd', 'RevokeGrant', 'RecordRevoked']),
    );
  });

  it('still asks the approvers of a request that needs approval', async () => {
    // Prepare
    const input = buildInput(SSO);
    h.lambdas.script('notify', input.requestId, realApprovalStep);
    // Act
    await startExecution(h, input);
    const item = await until(async () => {
      const stored = await getItem(h, input.requestId).catch(() => undefined);
      const current = stored && (unmarshall(stored) as RequestItem);
      return current?.events.some((e) => e.type === 'notified') ? current : undefined;
    });
    // Assess: the approver was sent a link and the request waits for them
    expect(sent.filter((d) => d.requestId === input.requestId).map((d) => d.recipient)).toEqual(['bob@example.com']);
    expect(item.status).toBe('PENDING_APPROVAL');
    expect(item.approvals).toEqual([]);
  });
});
