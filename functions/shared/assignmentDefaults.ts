// The production wiring of the Identity Center tasks (assign, checkAssignment, revoke, checkRevocation). Apart
// from defaults.ts so that no other function bundles the SSO Admin client or the assignment ledger.
import type { AssignmentDeps } from '../provisioning/assignment.js';
import { createAssignmentLedger, type AssignmentLedger } from '../provisioning/assignmentLedger.js';
import { createCreationSlots, type CreationSlots } from '../provisioning/creationSlots.js';
import { documentClient } from './clients/dynamodb.js';
import { ssoAdminClient } from './clients/ssoAdmin.js';
import { systemClock } from './clock.js';
import { config } from './config.js';
import { defaultRepository } from './defaults.js';

let ledger: AssignmentLedger | undefined;

export const defaultLedger = (): AssignmentLedger =>
  (ledger ??= createAssignmentLedger({ db: documentClient(), tableName: config.tableName() }));

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
  timeScale: config.timeScale(),
  ssoAdmin: ssoAdminClient(),
  ledger: defaultLedger(),
  slots: defaultCreationSlots(),
});
