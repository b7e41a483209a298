// The audit query end to end: every filter and combinations, paging that returns every item exactly once,
// access control, and CSV, on the local stack's real indexes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROTON_CONNECTION_IDS, protonRequest, ssoRequest, startHarness, type Harness } from './harness.js';

let h: Harness;
const tokens: Record<string, string> = {};
interface Created {
  requestId: string;
  requester: string;
  action: string;
  target: string;
  status: string;
  approvers: string[];
  createdAt: string;
}
const created: Created[] = [];

const decideAs = async (requestId: string, approver: string, decision: 'approve' | 'deny') => {
  const links = await h.waitForLinks(requestId, 1);
  const link = links.get(approver);
  if (!link) throw new Error(`${approver} has no link for ${requestId}`);
  return h.call('POST', link, {
    rawBody: `decision=${decision}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  });
};

beforeAll(async () => {
  h = await startHarness();
  for (const who of ['alice', 'bob', 'carol', 'dana', 'eve', '=cmd']) tokens[who] = await h.token(`${who}@example.com`);
  // Prepare a small history: three requesters, both actions, and every reachable status.
  const plan: Array<{
    who: string;
    body: ReturnType<typeof ssoRequest> | ReturnType<typeof protonRequest>;
    then?: ['approve' | 'deny', string];
  }> = [
    { who: 'alice', body: ssoRequest(), then: ['approve', 'bob@example.com'] },
    { who: 'alice', body: ssoRequest({ TargetId: '222222222222' }), then: ['deny', 'carol@example.com'] },
    { who: 'alice', body: protonRequest(PROTON_CONNECTION_IDS[0]!), then: ['approve', 'carol@example.com'] },
    { who: 'bob', body: ssoRequest() },
    { who: 'bob', body: ssoRequest({ TargetId: '222222222222' }), then: ['approve', 'carol@example.com'] },
    { who: 'bob', body: protonRequest(PROTON_CONNECTION_IDS[1]!), then: ['deny', 'carol@example.com'] },
    { who: 'eve', body: ssoRequest() },
    { who: 'eve', body: ssoRequest(), then: ['deny', 'bob@example.com'] },
    { who: '=cmd', body: { ...ssoRequest(), justification: '=HYPERLINK("http://evil.example")' } },
  ];
  for (const step of plan) {
    const response = await h.call('POST', '/requests', { token: tokens[step.who], body: step.body });
    const body = response.body as { requestId: string; approvers: string[]; createdAt: string; action: string };
    const record: Created = {
      requestId: body.requestId,
      requester: `${step.who}@example.com`,
      action: body.action,
      target: '',
      status: 'PENDING_APPROVAL',
      approvers: body.approvers,
      createdAt: body.createdAt,
    };
    await h.waitForEvent(body.requestId, 'notified');
    if (step.then) {
      await decideAs(body.requestId, step.then[1], step.then[0]);
      const final = await h.waitForStatus(body.requestId, tokens[step.who]!, ['COMPLETED', 'DENIED', 'FAILED']);
      record.status = String(final.status);
    }
    created.push(record);
  }
});

afterAll(async () => {
  await h.close();
});

type Page = {
  items: Array<{
    requestId: string;
    requester: string;
    status: string;
    action: string;
    approvers: string[];
    createdAt: string;
  }>;
  nextCursor?: string;
};
const list = async (query: Record<string, string>, who = 'dana') => {
  const response = await h.call('GET', `/requests?${new URLSearchParams(query).toString()}`, { token: tokens[who] });
  return { ...response, page: response.body as Page };
};
const ids = (items: Array<{ requestId: string }>) => items.map((i) => i.requestId);
const expected = (predicate: (c: Created) => boolean) =>
  created
    .filter(predicate)
    .map((c) => c.requestId)
    .reverse();

describe('filters', () => {
  it.each([
    ['requester', { requester: 'alice@example.com' }, (c: Created) => c.requester === 'alice@example.com'],
    ['status', { status: 'DENIED' }, (c: Created) => c.status === 'DENIED'],
    [
      'action',
      { action: 'proton:AcceptEnvironmentAccountConnection' },
      (c: Created) => c.action === 'proton:AcceptEnvironmentAccountConnection',
    ],
    ['approver', { approver: 'bob@example.com' }, (c: Created) => c.approvers.includes('bob@example.com')],
    [
      'requester + status',
      { requester: 'bob@example.com', status: 'PENDING_APPROVAL' },
      (c: Created) => c.requester === 'bob@example.com' && c.status === 'PENDING_APPROVAL',
    ],
    [
      'status + action',
      { status: 'COMPLETED', action: 'sso:CreateAccountAssignment' },
      (c: Created) => c.status === 'COMPLETED' && c.action === 'sso:CreateAccountAssignment',
    ],
    [
      'approver + status (quorum-safe)',
      { approver: 'carol@example.com', status: 'DENIED' },
      (c: Created) => c.approvers.includes('carol@example.com') && c.status === 'DENIED',
    ],
    [
      'approver + action',
      { approver: 'carol@example.com', action: 'proton:AcceptEnvironmentAccountConnection' },
      (c: Created) =>
        c.approvers.includes('carol@example.com') && c.action === 'proton:AcceptEnvironmentAccountConnection',
    ],
    ['no filter', {}, () => true],
  ])('%s returns exactly the matching requests, newest first', async (_case, query, predicate) => {
    // Act
    const { status, page } = await list(query);
    // Assess
    expect(status).toBe(200);
    expect(ids(page.items)).toEqual(expected(predicate as (c: Created) => boolean));
    expect(page.nextCursor).toBeUndefined();
  });

  it('targetId finds requests for an account, alone and with a status', async () => {
    // Act
    const all = await list({ targetId: '222222222222' });
    const completed = await list({ targetId: '222222222222', status: 'COMPLETED' });
    // Assess
    expect(all.page.items).toHaveLength(2);
    expect(completed.page.items.map((i) => i.status)).toEqual(['COMPLETED']);
  });

  it('from/to bound createdAt, alone and combined with another filter', async () => {
    // Prepare
    const middle = created[3]!.createdAt;
    const last = created[created.length - 1]!.createdAt;
    // Act
    const range = await list({ from: middle, to: last });
    const withRequester = await list({ requester: 'eve@example.com', to: middle });
    // Assess
    expect(ids(range.page.items)).toEqual(expected((c) => c.createdAt >= middle && c.createdAt <= last));
    expect(withRequester.page.items).toEqual([]);
  });
});

describe('paging', () => {
  it.each([1, 2, 4])('walking every page of size %i returns every item exactly once, in order', async (limit) => {
    // Prepare
    const seen: string[] = [];
    let cursor: string | undefined;
    // Act
    do {
      const { status, page } = await list({ limit: String(limit), ...(cursor ? { cursor } : {}) });
      expect(status).toBe(200);
      expect(page.items.length).toBeLessThanOrEqual(limit);
      seen.push(...ids(page.items));
      cursor = page.nextCursor;
    } while (cursor);
    // Assess
    expect(seen).toEqual(expected(() => true));
  });

  it('refuses a tampered cursor, one from another query and one from another person with 400', async () => {
    // Prepare
    const { page } = await list({ limit: '2' });
    const cursor = page.nextCursor!;
    const alicePage = await list({ requester: 'alice@example.com', limit: '1' }, 'alice');
    // Act
    const tampered = await list({ limit: '2', cursor: `${cursor.slice(0, -2)}xx` });
    const otherQuery = await list({ limit: '2', status: 'DENIED', cursor });
    const otherPerson = await list({ requester: 'alice@example.com', limit: '1', cursor: alicePage.page.nextCursor! });
    // Assess
    for (const response of [tampered, otherQuery, otherPerson]) {
      expect(response.status).toBe(400);
      expect((response.body as { error: { details: Array<{ path: string }> } }).error.details[0]?.path).toBe('cursor');
    }
  });
});

describe('access control', () => {
  it('lets a requester list their own requests and refuses everything else with 403', async () => {
    // Act
    const own = await list({ requester: 'alice@example.com' }, 'alice');
    const others = await list({ requester: 'bob@example.com' }, 'alice');
    const everything = await list({}, 'alice');
    const byStatus = await list({ status: 'DENIED' }, 'alice');
    // Assess
    expect(own.status).toBe(200);
    expect(own.page.items.every((i) => i.requester === 'alice@example.com')).toBe(true);
    expect([others.status, everything.status, byStatus.status]).toEqual([403, 403, 403]);
  });

  it('answers GET /requests/{id} with 404 to anyone but the requester, an approver or an auditor', async () => {
    // Prepare
    const mine = created.find((c) => c.requester === 'alice@example.com' && c.approvers.includes('bob@example.com'))!;
    // Act
    const [requester, approver, auditor, stranger] = await Promise.all(
      ['alice', 'bob', 'dana', 'eve'].map((who) =>
        h.call('GET', `/requests/${mine.requestId}`, { token: tokens[who] }),
      ),
    );
    // Assess
    expect([requester!.status, approver!.status, auditor!.status, stranger!.status]).toEqual([200, 200, 200, 404]);
  });
});

describe('CSV', () => {
  it('streams every matching row with the documented columns, quoted and neutralised', async () => {
    // Act
    const byAccept = await h.call('GET', '/requests?limit=1', { token: tokens.dana, headers: { accept: 'text/csv' } });
    const byFormat = await h.call('GET', '/requests?format=csv&requester=%3Dcmd%40example.com', { token: tokens.dana });
    // Assess
    expect(byAccept.status).toBe(200);
    expect(byAccept.headers.get('content-type')).toContain('text/csv');
    const lines = byAccept.text.trimEnd().split('\r\n');
    // Issue 11 (DESIGN.md, "Names everywhere") appends principal, permissionSet and accountName to the stage-one columns.
    expect(lines[0]).toBe(
      'requestId,createdAt,requester,action,target,status,approvers,decidedAt,completedAt,error,principal,permissionSet,accountName',
    );
    expect(lines.slice(1).map((l) => l.split(',')[0])).toEqual(expected(() => true));
    const row = byFormat.text.trimEnd().split('\r\n')[1]!;
    expect(row.split(',')[2]).toBe("'=cmd@example.com");
  });

  it('a non-auditor gets 403 for CSV of someone else too', async () => {
    // Act
    const response = await h.call('GET', '/requests?format=csv', { token: tokens.alice });
    // Assess
    expect(response.status).toBe(403);
  });
});
