// Step Functions task: after a creation Identity Center may have accepted failed to confirm, verify with
// ListAccountAssignments whether the assignment exists, and record the grant or its absence.
import {
  verifyAssignment,
  type AssignmentVerification,
  type VerifyAssignmentInput,
} from './provisioning/assignment.js';
import { defaultAssignmentDeps } from './shared/assignmentDefaults.js';
import { taskHandler } from './shared/middleware.js';

export const handler = taskHandler<VerifyAssignmentInput, AssignmentVerification>((event) =>
  verifyAssignment(event, defaultAssignmentDeps()),
);
