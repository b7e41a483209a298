// A per-warm-function cache of look-ups: each key holds one promise, shared by every caller while it is in flight, kept
// for a time-to-live once it settles, and dropped at once if it fails, so a throttled or failed call is retried by the
// next caller instead of being served until it expires. Bounded: the least recently used keys go first, so a warm
// function that sees many different people cannot grow without bound.
import type { Clock } from '../shared/clock.js';

interface Entry<V> {
  promise: Promise<V>;
  /** Epoch ms after which the value is stale; Infinity while the look-up is still in flight. */
  expiresAt: number;
}

export interface TtlCacheOptions<V> {
  clock: Clock;
  /** How long a value is served, in ms; may depend on the value (e.g. "not found" kept shorter). */
  ttlMs: number | ((value: V) => number);
  /** The most keys held at once; the least recently used are evicted beyond it. */
  maxEntries: number;
}

export class TtlCache<K, V> {
  readonly #entries = new Map<K, Entry<V>>();
  readonly #clock: Clock;
  readonly #ttlMs: (value: V) => number;
  readonly #maxEntries: number;

  constructor(options: TtlCacheOptions<V>) {
    const { ttlMs } = options;
    this.#clock = options.clock;
    this.#ttlMs = typeof ttlMs === 'number' ? () => ttlMs : ttlMs;
    this.#maxEntries = options.maxEntries;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** The cached value for `key`, or the result of `load()`, which runs at most once at a time per key. */
  get(key: K, load: () => Promise<V>): Promise<V> {
    const now = this.#clock.now().getTime();
    const cached = this.#entries.get(key);
    if (cached !== undefined && cached.expiresAt > now) {
      // Re-inserting moves the key to the end of the Map's order, which is what makes eviction least-recently-used.
      this.#entries.delete(key);
      this.#entries.set(key, cached);
      return cached.promise;
    }
    this.#entries.delete(key);
    const entry: Entry<V> = { promise: load(), expiresAt: Number.POSITIVE_INFINITY };
    this.#entries.set(key, entry);
    this.#evictBeyondLimit();
    entry.promise.then(
      (value) => {
        entry.expiresAt = this.#clock.now().getTime() + this.#ttlMs(value);
      },
      () => {
        // Only this look-up's own entry: a newer one for the same key may have replaced it meanwhile.
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      },
    );
    return entry.promise;
  }

  #evictBeyondLimit(): void {
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) return;
      this.#entries.delete(key);
    }
  }
}
