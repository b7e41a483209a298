// One run of the bulk scenario on a fresh stack: submit N requests, approve them all at once, wait for every
// one to finish, then count calls and check Identity Center against the records.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDocumentClient } from '../lib/dynamo.js';
import { startProgress } from '../lib/progress.js';
import { summarize } from '../lib/stats.js';
import { formatDuration, now, sleep } from '../lib/timing.js';
import { pool, postJson, tokenFor, watchApprovalLinks } from './driver.js';
import { idealBound, type IdealBound } from './ideal.js';
import {
  countStatus,
  creationsPerPrincipal,
  errorName,
  listAssignments,
  principalOf,
  readRequests,
} from './inspect.js';
import { startBulkStack, type BulkStack } from './stackClient.js';
import type { Tuning } from './tuning.js';
import { REQUESTER, fixturesJson, principalIds, requestBody, writePolicy } from './workload.js';

export const TARGETS = {
  create: 'SWBExternalService.CreateAccountAssignment',
  describe: 'SWBExternalService.DescribeAccountAssignmentCreationStatus',
  list: 'SWBExternalService.ListAccountAssignments',
} as const;
const TARGET_LIST = Object.values(TARGETS);
/** Reads of the creation slots: one per slot request (acquire, including every CreationSlotsFull retry), renewal and release; the driver's own progress queries are taken off. */
const SLOT_READS = 'DynamoDB_20120810.Query';
const SSO_SLOTS = 15;
const SSO_TPS = 20;
const SUBMIT_CONCURRENCY = 16;

export interface VariantOptions {
  name: string;
  requests: number;
  provisioningSeconds: number;
  timeScale: number;
  conflictRate: number;
  tuning: Tuning;
  keepData: boolean;
  /** Approval POSTs in flight at once (the stack runs every Lambda on one thread; see bulk.ts). */
  approvalConcurrency: number;
  /** Nice value of the stack's thread (see stackWorker.ts). */
  nice: number;
  /** Give up waiting for the last request after this long (wall). */
  timeoutMs: number;
}

export interface VariantResult {
  name: string;
  settings: BulkStack['settings'];
  requests: number;
  provisioningSeconds: number;
  timeScale: number;
  conflictRate: number;
  ideal: IdealBound;
  /** First approval sent → last `completed` event, wall ms. */
  wallMs: number | null;
  /** The same in AWS (scaled) seconds. */
  scaledSeconds: number | null;
  ratio: number | null;
  /** Wall ms from the first approval POST to the last one answered. */
  approvalsMs: number;
  approvalErrors: number;
  submitMs: number;
  calls: { create: number; describe: number; list: number; slotReads: number };
  perSuccess: { create: number | null; describe: number | null; list: number | null; ssoCalls: number | null };
  /** SSO calls per AWS second over the measured window (the emulator admits at most 20). */
  ssoCallsPerScaledSecond: number | null;
  /** CreateAccountAssignment outcomes as the requests' own events record them. */
  createErrors: Record<string, number>;
  pollErrors: Record<string, number>;
  statuses: Record<string, number>;
  failures: Array<{ requestId: string; error: string }>;
  /** Requests FAILED because a Lambda ran out of its 10 s on this machine (the stack's one thread was overloaded), not because of a limit. */
  localTimeouts: number;
  completedOnce: number;
  completedMoreThanOnce: number;
  listed: number;
  /** Approved principals Identity Center does not list. */
  lost: number;
  /** Listed assignments whose request did not end COMPLETED (access granted, but the record says otherwise). */
  orphaned: number;
  duplicated: number;
  unexpected: number;
  /** Creation operations Identity Center started beyond one per principal (duplicate creations use slots). */
  extraCreations: number;
  /** Approval → COMPLETED per request, AWS seconds. */
  latencyScaled: { p50: number; p95: number; max: number } | null;
  /**
   * From the successful creation's record to the status poll that saw it end, AWS seconds: the part of a creation
   * slot's hold the workflow controls (its poll wait plus the engine's and the Lambdas' latency).
   */
  createToPollScaled: { p50: number; p95: number } | null;
  timedOut: boolean;
  /** Event-loop utilisation of the stack's thread from the first approval to the last request's end (0..1). */
  stackBusy: number;
  dataDir: string;
}

const perSuccess = (count: number, successes: number): number | null => (successes > 0 ? count / successes : null);
const bump = (map: Record<string, number>, key: string): void => {
  map[key] = (map[key] ?? 0) + 1;
};

export const runVariant = async (options: VariantOptions): Promise<VariantResult> => {
  const { name, requests, provisioningSeconds, timeScale, conflictRate } = options;
  const label = `[${name}]`;
  const dataDir = mkdtempSync(
    join(tmpdir(), `access-approvals-bench-bulk-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-`),
  );
  const principals = principalIds(requests);
  const ideal = idealBound({ requests, slots: SSO_SLOTS, provisioningSeconds, tps: SSO_TPS, timeScale });
  const stack = await startBulkStack({
    dataDir,
    timeScale,
    fixtures: fixturesJson(principals, provisioningSeconds),
    faults: conflictRate > 0 ? `sso-admin.CreateAccountAssignment=ConflictException:${conflictRate}` : '',
    policyFile: writePolicy(dataDir),
    tuning: options.tuning,
    nice: options.nice,
  });
  const db = localDocumentClient(stack.awsUrl);
  try {
    const s = stack.settings;
    console.log(
      `${label} stack up (data ${dataDir}); slot retrier ${JSON.stringify(s.slots)}, contention retrier ${JSON.stringify(s.contention)}, JitterStrategy ${String(s.jitter)}, poll wait ${String(s.pollWaitSeconds)} s`,
    );

    // Submit, each request in turn waiting until its approval link is out, so that no more than
    // SUBMIT_CONCURRENCY workflows are starting at once: the stack runs every Lambda on one thread, and a
    // backlog there would time out its own notify Lambdas. Submission is not measured against the bound.
    const requesterToken = await tokenFor(stack.httpUrl, REQUESTER);
    const submitStart = now();
    const submitProgress = startProgress({ label: `${label} submitting`, total: requests, unit: 'requests' });
    const links = watchApprovalLinks(dataDir);
    let linked = 0;
    let ids: string[];
    try {
      ids = await pool(principals, SUBMIT_CONCURRENCY, async (principal) => {
        const { status, body } = await postJson(`${stack.httpUrl}/requests`, requestBody(principal), requesterToken);
        if (status !== 202)
          throw new Error(`POST /requests for ${principal}: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
        const { requestId } = body as { requestId: string };
        await links.waitFor(requestId, 60_000);
        submitProgress.update(++linked);
        return requestId;
      });
    } finally {
      links.stop();
    }
    submitProgress.finish();
    const submitMs = now() - submitStart;
    const idSet = new Set(ids);
    const early = await countStatus(db, stack.tableName, 'FAILED');
    if (early > 0)
      throw new Error(
        `${label} ${early} requests FAILED before any approval (the stack's thread is overloaded; lower SUBMIT_CONCURRENCY in bench/bulk/variant.ts)`,
      );

    const before = await stack.counts([...TARGET_LIST, SLOT_READS]);
    const slotReadsBefore = before[SLOT_READS] ?? 0;
    if (TARGET_LIST.some((t) => (before[t] ?? 0) > 0))
      throw new Error(`${label} SSO calls before any approval: ${JSON.stringify(before)}`);

    // All approved at once: the decisions are POSTed concurrently, approvalConcurrency in flight (hundreds at
    // once would time out the stack's own decide Lambdas, which share one thread).
    console.log(`${label} approving all ${requests} at once (${options.approvalConcurrency} POSTs in flight)`);
    await stack.markBusy();
    const firstApproval = Date.now();
    const approvalStart = now();
    const approvalResults = await pool(ids, options.approvalConcurrency, async (id) => {
      const response = await fetch(`${stack.httpUrl}${links.get(id)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: 'decision=approve',
      });
      return { status: response.status, text: await response.text() };
    });
    const approvalsMs = now() - approvalStart;
    const refused = approvalResults.filter((r) => r.status !== 200);
    const approvalErrors = refused.length;
    console.log(
      `${label} ${requests - approvalErrors} approvals answered in ${formatDuration(approvalsMs)}${approvalErrors ? `, ${approvalErrors} failed` : ''}`,
    );
    const refusals: Record<string, number> = {};
    for (const r of refused) bump(refusals, `HTTP ${r.status} ${r.text.slice(0, 160)}`);
    for (const [what, n] of Object.entries(refusals)) console.log(`${label}   ${n} × ${what}`);

    // Wait for every request to end, reporting progress.
    let progressQueries = 0;
    const progress = startProgress({ label: `${label} provisioning`, total: requests, unit: 'COMPLETED' });
    const deadline = now() + options.timeoutMs;
    let timedOut = false;
    for (;;) {
      const [completed, failed] = await Promise.all([
        countStatus(db, stack.tableName, 'COMPLETED'),
        countStatus(db, stack.tableName, 'FAILED'),
      ]);
      progressQueries += 2;
      progress.update(completed);
      if (completed + failed >= requests) break;
      if (now() > deadline) {
        timedOut = true;
        console.log(
          `\n${label} gave up after ${formatDuration(options.timeoutMs)}: ${completed} COMPLETED, ${failed} FAILED`,
        );
        break;
      }
      // Once a second: each check reads up to every request's index entry on the stack's one thread.
      await sleep(1000);
    }
    progress.finish();
    const counts = await stack.counts([...TARGET_LIST, SLOT_READS]);
    const stackBusy = await stack.busy();
    console.log(`${label} stack thread busy ${(stackBusy * 100).toFixed(0)}% of the time since the first approval`);
    // Let the executions finish their last step (the outcome notice) before anything is read or closed. If some are
    // still running, what is read below is not final: the run fails rather than report it as if it were.
    const stillRunning = await stack.idle(30_000);
    if (stillRunning > 0) {
      timedOut = true;
      console.log(`\n${label} ${stillRunning} execution(s) still running 30 s after the last request ended`);
    }

    // Assess.
    const items = (await readRequests(db, stack.tableName)).filter((item) => idSet.has(item.requestId));
    const statuses: Record<string, number> = {};
    const createErrors: Record<string, number> = {};
    const pollErrors: Record<string, number> = {};
    const failures: VariantResult['failures'] = [];
    const latencies: number[] = [];
    const createToPoll: number[] = [];
    let lastCompleted = 0;
    let completedOnce = 0;
    let completedMoreThanOnce = 0;
    let localTimeouts = 0;
    for (const item of items) {
      bump(statuses, item.status);
      const events = item.events ?? [];
      const completions = events.filter((e) => e.type === 'completed');
      if (completions.length === 1) completedOnce += 1;
      if (completions.length > 1) completedMoreThanOnce += 1;
      for (const e of events) {
        if (e.type === 'provisioning_error') bump(createErrors, errorName(e));
        if (e.type === 'status_poll_error') bump(pollErrors, errorName(e));
      }
      const done = completions[0] ? Date.parse(completions[0].at) : undefined;
      const approved = events.find((e) => e.type === 'decision');
      const created = events.filter((e) => e.type === 'provisioning_attempt').at(-1);
      const polled = events.filter((e) => e.type === 'status_poll').at(-1);
      if (created && polled) createToPoll.push((Date.parse(polled.at) - Date.parse(created.at)) / 1000 / timeScale);
      if (done !== undefined) {
        lastCompleted = Math.max(lastCompleted, done);
        if (approved) latencies.push((done - Date.parse(approved.at)) / 1000 / timeScale);
      }
      if (item.status === 'FAILED')
        failures.push({
          requestId: item.requestId,
          error: `${item.error?.name ?? '?'}: ${(item.error?.cause ?? '').slice(0, 200)}`,
        });
      if (item.status === 'FAILED' && item.error?.name === 'TimeoutError') localTimeouts += 1;
    }
    const missingItems = requests - items.length;
    if (missingItems > 0) bump(statuses, 'MISSING');

    const listedPrincipals = await listAssignments(stack.awsUrl);
    const listedCounts = new Map<string, number>();
    for (const id of listedPrincipals) listedCounts.set(id, (listedCounts.get(id) ?? 0) + 1);
    const expected = new Set(principals);
    const lost = principals.filter((id) => !listedCounts.has(id)).length;
    const completedPrincipals = new Set(
      items.filter((item) => item.status === 'COMPLETED').map((item) => principalOf(item)),
    );
    const orphaned = [...listedCounts.keys()].filter((id) => expected.has(id) && !completedPrincipals.has(id)).length;
    const duplicated = [...listedCounts.values()].filter((n) => n > 1).length + completedMoreThanOnce;
    const unexpected = [...listedCounts.keys()].filter((id) => !expected.has(id)).length;
    const extraCreations = [...creationsPerPrincipal(dataDir).values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);

    const successes = statuses.COMPLETED ?? 0;
    const wallMs = lastCompleted > 0 ? lastCompleted - firstApproval : null;
    const create = counts[TARGETS.create] ?? 0;
    const describe = counts[TARGETS.describe] ?? 0;
    const list = counts[TARGETS.list] ?? 0;
    const latency = latencies.length > 0 ? summarize(latencies) : undefined;
    return {
      name,
      settings: stack.settings,
      requests,
      provisioningSeconds,
      timeScale,
      conflictRate,
      ideal,
      wallMs,
      scaledSeconds: wallMs === null ? null : wallMs / 1000 / timeScale,
      ratio: wallMs === null ? null : wallMs / ideal.wallMs,
      approvalsMs,
      approvalErrors,
      submitMs,
      calls: { create, describe, list, slotReads: (counts[SLOT_READS] ?? 0) - slotReadsBefore - progressQueries },
      perSuccess: {
        create: perSuccess(create, successes),
        describe: perSuccess(describe, successes),
        list: perSuccess(list, successes),
        ssoCalls: perSuccess(create + describe + list, successes),
      },
      ssoCallsPerScaledSecond: wallMs ? (create + describe + list) / (wallMs / 1000 / timeScale) : null,
      createErrors,
      pollErrors,
      statuses,
      failures: failures.slice(0, 10),
      localTimeouts,
      completedOnce,
      completedMoreThanOnce,
      listed: listedPrincipals.length,
      lost,
      orphaned,
      duplicated,
      unexpected,
      extraCreations,
      latencyScaled: latency ? { p50: latency.p50, p95: latency.p95, max: latency.max } : null,
      createToPollScaled: createToPoll.length > 0 ? (({ p50, p95 }) => ({ p50, p95 }))(summarize(createToPoll)) : null,
      timedOut,
      stackBusy,
      dataDir,
    };
  } finally {
    db.destroy();
    // A failure to close is reported, never allowed to hide the error that may have brought us here.
    await stack
      .close()
      .catch((error: unknown) =>
        console.error(`${label} closing the stack: ${error instanceof Error ? error.message : String(error)}`),
      );
    if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  }
};
