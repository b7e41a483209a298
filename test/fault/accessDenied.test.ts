// AccessDeniedException is not something a retry can fix: the workflow must fail on the first answer, with the
// error in the record and the requester told, and leave the connection untouched.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetEnvironmentAccountConnectionCommand, ProtonClient } from '@aws-sdk/client-proton';
import { PROTON_CONNECTION_IDS, protonRequest, startHarness, type Harness } from '../e2e/harness.js';

const FAULTS = 'proton.AcceptEnvironmentAccountConnection=AccessDeniedException:1.0';
const ACCEPT_TARGET = 'AwsProton20200720.AcceptEnvironmentAccountConnection';

type View = {
  status: string;
  error?: { name: string; message: string };
  events: Array<{ type: string; detail: Record<string, unknown> }>;
};

let h: Harness;
let alice: string;

beforeAll(async () => {
  h = await startHarness({ faults: FAULTS, timeScale: 0.01 });
  alice = await h.token('alice@example.com');
});

afterAll(async () => {
  await h.close();
});

describe('AcceptEnvironmentAccountConnection always AccessDeniedException', () => {
  it('ends FAILED after exactly one attempt, with the error recorded and the requester told', async () => {
    // Prepare
    const connectionId = PROTON_CONNECTION_IDS[0]!;
    const callsBefore = h.stack.awsCallCount(ACCEPT_TARGET);
    const submitted = await h.call('POST', '/requests', { token: alice, body: protonRequest(connectionId) });
    expect(submitted.status).toBe(202);
    const { requestId } = submitted.body as { requestId: string };
    const links = await h.waitForLinks(requestId, 2);

    // Act
    const decided = await h.call('POST', links.get('carol@example.com')!, {
      rawBody: 'decision=approve',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    const done = (await h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED'], 30_000)) as unknown as View;
    const told = await h.waitForMessages(requestId, 'outcome', 1);

    // Assess
    expect(decided.status).toBe(200);
    expect(done.status).toBe('FAILED');
    expect(h.stack.awsCallCount(ACCEPT_TARGET) - callsBefore).toBe(1);
    const errors = done.events.filter((e) => e.type === 'provisioning_error');
    expect(errors).toEqual([
      expect.objectContaining({
        detail: expect.objectContaining({
          operation: 'AcceptEnvironmentAccountConnection',
          error: 'AccessDeniedException',
        }),
      }),
    ]);
    expect(done.error).toEqual({ name: 'AccessDeniedException', message: expect.stringContaining('Injected fault') });
    expect(told).toEqual([expect.objectContaining({ approver: 'alice@example.com', kind: 'outcome' })]);
    expect(told[0]!.text).toMatch(/fail/i);
    const proton = new ProtonClient(h.aws);
    const { environmentAccountConnection } = await proton.send(
      new GetEnvironmentAccountConnectionCommand({ id: connectionId }),
    );
    proton.destroy();
    expect(environmentAccountConnection?.status).toBe('PENDING');
  });
});
