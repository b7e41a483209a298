// One run of the bulk scenario on a fresh stack: submit N requests, approve them all at once, wait for every
// one to finish, then count calls and check Identity Center against the records.
import { closeSync, fstatSync, mkdtempSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { PutCommand, QueryCommand, ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { assignmentKey } from '../../functions/requests/keys.js';
import { localDocumentClient } from '../lib/dynamo.js';
import { startProgress } from '../lib/progress.js';
import { summarize } from '../lib/stats.js';
import { formatDuration, now, sleep } from '../lib/timing.js';
import { idealBound, type IdealBound } from './ideal.js';
import { startBulkStack, type BulkStack } from './stackClient.js';
import type { Tuning } from './tuning.js';
import { ACCOUNT_ID, APPROVER, INSTANCE_ARN, PERMISSION_SET_ARN, REQUESTER, fixturesJson, principalIds, requestBody, writePolicy } from './workload.js';

export const TARGETS = {
  create: 'SWBExternalService.CreateAccountAssignment',
  describe: 'SWBExternalService.DescribeAccountAssignmentCreationStatus',
  list: 'SWBExternalService.ListAccountAssignments',
} as const;
const TARGET_LIST = Object.values(TARGETS);
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
  /** Whether the local engine writes its state file (off by default: see volatileEngine.ts). */
  persistExecutions: boolean;
  /**
   * What-if: seed each assignment's ledger item with a placeholder permanent grant, so the assign Lambda skips its
   * ListAccountAssignments pre-existence look-up, as it could for permanent grants (see bulk.ts).
   */
  skipExistenceCheck: boolean;
  /** Approval POSTs in flight at once (the stack runs every Lambda on one thread; see bulk.ts). */
  approvalConcurrency: number;
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
  calls: { create: number; describe: number; list: number };
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
  timedOut: boolean;
  /** Event-loop utilisation of the stack's thread from the first approval to the last request's end (0..1). */
  stackBusy: number;
  dataDir: string;
}

interface StoredEvent {
  at: string;
  type: string;
  detail?: string;
}

interface RequestItem {
  requestId: string;
  /** JSON text of the action's parameters. */
  parameters: string;
  status: string;
  events?: StoredEvent[];
  error?: { name?: string; cause?: string };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const perSuccess = (count: number, successes: number): number | null => (successes > 0 ? count / successes : null);
const bump = (map: Record<string, number>, key: string): void => {
  map[key] = (map[key] ?? 0) + 1;
};

/** Runs `work` over `items` with at most `limit` in flight. */
const pool = async <T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> => {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const runner = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  return results;
};

const postJson = async (url: string, body: unknown, token?: string): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left as text for the error message
  }
  return { status: response.status, body: parsed };
};

const tokenFor = async (httpUrl: string, email: string): Promise<string> => {
  const { status, body } = await postJson(`${httpUrl}/local/tokens`, { sub: email.split('@')[0], email });
  if (status !== 200 || !isRecord(body) || typeof body.token !== 'string') throw new Error(`POST /local/tokens: HTTP ${status}`);
  return body.token;
};

/**
 * The approver's link for each request, read from the local outbox (the stack's stand-in for Slack). The file
 * only grows, so each look reads just what was appended since the last.
 */
const watchApprovalLinks = (dataDir: string) => {
  const file = join(dataDir, 'outbox.jsonl');
  const links = new Map<string, string>();
  const waiters = new Map<string, () => void>();
  let offset = 0;
  let partial = '';
  const read = (): void => {
    let chunk: Buffer;
    try {
      const fd = openSync(file, 'r');
      try {
        const size = fstatSync(fd).size;
        chunk = Buffer.alloc(size - offset);
        readSync(fd, chunk, 0, chunk.length, offset);
        offset = size;
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      const message = JSON.parse(line) as { requestId: string; kind: string; approver: string; approvalUrl?: string };
      if (message.kind !== 'approval' || message.approver !== APPROVER || !message.approvalUrl) continue;
      links.set(message.requestId, new URL(message.approvalUrl).pathname);
      waiters.get(message.requestId)?.();
    }
  };
  const timer = setInterval(read, 100);
  return {
    get: (requestId: string): string => {
      const link = links.get(requestId);
      if (!link) throw new Error(`no approval link for ${requestId}`);
      return link;
    },
    waitFor: (requestId: string, timeoutMs: number): Promise<void> =>
      links.has(requestId)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timeout = setTimeout(() => reject(new Error(`no approval link for ${requestId} within ${timeoutMs} ms`)), timeoutMs);
            waiters.set(requestId, () => {
              clearTimeout(timeout);
              waiters.delete(requestId);
              resolve();
            });
          }),
    stop: (): void => clearInterval(timer),
  };
};

const countStatus = async (db: DynamoDBDocumentClient, tableName: string, status: string): Promise<number> => {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: 'byStatus',
        KeyConditionExpression: '#s = :s',
        ExpressionAttributeNames: { '#s': 'status' },
        ExpressionAttributeValues: { ':s': status },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
};

const readRequests = async (db: DynamoDBDocumentClient, tableName: string): Promise<RequestItem[]> => {
  const items: RequestItem[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new ScanCommand({ TableName: tableName, FilterExpression: 'sk = :sk', ExpressionAttributeValues: { ':sk': 'REQUEST' }, ExclusiveStartKey: start }),
    );
    items.push(...((page.Items ?? []) as RequestItem[]));
    start = page.LastEvaluatedKey;
  } while (start);
  return items;
};

const listAssignments = async (awsUrl: string): Promise<string[]> => {
  // The listing shares the 20 TPS too; the SDK's own retries ride out any throttling after the run.
  const sso = new SSOAdminClient({ endpoint: awsUrl, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' }, maxAttempts: 20 });
  try {
    const principals: string[] = [];
    let NextToken: string | undefined;
    do {
      const page = await sso.send(new ListAccountAssignmentsCommand({ InstanceArn: INSTANCE_ARN, AccountId: ACCOUNT_ID, PermissionSetArn: PERMISSION_SET_ARN, MaxResults: 100, NextToken }));
      principals.push(...(page.AccountAssignments ?? []).map((a) => a.PrincipalId ?? '?'));
      NextToken = page.NextToken;
    } while (NextToken);
    return principals;
  } finally {
    sso.destroy();
  }
};

/** Creation operations the emulator started, per principal, from its state file. */
const creationsPerPrincipal = (dataDir: string): Map<string, number> => {
  const state = JSON.parse(readFileSync(join(dataDir, 'sso-admin.json'), 'utf8')) as { operations?: Array<{ kind: string; PrincipalId: string }> };
  const counts = new Map<string, number>();
  for (const op of state.operations ?? []) if (op.kind === 'create') counts.set(op.PrincipalId, (counts.get(op.PrincipalId) ?? 0) + 1);
  return counts;
};

const principalOf = (item: RequestItem): string => (JSON.parse(item.parameters) as { PrincipalId: string }).PrincipalId;

const errorName = (event: StoredEvent): string => {
  try {
    const detail = JSON.parse(event.detail ?? '{}') as { error?: string };
    return detail.error ?? 'unknown';
  } catch {
    return 'unknown';
  }
};

/** The what-if of skipExistenceCheck: a ledger item per assignment that already holds a (placeholder) grant. */
const seedLedger = async (db: DynamoDBDocumentClient, tableName: string, principals: readonly string[]): Promise<void> => {
  await pool(principals, 16, async (PrincipalId) => {
    const assignment = { InstanceArn: INSTANCE_ARN, PermissionSetArn: PERMISSION_SET_ARN, PrincipalId, PrincipalType: 'USER', TargetId: ACCOUNT_ID, TargetType: 'AWS_ACCOUNT' };
    await db.send(
      new PutCommand({
        TableName: tableName,
        Item: { ...assignmentKey(assignment), assignment, grants: { 'bench-placeholder': 'permanent' }, preExisting: false, version: 1 },
      }),
    );
  });
};

export const runVariant = async (options: VariantOptions): Promise<VariantResult> => {
  const { name, requests, provisioningSeconds, timeScale, conflictRate } = options;
  const label = `[${name}]`;
  const dataDir = mkdtempSync(join(tmpdir(), `access-approvals-bench-bulk-${name.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-`));
  const principals = principalIds(requests);
  const ideal = idealBound({ requests, slots: SSO_SLOTS, provisioningSeconds, tps: SSO_TPS, timeScale });
  const stack = await startBulkStack({
    dataDir,
    timeScale,
    fixtures: fixturesJson(principals, provisioningSeconds),
    faults: conflictRate > 0 ? `sso-admin.CreateAccountAssignment=ConflictException:${conflictRate}` : '',
    policyFile: writePolicy(dataDir),
    tuning: options.tuning,
    persistExecutions: options.persistExecutions,
  });
  const db = localDocumentClient(stack.awsUrl);
  try {
    const s = stack.settings;
    console.log(
      `${label} stack up (data ${dataDir}); contention retrier ${JSON.stringify(s.contention)}, JitterStrategy ${String(s.jitter)}, poll wait ${String(s.pollWaitSeconds)} s`,
    );

    if (options.skipExistenceCheck) await seedLedger(db, stack.tableName, principals);

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
        if (status !== 202) throw new Error(`POST /requests for ${principal}: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
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
    if (early > 0) throw new Error(`${label} ${early} requests FAILED before any approval (the stack is overloaded; lower SUBMIT_CONCURRENCY)`);

    const before = await stack.counts(TARGET_LIST);
    if (TARGET_LIST.some((t) => (before[t] ?? 0) > 0)) throw new Error(`${label} SSO calls before any approval: ${JSON.stringify(before)}`);

    // All approved at once: every decision POSTed concurrently.
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
        const text = await response.text();
        return { status: response.status, text };
    });
    const approvalsMs = now() - approvalStart;
    const refused = approvalResults.filter((r) => r.status !== 200);
    const approvalErrors = refused.length;
    console.log(`${label} ${requests - approvalErrors} approvals answered in ${formatDuration(approvalsMs)}${approvalErrors ? `, ${approvalErrors} failed` : ''}`);
    const refusals: Record<string, number> = {};
    for (const r of refused) bump(refusals, `HTTP ${r.status} ${r.text.slice(0, 160)}`);
    for (const [what, n] of Object.entries(refusals)) console.log(`${label}   ${n} × ${what}`);

    // Wait for every request to end, reporting progress.
    const progress = startProgress({ label: `${label} provisioning`, total: requests, unit: 'COMPLETED' });
    const deadline = now() + options.timeoutMs;
    let timedOut = false;
    for (;;) {
      const [completed, failed] = await Promise.all([countStatus(db, stack.tableName, 'COMPLETED'), countStatus(db, stack.tableName, 'FAILED')]);
      progress.update(completed);
      if (completed + failed >= requests) break;
      if (now() > deadline) {
        timedOut = true;
        console.log(`\n${label} gave up after ${formatDuration(options.timeoutMs)}: ${completed} COMPLETED, ${failed} FAILED`);
        break;
      }
      await sleep(500);
    }
    progress.finish();
    const counts = await stack.counts(TARGET_LIST);
    const stackBusy = await stack.busy();
    console.log(`${label} stack thread busy ${(stackBusy * 100).toFixed(0)}% of the time since the first approval`);
    // Let the executions finish their last step (the outcome notice) before anything is read or closed.
    await stack.idle(30_000);

    // Assess.
    const items = (await readRequests(db, stack.tableName)).filter((item) => idSet.has(item.requestId));
    const statuses: Record<string, number> = {};
    const createErrors: Record<string, number> = {};
    const pollErrors: Record<string, number> = {};
    const failures: VariantResult['failures'] = [];
    const latencies: number[] = [];
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
      if (done !== undefined) {
        lastCompleted = Math.max(lastCompleted, done);
        if (approved) latencies.push((done - Date.parse(approved.at)) / 1000 / timeScale);
      }
      if (item.status === 'FAILED') failures.push({ requestId: item.requestId, error: `${item.error?.name ?? '?'}: ${(item.error?.cause ?? '').slice(0, 200)}` });
      if (item.status === 'FAILED' && item.error?.name === 'TimeoutError') localTimeouts += 1;
    }
    const missingItems = requests - items.length;
    if (missingItems > 0) bump(statuses, 'MISSING');

    const listedPrincipals = await listAssignments(stack.awsUrl);
    const listedCounts = new Map<string, number>();
    for (const id of listedPrincipals) listedCounts.set(id, (listedCounts.get(id) ?? 0) + 1);
    const expected = new Set(principals);
    const lost = principals.filter((id) => !listedCounts.has(id)).length;
    const completedPrincipals = new Set(items.filter((item) => item.status === 'COMPLETED').map((item) => principalOf(item)));
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
      calls: { create, describe, list },
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
      timedOut,
      stackBusy,
      dataDir,
    };
  } finally {
    db.destroy();
    // A failure to close is reported, never allowed to hide the error that may have brought us here.
    await stack.close().catch((error: unknown) => console.error(`${label} closing the stack: ${error instanceof Error ? error.message : String(error)}`));
    if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  }
};
