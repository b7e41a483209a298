// verifyAssignment after a creation that got no answer at all: the task or its Lambda timed out (States.Timeout,
// Sandbox.Timedout, Lambda.Unknown), Lambda refused the invocation (Lambda.TooManyRequestsException), or a network
// error inside the Lambda (name Error). An absent assignment then starts another round within the 30-minute budget,
// as after contention, instead of ending the request FAILED; a non-retryable refusal never does.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { SsoAssignmentParameters } from '../../../functions/actions/ssoCreateAccountAssignment.js';
import { verifyAssignment, type AssignmentDeps } from '../../../functions/provisioning/assignment.js';
import type { AssignmentLedger } from '../../../functions/provisioning/assignmentLedger.js';
import type { OperationSlots } from '../../../functions/provisioning/operationSlots.js';
import type { RequestRepository } from '../../../functions/requests/repository.js';
import { SSO_PARAMETERS } from '../../fixtures/requests.js';

const ssoAdmin = new SSOAdminClient({ region: 'us-east-1' });
const ssoMock = mockClient(ssoAdmin);
const parameters = { ...SSO_PARAMETERS } as SsoAssignmentParameters;
const NOW = new Date('2026-12-03T12:00:00.000Z');
const MINUTE = 60_000;

const fakes = (contentionSince: string) => {
  const calls: string[] = [];
  const deps: AssignmentDeps = {
    repository: {
      appendEvent: async (_id: string, e: { type: string }) => {
        calls.push(`event ${e.type}`);
        return true;
      },
      appendEventNoting: async (_id: string, e: { type: string }, _when: string[], mark: string) => {
        calls.push(`event ${e.type} noting ${mark}`);
        return contentionSince;
      },
    } as unknown as RequestRepository,
    clock: { now: () => NOW },
    timeScale: 1,
    ssoAdmin,
    ledger: { drop: async () => void calls.push('drop') } as unknown as AssignmentLedger,
    slots: { release: async () => void calls.push('release') } as unknown as OperationSlots,
  };
  return { deps, calls };
};

const input = (after: string) => ({
  requestId: 'r-1',
  parameters,
  grantSeconds: 0,
  creationRequestId: '',
  polls: 0,
  after,
});

beforeEach(() => {
  ssoMock.reset();
  ssoMock.on(ListAccountAssignmentsCommand).resolves({ AccountAssignments: [] });
});

describe('verifyAssignment after no answer', () => {
  it.each(['States.Timeout', 'Sandbox.Timedout', 'Lambda.Unknown', 'Lambda.TooManyRequestsException', 'Error'])(
    'absent after %s 10 minutes into the budget: RETRY',
    async (after) => {
      // Prepare
      const { deps, calls } = fakes(new Date(NOW.getTime() - 10 * MINUTE).toISOString());

      // Act
      const result = await verifyAssignment(input(after), deps);

      // Assess
      expect(result).toMatchObject({ status: 'RETRY', verified: 'ABSENT' });
      expect(calls).toContain('event creation_retry');
    },
  );

  it('absent after States.Timeout with the 30 minutes spent: ABSENT, so the request ends FAILED', async () => {
    // Prepare
    const { deps } = fakes(new Date(NOW.getTime() - 31 * MINUTE).toISOString());

    // Act
    const result = await verifyAssignment(input('States.Timeout'), deps);

    // Assess
    expect(result).toMatchObject({ status: 'ABSENT', verified: 'ABSENT' });
  });

  it('absent after AccessDeniedException is never sent round again', async () => {
    // Prepare
    const { deps, calls } = fakes(NOW.toISOString());

    // Act
    const result = await verifyAssignment(input('AccessDeniedException'), deps);

    // Assess
    expect(result).toMatchObject({ status: 'ABSENT' });
    expect(calls).not.toContain('event creation_retry');
  });
});
