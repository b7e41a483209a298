// Step Functions task: end a time-bound grant; one DeleteAccountAssignment attempt if the ledger says so.
import type { SsoAssignmentParameters } from './actions/ssoCreateAccountAssignment.js';
import { revokeAssignment, type RevocationProgress } from './provisioning/revocation.js';
import { defaultAssignmentDeps } from './shared/assignmentDefaults.js';
import { taskHandler } from './shared/middleware.js';

export const handler = taskHandler<{ requestId: string; parameters: SsoAssignmentParameters }, RevocationProgress>(
  (event) => revokeAssignment(event, defaultAssignmentDeps()),
);
