// Step Functions task: one attempt at sso:CreateAccountAssignment.
import type { SsoAssignmentParameters } from './actions/ssoCreateAccountAssignment.js';
import { createAssignment } from './provisioning/assignment.js';
import { ssoAdminClient } from './shared/clients.js';
import { systemClock } from './shared/clock.js';
import { defaultRepository } from './shared/defaults.js';
import { taskHandler } from './shared/middleware.js';

export const handler = taskHandler<{ requestId: string; parameters: SsoAssignmentParameters }, { creationRequestId: string; status: string }>((event) =>
  createAssignment(event, { repository: defaultRepository(), clock: systemClock, ssoAdmin: ssoAdminClient() }),
);
