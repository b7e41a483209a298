// How the page scenario reads its options, counts a catalog, and judges its loads: every load against the one
// figure, failed loads and short catalogs as misses whatever their time.
import { describe, expect, it } from '@jest/globals';
import { judgeLoads, pageOptions, TARGET_RENDER_MS } from '../../../bench/page/judge.js';
import { catalogListing, type LoadSample } from '../../../bench/page/load.js';

const expected = { accounts: 600, permissionSets: 60 };

const load = (renderedMs: number, extra: Partial<LoadSample> = {}): LoadSample => ({
  renderedMs,
  documentMs: 5,
  catalog: { startMs: 10, endMs: renderedMs - 20, ms: renderedMs - 30, bytes: 41_000, ...expected },
  ...extra,
});

describe('pageOptions', () => {
  it('defaults to 20 warm and 5 cold loads', () => {
    // Prepare
    const args: string[] = [];

    // Act
    const options = pageOptions(args);

    // Assess
    expect(options).toEqual({ loads: 20, coldLoads: 5, timeoutMs: 30_000, keepData: false });
  });

  it('takes --loads, --cold-loads=, --timeout-ms and --keep-data', () => {
    // Prepare
    const args = ['--loads', '50', '--cold-loads=2', '--timeout-ms', '10_000', '--keep-data'];

    // Act
    const options = pageOptions(args);

    // Assess
    expect(options).toEqual({ loads: 50, coldLoads: 2, timeoutMs: 10_000, keepData: true });
  });

  it('refuses a count that is not a positive integer, naming the option', () => {
    // Prepare
    const args = ['--loads', '0'];

    // Act
    const parse = () => pageOptions(args);

    // Assess
    expect(parse).toThrow('--loads (or BENCH_PAGE_LOADS) must be a positive integer, got "0"');
  });
});

describe('catalogListing', () => {
  it('counts distinct accounts and permission sets over the SSO entries only', () => {
    // Prepare
    const body = {
      entries: [
        { action: 'sso:CreateAccountAssignment', accounts: [{ id: 'a' }, { id: 'b' }], permissionSets: [{ arn: 'p' }] },
        { action: 'sso:CreateAccountAssignment', accounts: [{ id: 'b' }], permissionSets: [{ arn: 'q' }] },
        { action: 'proton:AcceptEnvironmentAccountConnection', connections: [{ id: 'c' }] },
      ],
    };

    // Act
    const listing = catalogListing(JSON.stringify(body));

    // Assess
    expect(listing).toEqual({ accounts: 2, permissionSets: 2 });
  });
});

describe('judgeLoads', () => {
  it('passes when every load renders within the target, reporting p50, p95 and max', () => {
    // Prepare
    const samples = Array.from({ length: 20 }, (_, i) => load(100 + i * 10));

    // Act
    const row = judgeLoads('warm', samples, expected, TARGET_RENDER_MS);

    // Assess
    expect(row).toMatchObject({
      samples: 20,
      rendered: { p50: 190, p95: 280, max: 290 },
      catalogBytes: 41_000,
      target: `every load ≤ ${TARGET_RENDER_MS} ms`,
      pass: true,
      missed: [],
    });
  });

  it('fails on one load over the target even when the p95 is within it', () => {
    // Prepare
    const samples = [...Array.from({ length: 19 }, () => load(200)), load(1600)];

    // Act
    const row = judgeLoads('cold', samples, expected, TARGET_RENDER_MS);

    // Assess
    expect(row.rendered.p95).toBe(200);
    expect(row.pass).toBe(false);
    expect(row.missed).toEqual(['1 of 20 loads over 1500 ms (max 1600 ms)']);
  });

  it('fails a load that never rendered, and a catalog short of what the policy allows, whatever their times', () => {
    // Prepare
    const failed = load(Number.NaN, { error: 'no body[data-catalog] within 30000 ms' });
    const short = load(300, {
      catalog: { startMs: 10, endMs: 200, ms: 190, bytes: 100, accounts: 20, permissionSets: 60 },
    });

    // Act
    const row = judgeLoads('warm', [load(200), failed, short], expected, TARGET_RENDER_MS);

    // Assess
    expect(row.pass).toBe(false);
    expect(row.rendered.max).toBe(300);
    expect(row.missed).toEqual([
      '1 failed: no body[data-catalog] within 30000 ms',
      '1 catalogs listed 20 accounts and 60 permission sets, not 600 and 60',
    ]);
  });

  it('reports an information row without judging its times, but still fails its failed loads', () => {
    // Prepare
    const slow = [load(200), load(2400)];
    const failed = [load(300), load(Number.NaN, { error: 'no body[data-catalog] within 30000 ms' })];

    // Act
    const slowRow = judgeLoads('cold, preloaded', slow, expected, undefined);
    const failedRow = judgeLoads('cold, preloaded', failed, expected, undefined);

    // Assess
    expect(slowRow).toMatchObject({ rendered: { max: 2400 }, pass: true, missed: [] });
    expect(slowRow).not.toHaveProperty('target');
    expect(failedRow.pass).toBe(false);
  });

  it('fails a row with no loads', () => {
    // Prepare
    const samples: LoadSample[] = [];

    // Act
    const row = judgeLoads('warm', samples, expected, TARGET_RENDER_MS);

    // Assess
    expect(row.pass).toBe(false);
    expect(row.missed).toEqual(['no loads']);
  });
});
