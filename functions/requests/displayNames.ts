// The words every reader of a request uses for its people and resources: the `display` snapshot's names where the
// request has one (resolved at submit, DESIGN.md "Names everywhere"), else the ids exactly as before names existed.
// Plain text only: each output context (mrkdwn, HTML, CSV) escapes what it takes from here, since every name was
// typed by someone (a directory admin, an account owner) and may be hostile.
import type { RequestDisplay, RequestItem } from './model.js';

/** A name that is the id itself was not resolved at submit; showing it twice would only add noise. */
const resolved = (name: { id: string; name: string }): boolean => name.name !== '' && name.name !== name.id;

/** Who asked, as approvers read it: "Alice Liddell", or the requester id when there is no name. */
export const requesterName = (item: Pick<RequestItem, 'requester' | 'display'>): string => {
  const requester = item.display?.requester;
  return requester && resolved(requester) ? requester.name : item.requester;
};

/** Who asked, with the id an auditor needs: "Alice Liddell (alice@example.com)", or the id alone. */
export const requesterWithId = (item: Pick<RequestItem, 'requester' | 'display'>): string => {
  const name = requesterName(item);
  return name === item.requester ? item.requester : `${name} (${item.requester})`;
};

/** "payments-prod (111122223333)", or the account id alone when its name is unknown. */
export const accountLabel = (account: NonNullable<RequestDisplay['account']>): string =>
  resolved(account) ? `${account.name} (${account.id})` : account.id;

/** The account's name when it has one (the id is shown next to it by the caller), else undefined. */
export const accountName = (display: RequestDisplay | undefined): string | undefined =>
  display?.account && resolved(display.account) ? display.account.name : undefined;

/** The permission set's name ("PowerUser"), or the last part of its ARN ("ps-…") when the name is unknown. */
export const permissionSetName = (permissionSet: NonNullable<RequestDisplay['permissionSet']>): string =>
  permissionSet.name !== '' && permissionSet.name !== permissionSet.arn
    ? permissionSet.name
    : (permissionSet.arn.split('/').pop() ?? permissionSet.arn);

/**
 * For whom the grant is: "Alice Liddell (alice)" for a user with a user name, "group Engineers" for a group, and
 * "user f81d…" / "group 9a8b…" when the name is unknown.
 */
export const principalLabel = (principal: NonNullable<RequestDisplay['principal']>): string => {
  const kind = principal.type === 'GROUP' ? 'group' : 'user';
  if (!resolved(principal)) return `${kind} ${principal.id}`;
  if (principal.type === 'GROUP') return `group ${principal.name}`;
  return principal.userName && principal.userName !== principal.name
    ? `${principal.name} (${principal.userName})`
    : principal.name;
};

/**
 * Whether the grant is for the requester's own user. The snapshot holds no link between the two, so their resolved
 * names are compared; when in doubt the principal is named, which is never wrong, only longer.
 */
export const principalIsRequester = (display: RequestDisplay): boolean =>
  display.principal?.type === 'USER' &&
  resolved(display.principal) &&
  resolved(display.requester) &&
  display.principal.name === display.requester.name;

/** Whole minutes as "2 h", "45 min" or "1 h 30 min": the short form approvers read in a headline. */
export const shortDuration = (minutes: number): string => {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return [hours ? `${hours} h` : '', rest ? `${rest} min` : ''].filter(Boolean).join(' ') || `${minutes} min`;
};

/**
 * The parts of the one-line ask approvers read ("Alice Liddell asks for PowerUser on payments-prod (111122223333)
 * for 2 h"), for a request whose snapshot names the permission set and the account; undefined otherwise (Proton
 * requests, and requests stored before names), where readers keep the summary as before.
 */
export interface AskParts {
  requester: string;
  permissionSet: string;
  account: string;
  /** The account id, shown next to a resolved name; undefined when `account` is the id itself. */
  accountId?: string;
  /** For whom, when it is not the requester's own user. */
  principal?: string;
  /** "2 h", when the grant is time-bound. */
  duration?: string;
}

export const askParts = (
  item: Pick<RequestItem, 'requester' | 'display' | 'durationMinutes'>,
): AskParts | undefined => {
  const display = item.display;
  if (!display?.permissionSet || !display.account) return undefined;
  const named = resolved(display.account);
  const minutes = item.durationMinutes;
  return {
    requester: requesterName(item),
    permissionSet: permissionSetName(display.permissionSet),
    account: named ? display.account.name : display.account.id,
    ...(named ? { accountId: display.account.id } : {}),
    ...(display.principal && !principalIsRequester(display) ? { principal: principalLabel(display.principal) } : {}),
    ...(typeof minutes === 'number' && Number.isFinite(minutes) && minutes > 0
      ? { duration: shortDuration(Math.floor(minutes)) }
      : {}),
  };
};

/** The ask as plain text, e.g. for a notification's fallback text or a page title. */
export const askText = (parts: AskParts): string =>
  `${parts.requester} asks for ${parts.permissionSet} on ${parts.account}` +
  (parts.accountId ? ` (${parts.accountId})` : '') +
  (parts.principal ? ` for ${parts.principal}` : '') +
  (parts.duration ? `${parts.principal ? ',' : ''} for ${parts.duration}` : '');
