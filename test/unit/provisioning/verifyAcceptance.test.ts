// verifyAcceptance: after an accept whose outcome is unknown, Proton is asked. CONNECTED completes the request,
// any other status fails it as verified, and a look-up that fails is thrown as it is for the state machine to retry.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { GetEnvironmentAccountConnectionCommand, ProtonClient } from '@aws-sdk/client-proton';
import { verifyAcceptance } from '../../../functions/provisioning/acceptConnection.js';
import type { RequestRepository } from '../../../functions/requests/repository.js';

const proton = new ProtonClient({ region: 'us-east-1' });
const protonMock = mockClient(proton);
const NOW = new Date('2026-12-03T12:00:00.000Z');
const ID = '0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';
const input = { requestId: 'r-1', parameters: { id: ID }, after: 'InternalServerException' };

const fakes = () => {
  const events: Array<{ type: string; detail: string; when: string[] }> = [];
  const repository = {
    appendEvent: async (_id: string, e: { type: string; detail: string }, when: string[]) => {
      events.push({ type: e.type, detail: e.detail, when });
      return true;
    },
  } as unknown as RequestRepository;
  return { deps: { repository, clock: { now: () => NOW }, proton }, events };
};

const connection = (status: string) => ({
  environmentAccountConnection: {
    id: ID,
    arn: `arn:aws:proton:us-east-1:111111111111:environment-account-connection/${ID}`,
    status,
    environmentName: 'payments-prod',
    environmentAccountId: '222222222222',
    roleArn: 'arn:aws:iam::222222222222:role/proton',
    managementAccountId: '111111111111',
    requestedAt: NOW,
    lastModifiedAt: NOW,
  },
});

beforeEach(() => {
  protonMock.reset();
});

describe('verifyAcceptance', () => {
  it('CONNECTED: returns the connection as an accept would, and records that it was verified', async () => {
    // Prepare
    protonMock.on(GetEnvironmentAccountConnectionCommand, { id: ID }).resolves(connection('CONNECTED') as never);
    const { deps, events } = fakes();

    // Act
    const result = await verifyAcceptance(input, deps);

    // Assess
    expect(result).toMatchObject({ status: 'CONNECTED', connection: { id: ID, status: 'CONNECTED' } });
    expect(events).toEqual([
      {
        type: 'connection_verified_accepted',
        detail: expect.stringContaining('InternalServerException'),
        when: ['APPROVED'],
      },
    ]);
  });

  it.each(['PENDING', 'REJECTED'])(
    '%s: throws ConnectionNotAccepted naming the status and the first error',
    async (status) => {
      // Prepare
      protonMock.on(GetEnvironmentAccountConnectionCommand).resolves(connection(status) as never);
      const { deps, events } = fakes();

      // Act
      const error = (await verifyAcceptance(input, deps).catch((e: unknown) => e)) as Error;

      // Assess
      expect(error.name).toBe('ConnectionNotAccepted');
      expect(error.message).toContain(status);
      expect(error.message).toContain('InternalServerException');
      expect(events.map((e) => e.type)).toEqual(['connection_verified_not_accepted']);
    },
  );

  it('a failing look-up is thrown with its AWS name and records nothing', async () => {
    // Prepare
    protonMock
      .on(GetEnvironmentAccountConnectionCommand)
      .rejects(Object.assign(new Error('try later'), { name: 'InternalServerException' }));
    const { deps, events } = fakes();

    // Act
    const error = (await verifyAcceptance(input, deps).catch((e: unknown) => e)) as Error;

    // Assess
    expect(error.name).toBe('InternalServerException');
    expect(events).toEqual([]);
  });
});
