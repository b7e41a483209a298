// Page scenario (issue 12, "Performance"): the access page's first render in Chromium with the catalog of the
// catalog scenario's 600-account / 60 permission-set / 5,000-user directory, on the local stack. A person whose
// catalog lists every account signs in (their token where the page's session keeps it), opens GET /, and the load is
// timed from the navigation's start to the page's performance.mark('access:catalog-rendered'), set once its pickers
// are filled from /catalog. Cold: the first caller on a fresh stack, whose directory caches are empty (a new process
// per load). Warm: repeat loads on one stack. The target applies to every load of both.
//
// Each stack runs in a child process (page/stackMain.ts); this process drives Chromium.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { loadServerlessConfig } from '../local/serverlessConfig.js';
import { launchChromium } from '../test/browser/chromium.js';
import { defaultCatalogShape, generateCatalogFixture } from './catalog/fixture.js';
import { createLocalApi } from './lib/localApi.js';
import { startProgress } from './lib/progress.js';
import { writeResult } from './lib/results.js';
import type { ScenarioOutcome } from './lib/scenario.js';
import { formatTable, resultCell } from './lib/table.js';
import { formatDuration, formatMs, now, sleep, timed } from './lib/timing.js';
import { judgeLoads, type PageRow, pageOptions, type Spread, TARGET_RENDER_MS } from './page/judge.js';
import { type LoadSample, loadPage } from './page/load.js';
import { pagePolicy } from './page/policy.js';
import { startStackProcess, type StackProcess } from './page/stackProcess.js';

/**
 * The sessionStorage key the pages' session keeps its token under, read from the browser module that owns it
 * (web/shared/token.ts). Imported at run time by address: web/ is type-checked with DOM types of its own
 * (web/tsconfig.json), which the bench's Node configuration does not have.
 */
const sessionTokenKey = async (): Promise<string> => {
  const tokenModule = new URL('../web/shared/token.ts', import.meta.url).href;
  const { TOKEN_KEY } = (await import(tokenModule)) as { TOKEN_KEY?: unknown };
  if (typeof TOKEN_KEY !== 'string' || TOKEN_KEY === '') throw new Error(`${tokenModule} exports no TOKEN_KEY`);
  return TOKEN_KEY;
};

/** Why the access page cannot be measured here, if it cannot. */
const pageProblems = (): string[] =>
  loadServerlessConfig().routes.some((route) => route.method === 'GET' && route.path === '/')
    ? []
    : ['serverless.yml has no GET / route (the access page)'];

/**
 * The routes the page calls for its first render. A fresh stack imports their handlers from TypeScript source on
 * their first call (local/lambdaRuntime.ts), which a deployment does from a bundle in its init; the preloaded variant
 * imports them before the load, so its cold load pays for empty directory caches only.
 */
const FIRST_RENDER_ROUTES = ['GET /', 'GET /catalog', 'GET /requests'];

/** The pause between a stack's start and its first load. */
const SETTLE_MS = 1000;

type ColdVariant = 'fresh' | 'preloaded';

interface ColdRun {
  variant: ColdVariant;
  startMs: number;
  preloadMs: number;
  load: LoadSample;
}

const spreadCell = (s: Spread): string =>
  [s.p50, s.p95, s.max].map((ms) => (Number.isFinite(ms) ? formatMs(ms) : '-')).join(' / ');

const printRows = (rows: readonly PageRow[]): void => {
  console.log(
    formatTable<PageRow>(
      [
        { header: 'figure', cell: (r) => r.figure },
        { header: 'n', cell: (r) => String(r.samples), align: 'right' },
        { header: 'first render p50 / p95 / max ms', cell: (r) => spreadCell(r.rendered), align: 'right' },
        { header: 'GET /catalog p50 / p95 / max ms', cell: (r) => spreadCell(r.catalog), align: 'right' },
        { header: 'catalog done at p50 / p95 / max ms', cell: (r) => spreadCell(r.catalogEnd), align: 'right' },
        { header: 'catalog bytes', cell: (r) => r.catalogBytes.toLocaleString('en-US'), align: 'right' },
        { header: 'target', cell: (r) => r.target ?? '' },
        { header: 'result', cell: resultCell },
      ],
      rows,
    ),
  );
};

export const run = async (args: readonly string[]): Promise<ScenarioOutcome> => {
  const scenarioStart = now();
  const options = pageOptions(args);
  const workDir = mkdtempSync(join(tmpdir(), 'access-approvals-bench-page-'));
  const generated = generateCatalogFixture(defaultCatalogShape());
  const { policy, caller, expected } = pagePolicy(generated);
  const fixturesFile = join(workDir, 'fixtures.json');
  const policyFile = join(workDir, 'policy.json');
  writeFileSync(fixturesFile, JSON.stringify(generated.fixtures));
  writeFileSync(policyFile, JSON.stringify(policy, null, 2));
  const { shape } = generated;
  console.log(
    `directory: ${shape.accounts} accounts in ${shape.ous} OUs, ${shape.permissionSets} permission sets, ` +
      `${shape.users.toLocaleString('en-US')} users (bench/catalog/fixture.ts, seed ${shape.seed}); caller ${caller.email}, ` +
      `whose one rule covers the root OU: ${expected.accounts} accounts × ${expected.permissionSets} permission sets`,
  );
  console.log(
    `page: GET /, ${options.coldLoads} cold loads (a fresh stack each) and ${options.loads} warm loads, Chromium headless, 1280×900`,
  );

  const problems = pageProblems();
  if (problems.length > 0) {
    console.log(`\nnot measurable:\n${problems.map((p) => `  - ${p}`).join('\n')}\n\noverall: FAIL`);
    rmSync(workDir, { recursive: true, force: true });
    const file = writeResult('page', { passed: false, notMeasurable: problems, shape });
    console.log(`results: ${file}`);
    return { passed: false };
  }
  const tokenKey = await sessionTokenKey();
  let browser: Browser | undefined;
  const coldRuns: ColdRun[] = [];
  const warmSamples: LoadSample[] = [];
  try {
    browser = await launchChromium();
    const launched = browser;
    /** One fresh stack: its first load (cold), then `warmLoads` repeat loads; closed and deleted after. */
    const onFreshStack = async (n: number, variant: ColdVariant, warmLoads: number): Promise<void> => {
      const dataDir = join(workDir, `data-${n}`);
      const preload = variant === 'preloaded' ? FIRST_RENDER_ROUTES : [];
      const started = await timed(() =>
        startStackProcess({ fixtures: fixturesFile, policy: policyFile, dataDir }, { preload }),
      );
      const stack: StackProcess = started.value;
      try {
        // Untimed: the token comes from the stack's local issuer before the page is opened, and the stack's start-up
        // tail (its last writes, collection of its garbage) is let settle, as a deployment has none.
        const token = await createLocalApi(stack.httpUrl).token(caller.email);
        await sleep(SETTLE_MS);
        const load = (): Promise<LoadSample> =>
          loadPage(launched, { url: `${stack.httpUrl}/`, tokenKey, token, timeoutMs: options.timeoutMs });
        coldRuns.push({ variant, startMs: started.ms, preloadMs: stack.preloadMs, load: await load() });
        if (warmLoads === 0) return;
        const progress = startProgress({ label: 'warm loads', total: warmLoads, unit: 'loads' });
        for (let i = 0; i < warmLoads; i += 1) {
          warmSamples.push(await load());
          progress.update(i + 1);
        }
        progress.finish();
      } finally {
        await stack.close();
        rmSync(dataDir, { recursive: true, force: true });
      }
    };
    // The two cold variants take turns, so a busy spell on the machine falls on both alike.
    const total = options.coldLoads * 2;
    const progress = startProgress({ label: 'cold loads', total, unit: 'fresh stacks' });
    for (let n = 0; n < total; n += 1) {
      const variant: ColdVariant = n % 2 === 0 ? 'fresh' : 'preloaded';
      await onFreshStack(n, variant, 0);
      progress.update(n + 1);
    }
    progress.finish();
    // Warm: one more stack, whose first load fills the caches (counted as one more cold load of its variant).
    await onFreshStack(total, 'fresh', options.loads);
  } finally {
    await browser?.close();
    if (options.keepData) console.log(`fixture and policy kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }

  const coldOf = (variant: ColdVariant): LoadSample[] =>
    coldRuns.filter((run) => run.variant === variant).map((run) => run.load);
  const rows = [
    judgeLoads('cold: first caller on a fresh stack', coldOf('fresh'), expected, TARGET_RENDER_MS),
    judgeLoads('cold, handler modules preloaded (directory caches empty)', coldOf('preloaded'), expected, undefined),
    judgeLoads('warm: repeat loads', warmSamples, expected, TARGET_RENDER_MS),
  ];
  console.log(
    `\nfirst render = navigation start of GET / → performance.mark('access:catalog-rendered') (the page's pickers filled from /catalog), ` +
      `by the page's own clock; GET /catalog = the response's request start → last byte (Resource Timing); catalog done at = its last byte after navigation start. ` +
      `Every load is a new browser context (no HTTP cache). The stack runs the API, every handler and the emulators on one thread, in its own process.`,
  );
  console.log(
    `target: every load ≤ ${TARGET_RENDER_MS} ms, cold (fresh stack) and warm alike (issue 12's one figure); ` +
      'the preloaded row is information: it shows what of a cold load is the local stack loading handler source\n',
  );
  printRows(rows);
  console.log('');
  const startMs = coldRuns.map((run) => run.startMs);
  if (startMs.length > 0)
    console.log(
      `stack start (not timed in any load): ${formatDuration(Math.min(...startMs))} to ${formatDuration(Math.max(...startMs))}; ` +
        `preloading ${FIRST_RENDER_ROUTES.join(', ')}'s handlers: ${coldRuns
          .filter((run) => run.variant === 'preloaded')
          .map((run) => formatDuration(run.preloadMs))
          .join(', ')}`,
    );
  for (const row of rows) for (const m of row.missed) console.log(`${row.figure}: ${m}`);
  console.log(
    `machine load average (1 min) at the end: ${loadavg()[0]?.toFixed(2)} on ${cpus().length} cores; other work on the box inflates every number`,
  );
  const passed = rows.every((r) => r.pass);
  const judged = rows.filter((r) => r.target);
  console.log(
    `\noverall: ${passed ? 'PASS' : 'FAIL'} (${judged.filter((r) => r.pass).length}/${judged.length} targets met)`,
  );
  const file = writeResult('page', {
    passed,
    tokenKey,
    loadAverage: loadavg(),
    targets: { renderMs: TARGET_RENDER_MS, appliesTo: 'every load, cold and warm' },
    shape,
    caller: caller.email,
    expected,
    options: { loads: options.loads, coldLoads: options.coldLoads, timeoutMs: options.timeoutMs },
    rows,
    samples: { cold: coldRuns, warm: warmSamples },
    totalMs: Math.round(now() - scenarioStart),
  });
  console.log(`results: ${file}; scenario took ${formatDuration(now() - scenarioStart)}`);
  return { passed };
};
