// The production wiring handlers pass to domain code: real clients, the table from config, the clock.
// Built lazily so a handler only touches the configuration it actually uses.
import { documentClient, ssoAdminClient } from './clients.js';
import { systemClock } from './clock.js';
import { config } from './config.js';
import { createRequestRepository, type RequestRepository } from '../requests/repository.js';
import type { AssignmentDeps } from '../provisioning/assignment.js';
import { createAssignmentLedger, type AssignmentLedger } from '../provisioning/assignmentLedger.js';
import { createCreationSlots, type CreationSlots } from '../provisioning/creationSlots.js';

let repository: RequestRepository | undefined;

export const defaultRepository = (): RequestRepository =>
  (repository ??= createRequestRepository({ db: documentClient(), tableName: config.tableName() }));

let ledger: AssignmentLedger | undefined;

export const defaultLedger = (): AssignmentLedger => (ledger ??= createAssignmentLedger({ db: documentClient(), tableName: config.tableName() }));

/**
 * A slot abandoned by a dead execution is free again after this long. Status polls renew it every few seconds,
 * and Identity Center creates an assignment in seconds, so a minute is ample and never blocks for long.
 */
const CREATION_SLOT_LEASE_SECONDS = 60;

let slots: CreationSlots | undefined;

export const defaultCreationSlots = (): CreationSlots =>
  (slots ??= createCreationSlots({
    db: documentClient(),
    tableName: config.tableName(),
    clock: systemClock,
    slots: config.ssoCreationSlots(),
    leaseSeconds: CREATION_SLOT_LEASE_SECONDS,
  }));

/** What every SSO provisioning task needs: one attempt per call, the assignment ledger, and the creation slots. */
export const defaultAssignmentDeps = (): AssignmentDeps => ({
  repository: defaultRepository(),
  clock: systemClock,
  ssoAdmin: ssoAdminClient(),
  ledger: defaultLedger(),
  slots: defaultCreationSlots(),
});

