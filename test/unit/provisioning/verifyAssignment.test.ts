// verifyAssignment: after a creation that may have been accepted, the grant is recorded (in the ledger) when the
// assignment is listed, dropped when it is verified absent, and nothing is concluded while the creation still runs.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeAccountAssignmentCreationStatusCommand,
  ListAccountAssignmentsCommand,
  SSOAdminClient,
  type StatusValues,
} from '@aws-sdk/client-sso-admin';
import type { SsoAssignmentParameters } from '../../../functions/actions/ssoCreateAccountAssignment.js';
import { verifyAssignment, type AssignmentDeps } from '../../../functions/provisioning/assignment.js';
import type { AssignmentLedger } from '../../../functions/provisioning/assignmentLedger.js';
import type { CreationSlots } from '../../../functions/provisioning/creationSlots.js';
import type { RequestRepository } from '../../../functions/requests/repository.js';
import { SSO_PARAMETERS } from '../../fixtures/requests.js';

const ssoAdmin = new SSOAdminClient({ region: 'us-east-1' });
const ssoMock = mockClient(ssoAdmin);
const parameters = { ...SSO_PARAMETERS } as SsoAssignmentParameters;
const NOW = new Date('2026-11-21T12:00:00.000Z');

const fakes = (appendEvent: () => Promise<boolean> = async () => true, firstGrant = false) => {
  const calls: string[] = [];
  const slots = {
    release: async (_instance: string, requestId: string) => void calls.push(`release ${requestId}`),
  } as unknown as CreationSlots;
  const ledger = {
    needsExistenceCheck: async () => firstGrant,
    register: async (_a: unknown, requestId: string, until: string, existedBefore: boolean | undefined) =>
      void calls.push(`register ${requestId} ${until} ${String(existedBefore)}`),
    drop: async (_a: unknown, requestId: string) => void calls.push(`drop ${requestId}`),
  } as unknown as AssignmentLedger;
  const repository = {
    appendEvent: async (_id: string, e: { type: string; detail: string }, when: string[]) => {
      calls.push(`event ${e.type} ${e.detail} when ${when.join(',')}`);
      return appendEvent();
    },
  } as unknown as RequestRepository;
  const deps: AssignmentDeps = { repository, clock: { now: () => NOW }, ssoAdmin, ledger, slots };
  return { deps, calls };
};

const listed = (present: boolean) => ({
  AccountAssignments: present
    ? [{ PrincipalId: parameters.PrincipalId, PrincipalType: parameters.PrincipalType as 'USER' }]
    : [{ PrincipalId: 'someone-else', PrincipalType: 'USER' as const }],
});
const creation = (status: StatusValues) => ({ AccountAssignmentCreationStatus: { Status: status, RequestId: 'op-1' } });
const input = (over: Partial<Parameters<typeof verifyAssignment>[0]> = {}) => ({
  requestId: 'r-1',
  parameters,
  grantSeconds: 3600,
  creationRequestId: 'op-1',
  polls: 40,
  after: 'AssignmentStatusTimeout',
  ...over,
});

beforeEach(() => {
  ssoMock.reset();
});

describe('verifyAssignment', () => {
  it('listed: registers the time-bound grant, records the event, gives back the slot, and ends one hour from now', async () => {
    // Prepare
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(true));
    ssoMock.on(DescribeAccountAssignmentCreationStatusCommand).resolves(creation('IN_PROGRESS'));
    const { deps, calls } = fakes();

    // Act
    const result = await verifyAssignment(input(), deps);

    // Assess
    expect(result).toMatchObject({
      status: 'SUCCEEDED',
      verified: 'PRESENT',
      polls: 40,
      activeUntil: '2026-11-21T13:00:00.000Z',
    });
    expect(ssoMock.commandCalls(DescribeAccountAssignmentCreationStatusCommand)).toHaveLength(0);
    expect(calls).toEqual([
      'register r-1 time-bound undefined',
      expect.stringMatching(/^event assignment_verified_present .*"after":"AssignmentStatusTimeout".* when APPROVED$/),
      'release r-1',
    ]);
  });

  it('not listed and the creation FAILED: verified absent, the grant dropped from the ledger', async () => {
    // Prepare
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));
    ssoMock.on(DescribeAccountAssignmentCreationStatusCommand).resolves(creation('FAILED'));
    const { deps, calls } = fakes();

    // Act
    const result = await verifyAssignment(input({ grantSeconds: 0 }), deps);

    // Assess
    expect(result).toMatchObject({ status: 'ABSENT', verified: 'ABSENT', activeUntil: '' });
    expect(calls[0]).toBe('drop r-1');
    expect(calls[1]).toMatch(/^event assignment_verified_absent /);
  });

  it('not listed while the creation is still IN_PROGRESS (or SUCCEEDED): AssignmentNotSettled, nothing recorded', async () => {
    for (const status of ['IN_PROGRESS', 'SUCCEEDED'] as const) {
      // Prepare
      ssoMock.reset();
      ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));
      ssoMock.on(DescribeAccountAssignmentCreationStatusCommand).resolves(creation(status));
      const { deps, calls } = fakes();

      // Act
      const verified = verifyAssignment(input(), deps);

      // Assess
      await expect(verified).rejects.toMatchObject({ name: 'AssignmentNotSettled' });
      expect(calls).toEqual([]);
    }
  });

  it('no creation id (the create call itself failed): the listing alone decides, pages followed', async () => {
    // Prepare
    ssoMock
      .on(ListAccountAssignmentsCommand)
      .resolvesOnce({ ...listed(false), NextToken: 'page-2' })
      .resolvesOnce(listed(true));
    const { deps, calls } = fakes(async () => true, true);

    // Act
    const result = await verifyAssignment(input({ creationRequestId: '', polls: 0, after: 'TimeoutError' }), deps);

    // Assess
    expect(result.verified).toBe('PRESENT');
    // No grant of ours held it, so whether it existed before is unknown, and the event says how that was settled.
    expect(calls[1]).toMatch(/"preExisting":"unknown; registered as ours/);
    expect(ssoMock.commandCalls(ListAccountAssignmentsCommand)).toHaveLength(2);
    expect(ssoMock.commandCalls(DescribeAccountAssignmentCreationStatusCommand)).toHaveLength(0);
    expect(calls[0]).toBe('register r-1 time-bound undefined');
  });

  it('AWS errors pass through with their names, for the state machine to retry', async () => {
    // Prepare
    ssoMock
      .on(ListAccountAssignmentsCommand)
      .rejects(Object.assign(new Error('internal'), { name: 'InternalServerException' }));
    const { deps, calls } = fakes();

    // Act
    const verified = verifyAssignment(input(), deps);

    // Assess
    await expect(verified).rejects.toMatchObject({ name: 'InternalServerException' });
    expect(calls).toEqual([]);
  });

  it('the audit event is not best effort: a failed write fails the task so it is retried', async () => {
    // Prepare
    ssoMock.on(ListAccountAssignmentsCommand).resolves(listed(false));
    ssoMock.on(DescribeAccountAssignmentCreationStatusCommand).resolves(creation('FAILED'));
    const { deps } = fakes(async () => {
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    });

    // Act
    const verified = verifyAssignment(input(), deps);

    // Assess
    await expect(verified).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
  });
});
