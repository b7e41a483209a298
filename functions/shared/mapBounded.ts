// Concurrency with a ceiling, for look-ups whose service counts calls per second: independent calls overlap, but never
// more than `limit` are in flight at once.

/** `fn` over `items`, at most `limit` at once, results in the items' order. */
export const mapBounded = async <T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> => {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
};
