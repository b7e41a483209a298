// minApprovals > 1: the workflow resumes only when the Nth distinct approver approves.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newDataDir, ssoRequest, startHarness, type Harness } from './harness.js';

let h: Harness;
let alice: string;

beforeAll(async () => {
  const dataDir = newDataDir();
  const policyFile = join(dataDir, 'policy.json');
  writeFileSync(
    policyFile,
    JSON.stringify({
      rules: [
        {
          action: 'sso:CreateAccountAssignment',
          approvers: ['bob@example.com', 'carol@example.com', 'dave@example.com'],
          minApprovals: 2,
        },
      ],
    }),
  );
  h = await startHarness({ dataDir, policyFile });
  alice = await h.token('alice@example.com');
});

afterAll(async () => {
  await h.close();
});

const decide = (path: string, decision: string) =>
  h.call('POST', path, {
    rawBody: `decision=${decision}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
  });

describe('quorum of two', () => {
  it('waits for the second distinct approver; an approver deciding twice gets 409', async () => {
    // Prepare
    const { requestId } = (await h.call('POST', '/requests', { token: alice, body: ssoRequest() })).body as {
      requestId: string;
    };
    const links = await h.waitForLinks(requestId, 3);
    // Act
    const first = await decide(links.get('bob@example.com')!, 'approve');
    const again = await decide(links.get('bob@example.com')!, 'approve');
    const stillPending = (await h.call('GET', `/requests/${requestId}`, { token: alice })).body as { status: string };
    const second = await decide(links.get('carol@example.com')!, 'approve');
    const done = await h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED']);
    // Assess
    expect(first.status).toBe(200);
    expect(again.status).toBe(409);
    expect(stillPending.status).toBe('PENDING_APPROVAL');
    expect(second.status).toBe(200);
    expect(done.status).toBe('COMPLETED');
    expect((done.approvals as Array<{ approver: string }>).map((a) => a.approver)).toEqual([
      'bob@example.com',
      'carol@example.com',
    ]);
  });

  it('a single deny ends the request even after one approval', async () => {
    // Prepare
    const { requestId } = (await h.call('POST', '/requests', { token: alice, body: ssoRequest() })).body as {
      requestId: string;
    };
    const links = await h.waitForLinks(requestId, 3);
    await decide(links.get('bob@example.com')!, 'approve');
    // Act
    const denied = await decide(links.get('dave@example.com')!, 'deny');
    const done = await h.waitForStatus(requestId, alice, ['DENIED']);
    const late = await decide(links.get('carol@example.com')!, 'approve');
    // Assess
    expect(denied.status).toBe(200);
    expect(done.status).toBe('DENIED');
    expect(late.status).toBe(410);
  });
});
