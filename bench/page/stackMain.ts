// Entry of a child process that holds one local stack for the page scenario: `stackMain.ts <fixtures file> <policy
// file> <data dir>`. A process per stack, because a cold catalog needs empty directory caches and handlers keep theirs
// for the life of the process (local/stack.ts). It prints the stack's URLs on one line, then runs until its stdin
// closes, so the stack ends with the scenario even when the scenario dies. The polyfills go first, as in run.ts.
import '../../local/polyfills.js';
import { startLocalStack } from '../../local/stack.js';
import { STACK_READY_PREFIX } from './stackProcess.js';

const [fixtures, policyFile, dataDir] = process.argv.slice(2);

const main = async (): Promise<void> => {
  if (!fixtures || !policyFile || !dataDir) throw new Error('usage: stackMain.ts <fixtures> <policy> <data dir>');
  const stack = await startLocalStack({ port: 0, awsPort: 0, dataDir, quiet: true, fixtures, policyFile });
  process.stdout.write(`${STACK_READY_PREFIX}${JSON.stringify({ httpUrl: stack.httpUrl, awsUrl: stack.awsUrl })}\n`);
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
