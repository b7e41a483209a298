// The revocation wave's arithmetic, kept apart from the stack so it can be checked on its own: the faults it
// injects, and what the requests' own records say about the creation and deletion waves.
import type { CallSeries } from './stackWorker.js';
import { errorName, type RequestItem } from './inspect.js';

export interface WaveFaults {
  createConflict: number;
  deleteConflict: number;
  /** AWS seconds since the stack started; absent: no outage. */
  outage?: { from: number; to: number };
}

/** LOCAL_FAULTS for the wave (local/emulators/faults.ts), e.g. `sso-admin.*=InternalServerException:1@195-315`. */
export const waveFaults = ({ createConflict, deleteConflict, outage }: WaveFaults): string =>
  [
    createConflict > 0 ? `sso-admin.CreateAccountAssignment=ConflictException:${createConflict}` : '',
    deleteConflict > 0 ? `sso-admin.DeleteAccountAssignment=ConflictException:${deleteConflict}` : '',
    // Whole seconds of AWS time would move the window by up to a second; the parser takes decimals.
    outage ? `sso-admin.*=InternalServerException:1@${outage.from.toFixed(3)}-${outage.to.toFixed(3)}` : '',
  ]
    .filter((entry) => entry !== '')
    .join(',');

/** Recorded Identity Center errors, by the event that recorded them. */
const ERROR_EVENTS = {
  provisioning_error: 'create',
  status_poll_error: 'poll',
  revocation_error: 'revoke',
  revocation_poll_error: 'revokePoll',
} as const;
type ErrorPhase = (typeof ERROR_EVENTS)[keyof typeof ERROR_EVENTS];

export interface WaveAssessment {
  /** Requests that reached ACTIVE (an `active` event). */
  activated: number;
  /** The last `active` event, epoch ms; null if none. */
  lastActiveMs: number | null;
  /** The earliest grant end (activeUntil), epoch ms; null if none. */
  firstEndMs: number | null;
  /** The last `revoked` event, epoch ms; null if none. */
  lastRevokedMs: number | null;
  /** Each ACTIVE grant's end, AWS seconds after the first approval. */
  grantEndsAws: number[];
  /** Each revoked grant's end → its `revoked` event, AWS seconds. */
  endToRevokedAws: number[];
  revokedOnce: number;
  revokedMoreThanOnce: number;
  /** `revoke_overdue` events (a grant still in place 10 minutes past its end). */
  overdue: number;
  /** Recorded errors per phase and name (ThrottlingException split by which limit refused it). */
  errors: Record<ErrorPhase, Record<string, number>>;
  /** Recorded ThrottlingException answers, every phase. */
  throttles: number;
  /** The first and last recorded InternalServerException, epoch ms: where the outage was seen to fall; null if none. */
  internalErrors: { firstMs: number; lastMs: number; count: number } | null;
}

const bump = (map: Record<string, number>, key: string): void => {
  map[key] = (map[key] ?? 0) + 1;
};

export const assessWave = (
  items: readonly RequestItem[],
  { firstApprovalMs, timeScale }: { firstApprovalMs: number; timeScale: number },
): WaveAssessment => {
  const aws = (ms: number): number => ms / 1000 / timeScale;
  const errors: WaveAssessment['errors'] = { create: {}, poll: {}, revoke: {}, revokePoll: {} };
  const grantEndsAws: number[] = [];
  const endToRevokedAws: number[] = [];
  let activated = 0;
  let lastActiveMs: number | null = null;
  let firstEndMs: number | null = null;
  let lastRevokedMs: number | null = null;
  let revokedOnce = 0;
  let revokedMoreThanOnce = 0;
  let overdue = 0;
  let throttles = 0;
  let internalErrors: WaveAssessment['internalErrors'] = null;
  for (const item of items) {
    const events = item.events ?? [];
    const active = events.find((e) => e.type === 'active');
    const revocations = events.filter((e) => e.type === 'revoked');
    const endMs = item.activeUntil ? Date.parse(item.activeUntil) : Number.NaN;
    if (active) {
      activated += 1;
      lastActiveMs = Math.max(lastActiveMs ?? 0, Date.parse(active.at));
      if (Number.isFinite(endMs)) {
        firstEndMs = Math.min(firstEndMs ?? endMs, endMs);
        grantEndsAws.push(aws(endMs - firstApprovalMs));
      }
    }
    if (revocations.length === 1) revokedOnce += 1;
    if (revocations.length > 1) revokedMoreThanOnce += 1;
    const revoked = revocations[0];
    if (revoked) {
      const revokedMs = Date.parse(revoked.at);
      lastRevokedMs = Math.max(lastRevokedMs ?? 0, revokedMs);
      if (Number.isFinite(endMs)) endToRevokedAws.push(aws(revokedMs - endMs));
    }
    for (const e of events) {
      if (e.type === 'revoke_overdue') overdue += 1;
      const phase = ERROR_EVENTS[e.type as keyof typeof ERROR_EVENTS];
      if (!phase) continue;
      const name = errorName(e);
      bump(errors[phase], name);
      if (name.startsWith('ThrottlingException')) throttles += 1;
      if (name === 'InternalServerException') {
        const atMs = Date.parse(e.at);
        internalErrors = internalErrors
          ? {
              firstMs: Math.min(internalErrors.firstMs, atMs),
              lastMs: Math.max(internalErrors.lastMs, atMs),
              count: internalErrors.count + 1,
            }
          : { firstMs: atMs, lastMs: atMs, count: 1 };
      }
    }
  }
  return {
    activated,
    lastActiveMs,
    firstEndMs,
    lastRevokedMs,
    grantEndsAws,
    endToRevokedAws,
    revokedOnce,
    revokedMoreThanOnce,
    overdue,
    errors,
    throttles,
    internalErrors,
  };
};

/** Calls per AWS second in each sampled interval (each divided by its own measured length). */
export const callsPerAwsSecond = (series: CallSeries, timeScale: number): number[] =>
  series.totals.map((total, i) => {
    const previousTotal = i === 0 ? series.startTotal : (series.totals[i - 1] as number);
    const previousAt = i === 0 ? series.startedAtMs : (series.times[i - 1] as number);
    const seconds = ((series.times[i] as number) - previousAt) / 1000 / timeScale;
    return seconds > 0 ? (total - previousTotal) / seconds : 0;
  });
