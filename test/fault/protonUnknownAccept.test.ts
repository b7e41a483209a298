// An accept that keeps failing with InternalServerException leaves it open whether Proton took it. The workflow asks
// Proton before it ends the request: here the connection is still PENDING, so FAILED, verified, and said so.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetEnvironmentAccountConnectionCommand, ProtonClient } from '@aws-sdk/client-proton';
import { PROTON_CONNECTION_IDS, protonRequest, startHarness, type Harness } from '../e2e/harness.js';

const FAULTS = 'proton.AcceptEnvironmentAccountConnection=InternalServerException:1.0';
const ACCEPT_TARGET = 'AwsProton20200720.AcceptEnvironmentAccountConnection';
const GET_TARGET = 'AwsProton20200720.GetEnvironmentAccountConnection';

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

describe('AcceptEnvironmentAccountConnection always InternalServerException', () => {
  it('verifies the connection with Proton, then ends FAILED as ConnectionNotAccepted with the status seen', async () => {
    // Prepare
    const connectionId = PROTON_CONNECTION_IDS[1]!;
    const submitted = await h.call('POST', '/requests', { token: alice, body: protonRequest(connectionId) });
    expect(submitted.status).toBe(202);
    const { requestId } = submitted.body as { requestId: string };
    const links = await h.waitForLinks(requestId, 2);
    // Counted once the request is in: submitting reads the connection too, for its names.
    const [acceptsBefore, getsBefore] = [h.stack.awsCallCount(ACCEPT_TARGET), h.stack.awsCallCount(GET_TARGET)];

    // Act
    await h.call('POST', links.get('carol@example.com')!, {
      rawBody: 'decision=approve',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    const done = (await h.waitForStatus(
      requestId,
      alice,
      ['COMPLETED', 'FAILED', 'OUTCOME_UNKNOWN'],
      30_000,
    )) as unknown as View;

    // Assess
    expect(done.status).toBe('FAILED');
    expect(done.error).toEqual({ name: 'ConnectionNotAccepted', message: expect.stringContaining('PENDING') });
    expect(done.events.filter((e) => e.type === 'provisioning_error')).toHaveLength(3);
    expect(done.events).toContainEqual(
      expect.objectContaining({
        type: 'connection_verified_not_accepted',
        detail: expect.objectContaining({ after: 'InternalServerException', status: 'PENDING' }),
      }),
    );
    expect(h.stack.awsCallCount(ACCEPT_TARGET) - acceptsBefore).toBe(3);
    expect(h.stack.awsCallCount(GET_TARGET) - getsBefore).toBe(1);
    const proton = new ProtonClient(h.aws);
    const { environmentAccountConnection } = await proton.send(
      new GetEnvironmentAccountConnectionCommand({ id: connectionId }),
    );
    proton.destroy();
    expect(environmentAccountConnection?.status).toBe('PENDING');
  });
});
