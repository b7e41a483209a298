// One request's timeline, opened from its row: what was asked, the names it was shown under, every decision and
// every event, and the outcome or error. Closing it puts focus back on the button that opened it.
import { isLoudStatus, statusName } from '../../functions/requests/statusLabels.js';
import { callJson } from '../shared/api.js';
import { byId, type Child, el, plural, utcTime } from '../shared/dom.js';
import { announce, clearError } from '../shared/messages.js';
import {
  channelWords,
  decisionBadge,
  hasName,
  isEmpty,
  permissionSetText,
  pretty,
  principalText,
  statusBadge,
  targetOf,
} from './format.js';
import type { RequestView } from './view.js';

const field = (label: string, ...value: Child[]): HTMLElement[] => [el('dt', '', label), el('dd', '', ...value)];

/** The names a request was shown under, each with its id; nothing for requests stored before names existed. */
const namesFields = (view: RequestView): HTMLElement[] => {
  const d = view.display && typeof view.display === 'object' ? view.display : undefined;
  if (!d) return [];
  const parts: HTMLElement[] = [];
  if (hasName(d.requester)) parts.push(...field('Requester name', d.requester.name));
  if (d.principal?.id) parts.push(...field('For', principalText(d.principal), ' ', el('code', '', d.principal.id)));
  if (d.permissionSet?.arn) {
    parts.push(
      ...field(
        'Permission set',
        permissionSetText(d.permissionSet),
        d.permissionSet.description ? el('span', 'muted', ` \u2013 ${d.permissionSet.description}`) : null,
      ),
    );
  }
  if (d.account?.id) {
    parts.push(...field('Account', hasName(d.account) ? `${d.account.name} ` : '', el('code', '', d.account.id)));
  }
  return parts;
};

const renderTimeline = (view: RequestView, targetParameters: Record<string, string>): void => {
  const approvals = Array.isArray(view.approvals) ? view.approvals : [];
  const events = Array.isArray(view.events) ? view.events : [];
  const approvers = Array.isArray(view.approvers) ? view.approvers : [];
  const parts: HTMLElement[] = [];
  if (isLoudStatus(view.status)) {
    parts.push(
      el(
        'div',
        'notice bad',
        el(
          'p',
          '',
          el('strong', '', `\u26a0 ${statusName(view.status)}: `),
          view.error ? `${view.error.name || 'Error'}: ${view.error.message || ''}` : 'see the events below.',
        ),
      ),
    );
  }
  parts.push(
    el(
      'dl',
      '',
      ...field('Summary', view.summary),
      ...field('Request ID', el('code', '', view.requestId)),
      ...field('Action', el('code', '', view.action)),
      ...field('Target', el('code', '', targetOf(view, targetParameters))),
      ...field('Requested by', view.requester),
      ...namesFields(view),
      ...field('Justification', view.justification),
      ...field('Status', statusBadge(view.status)),
      ...field('Created', utcTime(view.createdAt)),
      ...field('Last updated', utcTime(view.updatedAt)),
      ...field('Approval window ends', utcTime(view.expiresAt)),
      ...field(
        'Approvers',
        approvers.join(', ') || 'none',
        el('span', 'muted', ` (${plural(Number(view.minApprovals) || 1, 'approval')} required)`),
      ),
      ...field('Parameters', el('pre', '', pretty(view.parameters || {}))),
    ),
  );
  parts.push(el('h3', '', 'Approvals'));
  parts.push(
    approvals.length === 0
      ? el('p', 'muted', 'No decisions recorded.')
      : el(
          'ul',
          'approvals',
          ...approvals.map((a) =>
            el(
              'li',
              '',
              el(
                'div',
                'event-head',
                el('strong', '', a.approver),
                decisionBadge(a.decision),
                el('span', 'muted', utcTime(a.at, true), ` via ${channelWords(a.via)}`),
              ),
              a.comment ? el('blockquote', '', a.comment) : null,
            ),
          ),
        ),
  );
  parts.push(el('h3', '', `Events (${events.length})`));
  parts.push(
    events.length === 0
      ? el('p', 'muted', 'No events recorded.')
      : el(
          'ol',
          'events',
          ...events.map((e) =>
            el(
              'li',
              /fail|error/i.test(String(e.type)) ? 'loud' : '',
              el('div', 'event-head', utcTime(e.at, true), el('strong', 'event-type', e.type)),
              // A detail that is not JSON is shown as written, not as an escaped JSON string.
              isEmpty(e.detail) ? null : el('pre', '', typeof e.detail === 'string' ? e.detail : pretty(e.detail)),
            ),
          ),
        ),
  );
  if (view.outcome !== undefined) parts.push(el('h3', '', 'Outcome'), el('pre', '', pretty(view.outcome)));
  if (view.error) {
    parts.push(
      el('h3', '', 'Error'),
      el(
        'div',
        'notice bad',
        el('p', '', el('strong', '', view.error.name || 'Error')),
        el('p', '', view.error.message || ''),
      ),
    );
  }
  byId('timeline-body').replaceChildren(...parts);
  byId('timeline-heading').textContent = `Timeline of request ${view.requestId}`;
};

export interface Timeline {
  open(requestId: string, from: HTMLElement): Promise<void>;
  close(restoreFocus: boolean): void;
}

export const timelineSection = (options: {
  targetParameters: Record<string, string>;
  fail(error: unknown): void;
}): Timeline => {
  const section = byId('timeline');
  let opener: HTMLElement | null = null;

  const open = async (requestId: string, from: HTMLElement): Promise<void> => {
    clearError();
    announce('Loading the timeline…');
    try {
      renderTimeline(
        await callJson<RequestView>(`requests/${encodeURIComponent(requestId)}`),
        options.targetParameters,
      );
      opener = from;
      section.hidden = false;
      announce('');
      byId('timeline-heading').focus();
    } catch (error) {
      announce('');
      options.fail(error);
    }
  };
  const close = (restoreFocus: boolean): void => {
    section.hidden = true;
    byId('timeline-body').replaceChildren();
    if (restoreFocus && opener?.isConnected) opener.focus();
    opener = null;
  };

  byId('close-timeline').addEventListener('click', () => close(true));
  section.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') close(true);
  });
  return { open, close };
};
