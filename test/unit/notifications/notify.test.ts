import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { notifyOutcome, remindApprovers, type NotifyDeps } from '../../../functions/notifications/notify.js';
import type { Delivery, MessageRef, Notifier } from '../../../functions/notifications/notifier.js';
import { statusIndexKeys } from '../../../functions/requests/keys.js';
import type { RequestItem } from '../../../functions/requests/model.js';
import type { RequestRepository } from '../../../functions/requests/repository.js';

const sfn = new SFNClient({ region: 'us-east-1' });
const sfnMock = mockClient(sfn);

const baseItem: RequestItem = {
  pk: 'REQUEST#r-1',
  sk: 'REQUEST',
  kind: 'REQUEST',
  requestId: 'r-1',
  action: 'sso:CreateAccountAssignment',
  parameters: '{}',
  requester: 'alice@example.com',
  justification: 'on-call',
  summary: 'Assign ps-1 to user u on account 111111111111',
  targetId: '111111111111',
  status: 'PENDING_APPROVAL',
  ...statusIndexKeys(
    { requester: 'alice@example.com', targetId: '111111111111', action: 'sso:CreateAccountAssignment' },
    'PENDING_APPROVAL',
  ),
  createdAt: '2026-11-21T10:00:00.000Z',
  updatedAt: '2026-11-21T10:00:00.000Z',
  expiresAt: '2026-11-22T10:00:00.000Z',
  approvers: ['bob@example.com', 'carol@example.com'],
  minApprovals: 2,
  approvalCount: 1,
  decisions: { 'bob@example.com': 'approve' },
  approvals: [{ approver: 'bob@example.com', decision: 'approve', at: '2026-11-21T11:00:00.000Z', via: 'link' }],
  events: [],
};

/** An in-memory stand-in for the parts of the repository notify uses. */
const fakeRepository = (item: RequestItem, refs = new Map<string, MessageRef>()) => {
  const tokens: string[] = [];
  const events: string[] = [];
  const repository = {
    get: async () => item,
    putTaskToken: async (_id: string, token: string) => void tokens.push(token),
    putApproverItems: async () => undefined,
    syncApproverStatus: async () => undefined,
    appendEvent: async (_id: string, e: { type: string }) => {
      events.push(e.type);
      return true;
    },
    saveMessageRef: async (_id: string, recipient: string, ref: MessageRef) => void refs.set(recipient, ref),
    getMessageRefs: async () => refs,
  } as unknown as RequestRepository;
  return { repository, tokens, events, refs };
};

const recordingNotifier = () => {
  const sent: Delivery[] = [];
  const updated: Array<{ ref: MessageRef; delivery: Delivery }> = [];
  const notifier: Notifier = {
    send: async (d) => {
      sent.push(d);
      return { channel: 'outbox', ts: String(sent.length) };
    },
    update: async (ref, delivery) => void updated.push({ ref, delivery }),
  };
  return { notifier, sent, updated };
};

const deps = (repository: RequestRepository, notifier: Notifier): NotifyDeps & { sfn: SFNClient } => ({
  repository,
  notifier,
  clock: { now: () => new Date('2026-11-21T22:00:00.000Z') },
  linkSecret: 'unit-test-secret',
  publicBaseUrl: 'https://approvals.example.com',
  people: [{ id: 'carol@example.com', slackUserId: 'U0CAROL' }],
  auditors: ['dana@example.com'],
  sfn,
});

beforeEach(() => {
  sfnMock.reset();
});

describe('remindApprovers', () => {
  it('stores the new token, then reminds only approvers who have not decided', async () => {
    // Prepare
    const { repository, tokens, events } = fakeRepository(baseItem);
    const { notifier, sent } = recordingNotifier();
    // Act
    await remindApprovers({ requestId: 'r-1', taskToken: 'token-2' }, deps(repository, notifier));
    // Assess
    expect(tokens).toEqual(['token-2']);
    expect(sent.map((d) => [d.kind, d.recipient, d.slackUserId])).toEqual([
      ['reminder', 'carol@example.com', 'U0CAROL'],
    ]);
    expect(sent[0]?.approvalUrl).toMatch(/^https:\/\/approvals\.example\.com\/approvals\/[\w-]+\.[\w-]+$/);
    expect(events).toEqual(['reminded']);
    expect(sfnMock.calls()).toHaveLength(0);
  });

  it.each([
    ['APPROVED', SendTaskSuccessCommand.name],
    ['DENIED', SendTaskFailureCommand.name],
  ] as const)(
    'resumes the workflow itself when the request became %s while the token was replaced',
    async (status, commandName) => {
      // Prepare
      const { repository } = fakeRepository({ ...baseItem, status });
      const { notifier, sent } = recordingNotifier();
      // Act
      await remindApprovers({ requestId: 'r-1', taskToken: 'token-2' }, deps(repository, notifier));
      // Assess
      const calls = sfnMock.calls();
      expect(calls.map((c) => c.args[0].constructor.name)).toEqual([commandName]);
      expect((calls[0]?.args[0].input as { taskToken?: string } | undefined)?.taskToken).toBe('token-2');
      expect(sent).toHaveLength(0);
    },
  );
});

describe('notifyOutcome', () => {
  it('rewrites every approver message, then tells the requester', async () => {
    // Prepare
    const refs = new Map<string, MessageRef>([
      ['bob@example.com', { channel: 'outbox', ts: '1' }],
      ['carol@example.com', { channel: 'U0CAROL', ts: '2' }],
    ]);
    const { repository, events } = fakeRepository({ ...baseItem, status: 'COMPLETED' }, refs);
    const { notifier, sent, updated } = recordingNotifier();
    // Act
    await notifyOutcome({ requestId: 'r-1' }, deps(repository, notifier));
    // Assess
    expect(updated.map((u) => u.ref.ts).sort()).toEqual(['1', '2']);
    expect(updated[0]?.delivery.text).toContain('was approved and is done');
    expect(updated[0]?.delivery.text).toContain('Approved by bob@example.com');
    expect(sent.map((d) => [d.kind, d.recipient])).toEqual([['outcome', 'alice@example.com']]);
    expect(events).toEqual(['requester_notified']);
  });
});
