// The reconciler has no state machine behind it to retry a call, and one throttled listing ending a whole step would
// leave a watched account unchecked until the next run. So its SSO Admin client retries transient answers itself, a
// few times with capped, fully jittered backoff (AWS seconds, scaled locally). What counts as transient is
// provisioning's one classification (attempts.ts isTransient: everything but the errors no retry can fix), so the
// reconciler and the workflow never disagree about an error. The middleware sits outside the budget middleware, so
// every attempt takes its own token from the shared Identity Center budget. What still fails after that is thrown as
// it is; the step records it and the next run tries again.
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { isTransient } from '../provisioning/attempts.js';

export interface TransientRetryOptions {
  /** Attempts in all, the first included. */
  attempts: number;
  /** The first backoff's cap, in AWS seconds; it doubles per retry up to `maxDelaySeconds`. */
  baseSeconds: number;
  maxDelaySeconds: number;
  /** Wall seconds per AWS second. */
  timeScale: number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const retryTransient = <Client extends SSOAdminClient>(
  client: Client,
  options: TransientRetryOptions,
): Client => {
  const random = options.random ?? Math.random;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  client.middlewareStack.add(
    (next) => async (args) => {
      for (let attempt = 1; ; attempt += 1) {
        try {
          return await next(args);
        } catch (error) {
          if (attempt >= options.attempts || !isTransient(error)) throw error;
          const capSeconds = Math.min(options.maxDelaySeconds, options.baseSeconds * 2 ** (attempt - 1));
          await sleep(random() * capSeconds * 1000 * options.timeScale);
        }
      }
    },
    // Before (outside) the budget middleware of the same step, so each attempt takes the budget again.
    { step: 'initialize', priority: 'high', name: 'reconcilerTransientRetry', override: true },
  );
  return client;
};
