// Step Functions task: after a creation Identity Center may have accepted failed to confirm, verify with
// ListAccountAssignments whether the assignment exists, and record the grant or its absence.
import type { SsoAssignmentParameters } from './actions/ssoCreateAccountAssignment.js';
import { verifyAssignment, type AssignmentVerification } from './provisioning/assignment.js';
import { defaultAssignmentDeps } from './shared/assignmentDefaults.js';
import { taskHandler } from './shared/middleware.js';

export const handler = taskHandler<
  {
    requestId: string;
    parameters: SsoAssignmentParameters;
    grantSeconds?: number;
    creationRequestId: string;
    polls: number;
    after: string;
  },
  AssignmentVerification
>((event) => verifyAssignment(event, defaultAssignmentDeps()));
