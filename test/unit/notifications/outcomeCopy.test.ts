// The outcome notification writes the approver entries' copy of the status first, and fails loudly (for the state
// machine to retry) when it cannot, before anyone is told; OUTCOME_UNKNOWN is announced like REVOKE_FAILED.
import { describe, expect, it } from '@jest/globals';
import { notifyOutcome, type NotifyDeps } from '../../../functions/notifications/notify.js';
import type { Delivery, MessageRef, Notifier } from '../../../functions/notifications/notifier.js';
import type { RequestItem, RequestStatus } from '../../../functions/requests/model.js';
import type { RequestRepository } from '../../../functions/requests/repository.js';
import { storedRequest } from '../../fixtures/requests.js';

const item = (status: RequestStatus): RequestItem =>
  storedRequest(status, {
    approvalCount: 1,
    decisions: { 'bob@example.com': 'approve' },
    approvals: [{ approver: 'bob@example.com', decision: 'approve', at: '2026-11-21T11:00:00.000Z', via: 'link' }],
    error: { name: 'AssignmentNotSettled', cause: 'creation still IN_PROGRESS' },
  });

const setup = (request: RequestItem, syncFails: boolean) => {
  const order: string[] = [];
  const refs = new Map<string, MessageRef>([['bob@example.com', { channel: 'D1', ts: '1' }]]);
  const repository = {
    get: async () => request,
    syncApproverStatus: async () => {
      order.push('sync');
      if (syncFails) throw Object.assign(new Error('throughput'), { name: 'ProvisionedThroughputExceededException' });
    },
    appendEvent: async (_id: string, e: { type: string }) => {
      order.push(`event ${e.type}`);
      return true;
    },
    getMessageRefs: async () => refs,
  } as unknown as RequestRepository;
  const sent: Delivery[] = [];
  const notifier: Notifier = {
    send: async (d) => {
      order.push(`send ${d.kind} ${d.recipient}`);
      sent.push(d);
      return { channel: 'outbox', ts: String(sent.length) };
    },
    update: async (_ref, d) => void order.push(`update ${d.recipient}`),
  };
  const deps: NotifyDeps = {
    repository,
    notifier,
    clock: { now: () => new Date('2026-11-21T22:00:00.000Z') },
    linkSecret: 'unit-test-secret',
    publicBaseUrl: 'https://approvals.example.com',
    people: [],
    auditors: ['dana@example.com'],
  };
  return { deps, order, sent };
};

describe('notifyOutcome and the approver entries', () => {
  it('a failed copy throws ApproverStatusSyncFailed before any message goes out', async () => {
    // Prepare
    const { deps, order } = setup(item('COMPLETED'), true);

    // Act
    const outcome = notifyOutcome({ requestId: 'r-1' }, deps);

    // Assess
    await expect(outcome).rejects.toMatchObject({ name: 'ApproverStatusSyncFailed' });
    expect(order).toEqual(['sync']);
  });

  it('copies first, then updates the messages and tells the requester', async () => {
    // Prepare
    const { deps, order } = setup(item('COMPLETED'), false);

    // Act
    await notifyOutcome({ requestId: 'r-1' }, deps);

    // Assess
    expect(order[0]).toBe('sync');
    expect(order).toEqual(
      expect.arrayContaining(['update bob@example.com', 'send outcome alice@example.com', 'event requester_notified']),
    );
  });

  it('OUTCOME_UNKNOWN: the requester, every approver and every auditor are told, and it says who settles it', async () => {
    // Prepare
    const { deps, sent, order } = setup(item('OUTCOME_UNKNOWN'), false);

    // Act
    await notifyOutcome({ requestId: 'r-1' }, deps);

    // Assess
    const alarms = sent.filter((d) => d.kind === 'notice');
    expect(alarms.map((d) => d.recipient).sort()).toEqual(['bob@example.com', 'carol@example.com', 'dana@example.com']);
    for (const alarm of alarms) {
      expect(alarm.text).toMatch(/^:rotating_light: OUTCOME_UNKNOWN/);
      expect(alarm.text).toContain('may be in place');
      expect(alarm.text).toContain('reconciler');
      expect(alarm.text).toContain('AssignmentNotSettled');
    }
    const told = sent.find((d) => d.kind === 'outcome');
    expect(told?.recipient).toBe('alice@example.com');
    expect(told?.text).toContain('OUTCOME_UNKNOWN');
    expect(order).toContain('event outcome_unknown_alarm');
  });
});
