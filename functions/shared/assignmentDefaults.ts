// The production wiring of the Identity Center tasks (assign, checkAssignment, revoke, checkRevocation). Apart
// from defaults.ts so that no other function bundles the SSO Admin client or the assignment ledger.
import type { AssignmentDeps } from '../provisioning/assignment.js';
import { createAssignmentLedger, type AssignmentLedger } from '../provisioning/assignmentLedger.js';
import { documentClient } from './clients/dynamodb.js';
import { ssoAdminClient } from './clients/ssoAdmin.js';
import { systemClock } from './clock.js';
import { config } from './config.js';
import { defaultRepository } from './defaults.js';

let ledger: AssignmentLedger | undefined;

export const defaultLedger = (): AssignmentLedger => (ledger ??= createAssignmentLedger({ db: documentClient(), tableName: config.tableName() }));

/** What every SSO provisioning task needs: one attempt per call, and the assignment ledger. */
export const defaultAssignmentDeps = (): AssignmentDeps => ({ repository: defaultRepository(), clock: systemClock, ssoAdmin: ssoAdminClient(), ledger: defaultLedger() });
