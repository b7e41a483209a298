// The production wiring handlers pass to domain code: real clients, the table from config, the clock.
// Built lazily so a handler only touches the configuration it actually uses.
import { documentClient, ssoAdminClient } from './clients.js';
import { systemClock } from './clock.js';
import { config } from './config.js';
import { createRequestRepository, type RequestRepository } from '../requests/repository.js';
import type { AssignmentDeps } from '../provisioning/assignment.js';
import { createAssignmentLedger, type AssignmentLedger } from '../provisioning/assignmentLedger.js';

let repository: RequestRepository | undefined;

export const defaultRepository = (): RequestRepository =>
  (repository ??= createRequestRepository({ db: documentClient(), tableName: config.tableName() }));

let ledger: AssignmentLedger | undefined;

export const defaultLedger = (): AssignmentLedger => (ledger ??= createAssignmentLedger({ db: documentClient(), tableName: config.tableName() }));

/** What every SSO provisioning task needs: one attempt per call, and the assignment ledger. */
export const defaultAssignmentDeps = (): AssignmentDeps => ({ repository: defaultRepository(), clock: systemClock, ssoAdmin: ssoAdminClient(), ledger: defaultLedger() });

