// Audit scenario: load a realistic history straight into the local stack's table, then time the audit query
// API (GET /requests) over HTTP as an auditor, for every filter combination, against its targets.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { MAX_EXAMINED } from '../functions/requests/queryRequests.js';
import { startLocalStack, type LocalStack } from '../local/stack.js';
import { defaultShape, planDataset, type Dataset, type RequestPlan } from './audit/dataset.js';
import type { LoadJob, LoadMessage } from './audit/loadWorker.js';
import {
  COMBINATIONS,
  createWorkload,
  queryString,
  type Combination,
  type Filters,
  type Workload,
} from './audit/queries.js';
import type { BatchWriteStats } from './lib/batchWrite.js';
import { countPartition, localDocumentClient } from './lib/dynamo.js';
import { intOption } from './lib/options.js';
import { startProgress } from './lib/progress.js';
import { createRandom } from './lib/random.js';
import { writeResult } from './lib/results.js';
import type { ScenarioOutcome } from './lib/scenario.js';
import { ratio, summarize } from './lib/stats.js';
import { formatTable } from './lib/table.js';
import { formatDuration, formatMs, formatRate, now, timed } from './lib/timing.js';
import { startTsWorker } from './lib/worker.js';

const AUDITOR = { sub: 'dana', email: 'dana@example.com' };
const PAGE_LIMIT = 50;
const TARGET_P95_MS = 50;
const TARGET_EXAMINED_PER_RETURNED = 2;

interface LoadStats extends BatchWriteStats {
  requests: number;
  planMs: number;
  ms: number;
  itemsPerSecond: number;
  requestsPerSecond: number;
  concurrency: number;
}

export interface AuditRow {
  combination: string;
  single: boolean;
  /** x-index as answered; several when the API picked different indexes for different values. */
  index: string;
  queries: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  examined: number | null;
  returned: number;
  examinedPerReturned: number | null;
  fullPages: number;
  /** Queries whose page was exactly the requests that should have come back, newest first. */
  correct: number;
  errors: number;
  /** Mean number of requests matching the filters in the whole data, for reading the ratio. */
  meanMatching: number;
  pass: boolean;
  missed: string[];
  /** The slowest few queries, with what they read, for diagnosing a miss. */
  slowest: Array<{ query: string; ms: number; examined: number | null; returned: number; matching: number }>;
}

/** Loads the data through a worker thread (see loadWorker.ts), reporting its progress here. */
const load = async (stack: LocalStack, dataset: Dataset, concurrency: number, planMs: number): Promise<LoadStats> => {
  const progress = startProgress({ label: 'loading', total: dataset.itemCount, unit: 'items' });
  // Straight to dynalite: the load is set-up, not measured, and the endpoint's proxy hop would only slow it.
  const job: LoadJob = { awsUrl: stack.dynamoUrl, tableName: stack.tableName, shape: dataset.shape, concurrency };
  const { value: stats, ms } = await timed(
    () =>
      new Promise<BatchWriteStats>((resolve, reject) => {
        const worker = startTsWorker(new URL('./audit/loadWorker.ts', import.meta.url), job);
        let result: BatchWriteStats | undefined;
        worker.on('message', (message: LoadMessage) => {
          if (message.type === 'progress') progress.update(message.written);
          else result = message.stats;
        });
        worker.on('error', reject);
        worker.on('exit', (code) =>
          result ? resolve(result) : reject(new Error(`load worker exited with code ${code} before finishing`)),
        );
      }),
  );
  progress.update(stats.items);
  progress.finish();
  return {
    ...stats,
    requests: dataset.plans.length,
    planMs: round(planMs),
    ms: round(ms),
    itemsPerSecond: Math.round((stats.items * 1000) / ms),
    requestsPerSecond: Math.round((dataset.plans.length * 1000) / ms),
    concurrency,
  };
};

/** Checks the load landed where the indexes will look for it, before any timing depends on it. */
const verifyLoad = async (
  db: DynamoDBDocumentClient,
  stack: LocalStack,
  dataset: Dataset,
  workload: Workload,
): Promise<void> => {
  const newest = await db.send(
    new QueryCommand({
      TableName: stack.tableName,
      IndexName: 'byTime',
      KeyConditionExpression: 'kind = :k',
      ExpressionAttributeValues: { ':k': 'REQUEST' },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const expectedNewest = workload.expected({}, 1).page[0];
  const gotNewest = newest.Items?.[0]?.requestId as string | undefined;
  if (gotNewest !== expectedNewest?.requestId)
    throw new Error(`byTime: newest request is ${gotNewest}, expected ${expectedNewest?.requestId}`);

  // The rarest status and the busiest approver: one small partition and one large, counted exactly.
  const counts = new Map<string, number>();
  for (const plan of dataset.plans) counts.set(plan.status, (counts.get(plan.status) ?? 0) + 1);
  const [rarest, rarestCount] = [...counts].reduce((a, b) => (a[1] <= b[1] ? a : b));
  const approverCounts = new Map<string, number>();
  for (const plan of dataset.plans)
    for (const a of plan.approvers) approverCounts.set(a, (approverCounts.get(a) ?? 0) + 1);
  const [busiest, busiestCount] = [...approverCounts].reduce((a, b) => (a[1] >= b[1] ? a : b));
  const [statusCount, approverCount] = await Promise.all([
    countPartition(db, stack.tableName, 'byStatus', 'status', rarest),
    countPartition(db, stack.tableName, 'byApprover', 'approver', busiest),
  ]);
  if (statusCount !== rarestCount) throw new Error(`byStatus ${rarest}: ${statusCount} items, expected ${rarestCount}`);
  if (approverCount !== busiestCount)
    throw new Error(`byApprover ${busiest}: ${approverCount} items, expected ${busiestCount}`);
  console.log(
    `verified: byTime newest matches; byStatus ${rarest} = ${statusCount}; byApprover ${busiest} = ${approverCount}`,
  );
};

interface QueryResult {
  query: string;
  ms: number;
  status: number;
  index: string | null;
  examined: number | null;
  returned: number;
  correct: boolean;
  matching: number;
  problem?: string;
}

/** Two decimals: enough for milliseconds, and the JSON stays readable. */
const round = (value: number): number => Math.round(value * 100) / 100;

const numericHeader = (headers: Headers, name: string): number | null => {
  const raw = headers.get(name);
  if (raw === null) return null;
  const value = Number(raw);
  return Number.isFinite(value) ? value : null;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Why a page is not right, or undefined when it is. A page must be the newest matching requests in order. It may
 * be short only when the API stopped on its examination budget: then it must carry a cursor, and say it examined the
 * whole budget (a page that lost rows some other way, with a cursor past them, would otherwise pass as short). A
 * cursor with nothing left behind it is allowed (DynamoDB's own LastEvaluatedKey behaves the same way).
 */
const checkPage = (
  body: unknown,
  expected: { page: RequestPlan[]; total: number },
  examined: number | null,
): string | undefined => {
  if (!isRecord(body) || !Array.isArray(body.items)) return 'body has no items array';
  const ids = body.items.map((item) => (isRecord(item) ? item.requestId : undefined));
  const want = expected.page.map((p) => p.requestId);
  if (ids.length > want.length)
    return `${ids.length} items, expected at most ${want.length} (of ${expected.total} matching)`;
  const wrong = ids.findIndex((id, i) => id !== want[i]);
  if (wrong >= 0) return `item ${wrong} is ${String(ids[wrong])}, expected ${want[wrong] ?? 'none'}`;
  const cursor = typeof body.nextCursor === 'string' && body.nextCursor !== '';
  if (expected.total > ids.length && !cursor)
    return `${ids.length} items of ${expected.total} matching, and no nextCursor`;
  if (ids.length < want.length && (examined ?? 0) < MAX_EXAMINED)
    return `${ids.length} items of ${want.length} wanted after examining ${examined ?? '?'}, under the budget of ${MAX_EXAMINED}`;
  return undefined;
};

const query = async (httpUrl: string, token: string, filters: Filters, workload: Workload): Promise<QueryResult> => {
  const start = now();
  const response = await fetch(`${httpUrl}/requests?${queryString(filters, PAGE_LIMIT)}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  const text = await response.text();
  const ms = now() - start;
  const expected = workload.expected(filters, PAGE_LIMIT);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const items = isRecord(body) && Array.isArray(body.items) ? body.items.length : 0;
  const examined = numericHeader(response.headers, 'x-items-examined');
  const problem =
    response.status === 200 ? checkPage(body, expected, examined) : `HTTP ${response.status}: ${text.slice(0, 200)}`;
  return {
    query: queryString(filters, PAGE_LIMIT),
    ms,
    status: response.status,
    index: response.headers.get('x-index'),
    examined,
    returned: numericHeader(response.headers, 'x-items-returned') ?? items,
    correct: problem === undefined,
    matching: expected.total,
    ...(problem ? { problem } : {}),
  };
};

const runCombination = async (
  httpUrl: string,
  token: string,
  combination: Combination,
  count: number,
  workload: Workload,
  seed: number,
): Promise<{ row: AuditRow; problems: string[] }> => {
  const random = createRandom(seed);
  const results: QueryResult[] = [];
  const problems: string[] = [];
  for (let i = 0; i < count; i += 1) {
    const filters = workload.filtersFor(combination, i, random);
    const result = await query(httpUrl, token, filters, workload);
    results.push(result);
    if (result.problem && problems.length < 3) problems.push(`${queryString(filters, PAGE_LIMIT)}: ${result.problem}`);
  }
  const latency = summarize(results.map((r) => r.ms));
  const ok = results.filter((r) => r.status === 200);
  const examined =
    ok.every((r) => r.examined !== null) && ok.length > 0 ? ok.reduce((sum, r) => sum + (r.examined ?? 0), 0) : null;
  const returned = ok.reduce((sum, r) => sum + r.returned, 0);
  const indexes = [...new Set(ok.map((r) => r.index ?? '?'))];
  const examinedPerReturned = examined === null ? null : ratio(examined, returned);
  const errors = results.length - ok.length;

  const missed: string[] = [];
  if (errors > 0) missed.push(`${errors} errors`);
  if (latency.p95 > TARGET_P95_MS) missed.push(`p95 ${formatMs(latency.p95)} ms > ${TARGET_P95_MS}`);
  if (combination.single) {
    if (examined === null) missed.push('no x-items-examined');
    // Nothing returned but something read is as bad as it gets; nothing read at all is fine.
    else if ((examinedPerReturned ?? (examined > 0 ? Infinity : 0)) > TARGET_EXAMINED_PER_RETURNED) {
      missed.push(`examined/returned ${examinedPerReturned?.toFixed(2) ?? 'inf'} > ${TARGET_EXAMINED_PER_RETURNED}`);
    }
  }
  const correct = results.filter((r) => r.correct).length;
  if (correct < results.length) missed.push(`${results.length - correct} wrong pages`);
  return {
    row: {
      combination: combination.name,
      single: combination.single,
      index: indexes.join('|'),
      queries: results.length,
      p50Ms: round(latency.p50),
      p95Ms: round(latency.p95),
      maxMs: round(latency.max),
      examined,
      returned,
      examinedPerReturned: examinedPerReturned === null ? null : round(examinedPerReturned),
      fullPages: ok.filter((r) => r.returned === PAGE_LIMIT).length,
      correct,
      errors,
      meanMatching: Math.round(results.reduce((sum, r) => sum + r.matching, 0) / Math.max(1, results.length)),
      pass: missed.length === 0,
      missed,
      slowest: [...results]
        .sort((a, b) => b.ms - a.ms)
        .slice(0, 3)
        .map((r) => ({
          query: r.query,
          ms: round(r.ms),
          examined: r.examined,
          returned: r.returned,
          matching: r.matching,
        })),
    },
    problems,
  };
};

const tokenFor = async (httpUrl: string): Promise<string> => {
  const response = await fetch(`${httpUrl}/local/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(AUDITOR),
  });
  const body: unknown = await response.json();
  if (!response.ok || !isRecord(body) || typeof body.token !== 'string')
    throw new Error(`POST /local/tokens: HTTP ${response.status}`);
  return body.token;
};

const printTable = (rows: readonly AuditRow[]): void => {
  const fixed = (value: number | null): string => (value === null ? '-' : value.toFixed(2));
  console.log(
    formatTable(
      [
        { header: 'combination', cell: (r: AuditRow) => r.combination },
        { header: 'index used', cell: (r) => r.index },
        { header: 'queries', cell: (r) => String(r.queries), align: 'right' },
        { header: 'p50 ms', cell: (r) => formatMs(r.p50Ms), align: 'right' },
        { header: 'p95 ms', cell: (r) => `${formatMs(r.p95Ms)}${r.p95Ms > TARGET_P95_MS ? '!' : ''}`, align: 'right' },
        { header: 'max ms', cell: (r) => formatMs(r.maxMs), align: 'right' },
        {
          header: 'examined/returned',
          cell: (r) => `${fixed(r.examinedPerReturned)}${r.single ? ' (≤2)' : ''}`,
          align: 'right',
        },
        { header: 'full pages', cell: (r) => `${r.fullPages}/${r.queries}`, align: 'right' },
        { header: 'correct', cell: (r) => `${r.correct}/${r.queries}`, align: 'right' },
        { header: 'result', cell: (r) => (r.pass ? 'PASS' : `FAIL (${r.missed.join('; ')})`) },
      ],
      rows,
    ),
  );
};

export const run = async (args: readonly string[]): Promise<ScenarioOutcome> => {
  const requests = intOption(args, 'requests', 'BENCH_AUDIT_REQUESTS', 100_000);
  const queriesPerCombination = intOption(args, 'queries', 'BENCH_AUDIT_QUERIES', 50);
  const concurrency = intOption(args, 'concurrency', 'BENCH_AUDIT_CONCURRENCY', 8);
  const keepData = args.includes('--keep-data');
  const scenarioStart = now();

  const planned = await timed(async () => planDataset(defaultShape(requests, Date.now())));
  const dataset = planned.value;
  const workload = createWorkload(dataset.plans);
  console.log(
    `data: ${requests.toLocaleString('en-US')} requests → ${dataset.itemCount.toLocaleString('en-US')} table items ` +
      `(${dataset.distinct.requesters} requesters, ${dataset.distinct.approvers} approvers, ${dataset.distinct.targets} targets), planned in ${formatDuration(planned.ms)}`,
  );

  const dataDir = mkdtempSync(join(tmpdir(), 'access-approvals-bench-audit-'));
  const started = await timed(() => startLocalStack({ port: 0, awsPort: 0, dataDir, quiet: true }));
  const stack = started.value;
  console.log(
    `stack: HTTP ${stack.httpUrl}, AWS ${stack.awsUrl}, data ${dataDir}, started in ${formatDuration(started.ms)}`,
  );
  const db = localDocumentClient(stack.awsUrl);
  try {
    const loadStats = await load(stack, dataset, concurrency, planned.ms);
    console.log(
      `loaded ${loadStats.items.toLocaleString('en-US')} items (${requests.toLocaleString('en-US')} requests) in ${formatDuration(loadStats.ms)}: ` +
        `${formatRate(loadStats.items, loadStats.ms)} items, ${formatRate(requests, loadStats.ms)} requests, ${loadStats.batches} batches, ${loadStats.retries} retried`,
    );
    await verifyLoad(db, stack, dataset, workload);

    const token = await tokenFor(stack.httpUrl);
    // One untimed query per combination first: the handler's first call loads its modules and clients, which
    // is a cold start, not what an auditor's queries cost.
    for (const combination of COMBINATIONS)
      await query(stack.httpUrl, token, workload.filtersFor(combination, 0, createRandom(1)), workload);

    const rows: AuditRow[] = [];
    const problems: string[] = [];
    const queryStart = now();
    const progress = startProgress({ label: 'querying', total: COMBINATIONS.length, unit: 'combinations' });
    for (const [i, combination] of COMBINATIONS.entries()) {
      const { row, problems: found } = await runCombination(
        stack.httpUrl,
        token,
        combination,
        queriesPerCombination,
        workload,
        1000 + i,
      );
      rows.push(row);
      problems.push(...found.map((p) => `${combination.name}: ${p}`));
      progress.update(i + 1);
    }
    progress.finish();
    const queryMs = now() - queryStart;

    console.log(
      `\nGET /requests as ${AUDITOR.email}, limit ${PAGE_LIMIT}, ${queriesPerCombination} queries per combination, over ${requests.toLocaleString('en-US')} requests`,
    );
    console.log(
      `targets: p95 ≤ ${TARGET_P95_MS} ms for every combination; examined/returned ≤ ${TARGET_EXAMINED_PER_RETURNED} for single filters\n`,
    );
    printTable(rows);
    const passed = rows.every((r) => r.pass);
    if (problems.length > 0) console.log(`\nwrong answers (first few):\n${problems.map((p) => `  ${p}`).join('\n')}`);
    console.log(
      `\noverall: ${passed ? 'PASS' : 'FAIL'} (${rows.filter((r) => r.pass).length}/${rows.length} combinations met their targets)`,
    );

    const file = writeResult('audit', {
      passed,
      targets: {
        p95Ms: TARGET_P95_MS,
        examinedPerReturnedSingleFilter: TARGET_EXAMINED_PER_RETURNED,
        pageLimit: PAGE_LIMIT,
      },
      dataset: {
        ...dataset.shape,
        anchor: new Date(dataset.shape.anchor).toISOString(),
        items: dataset.itemCount,
        distinct: dataset.distinct,
      },
      stack: { startMs: round(started.ms) },
      load: loadStats,
      queries: { perCombination: queriesPerCombination, ms: Math.round(queryMs) },
      rows,
      problems,
      totalMs: Math.round(now() - scenarioStart),
    });
    console.log(`results: ${file}; scenario took ${formatDuration(now() - scenarioStart)}`);
    return { passed };
  } finally {
    db.destroy();
    await stack.close();
    // A 100k load is hundreds of megabytes on disk; nothing reads it after the run unless asked to keep it.
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    else console.log(`data kept in ${dataDir}`);
  }
};
