// Step Functions task: one DescribeAccountAssignmentCreationStatus poll.
import type { SsoAssignmentParameters } from './actions/ssoCreateAccountAssignment.js';
import { checkAssignment, type AssignmentProgress } from './provisioning/assignment.js';
import { defaultAssignmentDeps } from './shared/assignmentDefaults.js';
import { taskHandler } from './shared/middleware.js';

export const handler = taskHandler<
  {
    requestId: string;
    parameters: SsoAssignmentParameters;
    creationRequestId: string;
    polls: number;
    grantSeconds?: number;
  },
  AssignmentProgress
>((event) => checkAssignment(event, defaultAssignmentDeps()));
