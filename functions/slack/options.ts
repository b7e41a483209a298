// The options of the `/access` modal's external selects (POST /slack/options). Slack sends a `block_suggestion`
// payload each time the person types in one ("Select menu element", external_select, and its options load URL:
// https://docs.slack.dev/reference/block-kit/block-elements/select-menu-element), and shows what comes back: `options`,
// or `option_groups`, at most 100 of them. What is offered is the person's own catalog, SSO only: accounts by name or
// id, and permission sets by name, narrowed to the chosen account when one is chosen (the payload carries the view's
// state). A list cut at Slack's 100 says so in its group label, so part is never shown as if it were all.
import type { Catalog, SsoCatalogEntry } from '../catalog/catalog.js';
import { BLOCK, fitText } from './modal.js';
import { inputState, invalid, isRecord, readPayload, SLACK_ID } from './payload.js';

/**
 * Slack's limits on what an options load answers (Block Kit "Option object" and "Option group object" references,
 * https://docs.slack.dev/reference/block-kit/composition-objects/option-object and .../option-group-object): at most
 * 100 options (in one group here), option text at most 75 characters, value at most 150, a group label at most 75.
 */
export const OPTION_LIMITS = { options: 100, textChars: 75, valueChars: 150, labelChars: 75 } as const;

export interface BlockSuggestion {
  slackUserId: string;
  /** Which select is asking: the account or the permission-set block. */
  blockId: typeof BLOCK.account | typeof BLOCK.permissionSet;
  /** What the person typed so far. */
  typed: string;
  /** The account already chosen in the modal, if any: permission sets are then offered for it only. */
  chosenAccountId?: string;
}

export interface SlackOption {
  text: { type: 'plain_text'; text: string };
  value: string;
}

export type OptionsAnswer =
  | { options: SlackOption[] }
  | { option_groups: Array<{ label: { type: 'plain_text'; text: string }; options: SlackOption[] }> };

/** What Slack allows a typed query to be; longer is not a person typing. */
const MAX_TYPED_CHARS = 150;

/** The selected value of a select in the view's state, `view.state.values[block_id][action_id].selected_option.value`. */
export const selectedValue = (view: unknown, blockId: string): string | undefined => {
  const option = inputState(view, blockId)?.selected_option;
  return isRecord(option) && typeof option.value === 'string' ? option.value : undefined;
};

/** Reads the `payload` field of Slack's form-encoded block_suggestion. */
export const parseBlockSuggestion = (rawBody: string): BlockSuggestion => {
  const payload = readPayload(rawBody, 'block_suggestion');
  const user = payload.user;
  const slackUserId = isRecord(user) && typeof user.id === 'string' ? user.id : '';
  if (!SLACK_ID.test(slackUserId)) throw invalid('payload.user.id', 'must be a Slack user id');
  const blockId = payload.block_id;
  if (blockId !== BLOCK.account && blockId !== BLOCK.permissionSet)
    throw invalid('payload.block_id', `must be one of: ${BLOCK.account}, ${BLOCK.permissionSet}`);
  if (payload.action_id !== blockId) throw invalid('payload.action_id', `must be ${blockId}`);
  const typed = payload.value ?? '';
  if (typeof typed !== 'string' || [...typed].length > MAX_TYPED_CHARS)
    throw invalid('payload.value', `must be text of at most ${MAX_TYPED_CHARS} characters`);
  const chosenAccountId = selectedValue(payload.view, BLOCK.account);
  return {
    slackUserId,
    blockId,
    typed,
    ...(chosenAccountId && /^\d{12}$/.test(chosenAccountId) ? { chosenAccountId } : {}),
  };
};

/** Cuts text to Slack's option limit, marking the cut. */

const option = (text: string, value: string): SlackOption => ({
  text: { type: 'plain_text', text: fitText(text, OPTION_LIMITS.textChars) },
  value,
});

interface Offer {
  /** What the filter matches, lower-cased. */
  keys: string[];
  sortKey: string;
  option: SlackOption;
}

/**
 * What the catalog offers for one select, deduplicated and sorted by name. Computed once per catalog object (a
 * WeakMap: a person's cached catalog keeps its index; a new catalog gets a new one).
 */
const offersByCatalog = new WeakMap<Catalog, { accounts: Offer[]; permissionSets: Map<string | undefined, Offer[]> }>();

const ssoEntries = (catalog: Catalog): SsoCatalogEntry[] =>
  catalog.entries.filter((e): e is SsoCatalogEntry => e.action === 'sso:CreateAccountAssignment');

const byName = (a: Offer, b: Offer) =>
  a.sortKey.localeCompare(b.sortKey) || a.option.value.localeCompare(b.option.value);

const offersOf = (catalog: Catalog) => {
  let offers = offersByCatalog.get(catalog);
  if (!offers) {
    const accounts = new Map<string, Offer>();
    for (const entry of ssoEntries(catalog))
      for (const account of entry.accounts)
        if (!accounts.has(account.id))
          accounts.set(account.id, {
            keys: [account.name.toLowerCase(), account.id],
            sortKey: account.name.toLowerCase(),
            option: option(account.name === account.id ? account.id : `${account.name} (${account.id})`, account.id),
          });
    offers = { accounts: [...accounts.values()].sort(byName), permissionSets: new Map() };
    offersByCatalog.set(catalog, offers);
  }
  return offers;
};

/** Permission sets by name for one account (or every account), deduplicated and sorted; kept with the catalog. */
const permissionSetOffers = (catalog: Catalog, accountId: string | undefined): Offer[] => {
  const offers = offersOf(catalog);
  const cached = offers.permissionSets.get(accountId);
  if (cached) return cached;
  const names = new Map<string, Offer>();
  for (const entry of ssoEntries(catalog)) {
    if (accountId !== undefined && !entry.accounts.some((a) => a.id === accountId)) continue;
    for (const ps of entry.permissionSets)
      if (!names.has(ps.name))
        names.set(ps.name, {
          keys: [ps.name.toLowerCase()],
          sortKey: ps.name.toLowerCase(),
          // The name is the value: submit takes PermissionSetName, and names are at most 32 characters.
          option: option(ps.name, ps.name),
        });
  }
  const list = [...names.values()].sort(byName);
  offers.permissionSets.set(accountId, list);
  return list;
};

/**
 * The answer for one suggestion: the offers whose name (or account id) contains what was typed, case-insensitively,
 * sorted by name; at most 100, and when more match, one group whose label says how many and asks for more typing.
 */
export const optionsFor = (catalog: Catalog, suggestion: BlockSuggestion): OptionsAnswer => {
  const all =
    suggestion.blockId === BLOCK.account
      ? offersOf(catalog).accounts
      : permissionSetOffers(catalog, suggestion.chosenAccountId);
  const typed = suggestion.typed.trim().toLowerCase();
  const matching = typed === '' ? all : all.filter((offer) => offer.keys.some((key) => key.includes(typed)));
  if (matching.length <= OPTION_LIMITS.options) return { options: matching.map((o) => o.option) };
  const label = `First ${OPTION_LIMITS.options} of ${matching.length}: type more to narrow`;
  return {
    option_groups: [
      {
        label: { type: 'plain_text', text: fitText(label, OPTION_LIMITS.labelChars) },
        options: matching.slice(0, OPTION_LIMITS.options).map((o) => o.option),
      },
    ],
  };
};

/** What an unmapped Slack user is offered: nothing (the submit then tells them why). */
export const NO_OPTIONS: OptionsAnswer = { options: [] };
