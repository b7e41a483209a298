// POST /requests/{requestId}/decision's domain code: a signed-in approver decides with a link's rules and answers
// (decideAs, via 'page'), the body is checked field by field, and someone who may not read the request gets 404.
// The repository is an in-memory fake with the real one's first-writer-wins condition; Step Functions is mocked.
import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { decideSignedIn, parseDecisionBody } from '../../../functions/approvals/decide.js';
import type { Approval, RequestItem, RequestStatus } from '../../../functions/requests/model.js';
import type { RequestRepository } from '../../../functions/requests/repository.js';
import { storedRequest } from '../../fixtures/requests.js';

const sfnMock = mockClient(SFNClient);
const clock = { now: () => new Date('2026-11-21T11:00:00.000Z') };

/** The repository's decision write, in memory: pending, this approver undecided, and the count the caller saw. */
const fakeRepository = (initial: RequestItem) => {
  const state = { item: structuredClone(initial), reads: 0, writes: 0 };
  const repository = {
    get: async (requestId: string) => {
      state.reads += 1;
      return requestId === state.item.requestId ? structuredClone(state.item) : undefined;
    },
    getTaskToken: async () => 'task-token-1',
    recordDecision: async (input: { approval: Approval; seenApprovalCount: number; newStatus?: RequestStatus }) => {
      const { item } = state;
      if (
        item.status !== 'PENDING_APPROVAL' ||
        item.decisions[input.approval.approver] ||
        item.approvalCount !== input.seenApprovalCount
      )
        return undefined;
      state.writes += 1;
      item.approvals.push(input.approval);
      item.decisions[input.approval.approver] = input.approval.decision;
      if (input.approval.decision === 'approve') item.approvalCount += 1;
      if (input.newStatus) item.status = input.newStatus;
      return structuredClone(item);
    },
    syncApproverStatus: async () => undefined,
  } as unknown as RequestRepository;
  return { state, repository };
};

const sfn = new SFNClient({});

beforeEach(() => {
  sfnMock.reset();
  sfnMock.on(SendTaskSuccessCommand).resolves({});
  sfnMock.on(SendTaskFailureCommand).resolves({});
});
afterEach(() => {
  sfnMock.reset();
});

const decide = (
  repository: RequestRepository,
  caller: string,
  body: unknown,
  options: { requestId?: string; auditor?: boolean } = {},
) =>
  decideSignedIn(
    { requestId: options.requestId ?? 'r-1', caller, auditor: options.auditor ?? false, body },
    { repository, sfn, clock },
  );

describe('decideSignedIn: 200', () => {
  it("records an approver's approval with via 'page' and the comment, and resumes the workflow once", async () => {
    // Prepare
    const { state, repository } = fakeRepository(storedRequest('PENDING_APPROVAL'));
    // Act
    const result = await decide(repository, 'bob@example.com', { decision: 'approve', comment: '  looks right ' });
    // Assess
    expect(result).toMatchObject({ decision: 'approve', approver: 'bob@example.com', settled: true });
    expect(result.item.status).toBe('APPROVED');
    expect(state.item.approvals).toEqual([
      {
        approver: 'bob@example.com',
        decision: 'approve',
        at: '2026-11-21T11:00:00.000Z',
        via: 'page',
        comment: 'looks right',
      },
    ]);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
    // The request was read once: decideAs starts from the copy the visibility check read.
    expect(state.reads).toBe(1);
  });

  it('a deny ends the request with SendTaskFailure (Denied), never SendTaskSuccess', async () => {
    // Prepare
    const { repository } = fakeRepository(storedRequest('PENDING_APPROVAL'));
    // Act
    const result = await decide(repository, 'carol@example.com', { decision: 'deny' });
    // Assess
    expect(result.item.status).toBe('DENIED');
    expect(sfnMock.commandCalls(SendTaskFailureCommand).map((c) => c.args[0].input.error)).toEqual(['Denied']);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it('with a quorum, the first of two approvals is recorded without resuming the workflow', async () => {
    // Prepare
    const { repository } = fakeRepository(storedRequest('PENDING_APPROVAL', { minApprovals: 2 }));
    // Act
    const result = await decide(repository, 'bob@example.com', { decision: 'approve' });
    // Assess
    expect(result.settled).toBe(false);
    expect(result.item.status).toBe('PENDING_APPROVAL');
    expect(sfnMock.calls()).toHaveLength(0);
  });
});

describe('decideSignedIn: refusals write nothing and resume nothing', () => {
  const refusals: Array<{
    name: string;
    item?: Partial<RequestItem> & { status?: RequestStatus };
    caller: string;
    requestId?: string;
    auditor?: boolean;
    expected: { statusCode: number; code: string };
  }> = [
    {
      name: '403 for the requester deciding her own request',
      caller: 'alice@example.com',
      expected: { statusCode: 403, code: 'NotAnApprover' },
    },
    {
      name: '403 for an auditor who is not an approver (she may read it, so she learns why)',
      caller: 'dana@example.com',
      auditor: true,
      expected: { statusCode: 403, code: 'NotAnApprover' },
    },
    {
      name: '409 for an approver who already decided',
      item: { decisions: { 'bob@example.com': 'approve' }, approvalCount: 1, minApprovals: 2 },
      caller: 'bob@example.com',
      expected: { statusCode: 409, code: 'AlreadyDecided' },
    },
    {
      name: '410 for a request no longer pending',
      item: { status: 'EXPIRED' },
      caller: 'bob@example.com',
      expected: { statusCode: 410, code: 'NotPending' },
    },
    {
      name: '404 for an unknown request id',
      caller: 'bob@example.com',
      requestId: 'r-2',
      expected: { statusCode: 404, code: 'NotFound' },
    },
    {
      name: '404 for someone who may not read the request (not its requester, an approver or an auditor)',
      caller: 'eve@example.com',
      expected: { statusCode: 404, code: 'NotFound' },
    },
    {
      name: '404 for an id longer than any request id, without reading the table',
      caller: 'bob@example.com',
      requestId: 'r'.repeat(129),
      expected: { statusCode: 404, code: 'NotFound' },
    },
  ];

  it.each(refusals)('$name', async ({ item, caller, requestId, auditor, expected }) => {
    // Prepare
    const { status = 'PENDING_APPROVAL', ...overrides } = item ?? {};
    const { state, repository } = fakeRepository(storedRequest(status, overrides));
    const before = structuredClone(state.item);
    // Act
    const attempt = decide(repository, caller, { decision: 'approve' }, { requestId, auditor });
    // Assess
    await expect(attempt).rejects.toMatchObject(expected);
    expect(state.writes).toBe(0);
    expect(state.item).toEqual(before);
    expect(sfnMock.calls()).toHaveLength(0);
  });
});

describe('parseDecisionBody: 400 naming each field', () => {
  const bodies: Array<[string, unknown, string[]]> = [
    ['not an object (a string)', 'approve', ['(body)']],
    ['not an object (an array)', [{ decision: 'approve' }], ['(body)']],
    ['null', null, ['(body)']],
    ['no decision', {}, ['decision']],
    ['a decision out of the enum', { decision: 'APPROVE' }, ['decision']],
    ['a decision that is not text', { decision: true }, ['decision']],
    ['a comment over 1,024 characters', { decision: 'deny', comment: 'x'.repeat(1025) }, ['comment']],
    ['a comment that is not text', { decision: 'deny', comment: 42 }, ['comment']],
    ['an unknown field', { decision: 'approve', approver: 'bob@example.com' }, ['approver']],
    [
      'every problem at once, the known fields first',
      { decision: 'maybe', comment: null, via: 'slack', requestId: 'r-1' },
      ['decision', 'comment', 'via', 'requestId'],
    ],
  ];

  it.each(bodies)('%s', (_name, body, paths) => {
    // Act
    const attempt = () => parseDecisionBody(body);
    // Assess
    expect(attempt).toThrow(expect.objectContaining({ statusCode: 400, code: 'ValidationError' }));
    try {
      attempt();
    } catch (error) {
      expect((error as { details: Array<{ path: string }> }).details.map((d) => d.path)).toEqual(paths);
    }
  });

  it('accepts a decision with a comment of exactly 1,024 characters, and drops a blank comment', () => {
    // Act
    const long = parseDecisionBody({ decision: 'approve', comment: 'y'.repeat(1024) });
    const blank = parseDecisionBody({ decision: 'deny', comment: '   ' });
    // Assess
    expect(long).toEqual({ decision: 'approve', comment: 'y'.repeat(1024) });
    expect(blank).toEqual({ decision: 'deny' });
  });

  it('a bad body is refused before the request is read', async () => {
    // Prepare
    const { state, repository } = fakeRepository(storedRequest('PENDING_APPROVAL'));
    // Act
    const attempt = decide(repository, 'bob@example.com', { decision: 'approve', extra: 1 });
    // Assess
    await expect(attempt).rejects.toMatchObject({ statusCode: 400 });
    expect(state.reads).toBe(0);
  });
});
