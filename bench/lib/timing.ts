// Wall-clock helpers. performance.now() is monotonic, so a clock adjustment mid-run cannot skew a sample.
import { performance } from 'node:perf_hooks';

export const now = (): number => performance.now();

/** Runs `fn` and returns its result with the elapsed milliseconds. */
export const timed = async <T>(fn: () => Promise<T>): Promise<{ value: T; ms: number }> => {
  const start = now();
  const value = await fn();
  return { value, ms: now() - start };
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const formatMs = (ms: number): string => (ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));

export const formatDuration = (ms: number): string => {
  if (!Number.isFinite(ms)) return '?';
  if (ms < 1000) return `${ms.toFixed(0)} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  // Round first, so 179.6 s reads 3m00s rather than 2m60s.
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)}m${String(whole % 60).padStart(2, '0')}s`;
};

export const formatRate = (count: number, ms: number): string =>
  ms > 0 ? `${Math.round((count * 1000) / ms).toLocaleString('en-US')}/s` : '-';
