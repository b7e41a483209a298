// How the audit page shows one request's parts: badges, targets, approvers and names, as DOM nodes of text.
import { DECISION_CHANNEL_WORDS, type DecisionChannel } from '../../functions/requests/model.js';
import { isLoudStatus, statusName } from '../../functions/requests/statusLabels.js';
import { el } from '../shared/dom.js';
import type { NamedRef, PermissionSetRef, RequestView } from './view.js';

export const statusBadge = (status: unknown): HTMLElement => {
  if (isLoudStatus(status)) {
    const icon = el('span', '', '\u26a0 ');
    icon.setAttribute('aria-hidden', 'true');
    return el('strong', 'badge loud', icon, statusName(status));
  }
  return el('span', `badge s-${String(status).replace(/[^A-Z_]/g, '')}`, statusName(status));
};

export const decisionBadge = (decision: unknown): HTMLElement =>
  el('span', `badge d-${decision === 'approve' ? 'approve' : 'deny'}`, decision === 'approve' ? 'Approved' : 'Denied');

export const channelWords = (via: unknown): string =>
  typeof via === 'string' && Object.hasOwn(DECISION_CHANNEL_WORDS, via)
    ? DECISION_CHANNEL_WORDS[via as DecisionChannel]
    : String(via);

/** The request's target: the view's own, else the parameter the action registry names as the action's target. */
export const targetOf = (item: RequestView, targetParameters: Record<string, string>): string => {
  const parameter = targetParameters[item.action];
  const fromParameters = item.parameters && parameter !== undefined ? item.parameters[parameter] : undefined;
  const target = item.targetId || fromParameters || '';
  return String(target);
};

export const approversCell = (item: RequestView): HTMLElement => {
  const decided = new Map((item.approvals ?? []).map((a) => [a.approver, a.decision]));
  const approvers = Array.isArray(item.approvers) ? item.approvers : [];
  if (approvers.length === 0) return el('span', 'muted', 'none');
  return el(
    'ul',
    'plain',
    ...approvers.map((approver) => {
      const decision = decided.get(approver);
      return el(
        'li',
        '',
        approver,
        decision ? el('span', 'muted', decision === 'approve' ? ' (approved)' : ' (denied)') : null,
      );
    }),
  );
};

/** Breaks only after the service prefix and between words, so a narrow column never splits a word. */
export const actionCode = (action: unknown): HTMLElement => {
  const parts = String(action).split(/(?<=:)|(?<=[a-z])(?=[A-Z])/);
  return el('code', '', ...parts.flatMap((part, i) => (i === 0 ? [part] : [document.createElement('wbr'), part])));
};

// ---- names: the display snapshot's names (DESIGN.md, "Names everywhere"). Requests stored before names existed
// have none; the ids stay in their columns either way.
export const NAME_HEADINGS = ['Who', 'Permission set', 'Account name'] as const;

export const hasName = (named: unknown): named is NamedRef & { name: string } =>
  typeof named === 'object' &&
  named !== null &&
  typeof (named as NamedRef).name === 'string' &&
  (named as NamedRef).name !== '' &&
  (named as NamedRef).name !== (named as NamedRef).id;

const none = (): HTMLElement => el('span', 'muted', '\u2014');

export const principalText = (p: NamedRef | undefined): string | null => {
  if (!hasName(p)) return p?.id ? (p.type === 'GROUP' ? 'group ' : 'user ') + p.id : null;
  if (p.type === 'GROUP') return `group ${p.name}`;
  return p.userName && p.userName !== p.name ? `${p.name} (${p.userName})` : p.name;
};

export const permissionSetText = (ps: PermissionSetRef | undefined): string | null => {
  if (!ps || typeof ps !== 'object') return null;
  return typeof ps.name === 'string' && ps.name !== '' && ps.name !== ps.arn
    ? ps.name
    : String(ps.arn || '')
        .split('/')
        .pop() || null;
};

export const nameCells = (item: RequestView): Array<string | HTMLElement> => {
  const d = item.display && typeof item.display === 'object' ? item.display : {};
  const who = hasName(d.requester) ? d.requester.name : null;
  const ps = permissionSetText(d.permissionSet);
  return [who || none(), ps || none(), hasName(d.account) ? d.account.name : none()];
};

// ---- details: Step Functions passes causes as JSON inside a string; unfolded, they read as the rest of the detail.
const unfold = (value: unknown): unknown => {
  if (typeof value === 'string' && /^\s*[[{]/.test(value)) {
    try {
      return unfold(JSON.parse(value));
    } catch {
      return value;
    }
  }
  if (Array.isArray(value)) return value.map(unfold);
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unfold(v)]));
  return value;
};

export const pretty = (value: unknown): string => JSON.stringify(unfold(value), null, 2);

export const isEmpty = (value: unknown): boolean =>
  value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0);
