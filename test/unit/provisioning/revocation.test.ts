// The revoke and revocation-poll tasks: the deletion slot around DeleteAccountAssignment, the 24-hour budget for
// transient errors (RevocationTransient, then RevocationRetryBudgetExhausted with the deletion claim kept for the
// reconciler), the claim given back on a non-retryable error, and an assignment already gone counted as revoked.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  ListAccountAssignmentsCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import type { SsoAssignmentParameters } from '../../../functions/actions/ssoCreateAccountAssignment.js';
import type { AssignmentDeps } from '../../../functions/provisioning/assignment.js';
import type { AssignmentLedger } from '../../../functions/provisioning/assignmentLedger.js';
import type { OperationSlots } from '../../../functions/provisioning/operationSlots.js';
import { checkRevocation, revokeAssignment } from '../../../functions/provisioning/revocation.js';
import type { RequestRepository } from '../../../functions/requests/repository.js';
import { IdentityCenterBusyError } from '../../../functions/shared/errors.js';
import { SSO_PARAMETERS } from '../../fixtures/requests.js';

const ssoAdmin = new SSOAdminClient({ region: 'us-east-1' });
const ssoMock = mockClient(ssoAdmin);
const parameters = { ...SSO_PARAMETERS } as SsoAssignmentParameters;
const NOW = new Date('2026-12-03T12:00:00.000Z');
const HOUR_MS = 3_600_000;

const awsError = (name: string, status = 400): Error =>
  Object.assign(new Error(`${name} (test)`), { name, $metadata: { httpStatusCode: status } });

const fakes = ({ revocationStartedAt = NOW.toISOString(), slotsFull = false, timeScale = 1 } = {}) => {
  const calls: string[] = [];
  const deletionSlots = {
    acquire: async (_instance: string, requestId: string) => {
      calls.push(`acquire ${requestId}`);
      if (slotsFull) throw new IdentityCenterBusyError('All deletion slots taken');
      return 0;
    },
    renew: async (_instance: string, requestId: string) => void calls.push(`renew ${requestId}`),
    release: async (_instance: string, requestId: string) => void calls.push(`release ${requestId}`),
  } as OperationSlots;
  const ledger = {
    end: async () => ({ delete: true }),
    deletionFinished: async (_a: unknown, requestId: string) => void calls.push(`deletionFinished ${requestId}`),
  } as unknown as AssignmentLedger;
  const events: Array<{ type: string; mark?: string }> = [];
  const repository = {
    appendEvent: async (_id: string, e: { type: string }) => {
      events.push({ type: e.type });
      return true;
    },
    appendEventNoting: async (_id: string, e: { type: string }, _when: string[], mark: string) => {
      events.push({ type: e.type, mark });
      return revocationStartedAt;
    },
  } as unknown as RequestRepository;
  const clock = { now: () => NOW };
  const deps: AssignmentDeps = {
    repository,
    clock,
    timeScale,
    ssoAdmin,
    ledger,
    slots: {} as OperationSlots,
    deletionSlots,
  };
  return { deps, calls, events };
};

const deletion = (Status: 'IN_PROGRESS' | 'SUCCEEDED' | 'FAILED') => ({
  AccountAssignmentDeletionStatus: { Status, RequestId: 'del-1' },
});

beforeEach(() => {
  ssoMock.reset();
});

describe('revokeAssignment', () => {
  it('takes a deletion slot before DeleteAccountAssignment and keeps it while the deletion runs', async () => {
    // Prepare
    ssoMock.on(DeleteAccountAssignmentCommand).resolves(deletion('IN_PROGRESS'));
    const { deps, calls, events } = fakes();

    // Act
    const progress = await revokeAssignment({ requestId: 'r-1', parameters }, deps);

    // Assess
    expect(progress).toMatchObject({ Status: 'IN_PROGRESS', deleted: true, deletionRequestId: 'del-1' });
    expect(calls).toEqual(['acquire r-1']);
    // The first revocation attempt notes when the revocation began.
    expect(events).toEqual([{ type: 'revocation_attempt', mark: 'revocationStartedAt' }]);
  });

  it('calls nothing in Identity Center while every deletion slot is taken, and says so as IdentityCenterBusy', async () => {
    // Prepare
    const { deps, events } = fakes({ slotsFull: true });

    // Act
    const revoked = revokeAssignment({ requestId: 'r-1', parameters }, deps);

    // Assess
    await expect(revoked).rejects.toMatchObject({ name: 'IdentityCenterBusy' });
    expect(ssoMock.commandCalls(DeleteAccountAssignmentCommand)).toHaveLength(0);
    expect(events).toEqual([]);
  });

  it.each(['ConflictException', 'ThrottlingException', 'InternalServerException', 'TimeoutError'])(
    '%s within the 24-hour budget: the slot goes back and RevocationTransient carries the AWS error',
    async (name) => {
      // Prepare: the revocation began 23 hours ago
      ssoMock.on(DeleteAccountAssignmentCommand).rejects(awsError(name));
      const { deps, calls, events } = fakes({
        revocationStartedAt: new Date(NOW.getTime() - 23 * HOUR_MS).toISOString(),
      });

      // Act
      const revoked = revokeAssignment({ requestId: 'r-1', parameters }, deps);

      // Assess
      await expect(revoked).rejects.toMatchObject({
        name: 'RevocationTransient',
        message: expect.stringContaining(name),
      });
      expect(calls).toEqual(['acquire r-1', 'release r-1']);
      expect(events).toEqual([{ type: 'revocation_error', mark: 'revocationStartedAt' }]);
    },
  );

  it('past 24 hours of transient errors: RevocationRetryBudgetExhausted, and the claim is left for the reconciler', async () => {
    // Prepare
    ssoMock.on(DeleteAccountAssignmentCommand).rejects(awsError('ConflictException'));
    const { deps, calls } = fakes({ revocationStartedAt: new Date(NOW.getTime() - 24 * HOUR_MS).toISOString() });

    // Act
    const revoked = revokeAssignment({ requestId: 'r-1', parameters }, deps);

    // Assess
    await expect(revoked).rejects.toMatchObject({ name: 'RevocationRetryBudgetExhausted' });
    expect(calls).not.toContain('deletionFinished r-1');
  });

  it('counts the 24 hours in AWS time: under LOCAL_TIME_SCALE 0.01 they last 864 wall seconds', async () => {
    // Prepare
    ssoMock.on(DeleteAccountAssignmentCommand).rejects(awsError('ConflictException'));
    const within = fakes({ timeScale: 0.01, revocationStartedAt: new Date(NOW.getTime() - 800_000).toISOString() });
    const past = fakes({ timeScale: 0.01, revocationStartedAt: new Date(NOW.getTime() - 865_000).toISOString() });

    // Act + Assess
    await expect(revokeAssignment({ requestId: 'r-1', parameters }, within.deps)).rejects.toMatchObject({
      name: 'RevocationTransient',
    });
    await expect(revokeAssignment({ requestId: 'r-1', parameters }, past.deps)).rejects.toMatchObject({
      name: 'RevocationRetryBudgetExhausted',
    });
  });

  it.each(['AccessDeniedException', 'ValidationException'])(
    '%s is not retried: it passes through with its name and the deletion claim is given back',
    async (name) => {
      // Prepare
      ssoMock.on(DeleteAccountAssignmentCommand).rejects(awsError(name));
      const { deps, calls } = fakes();

      // Act
      const revoked = revokeAssignment({ requestId: 'r-1', parameters }, deps);

      // Assess
      await expect(revoked).rejects.toMatchObject({ name });
      expect(calls).toEqual(['acquire r-1', 'release r-1', 'deletionFinished r-1']);
    },
  );

  it('ResourceNotFound for an assignment that is no longer listed: revoked, nothing left to delete', async () => {
    // Prepare
    ssoMock.on(DeleteAccountAssignmentCommand).rejects(awsError('ResourceNotFoundException'));
    ssoMock.on(ListAccountAssignmentsCommand).resolves({ AccountAssignments: [] });
    const { deps, calls } = fakes();

    // Act
    const progress = await revokeAssignment({ requestId: 'r-1', parameters }, deps);

    // Assess
    expect(progress).toMatchObject({
      Status: 'SUCCEEDED',
      deleted: false,
      reason: expect.stringContaining('already gone'),
    });
    expect(calls).toContain('deletionFinished r-1');
  });

  it('ResourceNotFound while the assignment is still listed: a non-retryable error, the claim given back', async () => {
    // Prepare
    ssoMock.on(DeleteAccountAssignmentCommand).rejects(awsError('ResourceNotFoundException'));
    ssoMock.on(ListAccountAssignmentsCommand).resolves({
      AccountAssignments: [{ PrincipalId: parameters.PrincipalId, PrincipalType: parameters.PrincipalType as 'USER' }],
    });
    const { deps, calls } = fakes();

    // Act
    const revoked = revokeAssignment({ requestId: 'r-1', parameters }, deps);

    // Assess
    await expect(revoked).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
    expect(calls).toContain('deletionFinished r-1');
  });
});

describe('checkRevocation', () => {
  const poll = { requestId: 'r-1', parameters, deletionRequestId: 'del-1', polls: 0 };

  it('renews the deletion slot while IN_PROGRESS, and gives it and the claim back when the deletion ends', async () => {
    // Prepare
    ssoMock
      .on(DescribeAccountAssignmentDeletionStatusCommand)
      .resolvesOnce(deletion('IN_PROGRESS'))
      .resolvesOnce(deletion('SUCCEEDED'));
    const { deps, calls } = fakes();

    // Act
    const first = await checkRevocation(poll, deps);
    const second = await checkRevocation({ ...poll, polls: first.polls }, deps);

    // Assess
    expect(first.Status).toBe('IN_PROGRESS');
    expect(second).toMatchObject({ Status: 'SUCCEEDED', deleted: true, polls: 2 });
    expect(calls).toEqual(['renew r-1', 'release r-1', 'deletionFinished r-1']);
  });

  it('a throttled poll within the budget is RevocationTransient; past it, RevocationRetryBudgetExhausted', async () => {
    // Prepare
    ssoMock.on(DescribeAccountAssignmentDeletionStatusCommand).rejects(awsError('ThrottlingException'));
    const fresh = fakes();
    const old = fakes({ revocationStartedAt: new Date(NOW.getTime() - 25 * HOUR_MS).toISOString() });

    // Act + Assess
    await expect(checkRevocation(poll, fresh.deps)).rejects.toMatchObject({ name: 'RevocationTransient' });
    await expect(checkRevocation(poll, old.deps)).rejects.toMatchObject({ name: 'RevocationRetryBudgetExhausted' });
    expect(fresh.events).toEqual([{ type: 'revocation_poll_error', mark: 'revocationStartedAt' }]);
  });
});
