// Worker threads running TypeScript. Module hooks are per thread and tsx registers its own only on the main
// thread (an `--import tsx` in a worker's execArgv is not honoured on Node 20), so the worker starts from a tiny
// script that registers tsx first and then imports the real module.
import { Worker } from 'node:worker_threads';

export const startTsWorker = (module: URL, workerData: unknown): Worker => {
  const tsx = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(module.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData });
};
