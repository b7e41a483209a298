// A local stack in a child process of its own (stackMain.ts): started, addressed, and closed by ending its stdin.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tsxNodeArgs } from '../lib/isolate.js';

/** The line the child announces its stack on, so a handler's log line cannot be mistaken for it. */
export const STACK_READY_PREFIX = 'BENCH_PAGE_STACK ';

export interface StackProcess {
  httpUrl: string;
  awsUrl: string;
  /** How long importing the preloaded handler modules took, before the stack was announced (0 without any). */
  preloadMs: number;
  /** Closes the stack and waits for the child to exit; rejects when it did not exit cleanly. */
  close(): Promise<void>;
}

const exited = (child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null)
      resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });

export const startStackProcess = (
  files: { fixtures: string; policy: string; dataDir: string },
  options: { preload?: readonly string[]; timeoutMs?: number } = {},
): Promise<StackProcess> =>
  new Promise((resolve, reject) => {
    const timeoutMs = options.timeoutMs ?? 120_000;
    const entry = fileURLToPath(new URL('./stackMain.ts', import.meta.url));
    // Handlers' INFO lines would bury the table; errors still reach stderr, which is inherited.
    const env = {
      ...process.env,
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR',
      BENCH_PAGE_PRELOAD: (options.preload ?? []).join(','),
    };
    const child = spawn(process.execPath, [...tsxNodeArgs(), entry, files.fixtures, files.policy, files.dataDir], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env,
    });
    let buffered = '';
    let ready = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the stack did not start within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`the stack process exited with ${signal ?? `code ${code}`} before it was ready`));
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      if (ready) return;
      buffered += chunk;
      const line = buffered.split('\n').find((l) => l.startsWith(STACK_READY_PREFIX));
      if (!line) return;
      ready = true;
      clearTimeout(timer);
      const urls = JSON.parse(line.slice(STACK_READY_PREFIX.length)) as {
        httpUrl: string;
        awsUrl: string;
        preloadMs: number;
      };
      resolve({
        ...urls,
        close: async () => {
          const done = exited(child);
          child.stdin?.end();
          const { code, signal } = await done;
          if (code !== 0) throw new Error(`the stack process exited with ${signal ?? `code ${code}`}`);
        },
      });
    });
  });
