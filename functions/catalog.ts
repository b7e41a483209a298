// GET /catalog
import { createPendingConnectionsCache } from './catalog/pendingConnections.js';
import { catalogForPerson } from './catalog/forPerson.js';
import { defaultDirectory } from './directory/identityCenter.js';
import { protonLookupClient } from './shared/clients/proton.js';
import { systemClock } from './shared/clock.js';
import { callerIdentity, json, type HttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';

// Shared by every caller of this warm function: concurrent calls share one listing. Kept for 0 ms after it settles,
// because a connection accepted or rejected a moment ago must leave the very next catalog (test/e2e/catalog.test.ts
// "drops one once it is no longer pending"); README "Caches" says what a longer TTL would buy.
const pendingConnections = createPendingConnectionsCache({ proton: protonLookupClient, clock: systemClock, ttlMs: 0 });

export const handler = httpHandler<HttpEvent>(async (event) => {
  const id = callerIdentity(event);
  const claims = event.requestContext.authorizer.jwt.claims;
  const catalog = await catalogForPerson({ id, claims }, { directory: defaultDirectory(), pendingConnections });
  return json(200, catalog);
});
