// Kill the local stack with SIGKILL in the middle of 50 requests in mixed states, restart it on the same
// DATA_DIR, and check that every record is still there and readable, and that no request whose workflow
// the engine lost stays silently PENDING_APPROVAL or APPROVED: it is failed visibly, with the reason.
import { afterAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '../../local/serverlessConfig.js';
import { ssoRequest } from '../fixtures/requests.js';

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
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready in')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
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

describe('crash and restart', () => {
  it('keeps every record through a SIGKILL, and fails lost workflows visibly', async () => {
    // Prepare
    const [port, awsPort] = [await freePort(), await freePort()];
    const env = {
      DATA_DIR: mkdtempSync(join(tmpdir(), 'access-approvals-crash-')),
      PORT: String(port),
      AWS_PORT: String(awsPort),
      LOCAL_TIME_SCALE: '0.01',
    };
    const api = `http://127.0.0.1:${port}`;
    const first = await startStack(env);
    const call = async (method: string, path: string, token?: string, body?: string, type = 'application/json') => {
      const response = await fetch(`${api}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body ? { 'content-type': type, accept: 'application/json' } : {}),
        },
        body,
      });
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    };
    const token = (
      await call('POST', '/local/tokens', undefined, JSON.stringify({ sub: 'alice', email: 'alice@example.com' }))
    ).body.token as string;
    const ids: string[] = [];
    for (let i = 0; i < 50; i += 1)
      ids.push((await call('POST', '/requests', token, JSON.stringify(ssoRequest()))).body.requestId as string);
    // Every request recorded and its approvers asked, before anything is decided.
    const linksOf = async (id: string): Promise<string[]> => {
      for (let attempt = 0; attempt < 200; attempt += 1) {
        const outbox = (await (await fetch(`${api}/local/outbox?requestId=${id}`)).json()) as Array<{
          kind: string;
          approvalUrl?: string;
        }>;
        const links = outbox
          .filter((m) => m.kind === 'approval' && m.approvalUrl)
          .map((m) => new URL(m.approvalUrl!).pathname);
        if (links.length === 2) return links;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`no links for ${id}`);
    };
    const links = await Promise.all(ids.map(linksOf));
    // Mixed states: ten finish, ten are denied, twenty are approved just before the kill, ten stay pending.
    await Promise.all(
      ids
        .slice(0, 10)
        .map((_, i) => call('POST', links[i]![0]!, undefined, 'decision=approve', 'application/x-www-form-urlencoded')),
    );
    await Promise.all(
      ids
        .slice(10, 20)
        .map((_, i) =>
          call('POST', links[10 + i]![0]!, undefined, 'decision=deny', 'application/x-www-form-urlencoded'),
        ),
    );
    for (let attempt = 0; attempt < 200; attempt += 1) {
      const statuses = await Promise.all(
        ids.slice(0, 10).map(async (id) => (await call('GET', `/requests/${id}`, token)).body.status),
      );
      if (statuses.every((s) => s === 'COMPLETED')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const before = new Map(
      await Promise.all(ids.map(async (id) => [id, (await call('GET', `/requests/${id}`, token)).body] as const)),
    );
    void Promise.all(
      ids
        .slice(20, 40)
        .map((_, i) =>
          call('POST', links[20 + i]![0]!, undefined, 'decision=approve', 'application/x-www-form-urlencoded').catch(
            () => undefined,
          ),
        ),
    );
    await new Promise((r) => setTimeout(r, 30));

    // Act
    first.child.kill('SIGKILL');
    await first.exited;
    await startStack(env);
    const after = await Promise.all(ids.map(async (id) => ({ id, ...(await call('GET', `/requests/${id}`, token)) })));

    // Assess: every record readable, history kept, nothing silently waiting on a workflow that no longer runs
    expect(after.map((a) => a.status)).toEqual(ids.map(() => 200));
    for (const { id, body } of after) {
      const earlier = before.get(id)!;
      expect((body.events as unknown[]).slice(0, (earlier.events as unknown[]).length)).toEqual(earlier.events);
      expect(['PENDING_APPROVAL', 'APPROVED']).not.toContain(body.status);
      if (body.status === 'FAILED') expect((body.error as { name: string }).name).toEqual(expect.any(String));
    }
    expect(after.slice(0, 10).map((a) => a.body.status)).toEqual(ids.slice(0, 10).map(() => 'COMPLETED'));
    expect(after.slice(10, 20).map((a) => a.body.status)).toEqual(ids.slice(10, 20).map(() => 'DENIED'));
    const pending = after.slice(40);
    expect(pending.map((a) => [a.body.status, (a.body.error as { name: string }).name])).toEqual(
      pending.map(() => ['FAILED', 'LocalEngineRestarted']),
    );
  });
});
