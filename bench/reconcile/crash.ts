// The reconcile scenario's first figure: the local stack killed (SIGKILL) with grants ACTIVE, restarted on the same
// data, and each grant's removal after its end timed from the requests' own records. The stack runs as `npm start`
// does, in a child process of its own (as test/fault/crashRestart.test.ts does it), so the kill loses everything
// in memory: the engine's executions, the handlers, the timers.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../local/serverlessConfig.js';
import { listAssignments } from '../bulk/inspect.js';
import {
  APPROVER,
  AUDITOR,
  REQUESTER,
  fixturesJson,
  principalIds,
  requestBody,
  writePolicy,
} from '../bulk/workload.js';
import { createLocalApi, poll } from '../lib/localApi.js';
import { startProgress } from '../lib/progress.js';
import { summarize } from '../lib/stats.js';
import { sleep } from '../lib/timing.js';

export interface CrashOptions {
  grants: number;
  durationMinutes: number;
  timeScale: number;
  /** The reconciler's period, AWS seconds: the target for each grant's end → REVOKED. */
  periodSeconds: number;
  keepData: boolean;
}

export interface CrashGrant {
  requestId: string;
  status: string;
  /** Grant end → its `revoked` event, AWS seconds; null if it never came. */
  endToRevokedSeconds: number | null;
  /** Whether the grant's end came after the restart (so the reconciler, not the recovery at start, owned it). */
  endedAfterRestart: boolean;
  /** The events written after the crash, as `type: detail` (cut), in order: how the grant was ended. */
  after: string[];
}

export interface CrashResult {
  grants: CrashGrant[];
  statuses: Record<string, number>;
  /** Max and p50 of endToRevokedSeconds over the revoked grants. */
  endToRevoked: { p50: number; max: number } | null;
  /** Grants that reached REVOKED within one period of their end. */
  withinPeriod: number;
  /** Assignments Identity Center still lists once every grant has ended (ListAccountAssignments, real SDK client). */
  left: number;
  /** SIGKILL → the restarted stack ready, wall ms. */
  restartMs: number;
  timedOut: boolean;
}

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

/** `npm start` as a separate process (node + tsx), resolved once it prints that it is ready. */
const startStack = (env: Record<string, string>): Promise<Running> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
      cwd: projectRoot,
      env: { ...process.env, POWERTOOLS_LOG_LEVEL: 'ERROR', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    let output = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`local stack not ready in 60 s:\n${output.slice(-2000)}`));
    }, 60_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (output.includes('ready in')) {
        clearTimeout(timer);
        resolve({ child, exited });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`local stack exited with ${code}:\n${output.slice(-2000)}`));
    });
  });

const stop = async ({ child, exited }: Running, signal: NodeJS.Signals): Promise<void> => {
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  await exited;
};

interface RequestView {
  status: string;
  activeUntil?: string;
  events?: Array<{ at: string; type: string; detail?: unknown }>;
}

const ENDED = ['REVOKED', 'REVOKE_FAILED', 'FAILED'];

export const runCrash = async (options: CrashOptions, label = '[crash]'): Promise<CrashResult> => {
  const { grants: count, durationMinutes, timeScale, periodSeconds } = options;
  const dataDir = mkdtempSync(join(tmpdir(), 'access-approvals-bench-reconcile-crash-'));
  const [port, awsPort] = [await freePort(), await freePort()];
  const principals = principalIds(count);
  const env = {
    DATA_DIR: dataDir,
    PORT: String(port),
    AWS_PORT: String(awsPort),
    LOCAL_TIME_SCALE: String(timeScale),
    LOCAL_FIXTURES: fixturesJson(principals, 1),
    POLICY_FILE: writePolicy(dataDir),
  };
  const httpUrl = `http://127.0.0.1:${port}`;
  const awsUrl = `http://127.0.0.1:${awsPort}`;
  const api = createLocalApi(httpUrl);
  const running: Running[] = [];
  try {
    running.push(await startStack(env));
    const requester = await api.token(REQUESTER);
    let auditor = await api.token(AUDITOR);
    const view = async (requestId: string): Promise<RequestView> => {
      const { status, body } = await api.call('GET', `/requests/${requestId}`, { token: auditor });
      if (status !== 200) throw new Error(`GET /requests/${requestId}: HTTP ${status}`);
      return body as RequestView;
    };

    // Prepare: the grants, each approved, each ACTIVE.
    const ids: string[] = [];
    for (const principal of principals) {
      const { status, body } = await api.call('POST', '/requests', {
        token: requester,
        body: requestBody(principal, durationMinutes),
      });
      if (status !== 202) throw new Error(`POST /requests: HTTP ${status} ${JSON.stringify(body).slice(0, 300)}`);
      ids.push((body as { requestId: string }).requestId);
    }
    for (const id of ids) {
      const link = await api.waitForLink(id, APPROVER);
      const { status } = await api.call('POST', link, {
        rawBody: 'decision=approve',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      });
      if (status !== 200) throw new Error(`approving ${id}: HTTP ${status}`);
    }
    const active = startProgress({ label: `${label} ACTIVE before the crash`, total: count, unit: 'grants' });
    let activeCount = 0;
    for (const id of ids) {
      await api.waitForStatus(id, auditor, ['ACTIVE'], 60_000);
      active.update(++activeCount);
    }
    active.finish();

    // Act: kill the stack while every grant is ACTIVE, and start it again on the same data.
    const views = await Promise.all(ids.map(view));
    const ends = views.map((v) => Date.parse(v.activeUntil ?? ''));
    if (ends.some((end) => !Number.isFinite(end))) throw new Error('an ACTIVE grant has no activeUntil');
    const crashAt = Date.now();
    if (Math.min(...ends) <= crashAt)
      throw new Error(`a grant ended before the crash: raise --crash-duration-minutes (${durationMinutes})`);
    console.log(
      `${label} SIGKILL with ${count} grants ACTIVE; they end ${((Math.min(...ends) - crashAt) / 1000 / timeScale).toFixed(0)}–${((Math.max(...ends) - crashAt) / 1000 / timeScale).toFixed(0)} AWS s from now`,
    );
    await stop(running.pop() as Running, 'SIGKILL');
    running.push(await startStack(env));
    const restartedAt = Date.now();
    // A token from the first run may be signed with a key the restart no longer holds in memory: ask again.
    auditor = await api.token(AUDITOR);
    console.log(`${label} restarted in ${((restartedAt - crashAt) / 1000).toFixed(1)} s (wall)`);

    // Wait for every grant to end: its end, plus two periods of the reconciler, is the most it can take.
    const deadline = Math.max(...ends) + 2 * periodSeconds * 1000 * timeScale + 30_000;
    const ending = startProgress({ label: `${label} ended after the restart`, total: count, unit: 'grants' });
    let timedOut = false;
    const finals = await poll(
      'every grant to end',
      async () => {
        const current = await Promise.all(ids.map(view));
        const ended = current.filter((v) => ENDED.includes(v.status)).length;
        ending.update(ended);
        // REVOKE_FAILED may yet be settled by the reconciler, so it counts as final only once a period has passed
        // since the last grant's end.
        const settled = current.every((v) => v.status === 'REVOKED' || v.status === 'FAILED');
        if (settled || (ended === count && Date.now() > Math.max(...ends) + periodSeconds * 1000 * timeScale + 5_000))
          return current;
        if (Date.now() > deadline) {
          timedOut = true;
          return current;
        }
        await sleep(Math.max(200, 1000 * timeScale));
        return undefined;
      },
      deadline - Date.now() + 60_000,
    );
    ending.finish();

    // Assess.
    const grants: CrashGrant[] = finals.map((v, i) => {
      const end = ends[i] as number;
      const revoked = (v.events ?? []).find((e) => e.type === 'revoked');
      const detail = (d: unknown): string => (typeof d === 'string' ? d : JSON.stringify(d ?? '')).slice(0, 160);
      return {
        requestId: ids[i] as string,
        status: v.status,
        endToRevokedSeconds: revoked ? (Date.parse(revoked.at) - end) / 1000 / timeScale : null,
        endedAfterRestart: end > restartedAt,
        after: (v.events ?? []).filter((e) => Date.parse(e.at) >= crashAt).map((e) => `${e.type}: ${detail(e.detail)}`),
      };
    });
    const statuses: Record<string, number> = {};
    for (const g of grants) statuses[g.status] = (statuses[g.status] ?? 0) + 1;
    const delays = grants.map((g) => g.endToRevokedSeconds).filter((d): d is number => d !== null);
    const summary = delays.length > 0 ? summarize(delays) : null;
    const left = (await listAssignments(awsUrl)).length;
    return {
      grants,
      statuses,
      endToRevoked: summary ? { p50: summary.p50, max: summary.max } : null,
      withinPeriod: grants.filter((g) => g.status === 'REVOKED' && (g.endToRevokedSeconds ?? Infinity) <= periodSeconds)
        .length,
      left,
      restartMs: restartedAt - crashAt,
      timedOut,
    };
  } finally {
    for (const r of running) await stop(r, 'SIGTERM');
    if (!options.keepData) rmSync(dataDir, { recursive: true, force: true });
  }
};
