// The fastest any client could finish N creations under Identity Center's limits, as the emulator enforces them
// (local/emulators/ssoAdmin.ts), in "AWS seconds" (scaled time); wall time is that × the time scale.
//
// - Slots: at most S creations outstanding, each for P seconds. Creation i (0-based) cannot start before
//   floor(i/S)·P, so the last one finishes no earlier than ceil(N/S)·P.
// - Rate: R calls per second across all SSO Admin APIs. Every success needs at least one CreateAccountAssignment
//   and one DescribeAccountAssignmentCreationStatus that sees SUCCEEDED: 2N calls, at least 2N/R seconds.
// The bound is the larger of the two. It leaves out what no client controls locally anyway (Lambda and engine
// latency) and everything a client chooses to spend (retries, extra polls, ListAccountAssignments look-ups).

export interface IdealInput {
  requests: number;
  /** Outstanding-creation limit. */
  slots: number;
  provisioningSeconds: number;
  /** Calls per second, shared by every SSO Admin API. */
  tps: number;
  timeScale: number;
}

export interface IdealBound {
  formula: string;
  /** ceil(N/S)·P, AWS seconds. */
  slotSeconds: number;
  /** 2N/R, AWS seconds. */
  rateSeconds: number;
  /** max of the two, AWS seconds. */
  seconds: number;
  binding: 'slots' | 'rate';
  /** The bound in wall-clock milliseconds at this time scale. */
  wallMs: number;
  /** The time-scaled SSO rate the emulator admits: R calls per (timeScale) wall seconds. */
  wallTps: number;
}

export const MIN_CALLS_PER_SUCCESS = 2;
export const idealBound = ({
  requests: n,
  slots: s,
  provisioningSeconds: p,
  tps: r,
  timeScale,
}: IdealInput): IdealBound => {
  const slotSeconds = Math.ceil(n / s) * p;
  const rateSeconds = (MIN_CALLS_PER_SUCCESS * n) / r;
  const seconds = Math.max(slotSeconds, rateSeconds);
  return {
    formula:
      `max(ceil(N/S)·P, 2N/R) = max(ceil(${n}/${s})·${p} s, 2·${n}/${r} s) = max(${slotSeconds.toFixed(1)} s, ${rateSeconds.toFixed(1)} s) ` +
      `= ${seconds.toFixed(1)} s (AWS time) × time scale ${timeScale} = ${(seconds * timeScale).toFixed(1)} s wall`,
    slotSeconds,
    rateSeconds,
    seconds,
    binding: slotSeconds >= rateSeconds ? 'slots' : 'rate',
    wallMs: seconds * timeScale * 1000,
    wallTps: r / timeScale,
  };
};
