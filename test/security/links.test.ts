// The approval-link path fails closed: every forged, stale, misdirected or replayed use is refused with the
// contract's status and changes nothing, and concurrent deciders produce exactly one resume of the workflow.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { signLink } from '../../functions/approvals/linkToken.js';
import { newDataDir, ssoRequest, startHarness, type Harness } from '../e2e/harness.js';

let h: Harness;
let alice: string;
let linkSecret: string;
const dataDir = newDataDir();

beforeAll(async () => {
  h = await startHarness({ dataDir });
  alice = await h.token('alice@example.com');
  linkSecret = (JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as { linkSigningSecret: string })
    .linkSigningSecret;
});

afterAll(async () => {
  await h.close();
});

const decide = (path: string, decision = 'approve') =>
  h.call('POST', path, {
    rawBody: `decision=${decision}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  });

/** A pending request with its approvers' link paths, and a way to read its stored item. */
const pendingRequest = async () => {
  const { requestId } = (await h.call('POST', '/requests', { token: alice, body: ssoRequest() })).body as {
    requestId: string;
  };
  const links = await h.waitForLinks(requestId, 2);
  const read = () => h.readItem(requestId);
  // Links go out just before the `notified` event is written; wait for it so "before" snapshots are settled.
  await h.waitForEvent(requestId, 'notified');
  return { requestId, links, read };
};

const linkFor = (requestId: string, approver: string, expiresAt: number, secret = linkSecret) =>
  `/approvals/${signLink({ requestId, approver, expiresAt }, secret)}`;

describe('approval links fail closed and change nothing', () => {
  it.each([
    ['a tampered payload', (path: string) => path.replace(/\/approvals\/[A-Za-z0-9_-]{4}/, '/approvals/AAAA')],
    ['a tampered signature', (path: string) => `${path.slice(0, -4)}AAAA`],
    ['a truncated link', (path: string) => path.slice(0, -10)],
    ['a link with no signature', (path: string) => path.split('.')[0]!],
  ])('%s is refused with 403 on GET and POST', async (_case, mutate) => {
    // Prepare
    const { links, read } = await pendingRequest();
    const before = await read();
    const forged = mutate(links.get('bob@example.com')!);
    // Act
    const page = await h.call('GET', forged);
    const post = await decide(forged);
    // Assess
    expect(page.status).toBe(403);
    expect(post.status).toBe(403);
    expect(await read()).toEqual(before);
  });

  it('a link signed with another secret is refused with 403', async () => {
    // Prepare
    const { requestId, read } = await pendingRequest();
    const before = await read();
    // Act
    const post = await decide(linkFor(requestId, 'bob@example.com', Date.now() + 60_000, 'not-the-secret'));
    // Assess
    expect(post.status).toBe(403);
    expect(await read()).toEqual(before);
  });

  it('an expired link is refused with 410', async () => {
    // Prepare
    const { requestId, read } = await pendingRequest();
    const before = await read();
    const expired = linkFor(requestId, 'bob@example.com', Date.now() - 1000);
    // Act
    const page = await h.call('GET', expired);
    const post = await decide(expired);
    // Assess
    expect(page.status).toBe(410);
    expect(post.status).toBe(410);
    expect(await read()).toEqual(before);
  });

  it('a validly signed link for someone who is not an approver is refused with 403', async () => {
    // Prepare
    const { requestId, read } = await pendingRequest();
    const before = await read();
    // Act
    const post = await decide(linkFor(requestId, 'eve@example.com', Date.now() + 60_000));
    // Assess
    expect(post.status).toBe(403);
    expect(await read()).toEqual(before);
  });

  it('self-approval is refused even with a validly signed link for the requester', async () => {
    // Prepare
    const { requestId, read } = await pendingRequest();
    const before = await read();
    // Act
    const post = await decide(linkFor(requestId, 'alice@example.com', Date.now() + 60_000));
    const page = await h.call('GET', linkFor(requestId, 'alice@example.com', Date.now() + 60_000));
    // Assess
    expect(post.status).toBe(403);
    expect(page.status).toBe(403);
    expect(await read()).toEqual(before);
  });

  it('a replay of a decided action gets 409 and records nothing more', async () => {
    // Prepare
    const { links, read } = await pendingRequest();
    await decide(links.get('bob@example.com')!, 'deny');
    const after = await read();
    // Act
    const replay = await decide(links.get('bob@example.com')!, 'deny');
    const flip = await decide(links.get('bob@example.com')!, 'approve');
    // Assess
    expect(replay.status).toBe(409);
    expect(flip.status).toBe(409);
    const now = await read();
    expect(now?.approvals).toEqual(after?.approvals);
    expect(now?.decisions).toEqual(after?.decisions);
  });

  it('a GET with any parameters, headers or method override changes nothing', async () => {
    // Prepare
    const { links, read } = await pendingRequest();
    const before = await read();
    const path = links.get('bob@example.com')!;
    // Act
    const responses = await Promise.all([
      h.call('GET', `${path}?decision=approve`),
      h.call('GET', `${path}?decision=deny&comment=x`),
      h.call('GET', path, { headers: { 'x-http-method-override': 'POST', accept: 'application/json' } }),
      h.call('GET', path, { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    ]);
    // Assess
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(await read()).toEqual(before);
  });
});

describe('concurrent decisions', () => {
  it('20 concurrent decisions: one winning decision per approver, and SendTaskSuccess exactly once', async () => {
    // Prepare
    const { requestId, links, read } = await pendingRequest();
    const paths = [...links.values()];
    const sendsBefore = h.stack.awsCallCount('AWSStepFunctions.SendTaskSuccess');
    // Act
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => decide(paths[i % paths.length]!)));
    await h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED']);
    // Assess
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.every((r) => [200, 409, 410].includes(r.status))).toBe(true);
    const item = await read();
    const approvers = (
      (item?.approvals as { L?: Array<{ M?: { approver?: { S?: string } } }> } | undefined)?.L ?? []
    ).map((a) => a.M?.approver?.S);
    expect(new Set(approvers).size).toBe(approvers.length);
    expect(h.stack.awsCallCount('AWSStepFunctions.SendTaskSuccess') - sendsBefore).toBe(1);
  });
});
