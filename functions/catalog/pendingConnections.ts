// The Proton side of the catalog: the environment account connections waiting for this management account to
// accept them. AWS Proton reached end of support on 2026-10-07; the action, and so this listing, stay supported.
import { ListEnvironmentAccountConnectionsCommand, type ProtonClient } from '@aws-sdk/client-proton';
import { TtlCache } from '../directory/ttlCache.js';
import type { Clock } from '../shared/clock.js';

export interface PendingConnection {
  id: string;
  environmentName: string;
  environmentAccountId: string;
}

/** ListEnvironmentAccountConnections' largest page (maxResults, 1-100, from the Proton API model). */
const PAGE_SIZE = 100;
/** Far above any real number of pending connections, yet finite: a service that pages forever fails loudly. */
const MAX_PAGES = 100;

/** Every PENDING connection requested of this (management) account, all pages, filtered by AWS. */
export const listPendingConnections = async (proton: ProtonClient): Promise<PendingConnection[]> => {
  const connections: PendingConnection[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const answer = await proton.send(
      new ListEnvironmentAccountConnectionsCommand({
        requestedBy: 'MANAGEMENT_ACCOUNT',
        statuses: ['PENDING'],
        maxResults: PAGE_SIZE,
        ...(nextToken ? { nextToken } : {}),
      }),
    );
    for (const { id, environmentName, environmentAccountId } of answer.environmentAccountConnections ?? []) {
      // The model marks all three required in a summary; one without them could not be matched or shown.
      if (id && environmentName && environmentAccountId)
        connections.push({ id, environmentName, environmentAccountId });
    }
    if (!answer.nextToken) return connections;
    // A token that does not move would page forever; failing beats offering part of the list as all of it.
    if (answer.nextToken === nextToken) break;
    nextToken = answer.nextToken;
  }
  throw new Error(
    `ListEnvironmentAccountConnections did not end (${MAX_PAGES} pages, or a NextToken that stopped moving)`,
  );
};

export interface PendingConnectionsCacheDeps {
  proton: () => ProtonClient;
  clock: Clock;
  /** How long a listing is served after it settles, in ms; 0 keeps only the sharing of a listing in flight. */
  ttlMs: number;
}

/**
 * The pending connections for every caller of a warm function: callers asking at the same time share one listing
 * (all its pages), and a listing is served for `ttlMs` after it settles. A failed listing is not kept. The accept
 * itself re-checks the connection (GetEnvironmentAccountConnection at submit), so a stale entry can be offered but
 * not accepted.
 */
export const createPendingConnectionsCache = (
  deps: PendingConnectionsCacheDeps,
): (() => Promise<PendingConnection[]>) => {
  const cache = new TtlCache<'pending', PendingConnection[]>({ clock: deps.clock, ttlMs: deps.ttlMs, maxEntries: 1 });
  return () => cache.get('pending', () => listPendingConnections(deps.proton()));
};
