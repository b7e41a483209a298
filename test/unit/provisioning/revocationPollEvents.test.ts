// A deletion is polled up to 1,480 times in its day (40 polls 3 s apart, then one a minute). Every poll used to append
// an event (~110 B), which with the retries' errors outgrew DynamoDB's 400 KB item. The audit keeps the first 40 polls,
// then one an hour, and the poll that saw the deletion end.
import { describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DescribeAccountAssignmentDeletionStatusCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { SsoAssignmentParameters } from '../../../functions/actions/ssoCreateAccountAssignment.js';
import type { AssignmentDeps } from '../../../functions/provisioning/assignment.js';
import type { AssignmentLedger } from '../../../functions/provisioning/assignmentLedger.js';
import type { OperationSlots } from '../../../functions/provisioning/operationSlots.js';
import { checkRevocation } from '../../../functions/provisioning/revocation.js';
import type { RequestRepository } from '../../../functions/requests/repository.js';
import { SSO_PARAMETERS } from '../../fixtures/requests.js';

const ssoAdmin = new SSOAdminClient({ region: 'us-east-1' });
const ssoMock = mockClient(ssoAdmin);
const parameters = { ...SSO_PARAMETERS } as SsoAssignmentParameters;

describe('checkRevocation over a whole day of polls', () => {
  it('records 65 poll events for 1,480 polls: the first 40, every 60th, and the end', async () => {
    // Prepare
    const polled: number[] = [];
    const repository = {
      appendEvent: async (_id: string, e: { type: string; detail: string }) => {
        if (e.type === 'revocation_poll') polled.push((JSON.parse(e.detail) as { poll: number }).poll);
        return true;
      },
    } as unknown as RequestRepository;
    const nothing = async () => undefined;
    const deps: AssignmentDeps = {
      repository,
      clock: { now: () => new Date('2026-12-03T12:00:00Z') },
      ssoAdmin,
      ledger: { deletionFinished: nothing } as unknown as AssignmentLedger,
      slots: {} as OperationSlots,
      deletionSlots: { renew: nothing, release: nothing } as unknown as OperationSlots,
    };
    const inProgress = { AccountAssignmentDeletionStatus: { Status: 'IN_PROGRESS' as const, RequestId: 'del-1' } };
    const succeeded = { AccountAssignmentDeletionStatus: { Status: 'SUCCEEDED' as const, RequestId: 'del-1' } };

    // Act
    let polls = 0;
    for (let i = 0; i < 1480; i++) {
      ssoMock.on(DescribeAccountAssignmentDeletionStatusCommand).resolves(i === 1479 ? succeeded : inProgress);
      polls = (await checkRevocation({ requestId: 'r-1', parameters, deletionRequestId: 'del-1', polls }, deps)).polls;
    }

    // Assess
    expect(polls).toBe(1480);
    expect(polled).toHaveLength(65);
    expect(polled.slice(38, 43)).toEqual([39, 40, 60, 120, 180]);
    expect(polled.at(-1)).toBe(1480);
  });
});
