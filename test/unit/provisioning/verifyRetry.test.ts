// verifyAssignment after contention (ConflictException, ThrottlingException) outlasted a round of retries: while the
// creation's 30-minute contention budget lasts, an absent assignment is created again (Status RETRY) rather than
// failed; once it is spent, ABSENT (FAILED). Other errors (a server fault) are never sent round again.
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

describe('verifyAssignment after contention', () => {
  it.each(['ConflictException', 'ThrottlingException'])(
    'absent after %s 10 minutes into the budget: RETRY, the slot given back, and the retry in the events',
    async (after) => {
      // Prepare
      const { deps, calls } = fakes(new Date(NOW.getTime() - 10 * MINUTE).toISOString());

      // Act
      const result = await verifyAssignment(input(after), deps);

      // Assess
      expect(result).toMatchObject({ status: 'RETRY', verified: 'ABSENT' });
      expect(calls).toEqual([
        'drop',
        'event assignment_verified_absent noting provisioningRetrySince',
        'event creation_retry',
        'release',
      ]);
    },
  );

  it('absent after 30 minutes of contention: ABSENT, so the request ends FAILED', async () => {
    // Prepare
    const { deps } = fakes(new Date(NOW.getTime() - 30 * MINUTE).toISOString());

    // Act
    const result = await verifyAssignment(input('ConflictException'), deps);

    // Assess
    expect(result).toMatchObject({ status: 'ABSENT', verified: 'ABSENT' });
  });

  it('absent after a server fault is not sent round again (its outages are met by the budget)', async () => {
    // Prepare
    const { deps, calls } = fakes(NOW.toISOString());

    // Act
    const result = await verifyAssignment(input('InternalServerException'), deps);

    // Assess
    expect(result).toMatchObject({ status: 'ABSENT' });
    expect(calls).toContain('event assignment_verified_absent');
  });
});
