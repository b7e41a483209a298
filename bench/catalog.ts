// Catalog scenario (issue 11, "Performance"): GET /catalog and POST /requests by name against a generated directory
// of 600 accounts in 40 OUs 4 deep, 60 permission sets, 5,000 users and 300 groups, on the local stack. It times
// the catalog warm and cold, submits by name warm, counts the AWS calls each makes at the emulated endpoint, and
// measures the Identity Store call rate that 20 concurrent catalog clients cause, against Identity Center's limit.
//
// The scenario runs in a fresh process (runIsolated): its stack needs its own POLICY_FILE and LOCAL_FIXTURES, and
// handlers keep the first configuration a process gives them.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadPolicyFile } from '../functions/policy/policy.js';
import { startAwsEndpoint } from '../local/awsEndpoint.js';
import { byOperation, callsBetween, totalFor, type CallCounts } from '../local/callCounter.js';
import { FaultInjector } from '../local/emulators/faults.js';
import type { InvocationTiming } from '../local/invocationClock.js';
import { loadFixtures, ssoWithDirectory } from '../local/emulators/fixtures.js';
import { createIdentityStoreEmulator } from '../local/emulators/identityStore.js';
import { createOrganizationsEmulator } from '../local/emulators/organizations.js';
import { createSsoAdminEmulator } from '../local/emulators/ssoAdmin.js';
import { loadServerlessConfig, projectRoot } from '../local/serverlessConfig.js';
import { startLocalStack, type LocalStack } from '../local/stack.js';
import { COLD_SCRIPT, coldEnvironment, type ColdSample } from './catalog/cold.js';
import {
  type ByNameAsk,
  createAsker,
  defaultCatalogShape,
  generateCatalogFixture,
  type GeneratedCatalog,
} from './catalog/fixture.js';
import { probeDirectory, type ProbeStep } from './catalog/probe.js';
import { bundleFunction, functionEntries, providerLiteralEnvironment } from './lib/bundle.js';
import { runFreshNode } from './lib/freshNode.js';
import { runHttpLoad, type LoadRequest } from './lib/httpLoad.js';
import { runIsolated, tsxNodeArgs } from './lib/isolate.js';
import { createLocalApi, type LocalApi } from './lib/localApi.js';
import { intOption } from './lib/options.js';
import { startProgress } from './lib/progress.js';
import { createRandom } from './lib/random.js';
import { writeResult } from './lib/results.js';
import type { ScenarioOutcome } from './lib/scenario.js';
import { summarize } from './lib/stats.js';
import { formatTable, resultCell } from './lib/table.js';
import { formatDuration, formatMs, now, timed } from './lib/timing.js';

const TARGET_WARM_P95_MS = 100;
const TARGET_COLD_MS = 1500;
const TARGET_SUBMIT_P95_MS = 60;
const TARGET_CATALOG_CALLS = 2;
const TARGET_SUBMIT_CALLS = 3;
/**
 * IAM Identity Center quotas, "IAM Identity Center throttle limits": "Identity Store APIs have a throttle limit of
 * 20 transactions per second (TPS) per API. This limit applies per Identity Store instance" (and per enabled Region).
 * https://docs.aws.amazon.com/singlesignon/latest/userguide/limits.html
 */
const IDENTITY_STORE_TPS_PER_API = 20;
/**
 * What submit's budget counts: DESIGN.md's "a warm submit makes at most 3 Identity Center or Organizations calls"
 * (its DynamoDB write and StartExecution are the request itself). The catalog's budget counts every AWS call.
 */
const DIRECTORY_SERVICES = ['identitystore', 'organizations', 'sso-admin'];

/** The calls among `calls` (per X-Amz-Target) of `services`, or of every service when none are named. */
const countOf = (calls: CallCounts, services?: readonly string[]): number =>
  services ? totalFor(calls, services) : Object.values(calls).reduce((a, b) => a + b, 0);
const CATALOG_FUNCTION = 'catalog';

interface CallStats {
  mean: number;
  p95: number;
  max: number;
}

export interface CatalogRow {
  figure: string;
  samples: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** AWS calls per request that the row's budget counts (see DIRECTORY_SERVICES), from the endpoint's counts. */
  calls?: CallStats;
  /** Per operation, summed over the row's requests. */
  callsByOperation?: Record<string, number>;
  /**
   * Handler rows: per call, how long the stack's thread waited for a CPU while other processes ran (Linux). It lands in
   * the handler's own time too, so a large one says the figure is the machine's.
   */
  osWait?: { p50Ms: number; p99Ms: number };
  target?: string;
  pass: boolean;
  missed: string[];
}

interface Sample {
  ms: number;
  status: number;
  counted: number;
  calls: Record<string, number>;
  error?: string;
}

const round = (value: number): number => Math.round(value * 100) / 100;

const statsOf = (values: number[]): CallStats => {
  const s = summarize(values);
  return { mean: round(s.mean), p95: s.p95, max: s.max };
};

const sumCalls = (samples: readonly Sample[]): Record<string, number> => {
  const total: Record<string, number> = {};
  for (const sample of samples)
    for (const [operation, count] of Object.entries(sample.calls)) total[operation] = (total[operation] ?? 0) + count;
  return total;
};

/**
 * A row from sequential samples. Latency is judged on p95; calls on their p95 too, so one listing refresh that falls
 * due during the run (a cache's TTL ending) shows in `max` without being taken for the warm cost.
 */
const rowFrom = (
  figure: string,
  samples: readonly Sample[],
  expectStatus: number,
  targets: { p95Ms?: number; calls?: number } = {},
  handler?: readonly InvocationTiming[],
): CatalogRow => {
  // A handler row times the handler's own share of each call (see local/invocationClock.ts); a response row the wait.
  const s = summarize(handler ? handler.map((t) => t.ownMs) : samples.map((x) => x.ms));
  const waits = (handler ?? []).flatMap((t) => (t.machineWaitMs === undefined ? [] : [t.machineWaitMs]));
  const wait = summarize(waits);
  const calls = statsOf(samples.map((x) => x.counted));
  const missed: string[] = [];
  const errors = samples.filter((x) => x.status !== expectStatus);
  if (errors.length > 0) missed.push(`${errors.length} answered ${errors[0]?.status}: ${errors[0]?.error ?? ''}`);
  if (handler && handler.length !== samples.length)
    missed.push(`${handler.length} handler invocations timed for ${samples.length} requests`);
  if (targets.p95Ms !== undefined && !(s.p95 <= targets.p95Ms))
    missed.push(`p95 ${formatMs(s.p95)} ms > ${targets.p95Ms}`);
  if (targets.calls !== undefined && !(calls.p95 <= targets.calls))
    missed.push(`calls p95 ${calls.p95} > ${targets.calls}`);
  const target = [
    targets.p95Ms !== undefined ? `p95 ≤ ${targets.p95Ms} ms` : '',
    targets.calls !== undefined ? `calls ≤ ${targets.calls}` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return {
    figure,
    samples: s.count,
    p50: round(s.p50),
    p95: round(s.p95),
    p99: round(s.p99),
    max: round(s.max),
    calls,
    callsByOperation: byOperation(sumCalls(samples)),
    ...(waits.length > 0 ? { osWait: { p50Ms: round(wait.p50), p99Ms: round(wait.p99) } } : {}),
    ...(target ? { target } : {}),
    pass: missed.length === 0,
    missed,
  };
};

/** The timings of `functionName` recorded since the last take, in the order the invocations started. */
const takeTimings = async (stack: LocalStack, functionName: string): Promise<InvocationTiming[]> =>
  (await stack.invocationTimings())
    .filter((t) => t.functionName === functionName)
    .sort((a, b) => a.startedAt - b.startedAt);

/** One request, timed, with the AWS calls the endpoint received while it was in flight (nothing else runs). */
const measured = async (
  stack: LocalStack,
  send: () => Promise<{ status: number; text: string }>,
  expectStatus: number,
  services?: readonly string[],
): Promise<Sample & { text: string }> => {
  const before: CallCounts = stack.awsCallCounts();
  const start = now();
  const { status, text } = await send();
  const ms = now() - start;
  const calls = callsBetween(before, stack.awsCallCounts());
  return {
    ms,
    status,
    text,
    calls,
    counted: countOf(calls, services),
    ...(status !== expectStatus ? { error: text.slice(0, 200) } : {}),
  };
};

interface CatalogEntry {
  accounts?: unknown[];
  permissionSets?: unknown[];
}

const entriesOf = (text: string): CatalogEntry[] => {
  try {
    const body = JSON.parse(text) as { entries?: CatalogEntry[] };
    return Array.isArray(body.entries) ? body.entries : [];
  } catch {
    return [];
  }
};

/** What a catalog answer offers: entries, and accounts plus permission sets (its size; never their product). */
const catalogSize = (text: string): { entries: number; listed: number; bytes: number } => {
  const entries = entriesOf(text);
  return {
    entries: entries.length,
    listed: entries.reduce((sum, e) => sum + (e.accounts?.length ?? 0) + (e.permissionSets?.length ?? 0), 0),
    bytes: Buffer.byteLength(text),
  };
};

/** Why the catalog function cannot be measured here, if it cannot: each problem names what it waits on. */
const catalogProblems = (): string[] => {
  const problems: string[] = [];
  const config = loadServerlessConfig();
  if (!config.routes.some((route) => route.method === 'GET' && route.path === '/catalog'))
    problems.push('serverless.yml has no GET /catalog route (the catalog function is built on branch h-policy)');
  if (!config.functions.some((fn) => fn.name === CATALOG_FUNCTION))
    problems.push(`serverless.yml has no function "${CATALOG_FUNCTION}"`);
  return problems;
};

/** Why the stack cannot start with the generated policy, if it cannot (the second-stage fields are missing). */
const policyProblems = (policyFile: string): string[] => {
  try {
    loadPolicyFile(policyFile);
    return [];
  } catch (error) {
    return [
      `the generated policy does not load (second-stage policy fields, branch h-policy): ${(error as Error).message}`,
    ];
  }
};

/** A judged row for a figure that could not be measured, so the table says so instead of leaving it out. */
const notMeasured = (figure: string, target: string, why: string): CatalogRow => ({
  figure,
  samples: 0,
  p50: Number.NaN,
  p95: Number.NaN,
  p99: Number.NaN,
  max: Number.NaN,
  target,
  pass: false,
  missed: [`not measured: ${why}`],
});

/** The directory listings with real SDK clients, on an endpoint of their own so the stack's windows stay untouched. */
const runProbe = async (generated: GeneratedCatalog): Promise<ProbeStep[]> => {
  const fixtures = loadFixtures(JSON.stringify(generated.fixtures));
  const endpoint = await startAwsEndpoint({
    port: 0,
    host: '127.0.0.1',
    // Nothing listens there: the probe sends no DynamoDB requests.
    dynamodbEndpoint: 'http://127.0.0.1:9',
    emulators: [
      createIdentityStoreEmulator({ fixtures: fixtures.identityStore }),
      createOrganizationsEmulator({ fixtures: fixtures.organizations }),
      createSsoAdminEmulator({ fixtures: ssoWithDirectory(fixtures), identityStoreId: fixtures.identityStore.id }),
    ],
    faults: new FaultInjector([]),
  });
  try {
    return await probeDirectory(endpoint.url, {
      identityStoreId: fixtures.identityStore.id,
      instanceArn: fixtures.sso.instanceArn,
    });
  } finally {
    await endpoint.close();
  }
};

const printProbe = (steps: readonly ProbeStep[]): void => {
  console.log(
    formatTable<ProbeStep>(
      [
        { header: 'directory listing (real SDK clients, emulators)', cell: (s) => s.step },
        { header: 'calls', cell: (s) => String(s.calls), align: 'right' },
        { header: 'items', cell: (s) => String(s.items), align: 'right' },
        { header: 'ms', cell: (s) => formatMs(s.ms), align: 'right' },
        { header: 'throttled', cell: (s) => (s.throttled === undefined ? '' : String(s.throttled)), align: 'right' },
      ],
      steps,
    ),
  );
};

/** Tokens for `emails`, in order, from the stack's local issuer (untimed set-up). */
const tokensFor = async (api: LocalApi, emails: readonly string[]): Promise<string[]> => {
  const tokens: string[] = [];
  for (const email of emails) tokens.push(await api.token(email));
  return tokens;
};

const getCatalog = (api: LocalApi, token: string) => () => api.call('GET', '/catalog', { token });

/** Sequential catalog calls, one per token, each with its AWS calls. */
const catalogSeries = async (
  stack: LocalStack,
  api: LocalApi,
  tokens: readonly string[],
  label: string,
): Promise<Array<Sample & { size: ReturnType<typeof catalogSize> }>> => {
  const progress = startProgress({ label, total: tokens.length, unit: 'calls', intervalMs: 5000 });
  const samples: Array<Sample & { size: ReturnType<typeof catalogSize> }> = [];
  for (const token of tokens) {
    const { text, ...sample } = await measured(stack, getCatalog(api, token), 200);
    samples.push({ ...sample, size: catalogSize(text) });
    progress.update(samples.length);
  }
  progress.finish();
  return samples;
};

/**
 * Submits by name, one at a time: each caller asks for something the generated policy lets them ask for (timed and
 * counted), and the next one goes once this request's approvers are notified, so its workflow is not the next
 * request's noise. The callers never called GET /catalog: locally every function shares one process, and so one
 * directory cache, which in AWS the submit function would not share with the catalog function.
 */
const submitSeries = async (
  stack: LocalStack,
  api: LocalApi,
  ask: (email: string, n: number) => ByNameAsk | undefined,
  callers: ReadonlyArray<{ email: string; token: string }>,
  label: string,
): Promise<{ samples: Sample[]; skipped: number }> => {
  const progress = startProgress({ label, total: callers.length, unit: 'requests', intervalMs: 5000 });
  const samples: Sample[] = [];
  let skipped = 0;
  for (const [i, caller] of callers.entries()) {
    const picked = ask(caller.email, i);
    if (!picked) {
      skipped += 1;
      continue;
    }
    const body = {
      action: 'sso:CreateAccountAssignment',
      // By name, for themselves: no InstanceArn, PrincipalId, PrincipalType or TargetType (DESIGN.md, submitting by name).
      parameters: picked.parameters,
      justification: `bench catalog submit #${i}`,
      durationMinutes: Math.min(60, picked.maxDurationMinutes),
    };
    const { text, ...sample } = await measured(
      stack,
      () => api.call('POST', '/requests', { token: caller.token, body }),
      202,
      DIRECTORY_SERVICES,
    );
    samples.push(sample);
    progress.update(samples.length + skipped);
    if (sample.status === 202) {
      const requestId = (JSON.parse(text) as { requestId: string }).requestId;
      await api.waitForEvent(requestId, caller.token, 'notified', 30_000);
    }
  }
  progress.finish();
  return { samples, skipped };
};

interface RateReport {
  clients: number;
  requests: number;
  wallMs: number;
  catalogPerSecond: number;
  identityStorePerSecond: number;
  /** Per Identity Store operation: calls per second over the phase. */
  perOperation: Record<string, number>;
  busiestOperation?: string;
  busiestPerSecond: number;
  /** The busiest operation's share of its documented per-API limit. */
  shareOfLimit: number;
  latency: { p50: number; p95: number; p99: number; max: number };
  /** Every AWS call the phase caused, per catalog call. */
  callsPerRequest: number;
  errors: number;
}

const concurrentPhase = async (stack: LocalStack, tokens: readonly string[], clients: number): Promise<RateReport> => {
  const requests: LoadRequest[] = tokens.map((token) => ({
    method: 'GET',
    path: '/catalog',
    headers: { authorization: `Bearer ${token}` },
  }));
  const before = stack.awsCallCounts();
  const { value: samples, ms } = await timed(() =>
    runHttpLoad(
      { baseUrl: stack.httpUrl, requests, concurrency: clients, expectStatus: 200 },
      `GET /catalog ×${clients}`,
    ),
  );
  const made = callsBetween(before, stack.awsCallCounts());
  const calls = byOperation(made);
  const perOperation = Object.fromEntries(
    Object.entries(calls)
      .filter(([operation]) => operation.startsWith('identitystore:'))
      .map(([operation, count]) => [operation, round((count * 1000) / ms)]),
  );
  const busiest = Object.entries(perOperation).sort((a, b) => b[1] - a[1])[0];
  const latency = summarize(samples.map((s) => s.ms));
  return {
    clients,
    requests: samples.length,
    wallMs: Math.round(ms),
    catalogPerSecond: round((samples.length * 1000) / ms),
    identityStorePerSecond: round(Object.values(perOperation).reduce((a, b) => a + b, 0)),
    perOperation,
    ...(busiest ? { busiestOperation: busiest[0] } : {}),
    busiestPerSecond: busiest?.[1] ?? 0,
    shareOfLimit: round((busiest?.[1] ?? 0) / IDENTITY_STORE_TPS_PER_API),
    latency: { p50: round(latency.p50), p95: round(latency.p95), p99: round(latency.p99), max: round(latency.max) },
    callsPerRequest: round(countOf(made) / Math.max(1, samples.length)),
    errors: samples.filter((s) => s.status !== 200).length,
  };
};

/** The error name and message a dead cold process printed last, e.g. `ThrottlingException: Rate exceeded`. */
const coldFailure = (error: unknown): string => {
  const text = error instanceof Error ? error.message : String(error);
  const name = /__type: '(\w+)'/.exec(text)?.[1] ?? /\b(\w+(?:Exception|Error))\b/.exec(text)?.[1];
  const message = /message: '([^']*)'/.exec(text)?.[1];
  return name ? `${name}${message ? `: ${message}` : ''}` : text.split('\n').slice(-3).join(' ').slice(0, 200);
};

/** Cold processes, each serving one caller's first catalog call; the stack is idle, so every call counted is theirs. */
const coldRuns = async (
  stack: LocalStack,
  variant: { label: string; handlerUrl: string; nodeArgs: string[]; env: Record<string, string> },
  callers: readonly string[],
): Promise<Array<ColdSample & { counted: number; calls: Record<string, number> }>> => {
  const samples: Array<ColdSample & { counted: number; calls: Record<string, number> }> = [];
  const progress = startProgress({ label: `cold, ${variant.label}`, total: callers.length, unit: 'processes' });
  for (const email of callers) {
    const before = stack.awsCallCounts();
    const start = now();
    // A process that dies (an error the handler let out) is a failed sample with its reason, not the end of the run.
    const sample = await runFreshNode<ColdSample>({
      script: COLD_SCRIPT,
      nodeArgs: variant.nodeArgs,
      env: {
        ...variant.env,
        BENCH_HANDLER_URL: variant.handlerUrl,
        BENCH_CLAIMS: JSON.stringify({ sub: email, email }),
      },
      timeoutMs: 120_000,
    }).catch(
      (error: unknown): ColdSample => ({
        importMs: Number.NaN,
        invokeMs: Number.NaN,
        totalMs: now() - start,
        sinceStartMs: Number.NaN,
        statusCode: 0,
        bytes: 0,
        body: coldFailure(error),
      }),
    );
    const calls = byOperation(callsBetween(before, stack.awsCallCounts()));
    // Every AWS call: a cold catalog's own listings and the policy's check against the directory.
    const counted = Object.values(calls).reduce((a, b) => a + b, 0);
    samples.push({ ...sample, counted, calls });
    progress.update(samples.length);
  }
  progress.finish();
  return samples;
};

const coldRow = (
  label: string,
  samples: ReadonlyArray<ColdSample & { counted: number }>,
  judged: boolean,
): CatalogRow => {
  const s = summarize(samples.map((x) => x.totalMs));
  const missed: string[] = [];
  const failed = samples.filter((x) => x.statusCode !== 200);
  if (failed.length > 0) missed.push(`${failed.length} answered ${failed[0]?.statusCode}: ${failed[0]?.body ?? ''}`);
  if (judged && !(s.p50 <= TARGET_COLD_MS)) missed.push(`median ${formatMs(s.p50)} ms > ${TARGET_COLD_MS}`);
  return {
    figure: label,
    samples: s.count,
    p50: round(s.p50),
    p95: round(s.p95),
    p99: round(s.p99),
    max: round(s.max),
    calls: statsOf(samples.map((x) => x.counted)),
    ...(judged ? { target: `median ≤ ${TARGET_COLD_MS} ms` } : {}),
    pass: missed.length === 0,
    missed,
  };
};

const countCell = (n: number): string => (Number.isNaN(n) ? '-' : String(n));

const msCell = (ms: number): string => (Number.isNaN(ms) ? '-' : formatMs(ms));

const printRows = (rows: readonly CatalogRow[]): void => {
  console.log(
    formatTable<CatalogRow>(
      [
        { header: 'figure', cell: (r) => r.figure },
        { header: 'n', cell: (r) => String(r.samples), align: 'right' },
        { header: 'p50 ms', cell: (r) => msCell(r.p50), align: 'right' },
        { header: 'p95 ms', cell: (r) => msCell(r.p95), align: 'right' },
        { header: 'p99 ms', cell: (r) => msCell(r.p99), align: 'right' },
        { header: 'max ms', cell: (r) => msCell(r.max), align: 'right' },
        {
          header: 'AWS calls/request mean / p95 / max',
          cell: (r) => (r.calls ? [r.calls.mean, r.calls.p95, r.calls.max].map(countCell).join(' / ') : ''),
          align: 'right',
        },
        {
          header: 'OS run-queue wait p50/p99 ms',
          cell: (r) => (r.osWait ? `${formatMs(r.osWait.p50Ms)} / ${formatMs(r.osWait.p99Ms)}` : ''),
          align: 'right',
        },
        { header: 'target', cell: (r) => r.target ?? '' },
        { header: 'result', cell: resultCell },
      ],
      rows,
    ),
  );
};

/** Everything, in the fresh process runIsolated started. */
export const runInProcess = async (args: readonly string[]): Promise<ScenarioOutcome> => {
  const scenarioStart = now();
  const warmCalls = intOption(args, 'catalog-requests', 'BENCH_CATALOG_REQUESTS', 200);
  const clients = intOption(args, 'clients', 'BENCH_CATALOG_CLIENTS', 20);
  const loadRequests = intOption(args, 'load-requests', 'BENCH_CATALOG_LOAD_REQUESTS', 600);
  const submits = intOption(args, 'submits', 'BENCH_CATALOG_SUBMITS', 100);
  const coldCount = intOption(args, 'cold-runs', 'BENCH_CATALOG_COLD_RUNS', 3);
  const workDir = mkdtempSync(join(tmpdir(), 'access-approvals-bench-catalog-'));
  const keepData = args.includes('--keep-data');

  const { value: generated, ms: generateMs } = await timed(async () => generateCatalogFixture(defaultCatalogShape()));
  const fixturesFile = join(workDir, 'fixtures.json');
  const policyFile = join(workDir, 'policy.json');
  writeFileSync(fixturesFile, JSON.stringify(generated.fixtures));
  writeFileSync(policyFile, JSON.stringify(generated.policy, null, 2));
  const { shape } = generated;
  console.log(
    `directory: ${shape.accounts} accounts in ${shape.ous} OUs ${shape.ouDepth} deep, ${shape.permissionSets} permission sets, ` +
      `${shape.users.toLocaleString('en-US')} users in ${shape.groups} groups (${shape.groupsPerUser.min}-${shape.groupsPerUser.max} each), ` +
      `${generated.policy.rules.length} rules; generated in ${formatDuration(generateMs)} (seed ${shape.seed}) into ${workDir}`,
  );

  const rows: CatalogRow[] = [];
  const details: Record<string, unknown> = {};
  let stack: LocalStack | undefined;
  try {
    const probe = await runProbe(generated);
    details.probe = probe;
    console.log('');
    printProbe(probe);

    const fatal = policyProblems(policyFile);
    if (fatal.length > 0) {
      console.log(`\nnot measurable yet:\n${fatal.map((p) => `  - ${p}`).join('\n')}`);
      console.log('\noverall: FAIL (GET /catalog and submit by name could not be measured; see above)');
      const file = writeResult('catalog', {
        passed: false,
        notMeasurable: fatal,
        shape,
        probe,
        totalMs: Math.round(now() - scenarioStart),
      });
      console.log(`results: ${file}; scenario took ${formatDuration(now() - scenarioStart)}`);
      return { passed: false };
    }
    const missingCatalog = catalogProblems();

    const dataDir = join(workDir, 'data');
    const started = await timed(() =>
      startLocalStack({
        port: 0,
        awsPort: 0,
        dataDir,
        quiet: true,
        fixtures: fixturesFile,
        policyFile,
        timeInvocations: true,
      }),
    );
    stack = started.value;
    console.log(`\nstack: HTTP ${stack.httpUrl}, AWS ${stack.awsUrl}, started in ${formatDuration(started.ms)}`);
    const api = createLocalApi(stack.httpUrl);
    const random = createRandom(shape.seed + 1);
    // Callers in a shuffled order, each used by one phase only unless a phase reuses them on purpose.
    const callers = [...generated.eligibleRequesters];
    for (let i = callers.length - 1; i > 0; i -= 1) {
      const j = random.int(i + 1);
      [callers[i], callers[j]] = [callers[j] ?? '', callers[i] ?? ''];
    }
    let nextCaller = 0;
    const take = (count: number): string[] => {
      const taken = callers.slice(nextCaller, nextCaller + count);
      nextCaller += count;
      if (taken.length < count) throw new Error(`only ${callers.length} eligible callers for ${nextCaller} wanted`);
      return taken;
    };
    const deployedNodeOptions = providerLiteralEnvironment(projectRoot).NODE_OPTIONS;
    const coldBundleLabel = `GET /catalog, cold (bundle${deployedNodeOptions ? `, ${deployedNodeOptions}` : ''})`;

    let rate: RateReport | undefined;
    const coldSamples: Record<string, Awaited<ReturnType<typeof coldRuns>>> = {};
    if (missingCatalog.length === 0) {
      // Cold first: fresh processes, while the stack has served nothing yet.
      const entry = functionEntries(projectRoot).find((fn) => fn.name === CATALOG_FUNCTION);
      if (!entry) throw new Error(`serverless.yml: no function ${CATALOG_FUNCTION}`);
      const built = await bundleFunction(projectRoot, entry.entry, join(workDir, 'bundle'));
      const source = await coldRuns(
        stack,
        {
          label: 'tsx source',
          handlerUrl: pathToFileURL(join(projectRoot, entry.entry)).href,
          nodeArgs: tsxNodeArgs(),
          env: coldEnvironment({}),
        },
        take(coldCount),
      );
      const bundle = await coldRuns(
        stack,
        {
          label: 'bundle',
          handlerUrl: pathToFileURL(built.file).href,
          nodeArgs: [],
          env: coldEnvironment(deployedNodeOptions ? { NODE_OPTIONS: deployedNodeOptions } : {}),
        },
        take(coldCount),
      );
      coldSamples['tsx source'] = source;
      coldSamples.bundle = bundle;
      details.cold = coldSamples;

      // Warm: the first in-process call loads the module and fills the listings' caches; a few more settle it.
      const warmUp = await catalogSeries(stack, api, await tokensFor(api, take(10)), 'GET /catalog warm-up');
      const newCallers = await tokensFor(api, take(warmCalls));
      await stack.invocationTimings();
      const fresh = await catalogSeries(stack, api, newCallers, 'GET /catalog, warm, new callers');
      const freshTimings = await takeTimings(stack, CATALOG_FUNCTION);
      const repeat = await catalogSeries(stack, api, newCallers, 'GET /catalog, warm, same callers again');
      const repeatTimings = await takeTimings(stack, CATALOG_FUNCTION);
      details.catalogSize = {
        entries: summarize(fresh.map((x) => x.size.entries)),
        listed: summarize(fresh.map((x) => x.size.listed)),
        bytes: summarize(fresh.map((x) => x.size.bytes)),
      };
      details.warmUp = { calls: byOperation(sumCalls(warmUp)), ms: warmUp.map((x) => round(x.ms)) };

      // 20 clients at once, back to back, drawn from every eligible person (repeats included, as real traffic has).
      const loadCallers = Array.from({ length: loadRequests }, () => random.pick(callers));
      rate = await concurrentPhase(stack, await tokensFor(api, loadCallers), clients);
      details.concurrent = rate;
      rows.push(
        coldRow('GET /catalog, cold (tsx, source)', source, false),
        coldRow(coldBundleLabel, bundle, true),
        rowFrom('GET /catalog, warm, new callers: response', fresh, 200),
        rowFrom(
          'GET /catalog, warm, new callers: handler',
          fresh,
          200,
          { p95Ms: TARGET_WARM_P95_MS, calls: TARGET_CATALOG_CALLS },
          freshTimings,
        ),
        rowFrom('GET /catalog, warm, same callers again: response', repeat, 200),
        rowFrom('GET /catalog, warm, same callers again: handler', repeat, 200, {}, repeatTimings),
        {
          figure: `GET /catalog, ${clients} clients (response, one-thread stack)`,
          samples: rate.requests,
          ...rate.latency,
          // Only the mean: concurrent calls cannot be told apart by request.
          calls: { mean: rate.callsPerRequest, p95: Number.NaN, max: Number.NaN },
          pass: rate.errors === 0,
          missed: rate.errors > 0 ? [`${rate.errors} errors`] : [],
        },
      );
    } else {
      const why = missingCatalog.join('; ');
      rows.push(
        notMeasured(coldBundleLabel, `median ≤ ${TARGET_COLD_MS} ms`, why),
        notMeasured(
          'GET /catalog, warm, new callers',
          `p95 ≤ ${TARGET_WARM_P95_MS} ms, calls ≤ ${TARGET_CATALOG_CALLS}`,
          why,
        ),
        notMeasured(`GET /catalog, ${clients} clients: Identity Store calls/s`, 'report', why),
      );
    }

    // Submit by name, by callers the catalog never served: untimed warm-up submits first, so the function is warm.
    const ask = createAsker(generated);
    const submitCallers = take(5 + submits);
    const submitTokens = await tokensFor(api, submitCallers);
    const withTokens = submitCallers.map((email, i) => ({ email, token: submitTokens[i] ?? '' }));
    await submitSeries(stack, api, ask, withTokens.slice(0, 5), 'POST /requests by name, warm-up');
    await stack.invocationTimings();
    const submitted = await submitSeries(stack, api, ask, withTokens.slice(5), 'POST /requests by name, warm');
    const submitTimings = await takeTimings(stack, 'submit');
    details.submitSkipped = submitted.skipped;
    rows.push(
      rowFrom('POST /requests by name, warm: response', submitted.samples, 202),
      rowFrom(
        'POST /requests by name, warm: handler',
        submitted.samples,
        202,
        { p95Ms: TARGET_SUBMIT_P95_MS, calls: TARGET_SUBMIT_CALLS },
        submitTimings,
      ),
    );

    console.log(
      `\nresponse = the client's wait over HTTP on the local stack (one thread runs the API, every Lambda and the emulators); ` +
        "handler = the handler's own time per call, what Lambda would bill (its window minus the thread's time on unrelated work; local/invocationClock.ts), judged as in the latency scenario; " +
        `AWS calls = the calls the emulated endpoint received during the request: every service for GET /catalog, Identity Store + Organizations + SSO Admin for POST /requests (its DynamoDB write and StartExecution are the request itself); ` +
        `cold = import + first invocation in a fresh process (its directory caches empty)`,
    );
    console.log(
      `targets: catalog warm handler p95 ≤ ${TARGET_WARM_P95_MS} ms and ≤ ${TARGET_CATALOG_CALLS} AWS calls (p95 per call, new callers); cold (bundle) median ≤ ${TARGET_COLD_MS} ms; ` +
        `submit by name warm handler p95 ≤ ${TARGET_SUBMIT_P95_MS} ms and ≤ ${TARGET_SUBMIT_CALLS} calls\n`,
    );
    printRows(rows);
    console.log('');
    for (const row of rows) {
      if (row.figure.endsWith(': response')) continue;
      const ops = Object.entries(row.callsByOperation ?? {}).map(([op, n]) => `${op} ${round(n / row.samples)}`);
      if (ops.length > 0) console.log(`${row.figure}: calls per request ${ops.join(', ')}`);
    }
    for (const [label, samples] of Object.entries(coldSamples)) {
      const first = samples[0];
      console.log(
        `cold ${label}: import ${formatMs(summarize(samples.map((x) => x.importMs)).p50)} ms + first invocation ` +
          `${formatMs(summarize(samples.map((x) => x.invokeMs)).p50)} ms (medians); first process's calls: ${
            first
              ? Object.entries(first.calls)
                  .map(([op, n]) => `${op} ${n}`)
                  .join(', ')
              : ''
          }`,
      );
    }
    const size = details.catalogSize as
      | Record<'entries' | 'listed' | 'bytes', { p50: number; max: number }>
      | undefined;
    if (size)
      console.log(
        `catalog answer: ${size.entries.p50} entries, ${size.listed.p50} accounts + permission sets listed, ${size.bytes.p50} bytes (medians; max ${size.bytes.max} bytes)`,
      );
    if (rate) {
      const headroom = IDENTITY_STORE_TPS_PER_API - rate.busiestPerSecond;
      console.log(
        `${clients} clients: ${rate.catalogPerSecond} catalog calls/s; Identity Store ${rate.identityStorePerSecond} calls/s in all` +
          `${
            Object.keys(rate.perOperation).length > 0
              ? ` (${Object.entries(rate.perOperation)
                  .map(([op, r]) => `${op} ${r}/s`)
                  .join(', ')})`
              : ''
          }; ` +
          `busiest ${rate.busiestOperation ?? 'none'} at ${rate.busiestPerSecond}/s of the documented ${IDENTITY_STORE_TPS_PER_API} TPS per API ` +
          `(${Math.round(rate.shareOfLimit * 100)}%): ${headroom >= 0 ? `headroom ${round(headroom)} calls/s` : `OVER by ${round(-headroom)} calls/s, AWS would throttle`}`,
      );
    }
    if (submitted.skipped > 0)
      console.log(`submit: ${submitted.skipped} callers may ask for nothing that needs approval, skipped`);
    for (const row of rows) for (const m of row.missed) console.log(`${row.figure}: ${m}`);
    console.log(
      `machine load average (1 min) at the end: ${loadavg()[0]?.toFixed(2)} on ${cpus().length} cores; other work on the box inflates every number`,
    );
    const judged = rows.filter((r) => r.target);
    const passed = rows.every((r) => r.pass);
    console.log(
      `\noverall: ${passed ? 'PASS' : 'FAIL'} (${judged.filter((r) => r.pass).length}/${judged.length} targets met)`,
    );
    const file = writeResult('catalog', {
      passed,
      loadAverage: loadavg(),
      targets: {
        warmP95Ms: TARGET_WARM_P95_MS,
        coldMedianMs: TARGET_COLD_MS,
        submitP95Ms: TARGET_SUBMIT_P95_MS,
        catalogCalls: TARGET_CATALOG_CALLS,
        submitCalls: TARGET_SUBMIT_CALLS,
        identityStoreTpsPerApi: IDENTITY_STORE_TPS_PER_API,
      },
      shape,
      stack: { startMs: Math.round(started.ms) },
      rows,
      details,
      totalMs: Math.round(now() - scenarioStart),
    });
    console.log(`results: ${file}; scenario took ${formatDuration(now() - scenarioStart)}`);
    return { passed };
  } catch (error) {
    // Printed here: closing the stack with work in flight can crash dynalite before the error reaches the caller.
    console.error(error);
    throw error;
  } finally {
    await stack?.close();
    if (keepData) console.log(`fixture, policy and data kept in ${workDir}`);
    else rmSync(workDir, { recursive: true, force: true });
  }
};

export const run = (args: readonly string[]): Promise<ScenarioOutcome> => runIsolated(import.meta.url, args);
