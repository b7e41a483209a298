// How one request reads on the access page: its title by name, its status badge and its timeline. Shared by "My
// requests" and "Waiting for me". Every value from the API goes into the DOM as text (el() makes text nodes).
import { DECISION_CHANNEL_WORDS, type RequestView } from '../../functions/requests/model.js';
import { isLoudStatus, statusName } from '../../functions/requests/statusLabels.js';
import { el, utcTime } from '../shared/dom.js';
import { durationInWords } from './catalogChoices.js';

/** "PowerUser on payments-prod", from the names stored at submit; the summary for requests without them. */
export const titleOf = (request: RequestView): string => {
  const { permissionSet, account } = request.display ?? {};
  if (permissionSet?.name && account?.name) return `${permissionSet.name} on ${account.name}`;
  return request.summary || request.action;
};

export const isLoud = isLoudStatus;

export const statusBadge = (status: string): HTMLElement =>
  el('span', `badge s-${status.replace(/[^A-Z_]/g, '')}${isLoudStatus(status) ? ' loud' : ''}`, statusName(status));

/** Who asked, in words: the requester's name with the id after it when they differ. */
export const requesterOf = (request: RequestView): string => {
  const named = request.display?.requester;
  return named?.name && named.name !== request.requester ? `${named.name} (${request.requester})` : request.requester;
};

/** The facts line under a request's title: when it was asked, for how long, until when. */
export const factsOf = (request: RequestView): HTMLElement => {
  const facts = el('p', 'facts muted', 'Asked ', utcTime(request.createdAt));
  if (request.durationMinutes !== undefined) facts.append(` · for ${durationInWords(request.durationMinutes)}`);
  if (request.activeUntil && request.status === 'ACTIVE') facts.append(' · access ends ', utcTime(request.activeUntil));
  if (request.display?.account?.id) facts.append(' · account ', el('code', '', request.display.account.id));
  return facts;
};

/** The decisions so far, one line each. */
export const approvalsOf = (request: RequestView): HTMLElement | undefined => {
  if (request.approvals.length === 0) return undefined;
  return el(
    'ul',
    'approvals',
    ...request.approvals.map((a) =>
      el(
        'li',
        '',
        el(
          'span',
          `badge d-${a.decision === 'deny' ? 'deny' : 'approve'}`,
          a.decision === 'deny' ? 'Denied' : 'Approved',
        ),
        ` by ${a.approver} via ${DECISION_CHANNEL_WORDS[a.via] ?? a.via} `,
        utcTime(a.at),
        a.comment ? el('blockquote', '', a.comment) : undefined,
      ),
    ),
  );
};

/** An event's detail in a line: the fields people read, not the JSON around them. */
const detailText = (detail: unknown): string => {
  if (detail === undefined || detail === null) return '';
  if (typeof detail !== 'object') return String(detail);
  const entries = Object.entries(detail as Record<string, unknown>).filter(
    ([, value]) => value !== undefined && value !== null && value !== '',
  );
  return entries
    .map(([key, value]) => `${key}: ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`)
    .join(' · ');
};

/** The request's history, oldest first, as the API keeps it. */
export const timelineOf = (request: RequestView): HTMLElement => {
  if (request.events.length === 0) return el('p', 'muted', 'No events recorded yet.');
  return el(
    'ol',
    'events',
    ...request.events.map((event) => {
      const detail = detailText(event.detail);
      return el(
        'li',
        /fail|error|overdue/i.test(event.type) ? 'loud' : '',
        el('div', 'event-head', utcTime(event.at, true), el('strong', '', event.type.replace(/[_-]+/g, ' '))),
        detail ? el('p', 'event-detail', detail) : undefined,
      );
    }),
  );
};
