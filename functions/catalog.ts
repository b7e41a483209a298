// GET /catalog
import { createPendingConnectionsCache } from './catalog/pendingConnections.js';
import { buildCatalog } from './catalog/catalog.js';
import { defaultDirectory } from './directory/identityCenter.js';
import { checkedPolicy, currentPolicy } from './policy/currentPolicy.js';
import { resolveCaller } from './policy/eligibility.js';
import { protonLookupClient } from './shared/clients/proton.js';
import { systemClock } from './shared/clock.js';
import { callerIdentity, json, type HttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';

// Shared by every caller of this warm function: concurrent calls share one listing. Kept for 0 ms after it settles,
// because a connection accepted or rejected a moment ago must leave the very next catalog (test/e2e/catalog.test.ts
// "drops one once it is no longer pending"); README "Caches" says what a longer TTL would buy.
const pendingConnections = createPendingConnectionsCache({ proton: protonLookupClient, clock: systemClock, ttlMs: 0 });

/** Starts a look-up now, for its cache's sake; its own caller awaits it later, so a failure here is not reported twice. */
const prefetch = (lookUp: () => Promise<unknown>): void => {
  lookUp().catch(() => undefined);
};

const SSO_ACTION = 'sso:CreateAccountAssignment';

export const handler = httpHandler<HttpEvent>(async (event) => {
  const id = callerIdentity(event);
  const claims = event.requestContext.authorizer.jwt.claims;
  const directory = defaultDirectory();
  // On a cold function the policy check, the caller's look-ups and the listings the catalog reads do not depend on one
  // another, so they start together; each lands in the directory's caches. The awaits below keep the order in which
  // errors are reported: a broken policy before anything about the caller.
  const policyChecked = checkedPolicy(directory);
  const callerResolved = (async () => {
    const policy = currentPolicy();
    if (policy.rules.some((rule) => rule.action === SSO_ACTION)) {
      prefetch(() => directory.permissionSets());
      prefetch(() => directory.organization());
    }
    const caller = await resolveCaller(policy, directory, { id, claims });
    const userId = caller.user?.userId;
    if (userId !== undefined) prefetch(() => directory.groupsOf(userId));
    return caller;
  })();
  callerResolved.catch(() => undefined);
  const policy = await policyChecked;
  const caller = await callerResolved;
  const catalog = await buildCatalog(policy, caller, { directory, pendingConnections });
  return json(200, catalog);
});
