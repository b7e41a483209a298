// sso:CreateAccountAssignment and its status poll, one call each. Identity Center creates assignments
// asynchronously; the state machine waits between polls.
import {
  CreateAccountAssignmentCommand,
  DescribeAccountAssignmentCreationStatusCommand,
  type AccountAssignmentOperationStatus,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import type { SsoAssignmentParameters } from '../actions/ssoCreateAccountAssignment.js';
import { attempt, recordAttempt, type ProvisioningDeps } from './attempts.js';

export interface AssignmentProgress {
  creationRequestId: string;
  status: string;
  polls: number;
  assignment: Record<string, unknown>;
}

const describeStatus = (s: AccountAssignmentOperationStatus | undefined): Record<string, unknown> => ({
  Status: s?.Status,
  RequestId: s?.RequestId,
  TargetId: s?.TargetId,
  PermissionSetArn: s?.PermissionSetArn,
  PrincipalId: s?.PrincipalId,
  PrincipalType: s?.PrincipalType,
  ...(s?.CreatedDate ? { CreatedDate: s.CreatedDate.toISOString() } : {}),
  // The state machine reads FailureReason on FAILED; AWS can omit it, and a missing path would crash the run.
  ...(s?.Status === 'FAILED' ? { FailureReason: s.FailureReason ?? 'Identity Center gave no failure reason' } : {}),
});

export const createAssignment = async (
  input: { requestId: string; parameters: SsoAssignmentParameters },
  deps: ProvisioningDeps & { ssoAdmin: SSOAdminClient },
): Promise<{ creationRequestId: string; status: string }> => {
  const { AccountAssignmentCreationStatus: status } = await attempt(
    deps,
    input.requestId,
    'CreateAccountAssignment',
    () => deps.ssoAdmin.send(new CreateAccountAssignmentCommand({ ...input.parameters })),
    (r) => ({ status: r.AccountAssignmentCreationStatus?.Status, creationRequestId: r.AccountAssignmentCreationStatus?.RequestId }),
  );
  if (!status?.RequestId) throw new Error('CreateAccountAssignment returned no creation request id');
  return { creationRequestId: status.RequestId, status: status.Status ?? 'IN_PROGRESS' };
};

export const checkAssignment = async (
  input: { requestId: string; instanceArn: string; creationRequestId: string; polls: number },
  deps: ProvisioningDeps & { ssoAdmin: SSOAdminClient },
): Promise<AssignmentProgress> => {
  const { AccountAssignmentCreationStatus: status } = await deps.ssoAdmin
    .send(new DescribeAccountAssignmentCreationStatusCommand({ InstanceArn: input.instanceArn, AccountAssignmentCreationRequestId: input.creationRequestId }))
    .catch(async (error: Error) => {
      await recordAttempt(deps, input.requestId, 'status_poll_error', { error: error.name, message: error.message });
      throw error;
    });
  const polls = input.polls + 1;
  const assignment = describeStatus(status);
  await recordAttempt(deps, input.requestId, 'status_poll', { poll: polls, status: assignment.Status, ...(assignment.FailureReason ? { failureReason: assignment.FailureReason } : {}) });
  return { creationRequestId: input.creationRequestId, status: String(assignment.Status ?? 'IN_PROGRESS'), polls, assignment };
};
