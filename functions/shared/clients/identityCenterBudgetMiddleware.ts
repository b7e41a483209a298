// The one place where an SSO Admin call meets the Identity Center budget (provisioning/identityCenterBudget.ts): an
// SDK middleware on the client, so no caller can forget it and every command of every function takes a token first.
// It also reports server faults back to the budget, which pauses every caller until a probe finds Identity Center
// answering again.
import { ListPermissionSetsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { isServerFault, type IdentityCenterBudget } from '../../provisioning/identityCenterBudget.js';
import { logger } from '../logger.js';

export interface BudgetedOptions {
  /** The longest a call may wait in process for its reserved send time, in wall ms; beyond it, IdentityCenterBusy. */
  maxWaitMs: number;
  /** The configured instance, for commands that name none (ListInstances). */
  instanceArn?: string;
  /**
   * The probe after a server-fault pause. Default: one ListPermissionSets (a cheap read of the instance) from a client
   * of its own that is not budgeted and makes one attempt.
   */
  probe?: (instanceArn: string) => Promise<void>;
}

/** The budget key of commands that name no instance, when none is configured (ListInstances, at discovery). */
export const NO_INSTANCE_KEY = 'no-instance';

let probeClient: SSOAdminClient | undefined;
const listOnePermissionSet = async (instanceArn: string): Promise<void> => {
  probeClient ??= new SSOAdminClient({ maxAttempts: 1 });
  await probeClient.send(new ListPermissionSetsCommand({ InstanceArn: instanceArn, MaxResults: 1 }));
};

/** Adds the budget to `client` (once: the middleware is named, so a second call replaces it) and returns the client. */
export const budgeted = <Client extends SSOAdminClient>(
  client: Client,
  budget: IdentityCenterBudget,
  options: BudgetedOptions,
): Client => {
  const probe = options.probe ?? listOnePermissionSet;
  client.middlewareStack.add(
    (next) => async (args) => {
      const { InstanceArn } = args.input as { InstanceArn?: unknown };
      const instanceArn = typeof InstanceArn === 'string' ? InstanceArn : (options.instanceArn ?? NO_INSTANCE_KEY);
      await budget.take(instanceArn, {
        maxWaitMs: options.maxWaitMs,
        // Without an instance there is nothing to probe with; the caller's own call is the probe.
        ...(instanceArn === NO_INSTANCE_KEY ? {} : { probe: () => probe(instanceArn) }),
      });
      try {
        return await next(args);
      } catch (error) {
        if (isServerFault(error)) {
          await budget.serverFault(instanceArn).catch((pauseError: unknown) => {
            // The call's own error is what the caller must see; a pause not written only costs other callers a retry.
            logger.warn('Could not pause the Identity Center budget', { errorName: (pauseError as Error).name });
          });
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'identityCenterBudget', override: true },
  );
  return client;
};
