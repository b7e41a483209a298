// What the request form may offer, worked out from GET /catalog (DESIGN.md, "GET /catalog"). The catalog is grouped by
// rule: each SSO entry is a rectangle of accounts × permission sets, and one account may sit in several entries (a rule
// for ReadOnly, another for PowerUser). The form offers only pairs some entry holds, and the entry of the chosen pair
// says who will be asked, how many approvals are needed and how long the grant may last. Pure functions: no DOM.

export interface CatalogAccount {
  id: string;
  name: string;
}

export interface CatalogPermissionSet {
  arn: string;
  name: string;
  description?: string;
}

interface CatalogDecision {
  approvers: string[];
  minApprovals: number;
  approvalRequired: boolean;
}

export interface SsoEntry extends CatalogDecision {
  action: 'sso:CreateAccountAssignment';
  accounts: CatalogAccount[];
  permissionSets: CatalogPermissionSet[];
  principals: string;
  maxDurationMinutes: number;
}

export interface PendingConnection {
  id: string;
  environmentName?: string;
  environmentAccountId?: string;
}

export interface ProtonEntry extends CatalogDecision {
  action: 'proton:AcceptEnvironmentAccountConnection';
  connections: PendingConnection[];
}

export interface Catalog {
  identity: { id: string; userId?: string; displayName?: string; groups: string[] };
  entries: Array<SsoEntry | ProtonEntry | { action: string }>;
}

export const isSsoEntry = (entry: Catalog['entries'][number]): entry is SsoEntry =>
  entry.action === 'sso:CreateAccountAssignment';
export const isProtonEntry = (entry: Catalog['entries'][number]): entry is ProtonEntry =>
  entry.action === 'proton:AcceptEnvironmentAccountConnection';

/** One pickable account or permission set: `key` identifies it, `label` is what a person reads and filters by. */
export interface Choice {
  key: string;
  label: string;
  /** Secondary text: the account id, or the permission set's description. */
  detail?: string;
  /** Lower-case text the filter searches. */
  search: string;
}

export interface CatalogChoices {
  /** Every account some entry offers, each once, by name. */
  accounts: Choice[];
  /** Every permission set some entry offers, each once, by name (the API submits by name). */
  permissionSets: Choice[];
  /** The permission-set names offered on an account; undefined for an account the catalog does not hold. */
  permissionSetsOn(accountId: string): ReadonlySet<string> | undefined;
  /** The accounts offering a permission set. */
  accountsWith(permissionSetName: string): ReadonlySet<string> | undefined;
  /** The entry that routes the pair: at most one, since the catalog subtracts what earlier rules take. */
  entryFor(accountId: string, permissionSetName: string): SsoEntry | undefined;
  connections: Array<{ connection: PendingConnection; entry: ProtonEntry }>;
}

const byLabel = (a: Choice, b: Choice): number => a.label.localeCompare(b.label) || a.key.localeCompare(b.key);

export const catalogChoices = (catalog: Catalog): CatalogChoices => {
  const accounts = new Map<string, Choice>();
  const permissionSets = new Map<string, Choice>();
  const setsByAccount = new Map<string, Set<string>>();
  const accountsBySet = new Map<string, Set<string>>();
  const entryByPair = new Map<string, SsoEntry>();
  const connections: CatalogChoices['connections'] = [];
  const pairKey = (accountId: string, name: string) => `${accountId}\u0000${name}`;

  for (const entry of catalog.entries) {
    if (isProtonEntry(entry)) {
      for (const connection of entry.connections) connections.push({ connection, entry });
      continue;
    }
    if (!isSsoEntry(entry)) continue;
    for (const account of entry.accounts) {
      if (!accounts.has(account.id)) {
        // A name that could not be resolved is the id itself: show it once.
        const named = account.name && account.name !== account.id;
        accounts.set(account.id, {
          key: account.id,
          label: named ? account.name : account.id,
          ...(named ? { detail: account.id } : {}),
          search: `${account.name} ${account.id}`.toLowerCase(),
        });
      }
      const sets = setsByAccount.get(account.id) ?? new Set<string>();
      setsByAccount.set(account.id, sets);
      for (const ps of entry.permissionSets) {
        sets.add(ps.name);
        const holders = accountsBySet.get(ps.name) ?? new Set<string>();
        accountsBySet.set(ps.name, holders);
        holders.add(account.id);
        // First entry wins, as routing tries rules in order.
        if (!entryByPair.has(pairKey(account.id, ps.name))) entryByPair.set(pairKey(account.id, ps.name), entry);
      }
    }
    for (const ps of entry.permissionSets) {
      if (!permissionSets.has(ps.name))
        permissionSets.set(ps.name, {
          key: ps.name,
          label: ps.name,
          ...(ps.description ? { detail: ps.description } : {}),
          search: ps.name.toLowerCase(),
        });
    }
  }

  return {
    accounts: [...accounts.values()].sort(byLabel),
    permissionSets: [...permissionSets.values()].sort(byLabel),
    permissionSetsOn: (accountId) => setsByAccount.get(accountId),
    accountsWith: (name) => accountsBySet.get(name),
    entryFor: (accountId, name) => entryByPair.get(pairKey(accountId, name)),
    connections,
  };
};

/**
 * The choices whose text contains every word typed, in any order ("pay prod" finds payments-prod), those whose label
 * starts with the text first. `allowed` narrows to what the other picker's choice leaves.
 */
export const filterChoices = (choices: readonly Choice[], typed: string, allowed?: ReadonlySet<string>): Choice[] => {
  const words = typed.toLowerCase().split(/\s+/).filter(Boolean);
  const text = words.join(' ');
  const kept = choices.filter(
    (choice) => (!allowed || allowed.has(choice.key)) && words.every((word) => choice.search.includes(word)),
  );
  if (!text) return kept;
  const starts = kept.filter((choice) => choice.label.toLowerCase().startsWith(text));
  return [...starts, ...kept.filter((choice) => !choice.label.toLowerCase().startsWith(text))];
};

/** "bob@example.com, dana@example.com and grace@example.com" */
export const listInWords = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;

/** 90 → "1 h 30 min"; 480 → "8 h"; 45 → "45 min". */
export const durationInWords = (minutes: number): string => {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
};
