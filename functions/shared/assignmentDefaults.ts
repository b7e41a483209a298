// The production wiring of the Identity Center tasks (assign, checkAssignment, revoke, checkRevocation). Apart
// from defaults.ts so that no other function bundles the SSO Admin client or the assignment ledger.
import type { AssignmentDeps } from '../provisioning/assignment.js';
import { createAssignmentLedger, type AssignmentLedger } from '../provisioning/assignmentLedger.js';
import { createOperationSlots, type OperationSlots } from '../provisioning/operationSlots.js';
import { documentClient } from './clients/dynamodb.js';
import { sfnClient } from './clients/sfn.js';
import { ssoAdminClient } from './clients/ssoAdmin.js';
import { systemClock } from './clock.js';
import { config } from './config.js';
import { defaultRepository } from './defaults.js';

let ledger: AssignmentLedger | undefined;

export const defaultLedger = (): AssignmentLedger =>
  (ledger ??= createAssignmentLedger({ db: documentClient(), tableName: config.tableName() }));

/**
 * A slot abandoned by a dead execution is free again after this long, in AWS seconds (×LOCAL_TIME_SCALE locally, so
 * that it agrees with the scaled polls that renew it). Status polls renew it every few seconds, and Identity Center
 * creates or deletes an assignment in seconds, so a minute is ample and never blocks for long.
 */
const CREATION_SLOT_LEASE_SECONDS = 60;

/**
 * A deletion's slot is renewed by its status polls, and after 40 polls those are a minute apart
 * (WaitLongerForRevocation), plus the task's own time (up to its 30 s timeout) and, after a transient poll error, a
 * retry delay of up to a minute. A lease of one minute would lapse between two polls of a deletion still running, and
 * let one more deletion in than Identity Center has room for; three minutes outlast the longest gap.
 */
export const DELETION_SLOT_LEASE_SECONDS = 180;

let creationSlots: OperationSlots | undefined;
let deletionSlots: OperationSlots | undefined;

const operationSlots = (kind: 'creation' | 'deletion'): OperationSlots =>
  createOperationSlots({
    db: documentClient(),
    tableName: config.tableName(),
    clock: systemClock,
    // Identity Center's bound of 15 outstanding operations is documented for creations; deletions are provisioned the
    // same way, so SSO_CREATION_SLOTS sizes both.
    slots: config.ssoCreationSlots(),
    kind,
    leaseSeconds:
      (kind === 'deletion' ? DELETION_SLOT_LEASE_SECONDS : CREATION_SLOT_LEASE_SECONDS) * config.timeScale(),
    // Creations queue for a slot (AwaitCreationSlot); a release resumes the longest-waiting execution. Deletions back
    // off on the busy retrier instead: their grants end spread over time, so they meet full slots far less, and
    // they met their bench target without a queue (docs/retry-policy.md).
    ...(kind === 'creation' ? { sfn: sfnClient() } : {}),
  });

export const defaultCreationSlots = (): OperationSlots => (creationSlots ??= operationSlots('creation'));
export const defaultDeletionSlots = (): OperationSlots => (deletionSlots ??= operationSlots('deletion'));

/**
 * What every SSO provisioning task needs: one attempt per call through the budgeted client, the assignment ledger, and
 * the creation and deletion slots.
 */
export const defaultAssignmentDeps = (): AssignmentDeps => ({
  repository: defaultRepository(),
  clock: systemClock,
  timeScale: config.timeScale(),
  ssoAdmin: ssoAdminClient(),
  ledger: defaultLedger(),
  slots: defaultCreationSlots(),
  deletionSlots: defaultDeletionSlots(),
});
