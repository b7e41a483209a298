// Runs a scenario's body in a fresh Node process. startLocalStack refuses a second stack with a different handler
// configuration in one process (handlers read process.env once and ES modules cannot be unloaded), and every
// stack gets its own data directory, so two stack-based scenarios cannot share the `npm run bench` process.
// stdio is inherited so the child's progress line still sees the terminal.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ScenarioOutcome } from './scenario.js';

/** What a module run through runIsolated exports: the scenario itself, in whatever process it is called. */
export interface IsolatedScenario {
  runInProcess(args: readonly string[]): Promise<ScenarioOutcome>;
}

/** The child's exit codes: 0 passed, 1 a target was missed; anything else is a crash and is thrown here. */
export const EXIT_PASSED = 0;
export const EXIT_MISSED = 1;

/** Node arguments that make a fresh process run TypeScript, resolved from here so the child's cwd does not matter. */
export const tsxNodeArgs = (): string[] => ['--import', import.meta.resolve('tsx')];

export const runIsolated = (moduleUrl: string, args: readonly string[]): Promise<ScenarioOutcome> =>
  new Promise((resolve, reject) => {
    const entry = fileURLToPath(new URL('./isolatedMain.ts', import.meta.url));
    // Handlers' INFO lines would bury the tables. A quiet stack sets ERROR, but only when it starts, and the shared
    // logger is built earlier, when local/stack.ts is imported (through the policy module's action registry).
    const env = { ...process.env, POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? 'ERROR' };
    const child = spawn(process.execPath, [...tsxNodeArgs(), entry, moduleUrl, ...args], { stdio: 'inherit', env });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (code === EXIT_PASSED || code === EXIT_MISSED) resolve({ passed: code === EXIT_PASSED });
      else reject(new Error(`${fileURLToPath(moduleUrl)} exited with ${signal ?? `code ${code}`}`));
    });
  });
