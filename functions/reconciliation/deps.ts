// What the reconciler works with, injected so every step runs under test with mocked AWS clients and a fixed clock.
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ReconcileWatch } from '../policy/policy.js';
import type { AssignmentDeps } from '../provisioning/assignment.js';
import type { AssignmentLedger } from '../provisioning/assignmentLedger.js';
import type { RequestRepository } from '../requests/repository.js';
import type { Clock } from '../shared/clock.js';
import type { RunLease } from './runLease.js';

/** How people are told; the handler wires notify's functions, tests record the calls. */
export interface ReconcilerNotifications {
  /** The outcome of a request the reconciler settled, as the workflow's NotifyOutcome tells it. */
  outcome(requestId: string): Promise<void>;
  /** The loud revoke_overdue alarm to the requester, approvers and auditors. */
  revokeOverdue(requestId: string, overdueMinutes: number): Promise<void>;
}

export interface ReconcilerLimits {
  /** Items each step takes on per run; the rest waits for the next run, and the summary says so. */
  itemsPerStep: number;
  /** Deletion status polls within one run before the deletion request id is stored for the next run. */
  pollsPerDeletion: number;
  /** AWS seconds between those polls (scaled by timeScale). */
  pollIntervalSeconds: number;
  /** AWS seconds past a grant's end after which revoke_overdue is raised (DESIGN.md: 10 minutes). */
  overdueAfterSeconds: number;
  /**
   * AWS seconds after its last creation attempt before a request with no creation id is concluded absent (an
   * attempt whose answer was lost may still land).
   */
  absenceMinAgeSeconds: number;
  /** AWS seconds an APPROVED request waits (since its last update) before step d looks at whether its workflow died. */
  approvedMarginSeconds: number;
  /**
   * AWS seconds the run lease lasts from each renewal; renewed once less than half is left. Above the worst single
   * budgeted call with its retries (5 s budget wait + 5 attempts with up to 8 s backoff, under a minute).
   */
  leaseSeconds: number;
}

export const DEFAULT_LIMITS: ReconcilerLimits = {
  itemsPerStep: 200,
  pollsPerDeletion: 3,
  pollIntervalSeconds: 2,
  overdueAfterSeconds: 600,
  absenceMinAgeSeconds: 300,
  approvedMarginSeconds: 30 * 60,
  leaseSeconds: 120,
};

export interface ReconcilerDeps {
  db: DynamoDBDocumentClient;
  tableName: string;
  repository: RequestRepository;
  ledger: AssignmentLedger;
  /**
   * What revocation.ts's revokeAssignment and checkRevocation take: the reconciler finishes a removal through the same
   * path (ledger claim, deletion slots, one call each) as the workflow.
   */
  assignment: AssignmentDeps;
  /** The SSO Admin client every reconciler call goes through (it takes the shared Identity Center budget). */
  ssoAdmin: SSOAdminClient;
  sfn: SFNClient;
  stateMachineArn: string;
  clock: Clock;
  /** Wall seconds per AWS second (config.timeScale). */
  timeScale: number;
  /** policy.reconcile.watch; empty: no account is watched. */
  watch: readonly ReconcileWatch[];
  /** The Identity Center instance the watched accounts' assignments belong to (only read when something is watched). */
  instanceArn: () => Promise<string>;
  notify: ReconcilerNotifications;
  /** Wall milliseconds this run may still spend (the Lambda's remaining time less a margin). */
  remainingMs: () => number;
  /** SSO Admin calls made so far through `ssoAdmin` (for the summary). */
  ssoCalls: () => number;
  sleep?: (ms: number) => Promise<void>;
  limits?: Partial<ReconcilerLimits>;
  /** The run lease (runLease.ts); without it (unit tests of single steps) the run takes none. */
  runLease?: RunLease;
}

/** Thrown inside a step when the run's time is up; the run stops there and its summary says where. */
export class OutOfTimeError extends Error {
  override readonly name = 'ReconcilerOutOfTime';
}

export const checkTime = (deps: Pick<ReconcilerDeps, 'remainingMs'>): void => {
  if (deps.remainingMs() <= 0) throw new OutOfTimeError('The run reached its time budget');
};

export const limitsOf = (deps: Pick<ReconcilerDeps, 'limits'>): ReconcilerLimits => ({
  ...DEFAULT_LIMITS,
  ...deps.limits,
});

export const sleepOf = (deps: Pick<ReconcilerDeps, 'sleep'>): ((ms: number) => Promise<void>) =>
  deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));

/** AWS seconds as wall milliseconds. */
export const wallMs = (deps: Pick<ReconcilerDeps, 'timeScale'>, awsSeconds: number): number =>
  awsSeconds * 1000 * deps.timeScale;
