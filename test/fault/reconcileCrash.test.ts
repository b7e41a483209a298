// Kill the local stack with SIGKILL while time-bound grants are ACTIVE, restart it on the same DATA_DIR, and check
// that the reconciler removes each grant at its end: never before it, within one reconciler period after it, the
// assignment gone from ListAccountAssignments, and the request REVOKED with an event that says how.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { projectRoot } from '../../local/serverlessConfig.js';
import { SSO_PARAMETERS, ssoRequest } from '../fixtures/requests.js';

const TIME_SCALE = 0.01;
/** The reconciler's period locally: 300 AWS seconds. */
const PERIOD_MS = 300 * 1000 * TIME_SCALE;
// erin, frank and grace: one assignment each, so each grant's end must remove its own.
const PRINCIPALS = [
  '547db526-2942-49eb-9f50-31ddc85c6775',
  '9e58d1eb-67dd-4e32-b2f1-fd4694bd2c8b',
  '82a09ac6-f0f9-40b0-8221-1d08d0bfae4e',
];

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });

interface Running {
  child: ChildProcess;
  exited: Promise<void>;
}
const children: Running[] = [];

/** `npm start` as a real separate process (node + tsx), resolved once it prints that it is ready. */
const startStack = async (env: Record<string, string>): Promise<Running> => {
  const child = spawn(process.execPath, ['--import', 'tsx', 'local/start.ts'], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = { child, exited };
  children.push(running);
  await new Promise<void>((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`local stack not ready in 30 s:\n${output.slice(-2000)}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready in')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`local stack exited with ${code}:\n${output.slice(-2000)}`)));
  });
  return running;
};

afterAll(async () => {
  for (const { child, exited } of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  }
});

type View = {
  status: string;
  activeUntil?: string;
  events: Array<{ at: string; type: string; detail: Record<string, unknown> }>;
};

describe('crash with grants ACTIVE', () => {
  it('after a SIGKILL and a restart, the reconciler removes each grant at its end and records REVOKED saying how', async () => {
    // Prepare
    const dataDir = mkdtempSync(join(tmpdir(), 'access-approvals-reconcile-crash-'));
    const policyFile = join(dataDir, 'policy.json');
    writeFileSync(
      policyFile,
      JSON.stringify({
        auditors: ['dana@example.com'],
        rules: [{ action: 'sso:CreateAccountAssignment', approvers: ['bob@example.com'], maxDurationMinutes: 60 }],
      }),
    );
    const [port, awsPort] = [await freePort(), await freePort()];
    const env = {
      DATA_DIR: dataDir,
      PORT: String(port),
      AWS_PORT: String(awsPort),
      LOCAL_TIME_SCALE: String(TIME_SCALE),
      POLICY_FILE: policyFile,
    };
    const api = `http://127.0.0.1:${port}`;
    const call = async (method: string, path: string, token?: string, body?: string, type = 'application/json') => {
      const response = await fetch(`${api}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'content-type': type, accept: 'application/json' } : {}),
        },
        body,
      });
      return (await response.json()) as Record<string, unknown>;
    };
    const first = await startStack(env);
    const token = (
      await call('POST', '/local/tokens', undefined, JSON.stringify({ sub: 'alice', email: 'alice@example.com' }))
    ).token as string;
    const view = async (id: string) => (await call('GET', `/requests/${id}`, token)) as unknown as View;
    const waitFor = async (id: string, statuses: string[], timeoutMs: number): Promise<View> => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const current = await view(id);
        if (statuses.includes(current.status)) return current;
        if (Date.now() > deadline) throw new Error(`${id} is ${current.status}, not ${statuses.join('/')}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    // 20 minutes of AWS time: 12 s here, long enough to crash and restart before the grants end.
    const ids: string[] = [];
    for (const PrincipalId of PRINCIPALS) {
      const submitted = await call(
        'POST',
        '/requests',
        token,
        JSON.stringify({ ...ssoRequest({ PrincipalId }), durationMinutes: 20 }),
      );
      ids.push(submitted.requestId as string);
    }
    for (const id of ids) {
      let link: string | undefined;
      while (!link) {
        const outbox = (await (await fetch(`${api}/local/outbox?requestId=${id}`)).json()) as Array<{
          approvalUrl?: string;
        }>;
        link = outbox.find((m) => m.approvalUrl)?.approvalUrl;
        if (!link) await new Promise((resolve) => setTimeout(resolve, 50));
      }
      await call('POST', new URL(link).pathname, undefined, 'decision=approve', 'application/x-www-form-urlencoded');
    }
    const active = await Promise.all(ids.map((id) => waitFor(id, ['ACTIVE'], 20_000)));

    // Act
    first.child.kill('SIGKILL');
    await first.exited;
    await startStack(env);
    const afterRestart = await Promise.all(ids.map(view));
    const ended = await Promise.all(ids.map((id) => waitFor(id, ['REVOKED', 'REVOKE_FAILED'], 40_000)));

    // Assess
    for (const [i, before] of active.entries()) {
      const restarted = afterRestart[i]!;
      const final = ended[i]!;
      expect(restarted.status).toBe('ACTIVE');
      expect(restarted.events.map((e) => e.type)).toContain('workflow_lost');
      expect(final.status).toBe('REVOKED');
      const revoked = final.events.find((e) => e.type === 'revoked')!;
      expect(revoked.detail).toMatchObject({
        by: 'reconciler',
        reason: 'workflow lost',
        executionStatus: 'ABORTED',
        deleted: true,
        verified: 'ABSENT',
      });
      // At its end, not before; within one period (plus the run's own time) after it.
      const end = Date.parse(before.activeUntil ?? '');
      expect(Date.parse(revoked.at)).toBeGreaterThanOrEqual(end);
      expect(Date.parse(revoked.at)).toBeLessThanOrEqual(end + PERIOD_MS + 2_000);
    }
    const sso = new SSOAdminClient({
      region: 'us-east-1',
      endpoint: `http://127.0.0.1:${awsPort}`,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const listed = await sso.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: SSO_PARAMETERS.InstanceArn,
        AccountId: SSO_PARAMETERS.TargetId,
        PermissionSetArn: SSO_PARAMETERS.PermissionSetArn,
      }),
    );
    sso.destroy();
    expect(
      (listed.AccountAssignments ?? []).map((a) => a.PrincipalId).filter((p) => PRINCIPALS.includes(p ?? '')),
    ).toEqual([]);
  });
});
