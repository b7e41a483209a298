// The bulk scenario's command line: `--name value` or `--name=value`, each with a BENCH_BULK_* fallback.
import { intOption, optionValue } from '../lib/options.js';
import type { RetrierSettings, Tuning } from './tuning.js';

export interface BulkConfig {
  requests: number;
  provisioningSeconds: number;
  timeScale: number;
  conflictRate: number;
  /** Injected ConflictException rate on DeleteAccountAssignment. */
  deleteConflictRate: number;
  /** Every grant's length (time-bound, revoked at its end). */
  durationMinutes: number;
  /** When the approvals go out, AWS seconds after the stack started (the outage window is placed from it). */
  approveAtSeconds: number;
  /** The Identity Center outage: AWS seconds after the first approval, and how long; 0 seconds: none. */
  outage: { afterApprovalSeconds: number; seconds: number };
  variants: Array<'FULL' | 'NONE'>;
  approvalConcurrency: number;
  /** One variant after the other instead of side by side. */
  sequential: boolean;
  /** Experiments, applied to every variant alike; null: the definition as written. */
  experiment: Omit<Tuning, 'jitter'> | null;
  keepData: boolean;
  /** bench/results/<resultsName>.json */
  resultsName: string;
}

export const USAGE = `Options (each also as BENCH_BULK_<NAME>, e.g. BENCH_BULK_TIME_SCALE):
  --requests 500               requests, one principal each
  --provisioning-seconds 3     how long Identity Center takes to create an assignment (AWS seconds)
  --time-scale 1               LOCAL_TIME_SCALE: wall seconds per AWS second
  --conflict 0.1               injected ConflictException rate on CreateAccountAssignment
  --delete-conflict 0.3        injected ConflictException rate on DeleteAccountAssignment
  --duration-minutes 1         every grant's length: they start ending while the creations are still going
  --outage-at 75               AWS seconds after the first approval when every SSO Admin call starts failing
                               with InternalServerException (LOCAL_FAULTS sso-admin.*=...@from-to)
  --outage-seconds 120         how long the outage lasts; 0 for none
  --approve-at S               AWS seconds after the stack starts when the approvals go out (default: 0.12 s
                               of wall time per request + 20 s, in AWS seconds); submitting must be done by then
  --variants FULL              JitterStrategy runs: FULL (as written), or FULL,NONE to add the baseline with
                               JitterStrategy NONE on every retrier, side by side (each its own stack and thread)
  --sequential                 run the variants one after the other instead
  --approval-concurrency 32    approval POSTs in flight
Experiments (in memory; both variants alike):
  --interval S --backoff R --max-delay S --max-attempts N   the contention retrier of CreateAssignment/CheckAssignment
  --poll-wait S                WaitForAssignment
  --slot-interval S --slot-backoff R --slot-max-delay S --slot-max-attempts N   the CreationSlotsFull retrier (met only without the queue)
  --keep-data                  keep the stack's data directories
  --results NAME               write bench/results/NAME.json (default bulk)`;

/** A number option that may be fractional; the flag wins over the environment variable, which wins over the default. */
const numberOption = (
  args: readonly string[],
  name: string,
  fallback: number | undefined,
  { allowZero = false, max = Infinity } = {},
): number | undefined => {
  const envName = `BENCH_BULK_${name.toUpperCase().replaceAll('-', '_')}`;
  const raw = optionValue(args, name) ?? process.env[envName];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isFinite(value) || value < 0 || value > max || (!allowZero && value === 0)) {
    throw new Error(
      `--${name} (or ${envName}) must be a number ${allowZero ? '≥' : '>'} 0${max < Infinity ? ` and ≤ ${max}` : ''}, got "${raw}"`,
    );
  }
  return value;
};

const optionalInt = (args: readonly string[], name: string): number | undefined => {
  const envName = `BENCH_BULK_${name.toUpperCase().replaceAll('-', '_')}`;
  return (optionValue(args, name) ?? process.env[envName]) ? intOption(args, name, envName, 0) : undefined;
};

const defined = <T extends object>(value: T): Partial<T> =>
  Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;

/** One retrier's overrides from `--<prefix>interval`, `--<prefix>backoff`, `--<prefix>max-delay`, `--<prefix>max-attempts`. */
const retrierOptions = (args: readonly string[], prefix: string): RetrierSettings => {
  const settings = defined({
    IntervalSeconds: numberOption(args, `${prefix}interval`, undefined),
    BackoffRate: numberOption(args, `${prefix}backoff`, undefined),
    MaxDelaySeconds: numberOption(args, `${prefix}max-delay`, undefined),
    MaxAttempts: optionalInt(args, `${prefix}max-attempts`),
  });
  if (settings.BackoffRate !== undefined && settings.BackoffRate < 1)
    throw new Error(`--${prefix}backoff must be at least 1`);
  return settings;
};

export const readConfig = (args: readonly string[]): BulkConfig => {
  const env = (name: string): string => `BENCH_BULK_${name.toUpperCase().replaceAll('-', '_')}`;
  // FULL only by default: with the revocation wave a run takes minutes, and two stacks side by side on this
  // machine's two cores would each be slowed by the other. The NONE baseline stays one flag away.
  const variants = (optionValue(args, 'variants') ?? process.env[env('variants')] ?? 'FULL')
    .split(',')
    .map((v) => v.trim().toUpperCase());
  for (const v of variants) if (v !== 'FULL' && v !== 'NONE') throw new Error(`--variants: "${v}" is not FULL or NONE`);

  const contention = retrierOptions(args, '');
  const pollWaitSeconds = numberOption(args, 'poll-wait', undefined);
  const slots = retrierOptions(args, 'slot-');
  const experiment: BulkConfig['experiment'] =
    Object.keys(contention).length > 0 || Object.keys(slots).length > 0 || pollWaitSeconds !== undefined
      ? {
          ...(Object.keys(contention).length > 0 ? { contention } : {}),
          ...(Object.keys(slots).length > 0 ? { slots } : {}),
          ...(pollWaitSeconds !== undefined ? { pollWaitSeconds } : {}),
        }
      : null;

  const requests = intOption(args, 'requests', env('requests'), 500);
  const timeScale = numberOption(args, 'time-scale', 1) ?? 1;
  const outageSeconds = numberOption(args, 'outage-seconds', 120, { allowZero: true }) ?? 120;
  return {
    requests,
    // 3 s: "seconds", as docs/retry-policy.md puts it, and the workflow's own poll wait, so one status check per
    // creation is possible. Both limits then matter: slots allow 5 creations/s, 20 TPS allows 10 (creation + poll).
    provisioningSeconds: numberOption(args, 'provisioning-seconds', 3) ?? 3,
    // 1: the ideal run is 102 s. A smaller scale shortens it, but the stack runs every Lambda, dynalite and the
    // engine on one thread; at 0.75 it was over 80% busy during retry storms and set the pace itself.
    timeScale,
    conflictRate: numberOption(args, 'conflict', 0.1, { allowZero: true, max: 1 }) ?? 0.1,
    deleteConflictRate: numberOption(args, 'delete-conflict', 0.3, { allowZero: true, max: 1 }) ?? 0.3,
    // One minute: at 5 creations per second the first grants end about 60 s in, while the creation of 500 takes
    // at least 102 s (212 s with the outage), so deletions and creations overlap.
    durationMinutes: intOption(args, 'duration-minutes', env('duration-minutes'), 1),
    // Submitting paces itself on the stack's one thread (bulk/variant.ts), about 15 requests a second here; this
    // leaves it twice that time, then waits.
    approveAtSeconds: numberOption(args, 'approve-at', (requests * 0.12 + 20) / timeScale) ?? 0,
    // 75 s in: the creation wave is mid-way (the ideal finishes at 102 s) and the first grants have begun to end.
    outage: {
      afterApprovalSeconds: numberOption(args, 'outage-at', 75, { allowZero: true }) ?? 75,
      seconds: outageSeconds,
    },
    variants: variants as BulkConfig['variants'],
    approvalConcurrency: intOption(args, 'approval-concurrency', env('approval-concurrency'), 32),
    sequential: args.includes('--sequential'),
    experiment,
    keepData: args.includes('--keep-data'),
    resultsName: optionValue(args, 'results') ?? process.env[env('results')] ?? 'bulk',
  };
};
