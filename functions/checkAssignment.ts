// Step Functions task: one DescribeAccountAssignmentCreationStatus poll.
import { checkAssignment, type AssignmentProgress } from './provisioning/assignment.js';
import { ssoAdminClient } from './shared/clients.js';
import { systemClock } from './shared/clock.js';
import { defaultRepository } from './shared/defaults.js';
import { taskHandler } from './shared/middleware.js';

export const handler = taskHandler<{ requestId: string; instanceArn: string; creationRequestId: string; polls: number }, AssignmentProgress>((event) =>
  checkAssignment(event, { repository: defaultRepository(), clock: systemClock, ssoAdmin: ssoAdminClient() }),
);
