// The catalog of one person, as GET /catalog answers it and as Slack's `/access` options read it: the policy checked
// against the directory, the person resolved to their Identity Center user, and what they may request. On a cold
// function the policy check, the person's look-ups and the listings the catalog reads do not depend on one another,
// so they start together; each lands in the directory's caches. The awaits keep the order in which errors are
// reported: a broken policy before anything about the person.
import type { Directory } from '../directory/directory.js';
import { checkedPolicy, currentPolicy } from '../policy/currentPolicy.js';
import { resolveCaller } from '../policy/eligibility.js';
import { buildCatalog, type Catalog } from './catalog.js';
import type { PendingConnection } from './pendingConnections.js';
import { SSO_ASSIGNMENT_ACTION as SSO_ACTION } from '../actions/actionNames.js';

/** Starts a look-up now, for its cache's sake; its own caller awaits it later, so a failure here is not reported twice. */
const prefetch = (lookUp: () => Promise<unknown>): void => {
  lookUp().catch(() => undefined);
};

export interface PersonClaims {
  /** The person's id (a JWT's `email`, else `sub`; a Slack user's mapped person). */
  id: string;
  /** The claims the policy's `identity` mapping reads to find their Identity Center user. */
  claims: Readonly<Record<string, unknown>>;
}

export interface CatalogForPersonDeps {
  directory: Directory;
  /** The PENDING Proton connections; a caller that offers SSO only passes `async () => []`. */
  pendingConnections: () => Promise<PendingConnection[]>;
}

export const catalogForPerson = async (person: PersonClaims, deps: CatalogForPersonDeps): Promise<Catalog> => {
  const { directory } = deps;
  const policyChecked = checkedPolicy(directory);
  const callerResolved = (async () => {
    const policy = currentPolicy();
    if (policy.rules.some((rule) => rule.action === SSO_ACTION)) {
      prefetch(() => directory.permissionSets());
      prefetch(() => directory.organization());
    }
    const caller = await resolveCaller(policy, directory, person);
    const userId = caller.user?.userId;
    if (userId !== undefined) prefetch(() => directory.groupsOf(userId));
    return caller;
  })();
  callerResolved.catch(() => undefined);
  const policy = await policyChecked;
  const caller = await callerResolved;
  return buildCatalog(policy, caller, deps);
};
