// Runs the real handler modules named in serverless.yml in this process, the way Lambda calls them:
// `handler(event, context)` with a Lambda-like context. Events and results pass through as objects; errors
// propagate untouched so their `name` reaches Step Functions' ErrorEquals as it would from Lambda.
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import type { InvocationClock } from './invocationClock.js';
import type { FunctionDefinition, ServerlessConfig } from './serverlessConfig.js';

export const LOCAL_REGION = 'us-east-1';
export const LOCAL_ACCOUNT_ID = '000000000000';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

export interface LambdaRuntime {
  /** `functionName` is the serverless.yml name (`submit`), its deployed-style name, or a Lambda ARN of either. */
  invoke(functionName: string, event: unknown): Promise<unknown>;
  /**
   * Resolves once no invocation is running (ones that start meanwhile included), or after `timeoutMs`: a stack
   * closes its services only after the handlers using them are done, or their late calls hit a closed database.
   * Answers how many were still running when it stopped waiting (0: all done).
   */
  drain(timeoutMs: number): Promise<number>;
}

export interface LambdaRuntimeOptions {
  projectRoot: string;
  /** Only feeds `context.getRemainingTimeInMillis()`; an in-process handler cannot be stopped. */
  timeoutMs?: number;
  memoryLimitInMB?: number;
  /** Set: each handler call (its module load excluded) is timed, for the latency benchmark. */
  clock?: InvocationClock;
}

// Per-function values that are plain literals can be honoured locally; references (`Ref`, `${param:...}`,
// SSM names) cannot be evaluated here, and the stack sets plain local values for them instead.
const isLiteral = (value: unknown): value is string | number | boolean =>
  (typeof value === 'string' && !value.includes('${')) || typeof value === 'number' || typeof value === 'boolean';

/** The literal per-function environment values of serverless.yml, merged: handlers share one process.env. */
export const literalEnvironment = (config: ServerlessConfig): Record<string, string> => {
  const merged: Record<string, string> = {};
  for (const fn of config.functions) {
    for (const [name, value] of Object.entries(fn.environment)) {
      if (!isLiteral(value)) continue;
      const text = String(value);
      if (merged[name] !== undefined && merged[name] !== text) {
        throw new Error(
          `serverless.yml: functions set ${name} to different values; the local stack runs them in one process`,
        );
      }
      merged[name] = text;
    }
  }
  return merged;
};

const notSupported = (): never => {
  throw new Error('context.done/fail/succeed are not supported locally: return a Promise');
};

export const createLambdaRuntime = (config: ServerlessConfig, options: LambdaRuntimeOptions): LambdaRuntime => {
  const byName = new Map(config.functions.map((fn) => [fn.name, fn]));
  const deployedName = (fn: FunctionDefinition): string => `${config.service}-local-${fn.name}`;
  const byDeployedName = new Map(config.functions.map((fn) => [deployedName(fn), fn]));
  const handlers = new Map<string, Promise<Handler>>();
  const running = new Set<Promise<unknown>>();
  const timeoutMs = options.timeoutMs ?? 10_000;

  const resolveFunction = (nameOrArn: string): FunctionDefinition => {
    // arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]
    const name = nameOrArn.startsWith('arn:') ? (nameOrArn.split(':')[6] ?? '') : nameOrArn;
    const fn = byName.get(name) ?? byDeployedName.get(name);
    if (!fn) {
      const error = new Error(`Function not found: ${nameOrArn}`);
      error.name = 'ResourceNotFoundException';
      throw error;
    }
    return fn;
  };

  // Imported on first use, like a cold start, so a broken handler module only breaks its own routes.
  const loadHandler = (fn: FunctionDefinition): Promise<Handler> => {
    let loading = handlers.get(fn.name);
    if (!loading) {
      const url = pathToFileURL(join(options.projectRoot, `${fn.modulePath}.ts`)).href;
      loading = import(url).then((module: Record<string, unknown>) => {
        const handler = module[fn.exportName];
        if (typeof handler !== 'function')
          throw new Error(`${fn.modulePath}.ts does not export a function ${fn.exportName}`);
        return handler as Handler;
      });
      // A failed import is retried on the next invocation instead of being cached forever.
      loading.catch(() => handlers.delete(fn.name));
      handlers.set(fn.name, loading);
    }
    return loading;
  };

  const invoke = async (functionName: string, event: unknown): Promise<unknown> => {
    const fn = resolveFunction(functionName);
    const handler = await loadHandler(fn);
    const name = deployedName(fn);
    // A function's own timeout (the reconciler's 4 minutes) wins over the provider's, as in AWS.
    const deadline = Date.now() + (fn.timeoutSeconds !== undefined ? fn.timeoutSeconds * 1000 : timeoutMs);
    const awsRequestId = randomUUID();
    const context: Context = {
      callbackWaitsForEmptyEventLoop: true,
      functionName: name,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT_ID}:function:${name}`,
      memoryLimitInMB: String(options.memoryLimitInMB ?? 256),
      awsRequestId,
      logGroupName: `/aws/lambda/${name}`,
      logStreamName: `${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/[$LATEST]${awsRequestId.replace(/-/g, '')}`,
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: notSupported,
      fail: notSupported,
      succeed: notSupported,
    };
    return options.clock ? options.clock.measure(fn.name, () => handler(event, context)) : handler(event, context);
  };

  return {
    invoke(functionName, event) {
      const invocation = invoke(functionName, event);
      running.add(invocation);
      const forget = (): void => void running.delete(invocation);
      invocation.then(forget, forget);
      return invocation;
    },
    async drain(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (running.size > 0 && Date.now() < deadline) {
        let timer: NodeJS.Timeout | undefined;
        const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, deadline - Date.now())));
        await Promise.race([Promise.allSettled([...running]), expired]);
        clearTimeout(timer);
      }
      return running.size;
    },
  };
};
