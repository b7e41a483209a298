// Entry of a child process that holds one local stack for the page scenario: `stackMain.ts <fixtures file> <policy
// file> <data dir>`. A process per stack, because a cold catalog needs empty directory caches and handlers keep theirs
// for the life of the process (local/stack.ts). It prints the stack's URLs on one line, then runs until its stdin
// closes, so the stack ends with the scenario even when the scenario dies. The polyfills go first, as in run.ts.
//
// With BENCH_PAGE_PRELOAD (routes, `GET /catalog,GET /`), the handler modules of those routes are imported before the
// stack is announced, from the address the stack's runtime imports them from (the same module instances): their
// code is loaded and their directory caches are still empty, which tells the local stack's loading of TypeScript
// source apart from the directory's cold listings.
import '../../local/polyfills.js';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadServerlessConfig, projectRoot } from '../../local/serverlessConfig.js';
import { startLocalStack } from '../../local/stack.js';
import { now } from '../lib/timing.js';
import { STACK_READY_PREFIX } from './stackProcess.js';

const [fixtures, policyFile, dataDir] = process.argv.slice(2);

/** Imports the handler modules of `routes` (`METHOD /path`), as local/lambdaRuntime.ts does on a first call. */
const preload = async (routes: readonly string[]): Promise<number> => {
  const config = loadServerlessConfig();
  const start = now();
  for (const wanted of routes) {
    const route = config.routes.find((r) => `${r.method} ${r.path}` === wanted);
    const fn = config.functions.find((f) => f.name === route?.functionName);
    if (!fn) throw new Error(`BENCH_PAGE_PRELOAD: serverless.yml serves no ${wanted}`);
    await import(pathToFileURL(join(projectRoot, `${fn.modulePath}.ts`)).href);
  }
  return now() - start;
};

const main = async (): Promise<void> => {
  if (!fixtures || !policyFile || !dataDir) throw new Error('usage: stackMain.ts <fixtures> <policy> <data dir>');
  const stack = await startLocalStack({ port: 0, awsPort: 0, dataDir, quiet: true, fixtures, policyFile });
  const preloadMs = await preload((process.env.BENCH_PAGE_PRELOAD ?? '').split(',').filter(Boolean));
  process.stdout.write(
    `${STACK_READY_PREFIX}${JSON.stringify({ httpUrl: stack.httpUrl, awsUrl: stack.awsUrl, preloadMs })}\n`,
  );
  await new Promise<void>((resolve) => {
    process.stdin.on('end', resolve).on('close', resolve).resume();
  });
  await stack.close();
};

// exitCode, not process.exit(): the child ends once the stack has closed everything it opened.
main().then(
  () => {
    process.exitCode = 0;
  },
  (error: unknown) => {
    console.error(error);
    process.exitCode = 2;
  },
);
