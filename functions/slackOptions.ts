// POST /slack/options: the options of the `/access` modal's account and permission-set selects, from the person's own
// catalog (functions/slack/options.ts). Slack signs these requests like every other; an unmapped Slack user is offered
// nothing (and logged), and learns why when they submit.
import { catalogForPerson } from './catalog/forPerson.js';
import type { Catalog } from './catalog/catalog.js';
import { defaultDirectory } from './directory/identityCenter.js';
import { TtlCache } from './directory/ttlCache.js';
import { defaultSlackIdentity } from './notifications/channels.js';
import { currentPolicy } from './policy/currentPolicy.js';
import { NO_OPTIONS, optionsFor, parseBlockSuggestion } from './slack/options.js';
import { signedSlackRequest, verifySlackSignature } from './slack/signature.js';
import { personOrUnmapped } from './slack/payload.js';
import { claimsForPerson } from './slack/submission.js';
import { systemClock } from './shared/clock.js';
import { json, rawBody, type PublicHttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';
import { slackSigningSecret } from './shared/secrets.js';

/**
 * A person's catalog, per warm function: Slack asks once per keystroke, so one typed word is several requests within a
 * second or two. 30 s is well inside the directory's own group cache (about a minute), so nothing is offered for longer
 * than GET /catalog would offer it; submit re-checks everything anyway.
 */
const CATALOG_TTL_MS = 30_000;
const catalogs = new TtlCache<string, Catalog>({ clock: systemClock, ttlMs: CATALOG_TTL_MS, maxEntries: 500 });

export const handler = httpHandler<PublicHttpEvent>(async (event) => {
  const body = rawBody(event);
  verifySlackSignature(signedSlackRequest(event), await slackSigningSecret(), systemClock.now().getTime());
  const suggestion = parseBlockSuggestion(body);
  const person = await personOrUnmapped(
    (await defaultSlackIdentity()).personForSlackUser,
    suggestion.slackUserId,
    'options',
  );
  if (typeof person !== 'string') return json(200, NO_OPTIONS);
  const catalog = await catalogs.get(person, () =>
    catalogForPerson(
      { id: person, claims: claimsForPerson(currentPolicy().identity?.claim, person) },
      // SSO only: the modal has no Proton connections, so none are listed.
      { directory: defaultDirectory(), pendingConnections: async () => [] },
    ),
  );
  return json(200, optionsFor(catalog, suggestion));
});
