// GET /catalog
import { listPendingConnections } from './catalog/pendingConnections.js';
import { buildCatalog } from './catalog/catalog.js';
import { defaultDirectory } from './directory/identityCenter.js';
import { checkedPolicy } from './policy/currentPolicy.js';
import { resolveCaller } from './policy/eligibility.js';
import { protonLookupClient } from './shared/clients/proton.js';
import { callerIdentity, json, type HttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';

export const handler = httpHandler<HttpEvent>(async (event) => {
  const id = callerIdentity(event);
  const directory = defaultDirectory();
  const policy = await checkedPolicy(directory);
  const caller = await resolveCaller(policy, directory, { id, claims: event.requestContext.authorizer.jwt.claims });
  const catalog = await buildCatalog(policy, caller, {
    directory,
    pendingConnections: () => listPendingConnections(protonLookupClient()),
  });
  return json(200, catalog);
});
