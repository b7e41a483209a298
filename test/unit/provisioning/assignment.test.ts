// The assign and status-poll tasks: which Identity Center calls they make, and what happens to the creation slot.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  ConflictException,
  CreateAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  ListAccountAssignmentsCommand,
  SSOAdminClient,
  type StatusValues,
} from '@aws-sdk/client-sso-admin';
import type { SsoAssignmentParameters } from '../../../functions/actions/ssoCreateAccountAssignment.js';
import { checkAssignment, createAssignment, type AssignmentDeps } from '../../../functions/provisioning/assignment.js';
import type { AssignmentLedger } from '../../../functions/provisioning/assignmentLedger.js';
import type { CreationSlots } from '../../../functions/provisioning/creationSlots.js';
import type { RequestRepository } from '../../../functions/requests/repository.js';
import { CreationSlotsFullError } from '../../../functions/shared/errors.js';
import { SSO_PARAMETERS } from '../../fixtures/requests.js';

const ssoAdmin = new SSOAdminClient({ region: 'us-east-1' });
const ssoMock = mockClient(ssoAdmin);
const parameters = { ...SSO_PARAMETERS } as SsoAssignmentParameters;
const NOW = new Date('2026-11-21T12:00:00.000Z');

const fakes = ({ slotsFull = false, firstGrant = true } = {}) => {
  const calls: string[] = [];
  const slots: CreationSlots = {
    acquire: async (_instance, requestId) => {
      calls.push(`acquire ${requestId}`);
      if (slotsFull) throw new CreationSlotsFullError('All slots taken');
      return 0;
    },
    renew: async (_instance, requestId) => void calls.push(`renew ${requestId}`),
    release: async (_instance, requestId) => void calls.push(`release ${requestId}`),
  };
  const ledger = {
    needsExistenceCheck: async () => firstGrant,
    register: async (_a: unknown, requestId: string, until: string, existedBefore: boolean | undefined) =>
      void calls.push(`register ${requestId} ${until} ${String(existedBefore)}`),
    drop: async (_a: unknown, requestId: string) => void calls.push(`drop ${requestId}`),
  } as unknown as AssignmentLedger;
  const repository = { appendEvent: async () => true } as unknown as RequestRepository;
  const deps: AssignmentDeps = { repository, clock: { now: () => NOW }, ssoAdmin, ledger, slots };
  return { deps, calls };
};

const creation = (status: StatusValues) => ({ AccountAssignmentCreationStatus: { Status: status, RequestId: 'op-1' } });

beforeEach(() => {
  ssoMock.reset();
});

describe('createAssignment', () => {
  it('makes no ListAccountAssignments look-up for a permanent grant, and creates holding a slot', async () => {
    // Prepare
    ssoMock.on(CreateAccountAssignmentCommand).resolves(creation('IN_PROGRESS'));
    const { deps, calls } = fakes();

    // Act
    const result = await createAssignment({ requestId: 'r-1', parameters, grantSeconds: 0 }, deps);

    // Assess
    expect(result).toEqual({ creationRequestId: 'op-1', status: 'IN_PROGRESS' });
    expect(ssoMock.commandCalls(ListAccountAssignmentsCommand)).toHaveLength(0);
    expect(ssoMock.commandCalls(CreateAccountAssignmentCommand)).toHaveLength(1);
    expect(calls).toEqual(['acquire r-1', 'register r-1 permanent undefined']);
  });

  it('checks pre-existence for the first time-bound grant', async () => {
    ssoMock.on(ListAccountAssignmentsCommand).resolves({
      AccountAssignments: [{ PrincipalId: parameters.PrincipalId, PrincipalType: parameters.PrincipalType as 'USER' }],
    });
    ssoMock.on(CreateAccountAssignmentCommand).resolves(creation('IN_PROGRESS'));
    const { deps, calls } = fakes();

    await createAssignment({ requestId: 'r-1', parameters, grantSeconds: 3600 }, deps);

    expect(ssoMock.commandCalls(ListAccountAssignmentsCommand)).toHaveLength(1);
    expect(calls).toContain('register r-1 time-bound true');
  });

  it('skips the look-up when a grant of ours already holds the assignment', async () => {
    ssoMock.on(CreateAccountAssignmentCommand).resolves(creation('IN_PROGRESS'));
    const { deps } = fakes({ firstGrant: false });

    await createAssignment({ requestId: 'r-1', parameters, grantSeconds: 3600 }, deps);

    expect(ssoMock.commandCalls(ListAccountAssignmentsCommand)).toHaveLength(0);
  });

  it('calls nothing in Identity Center while every slot is taken', async () => {
    const { deps, calls } = fakes({ slotsFull: true });

    await expect(createAssignment({ requestId: 'r-1', parameters, grantSeconds: 0 }, deps)).rejects.toMatchObject({
      name: 'CreationSlotsFull',
    });

    expect(ssoMock.commandCalls(CreateAccountAssignmentCommand)).toHaveLength(0);
    expect(calls).toEqual(['acquire r-1']);
  });

  it('gives the slot back when the creation call fails, keeping the AWS error name for the retrier', async () => {
    ssoMock.on(CreateAccountAssignmentCommand).rejects(new ConflictException({ message: 'busy', $metadata: {} }));
    const { deps, calls } = fakes();

    await expect(createAssignment({ requestId: 'r-1', parameters, grantSeconds: 0 }, deps)).rejects.toMatchObject({
      name: 'ConflictException',
    });

    expect(calls).toEqual(['acquire r-1', 'release r-1']);
  });

  it('keeps the slot when the creation started but the ledger refused the grant, so the retry reuses it', async () => {
    ssoMock.on(CreateAccountAssignmentCommand).resolves(creation('IN_PROGRESS'));
    const { deps, calls } = fakes();
    deps.ledger.register = async () => {
      throw Object.assign(new Error('A revocation of this assignment is in progress'), { name: 'ConflictException' });
    };

    await expect(createAssignment({ requestId: 'r-1', parameters, grantSeconds: 0 }, deps)).rejects.toMatchObject({
      name: 'ConflictException',
    });

    expect(calls).toEqual(['acquire r-1']);
  });
});

describe('checkAssignment', () => {
  const poll = (deps: AssignmentDeps) =>
    checkAssignment({ requestId: 'r-1', parameters, creationRequestId: 'op-1', polls: 0, grantSeconds: 0 }, deps);

  it('renews the slot while the creation is in progress', async () => {
    ssoMock.on(DescribeAccountAssignmentCreationStatusCommand).resolves(creation('IN_PROGRESS'));
    const { deps, calls } = fakes();

    const result = await poll(deps);

    expect(result).toMatchObject({ status: 'IN_PROGRESS', polls: 1 });
    expect(calls).toEqual(['renew r-1']);
  });

  it('releases the slot once the creation succeeded', async () => {
    ssoMock.on(DescribeAccountAssignmentCreationStatusCommand).resolves(creation('SUCCEEDED'));
    const { deps, calls } = fakes();

    expect(await poll(deps)).toMatchObject({ status: 'SUCCEEDED' });
    expect(calls).toEqual(['release r-1']);
  });

  it('releases the slot and drops the grant once the creation failed', async () => {
    ssoMock.on(DescribeAccountAssignmentCreationStatusCommand).resolves({
      AccountAssignmentCreationStatus: { Status: 'FAILED' as StatusValues, RequestId: 'op-1', FailureReason: 'no' },
    });
    const { deps, calls } = fakes();

    expect(await poll(deps)).toMatchObject({ status: 'FAILED' });
    expect(calls).toEqual(['drop r-1', 'release r-1']);
  });

  it('still answers the poll when the slot cannot be given back', async () => {
    ssoMock.on(DescribeAccountAssignmentCreationStatusCommand).resolves(creation('SUCCEEDED'));
    const { deps } = fakes();
    deps.slots.release = async () => {
      throw Object.assign(new Error('throttled'), { name: 'ProvisionedThroughputExceededException' });
    };

    expect(await poll(deps)).toMatchObject({ status: 'SUCCEEDED' });
  });
});
