// Step Functions task: one attempt at sso:CreateAccountAssignment, entered in the assignment ledger.
import type { SsoAssignmentParameters } from './actions/ssoCreateAccountAssignment.js';
import { createAssignment } from './provisioning/assignment.js';
import { defaultAssignmentDeps } from './shared/assignmentDefaults.js';
import { taskHandler } from './shared/middleware.js';

export const handler = taskHandler<
  { requestId: string; parameters: SsoAssignmentParameters; grantSeconds?: number },
  { creationRequestId: string; status: string }
>((event) => createAssignment(event, defaultAssignmentDeps()));
