// TtlCache's stale-while-revalidate option on a fake clock: a value past its TTL is served at once while one background
// refresh runs; a failed refresh keeps the old value and is reported; past the hard bound callers wait for a fresh read.
import { describe, expect, it, jest } from '@jest/globals';
import { type StaleWhileRevalidate, TtlCache } from '../../../functions/directory/ttlCache.js';

const TTL = 1_000;
const MAX_STALE = 2_000;
const RETRY_AFTER = 300;

const fakeClock = () => {
  let now = Date.parse('2026-12-01T00:00:00Z');
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
};

/** A promise with resolve and reject exposed, to hold a load in flight. */
const deferred = <T>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
};

/** Lets every settled promise's callbacks run (the cache settles entries in a `then`). */
const settle = () => new Promise((resolve) => setImmediate(resolve));

const swrCache = (options: Partial<StaleWhileRevalidate<string, string>> = {}) => {
  const clock = fakeClock();
  const onRefreshError = jest.fn<(error: unknown, key: string) => void>();
  const cache = new TtlCache<string, string>({
    clock,
    ttlMs: TTL,
    maxEntries: 10,
    staleWhileRevalidate: { maxStaleMs: MAX_STALE, retryAfterMs: RETRY_AFTER, onRefreshError, ...options },
  });
  return { clock, cache, onRefreshError };
};

describe('TtlCache with stale-while-revalidate', () => {
  it('serves the stale value at once past the TTL, starts one refresh, and serves the refreshed value after', async () => {
    // Prepare
    const { clock, cache } = swrCache();
    await cache.get('k', async () => 'v1');
    clock.advance(TTL + 1);
    const refresh = deferred<string>();
    const load = jest.fn(() => refresh.promise);

    // Act: three callers past the TTL while the refresh is in flight
    const during = await Promise.all([cache.get('k', load), cache.get('k', load), cache.get('k', load)]);
    refresh.resolve('v2');
    await settle();
    const after = await cache.get('k', async () => 'never');

    // Assess
    expect(during).toEqual(['v1', 'v1', 'v1']);
    expect(load).toHaveBeenCalledTimes(1);
    expect(after).toBe('v2');
  });

  it('gives the refreshed value a full TTL from when it arrived', async () => {
    // Prepare
    const { clock, cache } = swrCache();
    await cache.get('k', async () => 'v1');
    clock.advance(TTL + 1);
    await cache.get('k', async () => 'v2');
    await settle();
    const load = jest.fn(async () => 'v3');

    // Act
    clock.advance(TTL - 1);
    const withinNewTtl = await cache.get('k', load);

    // Assess
    expect(withinNewTtl).toBe('v2');
    expect(load).not.toHaveBeenCalled();
  });

  it('keeps the old value when the refresh fails, reports it, and retries no sooner than retryAfterMs', async () => {
    // Prepare
    const { clock, cache, onRefreshError } = swrCache();
    await cache.get('k', async () => 'v1');
    clock.advance(TTL + 1);
    const failure = Object.assign(new Error('slow down'), { name: 'ThrottlingException' });
    const failing = jest.fn(async (): Promise<string> => {
      throw failure;
    });

    // Act
    const served = await cache.get('k', failing);
    await settle();
    const servedAfterFailure = await cache.get('k', failing);
    clock.advance(RETRY_AFTER);
    const retried = await cache.get('k', async () => 'v2');
    await settle();
    const afterRetry = await cache.get('k', async () => 'never');

    // Assess
    expect([served, servedAfterFailure, retried]).toEqual(['v1', 'v1', 'v1']);
    expect(failing).toHaveBeenCalledTimes(1);
    expect(onRefreshError).toHaveBeenCalledWith(failure, 'k');
    expect(afterRetry).toBe('v2');
  });

  it('a load that throws at once is a failed refresh too, not an exception in the caller', async () => {
    // Prepare
    const { clock, cache, onRefreshError } = swrCache();
    await cache.get('k', async () => 'v1');
    clock.advance(TTL + 1);

    // Act
    const served = await cache.get('k', () => {
      throw new Error('synchronous');
    });
    await settle();

    // Assess
    expect(served).toBe('v1');
    expect(onRefreshError).toHaveBeenCalledTimes(1);
  });

  it('stops serving the value past the hard bound: callers wait for a fresh read', async () => {
    // Prepare: every refresh fails, so the value only ages
    const { clock, cache } = swrCache();
    await cache.get('k', async () => 'v1');
    clock.advance(TTL + 1);
    await cache.get('k', async () => {
      throw new Error('down');
    });
    await settle();
    clock.advance(MAX_STALE);
    const fresh = deferred<string>();
    const load = jest.fn(() => fresh.promise);

    // Act
    const waiting = cache.get('k', load);
    const alsoWaiting = cache.get('k', load);
    const before = await Promise.race([waiting, settle().then(() => 'still waiting')]);
    fresh.resolve('v2');

    // Assess
    expect(before).toBe('still waiting');
    expect(await waiting).toBe('v2');
    expect(await alsoWaiting).toBe('v2');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('past the hard bound with a refresh still in flight, callers wait for that refresh instead of starting another', async () => {
    // Prepare
    const { clock, cache } = swrCache();
    await cache.get('k', async () => 'v1');
    clock.advance(TTL + 1);
    const refresh = deferred<string>();
    await cache.get('k', () => refresh.promise);
    clock.advance(MAX_STALE);
    const second = jest.fn(async () => 'second');

    // Act
    const waiting = cache.get('k', second);
    refresh.resolve('v2');

    // Assess
    expect(await waiting).toBe('v2');
    expect(second).not.toHaveBeenCalled();
  });

  it('serves a value for which maxStaleMs says 0 no longer than its TTL', async () => {
    // Prepare
    const { clock, cache } = swrCache({ maxStaleMs: (value) => (value === 'unavailable' ? 0 : MAX_STALE) });
    await cache.get('k', async () => 'unavailable');
    clock.advance(TTL + 1);
    const load = deferred<string>();

    // Act
    const waiting = cache.get('k', () => load.promise);
    const before = await Promise.race([waiting, settle().then(() => 'still waiting')]);
    load.resolve('available');

    // Assess
    expect(before).toBe('still waiting');
    expect(await waiting).toBe('available');
  });

  it('without the option, the first caller past the TTL waits for the fresh read (as before)', async () => {
    // Prepare
    const clock = fakeClock();
    const cache = new TtlCache<string, string>({ clock, ttlMs: TTL, maxEntries: 10 });
    await cache.get('k', async () => 'v1');
    clock.advance(TTL + 1);

    // Act
    const value = await cache.get('k', async () => 'v2');

    // Assess
    expect(value).toBe('v2');
  });
});
