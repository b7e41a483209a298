// `npm start`: the whole system on this machine, no AWS account needed.
import './polyfills.js';
import { relative } from 'node:path';
import { performance } from 'node:perf_hooks';
import { readLocalConfig } from './config.js';
import { startLocalStack, type LocalStack } from './stack.js';

function fail(error: unknown): never {
  console.error(`access-approvals local stack: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

let stack: LocalStack;
try {
  stack = await startLocalStack(readLocalConfig());
} catch (error) {
  fail(error);
}

const shownDataDir = relative(process.cwd(), stack.dataDir) || '.';
console.log(`access-approvals local stack ready in ${Math.round(performance.now())} ms`);
console.log(`HTTP API  ${stack.httpUrl}`);
// The pages people open: sign in on either with the local sign-in form (any email of the fixtures, e.g. alice@example.com).
console.log(`Pages     ${stack.httpUrl}/ (request and decide), ${stack.httpUrl}/audit (audit)`);
console.log(`AWS       ${stack.awsUrl} (DynamoDB, Step Functions, Proton, SSO Admin, Identity Store, Organizations)`);
console.log(`Data      ${shownDataDir.startsWith('..') ? stack.dataDir : shownDataDir}/`);

let stopping = false;
const stop = (signal: NodeJS.Signals): void => {
  if (stopping) {
    console.error(`${signal} again: exiting without a clean shutdown`);
    process.exit(1);
  }
  stopping = true;
  console.log(`${signal}: stopping (again to force)`);
  stack.close().then(
    () => process.exit(0),
    (error: unknown) => fail(error),
  );
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
