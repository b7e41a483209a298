// A series as a one-line unicode sparkline, for a table cell: at most `width` characters, each the mean of the
// samples it covers, scaled so that `max` (by default the largest bucket) is a full block. A bucket whose mean is
// 0 is a space, so an outage reads as a gap, not as a low bar.

const BARS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'] as const;

export interface SparklineOptions {
  /** Most characters in the line (default 60); longer series are averaged into this many buckets. */
  width?: number;
  /** The value drawn as a full block (default: the largest bucket); larger values are drawn full. */
  max?: number;
}

/** Means of consecutive runs of `values`, at most `width` of them, each run as long as the others give or take one. */
export const bucketMeans = (values: readonly number[], width: number): number[] => {
  if (!Number.isInteger(width) || width < 1)
    throw new Error(`sparkline width must be a positive integer, got ${width}`);
  const buckets = Math.min(width, values.length);
  return Array.from({ length: buckets }, (_, i) => {
    const start = Math.floor((i * values.length) / buckets);
    const end = Math.floor(((i + 1) * values.length) / buckets);
    const slice = values.slice(start, end);
    return slice.reduce((sum, v) => sum + v, 0) / slice.length;
  });
};

export const sparkline = (values: readonly number[], { width = 60, max }: SparklineOptions = {}): string => {
  const means = bucketMeans(values, width);
  const top = max ?? Math.max(0, ...means);
  return means
    .map((mean) => {
      if (!(mean > 0) || !(top > 0)) return ' ';
      const level = Math.ceil((Math.min(mean, top) / top) * BARS.length) - 1;
      return BARS[Math.max(0, Math.min(BARS.length - 1, level))];
    })
    .join('');
};

/** Per-interval counts from cumulative samples (each the running total at the end of its interval). */
export const perInterval = (cumulative: readonly number[], startTotal = 0): number[] =>
  cumulative.map((total, i) => total - (i === 0 ? startTotal : (cumulative[i - 1] as number)));
