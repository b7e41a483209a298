// Counts the calls a client sends (each attempt), for the run summary: the bench reports the reconciler's Identity
// Center calls from it.
import type { SSOAdminClient } from '@aws-sdk/client-sso-admin';

export const countCalls = (client: SSOAdminClient): (() => number) => {
  let calls = 0;
  client.middlewareStack.add(
    (next) => (args) => {
      calls += 1;
      return next(args);
    },
    { step: 'finalizeRequest', name: 'reconcilerCallCounter' },
  );
  return () => calls;
};
