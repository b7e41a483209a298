// A per-warm-function cache of look-ups: each key holds one promise, shared by every caller while it is in flight, kept
// for a time-to-live once it settles, and dropped at once if it fails, so a throttled or failed call is retried by the
// next caller instead of being served until it expires. Bounded: the least recently used keys go first, so a warm
// function that sees many different people cannot grow without bound.
//
// Optionally stale-while-revalidate: past its TTL a value is still served at once while one background refresh runs,
// so a listing that takes dozens of calls (the organisation, the permission sets) is re-read off the request path. A
// failed refresh keeps the old value; past a hard bound the value is no longer served and callers wait for a fresh read.
import type { Clock } from '../shared/clock.js';

interface Entry<V> {
  promise: Promise<V>;
  /** Epoch ms after which the value is stale; Infinity while the look-up is still in flight. */
  expiresAt: number;
  /** Epoch ms until which the stale value may still be served (stale-while-revalidate); -Infinity while in flight. */
  staleUntil: number;
  /** The background refresh in flight, if any: at most one per entry. */
  refresh?: Promise<V>;
  /** Epoch ms before which no new refresh starts, after one failed. */
  nextRefreshAt: number;
}

export interface StaleWhileRevalidate<K, V> {
  /** How long past its TTL a value is still served while it is refreshed, in ms; after that, callers wait for a read. */
  maxStaleMs: number | ((value: V) => number);
  /**
   * How long after a failed refresh the next one may start, in ms, so a listing of dozens of calls is not retried on
   * every request while the service is failing or throttling.
   */
  retryAfterMs: number;
  /** Told of each failed refresh; the old value stays. */
  onRefreshError: (error: unknown, key: K) => void;
}

export interface TtlCacheOptions<K, V> {
  clock: Clock;
  /** How long a value is served, in ms; may depend on the value (e.g. "not found" kept shorter). */
  ttlMs: number | ((value: V) => number);
  /** The most keys held at once; the least recently used are evicted beyond it. */
  maxEntries: number;
  /** Serve a stale value while one background refresh runs; without it, the first caller past the TTL waits. */
  staleWhileRevalidate?: StaleWhileRevalidate<K, V>;
}

const perValue = <V>(ms: number | ((value: V) => number)): ((value: V) => number) =>
  typeof ms === 'number' ? () => ms : ms;

export class TtlCache<K, V> {
  readonly #entries = new Map<K, Entry<V>>();
  readonly #clock: Clock;
  readonly #ttlMs: (value: V) => number;
  readonly #maxStaleMs: (value: V) => number;
  readonly #maxEntries: number;
  readonly #swr: StaleWhileRevalidate<K, V> | undefined;

  constructor(options: TtlCacheOptions<K, V>) {
    this.#clock = options.clock;
    this.#ttlMs = perValue(options.ttlMs);
    this.#swr = options.staleWhileRevalidate;
    this.#maxStaleMs = this.#swr === undefined ? () => 0 : perValue(this.#swr.maxStaleMs);
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
      this.#touch(key, cached);
      return cached.promise;
    }
    if (cached !== undefined && cached.staleUntil > now) {
      this.#touch(key, cached);
      if (cached.refresh === undefined && cached.nextRefreshAt <= now) this.#refresh(key, cached, load);
      return cached.promise;
    }
    // Past the hard bound with a refresh still in flight: wait for that one rather than start a second.
    if (cached?.refresh !== undefined) return cached.refresh;
    this.#entries.delete(key);
    const entry: Entry<V> = {
      promise: load(),
      expiresAt: Number.POSITIVE_INFINITY,
      staleUntil: Number.NEGATIVE_INFINITY,
      nextRefreshAt: Number.NEGATIVE_INFINITY,
    };
    this.#entries.set(key, entry);
    this.#evictBeyondLimit();
    entry.promise.then(
      (value) => this.#settle(entry, value),
      () => {
        // Only this look-up's own entry: a newer one for the same key may have replaced it meanwhile.
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      },
    );
    return entry.promise;
  }

  #settle(entry: Entry<V>, value: V): void {
    entry.expiresAt = this.#clock.now().getTime() + this.#ttlMs(value);
    entry.staleUntil = entry.expiresAt + this.#maxStaleMs(value);
  }

  /** One background load; on success it replaces the entry, on failure the old value stays and is served. */
  #refresh(key: K, stale: Entry<V>, load: () => Promise<V>): void {
    const swr = this.#swr as StaleWhileRevalidate<K, V>;
    let refresh: Promise<V>;
    try {
      refresh = load();
    } catch (error) {
      refresh = Promise.reject(error);
    }
    stale.refresh = refresh;
    refresh.then(
      (value) => {
        stale.refresh = undefined;
        // Evicted or replaced meanwhile: the newer entry wins, and an evicted key stays evicted.
        if (this.#entries.get(key) !== stale) return;
        const fresh: Entry<V> = {
          promise: refresh,
          expiresAt: 0,
          staleUntil: 0,
          nextRefreshAt: Number.NEGATIVE_INFINITY,
        };
        this.#settle(fresh, value);
        this.#entries.set(key, fresh);
      },
      (error: unknown) => {
        stale.refresh = undefined;
        stale.nextRefreshAt = this.#clock.now().getTime() + swr.retryAfterMs;
        swr.onRefreshError(error, key);
      },
    );
  }

  // Re-inserting moves the key to the end of the Map's order, which is what makes eviction least-recently-used.
  #touch(key: K, entry: Entry<V>): void {
    this.#entries.delete(key);
    this.#entries.set(key, entry);
  }

  #evictBeyondLimit(): void {
    for (const key of this.#entries.keys()) {
      if (this.#entries.size <= this.#maxEntries) return;
      this.#entries.delete(key);
    }
  }
}
