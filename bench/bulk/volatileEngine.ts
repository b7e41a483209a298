// The local Step Functions engine without its state file, for the bulk scenario only (see stackWorker.ts).
//
// The engine persists by rewriting one JSON file with every execution's whole history, at most every 50 ms
// while anything changes. With 500 executions that file is 30-100 MB: each rewrite costs 150-500 ms of the
// one thread that also runs the handlers, dynalite and the HTTP API, so the stack spends most of its time
// persisting and Lambdas hit their 10 s timeout. AWS's own persistence costs our functions nothing, and
// crash recovery is not what this scenario measures, so here the engine keeps its executions in memory.
import { createStepFunctionsEmulator as createPersistent } from '../../local/emulators/stepFunctions.js';

export * from '../../local/emulators/stepFunctions.js';

export const VOLATILE_ENGINE_FLAG = '__accessApprovalsBenchVolatileEngine';

export const createStepFunctionsEmulator: typeof createPersistent = (options) => {
  (globalThis as Record<string, unknown>)[VOLATILE_ENGINE_FLAG] = true;
  return createPersistent({ ...options, stateFile: undefined });
};
