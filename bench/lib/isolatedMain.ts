// Entry of a child started by runIsolated: `isolatedMain.ts <module URL> [args...]`. The polyfills go first, as in
// run.ts: the local stack's workflow engine needs them before it is imported.
import '../../local/polyfills.js';
import { EXIT_MISSED, EXIT_PASSED, type IsolatedScenario } from './isolate.js';

const [moduleUrl, ...args] = process.argv.slice(2);

const main = async (): Promise<number> => {
  if (!moduleUrl) throw new Error('usage: isolatedMain.ts <module URL> [args...]');
  const scenario = (await import(moduleUrl)) as Partial<IsolatedScenario>;
  if (typeof scenario.runInProcess !== 'function') throw new Error(`${moduleUrl} does not export runInProcess`);
  const { passed } = await scenario.runInProcess(args);
  return passed ? EXIT_PASSED : EXIT_MISSED;
};

// exitCode, not process.exit(), as in run.ts: the child must end because everything was closed. A crash exits 2,
// which runIsolated reports as an error rather than a missed target.
main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
