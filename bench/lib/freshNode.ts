// Runs a snippet in a brand-new Node process and returns the JSON it reports, for measurements that need a cold
// module cache (module-init time, a Lambda's first invocation). The environment is built from scratch by the
// caller, so nothing of this process (its NODE_OPTIONS, the stack's variables) leaks in unless passed on purpose.
import { spawn } from 'node:child_process';

/** The line a snippet prints its result on, so log lines from the code under test cannot be mistaken for it. */
export const RESULT_PREFIX = 'BENCH_RESULT ';

export interface FreshNodeOptions {
  /** ES module source, run with `--input-type=module -e`; it must print RESULT_PREFIX + JSON on a line of its own. */
  script: string;
  env: Record<string, string>;
  cwd?: string;
  /** Node flags before the script, e.g. `--import <tsx>`. */
  nodeArgs?: string[];
  timeoutMs?: number;
}

/** What every fresh process needs to run at all, whatever else it is given. */
export const baseEnvironment = (): Record<string, string> => {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'TZ']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
};

export const runFreshNode = <T>({
  script,
  env,
  cwd,
  nodeArgs = [],
  timeoutMs = 30_000,
}: FreshNodeOptions): Promise<T> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...nodeArgs, '--input-type=module', '-e', script], {
      env,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT_PREFIX));
      if (code === 0 && line) {
        resolve(JSON.parse(line.slice(RESULT_PREFIX.length)) as T);
        return;
      }
      const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
      reject(
        new Error(
          `fresh node process exited with ${signal ?? `code ${code}`}${line ? '' : ' and no result'}:\n${tail}`,
        ),
      );
    });
  });
