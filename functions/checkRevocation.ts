// Step Functions task: one DescribeAccountAssignmentDeletionStatus poll.
import type { SsoAssignmentParameters } from './actions/ssoCreateAccountAssignment.js';
import { checkRevocation, type RevocationProgress } from './provisioning/revocation.js';
import { defaultAssignmentDeps } from './shared/assignmentDefaults.js';
import { taskHandler } from './shared/middleware.js';

export const handler = taskHandler<
  { requestId: string; parameters: SsoAssignmentParameters; deletionRequestId: string; polls: number },
  RevocationProgress
>((event) => checkRevocation(event, defaultAssignmentDeps()));
