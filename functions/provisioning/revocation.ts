// Ending a time-bound grant: one DeleteAccountAssignment attempt (only if the ledger says this grant is
// the last holder of an assignment we created), then one status poll per invocation.
import {
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
} from '@aws-sdk/client-sso-admin';
import type { SsoAssignmentParameters } from '../actions/ssoCreateAccountAssignment.js';
import { describeStatus, type AssignmentDeps } from './assignment.js';
import { attempt, recordAttempt } from './attempts.js';

export interface RevocationProgress {
  Status: string;
  deleted: boolean;
  reason: string;
  /** '' when nothing had to be deleted; always present so the state machine can select it. */
  deletionRequestId: string;
  polls: number;
  /** Set when Identity Center reports the deletion FAILED ('' otherwise), carried into the record. */
  FailureReason: string;
}

export const revokeAssignment = async (
  input: { requestId: string; parameters: SsoAssignmentParameters },
  deps: AssignmentDeps,
): Promise<RevocationProgress> => {
  const decision = await deps.ledger.end(input.parameters, input.requestId);
  if (!decision.delete) {
    await recordAttempt(deps, input.requestId, 'revocation_attempt', { deleted: false, reason: decision.reason });
    return {
      Status: 'SUCCEEDED',
      deleted: false,
      reason: decision.reason,
      deletionRequestId: '',
      polls: 0,
      FailureReason: '',
    };
  }
  const { PrincipalId, PrincipalType, PermissionSetArn, InstanceArn, TargetId, TargetType } = input.parameters;
  const { AccountAssignmentDeletionStatus: status } = await attempt(
    deps,
    input.requestId,
    'DeleteAccountAssignment',
    () =>
      deps.ssoAdmin.send(
        new DeleteAccountAssignmentCommand({
          InstanceArn,
          PermissionSetArn,
          PrincipalId,
          PrincipalType,
          TargetId,
          TargetType,
        }),
      ),
    (r) => ({
      status: r.AccountAssignmentDeletionStatus?.Status,
      deletionRequestId: r.AccountAssignmentDeletionStatus?.RequestId,
    }),
    'revocation',
  );
  if (!status?.RequestId) throw new Error('DeleteAccountAssignment returned no deletion request id');
  return {
    Status: status.Status ?? 'IN_PROGRESS',
    deleted: true,
    reason: 'last grant of an assignment we created',
    deletionRequestId: status.RequestId,
    polls: 0,
    FailureReason: '',
  };
};

export const checkRevocation = async (
  input: { requestId: string; parameters: SsoAssignmentParameters; deletionRequestId: string; polls: number },
  deps: AssignmentDeps,
): Promise<RevocationProgress> => {
  const { AccountAssignmentDeletionStatus: status } = await deps.ssoAdmin
    .send(
      new DescribeAccountAssignmentDeletionStatusCommand({
        InstanceArn: input.parameters.InstanceArn,
        AccountAssignmentDeletionRequestId: input.deletionRequestId,
      }),
    )
    .catch(async (error: Error) => {
      await recordAttempt(deps, input.requestId, 'revocation_poll_error', {
        error: error.name,
        message: error.message,
      });
      throw error;
    });
  const polls = input.polls + 1;
  const described = describeStatus(status);
  await recordAttempt(deps, input.requestId, 'revocation_poll', { poll: polls, status: described.Status });
  if (described.Status === 'SUCCEEDED' || described.Status === 'FAILED')
    await deps.ledger.deletionFinished(input.parameters, input.requestId);
  return {
    Status: String(described.Status ?? 'IN_PROGRESS'),
    deleted: described.Status === 'SUCCEEDED',
    reason: 'last grant of an assignment we created',
    deletionRequestId: input.deletionRequestId,
    polls,
    FailureReason: described.FailureReason ? String(described.FailureReason) : '',
  };
};
