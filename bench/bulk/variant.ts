// One run of the bulk scenario on a fresh stack: submit N time-bound requests, approve them all at once at a planned
// moment, wait for every grant to become ACTIVE and then to be revoked (through conflicts and an Identity Center
// outage), then count calls and check Identity Center against the records.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { localDocumentClient } from '../lib/dynamo.js';
import { startProgress } from '../lib/progress.js';
import { summarize } from '../lib/stats.js';
import { formatDuration, now, sleep } from '../lib/timing.js';
import { pool, postJson, tokenFor, watchApprovalLinks } from './driver.js';
import { simulateIdeal, type WaveIdeal } from './ideal.js';
import { countStatus, creationsPerPrincipal, listAssignments, principalOf, readRequests } from './inspect.js';
import { startBulkStack, type BulkStack } from './stackClient.js';
import type { Tuning } from './tuning.js';
import { assessWave, callsPerAwsSecond, waveFaults, type WaveAssessment } from './wave.js';
import { REQUESTER, fixturesJson, principalIds, requestBody, writePolicy } from './workload.js';

const SSO_PREFIX = 'SWBExternalService';
export const TARGETS = {
  create: `${SSO_PREFIX}.CreateAccountAssignment`,
  describe: `${SSO_PREFIX}.DescribeAccountAssignmentCreationStatus`,
  list: `${SSO_PREFIX}.ListAccountAssignments`,
  delete: `${SSO_PREFIX}.DeleteAccountAssignment`,
  describeDeletion: `${SSO_PREFIX}.DescribeAccountAssignmentDeletionStatus`,
} as const;
const TARGET_LIST = Object.values(TARGETS);
/** Reads of the admission slots: one per slot request (acquire, including every SlotsFull retry), renewal and release; the driver's own progress queries are taken off. */
const SLOT_READS = 'DynamoDB_20120810.Query';
/** The DynamoDB operations the workflow's admission control and budget use (slots, the budget item, the ledger). */
const DYNAMO_TARGETS = ['GetItem', 'UpdateItem', 'PutItem', 'Query'].map((op) => `DynamoDB_20120810.${op}`);
const SSO_SLOTS = 15;
const SSO_TPS = 20;
const SUBMIT_CONCURRENCY = 16;
/**
 * Statuses a request can end in; FAILED and OUTCOME_UNKNOWN (the creation could not be verified: the reconciler
 * settles it later) end it before ACTIVE.
 */
const ENDED = ['REVOKED', 'REVOKE_FAILED', 'FAILED', 'OUTCOME_UNKNOWN'] as const;
const CREATED = ['ACTIVE', ...ENDED] as const;

export interface VariantOptions {
  name: string;
  requests: number;
  provisioningSeconds: number;
  timeScale: number;
  conflictRate: number;
  deleteConflictRate: number;
  durationMinutes: number;
  approveAtSeconds: number;
  outage: { afterApprovalSeconds: number; seconds: number };
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
  deleteConflictRate: number;
  durationMinutes: number;
  faults: string;
  /** The outage as it fell, AWS seconds after the first approval (it may start up to `outageSlackSeconds` later). */
  outage: { from: number; to: number } | null;
  /** The stack's start-up, AWS seconds: how much later than stated the outage may have begun. */
  outageSlackSeconds: number;
  /** The first and last InternalServerException the requests recorded, AWS seconds after the first approval. */
  outageSeen: { from: number; to: number; errors: number } | null;
  ideal: WaveIdeal;
  /** First approval sent → last grant ACTIVE, wall ms. */
  wallMs: number | null;
  /** The same in AWS (scaled) seconds. */
  scaledSeconds: number | null;
  ratio: number | null;
  /** First grant end → last REVOKED, wall ms and AWS seconds. */
  deletionWallMs: number | null;
  deletionScaledSeconds: number | null;
  deletionRatio: number | null;
  /** Wall ms from the first approval POST to the last one answered. */
  approvalsMs: number;
  approvalErrors: number;
  submitMs: number;
  calls: {
    create: number;
    describe: number;
    list: number;
    delete: number;
    describeDeletion: number;
    /** Every SSO Admin call the stack answered from the first approval to the end (the bench's own listing excluded). */
    sso: number;
    slotReads: number;
    /** DynamoDB calls from the first approval to the end, per operation (the driver's progress queries taken off). */
    dynamo: Record<string, number>;
  };
  perSuccess: {
    create: number | null;
    describe: number | null;
    list: number | null;
    ssoCalls: number | null;
    delete: number | null;
    describeDeletion: number | null;
  };
  /** SSO calls per AWS second over the creation window (the emulator admits at most 20). */
  ssoCallsPerScaledSecond: number | null;
  /** SSO calls per AWS second in each sampled AWS second, from the first approval to the end. */
  callsPerSecond: number[];
  /** Recorded ThrottlingException answers per 100 SSO calls. */
  throttlesPer100: number | null;
  throttles: number;
  createErrors: Record<string, number>;
  pollErrors: Record<string, number>;
  revokeErrors: Record<string, number>;
  revokePollErrors: Record<string, number>;
  statuses: Record<string, number>;
  failures: Array<{ requestId: string; status: string; error: string }>;
  /** Requests FAILED because a Lambda ran out of its 10 s on this machine (the stack's one thread was overloaded), not because of a limit. */
  localTimeouts: number;
  /** Requests whose grant was recorded (`completed`) exactly once, and more than once. */
  completedOnce: number;
  completedMoreThanOnce: number;
  revokedOnce: number;
  revokedMoreThanOnce: number;
  overdue: number;
  /** Assignments Identity Center still lists after the last grant's end (ListAccountAssignments, real SDK client). */
  left: number;
  /** Approved principals never granted. */
  lost: number;
  /** Creation operations Identity Center started beyond one per principal (duplicate creations use slots). */
  extraCreations: number;
  /** Approval → ACTIVE per request, AWS seconds. */
  latencyScaled: { p50: number; p95: number; max: number } | null;
  /** Grant end → REVOKED per request, AWS seconds. */
  endToRevokedScaled: { p50: number; p95: number; max: number } | null;
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
const pick = ({ p50, p95, max }: { p50: number; p95: number; max: number }) => ({ p50, p95, max });

export const runVariant = async (options: VariantOptions): Promise<VariantResult> => {
  const { name, requests, provisioningSeconds, timeScale, conflictRate, deleteConflictRate } = options;
  const label = `[${name}]`;
  const dataDir = mkdtempSync(
    join(tmpdir(), `access-approvals-bench-bulk-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-`),
  );
  const principals = principalIds(requests);
  const approveAt = options.approveAtSeconds;
  const outageWindow =
    options.outage.seconds > 0
      ? {
          from: approveAt + options.outage.afterApprovalSeconds,
          to: approveAt + options.outage.afterApprovalSeconds + options.outage.seconds,
        }
      : undefined;
  const faults = waveFaults({ createConflict: conflictRate, deleteConflict: deleteConflictRate, outage: outageWindow });
  const stack = await startBulkStack({
    dataDir,
    timeScale,
    fixtures: fixturesJson(principals, provisioningSeconds),
    faults,
    policyFile: writePolicy(dataDir),
    tuning: options.tuning,
    nice: options.nice,
  });
  const readyAtMs = Date.now();
  const awsMs = (awsSeconds: number): number => awsSeconds * 1000 * timeScale;
  const db = localDocumentClient(stack.awsUrl);
  try {
    const s = stack.settings;
    console.log(
      `${label} stack up (data ${dataDir}); LOCAL_FAULTS ${faults}; slot retrier ${JSON.stringify(s.slots)}, contention retrier ${JSON.stringify(s.contention)}, ` +
        `revocation retrier ${JSON.stringify(s.revocation)}, InternalServerException retrier ${JSON.stringify(s.internal)}, JitterStrategy ${String(s.jitter)}, poll wait ${String(s.pollWaitSeconds)} s`,
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
        const { status, body } = await postJson(
          `${stack.httpUrl}/requests`,
          requestBody(principal, options.durationMinutes),
          requesterToken,
        );
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

    // The outage's window was fixed when the stack started, so the approvals go out at the planned moment.
    const approveAtMs = stack.startingAtMs + awsMs(approveAt);
    const spare = approveAtMs - Date.now();
    if (spare < 0)
      throw new Error(
        `${label} submitting took until ${((Date.now() - stack.startingAtMs) / 1000 / timeScale).toFixed(0)} AWS s after the stack started, past --approve-at ${approveAt.toFixed(0)}: raise --approve-at so the outage falls where it should`,
      );
    console.log(`${label} submitted in ${formatDuration(submitMs)}; approving in ${formatDuration(spare)}`);
    await sleep(spare);

    const before = await stack.counts([...TARGET_LIST, ...DYNAMO_TARGETS]);
    const slotReadsBefore = before[SLOT_READS] ?? 0;
    if (TARGET_LIST.some((t) => (before[t] ?? 0) > 0))
      throw new Error(`${label} SSO calls before any approval: ${JSON.stringify(before)}`);

    // All approved at once: the decisions are POSTed concurrently, approvalConcurrency in flight (hundreds at
    // once would time out the stack's own decide Lambdas, which share one thread).
    console.log(`${label} approving all ${requests} at once (${options.approvalConcurrency} POSTs in flight)`);
    await stack.markBusy();
    await stack.startSeries(awsMs(1), SSO_PREFIX);
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

    // Wait for every grant to be created, then for every one to end, reporting progress.
    let progressQueries = 0;
    const countAll = async (statuses: readonly string[]): Promise<number> => {
      const counts = await Promise.all(statuses.map((status) => countStatus(db, stack.tableName, status)));
      progressQueries += statuses.length;
      return counts.reduce((sum, n) => sum + n, 0);
    };
    const deadline = now() + options.timeoutMs;
    let timedOut = false;
    const waitFor = async (what: string, statuses: readonly string[]): Promise<void> => {
      const progress = startProgress({ label: `${label} ${what}`, total: requests, unit: 'requests' });
      for (;;) {
        const done = await countAll(statuses);
        progress.update(done);
        if (done >= requests) break;
        if (now() > deadline) {
          timedOut = true;
          console.log(`\n${label} gave up after ${formatDuration(options.timeoutMs)}: ${done} ${statuses.join('/')}`);
          break;
        }
        // Once a second: each check reads up to every request's index entry on the stack's one thread.
        await sleep(1000);
      }
      progress.finish();
    };
    await waitFor('created (ACTIVE or ended)', CREATED);
    if (!timedOut) await waitFor('ended (REVOKED, REVOKE_FAILED, FAILED or OUTCOME_UNKNOWN)', ENDED);
    const counts = await stack.counts([...TARGET_LIST, ...DYNAMO_TARGETS]);
    const allCounts = await stack.series();
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
    const wave: WaveAssessment = assessWave(items, { firstApprovalMs: firstApproval, timeScale });
    const statuses: Record<string, number> = {};
    const failures: VariantResult['failures'] = [];
    const latencies: number[] = [];
    const createToPoll: number[] = [];
    let completedOnce = 0;
    let completedMoreThanOnce = 0;
    let localTimeouts = 0;
    for (const item of items) {
      bump(statuses, item.status);
      const events = item.events ?? [];
      const completions = events.filter((e) => e.type === 'completed');
      if (completions.length === 1) completedOnce += 1;
      if (completions.length > 1) completedMoreThanOnce += 1;
      const active = events.find((e) => e.type === 'active');
      const approved = events.find((e) => e.type === 'decision');
      const created = events.filter((e) => e.type === 'provisioning_attempt').at(-1);
      const polled = events.filter((e) => e.type === 'status_poll').at(-1);
      if (created && polled) createToPoll.push((Date.parse(polled.at) - Date.parse(created.at)) / 1000 / timeScale);
      if (active && approved) latencies.push((Date.parse(active.at) - Date.parse(approved.at)) / 1000 / timeScale);
      if (item.status === 'FAILED' || item.status === 'REVOKE_FAILED' || item.status === 'OUTCOME_UNKNOWN')
        failures.push({
          requestId: item.requestId,
          status: item.status,
          error: `${item.error?.name ?? '?'}: ${(item.error?.cause ?? '').slice(0, 200)}`,
        });
      if (item.status === 'FAILED' && item.error?.name === 'TimeoutError') localTimeouts += 1;
    }
    const missingItems = requests - items.length;
    if (missingItems > 0) bump(statuses, 'MISSING');

    // After the last grant's end: what Identity Center still lists, through a real SDK client.
    const listed = await listAssignments(stack.awsUrl);
    const grantedPrincipals = new Set(
      items.filter((item) => (item.events ?? []).some((e) => e.type === 'active')).map((item) => principalOf(item)),
    );
    const lost = principals.filter((id) => !grantedPrincipals.has(id)).length;
    const extraCreations = [...creationsPerPrincipal(dataDir).values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);

    const successes = wave.activated;
    const revoked = statuses.REVOKED ?? 0;
    const wallMs = wave.lastActiveMs !== null ? wave.lastActiveMs - firstApproval : null;
    const deletionWallMs =
      wave.lastRevokedMs !== null && wave.firstEndMs !== null ? wave.lastRevokedMs - wave.firstEndMs : null;
    const call = (target: string): number => counts[target] ?? 0;
    const create = call(TARGETS.create);
    const describe = call(TARGETS.describe);
    const list = call(TARGETS.list);
    const remove = call(TARGETS.delete);
    const describeDeletion = call(TARGETS.describeDeletion);
    // The five operations the workflow makes, or the sampled total of every SSO Admin call if that is more (its
    // last sample may be up to a second old, so it is the lower of two honest counts only when nothing else called).
    const sso = Math.max(
      create + describe + list + remove + describeDeletion,
      allCounts ? (allCounts.totals.at(-1) ?? allCounts.startTotal) - allCounts.startTotal : 0,
    );
    const outage = outageWindow
      ? {
          from: (stack.startingAtMs + awsMs(outageWindow.from) - firstApproval) / 1000 / timeScale,
          to: (stack.startingAtMs + awsMs(outageWindow.to) - firstApproval) / 1000 / timeScale,
        }
      : null;
    const ideal = simulateIdeal({
      creations: requests,
      grantEnds: wave.grantEndsAws,
      slots: { creation: SSO_SLOTS, deletion: SSO_SLOTS },
      provisioningSeconds,
      tps: SSO_TPS,
      outage: outage ?? undefined,
    });
    const creationIdealMs = awsMs(ideal.creations.lastDone);
    const deletionIdealMs = awsMs(ideal.deletions.span);
    const latency = latencies.length > 0 ? summarize(latencies) : undefined;
    const endToRevoked = wave.endToRevokedAws.length > 0 ? summarize(wave.endToRevokedAws) : undefined;
    return {
      name,
      settings: stack.settings,
      requests,
      provisioningSeconds,
      timeScale,
      conflictRate,
      deleteConflictRate,
      durationMinutes: options.durationMinutes,
      faults,
      outage,
      outageSlackSeconds: (readyAtMs - stack.startingAtMs) / 1000 / timeScale,
      outageSeen: wave.internalErrors
        ? {
            from: (wave.internalErrors.firstMs - firstApproval) / 1000 / timeScale,
            to: (wave.internalErrors.lastMs - firstApproval) / 1000 / timeScale,
            errors: wave.internalErrors.count,
          }
        : null,
      ideal,
      wallMs,
      scaledSeconds: wallMs === null ? null : wallMs / 1000 / timeScale,
      ratio: wallMs === null || creationIdealMs <= 0 ? null : wallMs / creationIdealMs,
      deletionWallMs,
      deletionScaledSeconds: deletionWallMs === null ? null : deletionWallMs / 1000 / timeScale,
      deletionRatio: deletionWallMs === null || deletionIdealMs <= 0 ? null : deletionWallMs / deletionIdealMs,
      approvalsMs,
      approvalErrors,
      submitMs,
      calls: {
        create,
        describe,
        list,
        delete: remove,
        describeDeletion,
        sso,
        slotReads: (counts[SLOT_READS] ?? 0) - slotReadsBefore - progressQueries,
        dynamo: Object.fromEntries(
          DYNAMO_TARGETS.map((t) => [
            t.split('.')[1] as string,
            (counts[t] ?? 0) - (before[t] ?? 0) - (t === SLOT_READS ? progressQueries : 0),
          ]),
        ),
      },
      perSuccess: {
        create: perSuccess(create, successes),
        describe: perSuccess(describe, successes),
        list: perSuccess(list, successes),
        ssoCalls: perSuccess(sso, successes),
        delete: perSuccess(remove, revoked),
        describeDeletion: perSuccess(describeDeletion, revoked),
      },
      ssoCallsPerScaledSecond: wallMs ? (create + describe + list) / (wallMs / 1000 / timeScale) : null,
      callsPerSecond: allCounts ? callsPerAwsSecond(allCounts, timeScale) : [],
      throttlesPer100: sso > 0 ? (wave.throttles / sso) * 100 : null,
      throttles: wave.throttles,
      createErrors: wave.errors.create,
      pollErrors: wave.errors.poll,
      revokeErrors: wave.errors.revoke,
      revokePollErrors: wave.errors.revokePoll,
      statuses,
      failures: failures.slice(0, 10),
      localTimeouts,
      completedOnce,
      completedMoreThanOnce,
      revokedOnce: wave.revokedOnce,
      revokedMoreThanOnce: wave.revokedMoreThanOnce,
      overdue: wave.overdue,
      left: listed.length,
      lost,
      extraCreations,
      latencyScaled: latency ? pick(latency) : null,
      endToRevokedScaled: endToRevoked ? pick(endToRevoked) : null,
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
