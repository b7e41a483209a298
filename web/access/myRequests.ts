// "My requests": the person's own requests, newest first (GET /requests?requester=<me>), each with its status, a
// timeline (GET /requests/{id}), "End access now" on an ACTIVE grant (POST /requests/{id}/revoke, after a confirmation
// in place) and "Ask again". A refresh updates the list in place: an item is rebuilt only when it changed, and the
// control that had focus in it gets focus back, so polling never pulls the keyboard out from under a person.
import type { RequestView } from '../../functions/requests/model.js';
import { ApiError, callJson } from '../shared/api.js';
import { byId, el } from '../shared/dom.js';
import { announce, showError } from '../shared/messages.js';
import { approvalsOf, factsOf, isLoud, statusBadge, timelineOf, titleOf } from './requestViews.js';

/** First page size, and the step of "Show older requests"; the API serves at most 200 at once. */
const PAGE = 25;
const MAX_LIMIT = 200;
/** A request of mine asked this recently and still pending is one the person is likely watching. */
const FRESH_MS = 5 * 60_000;

interface RequestPage {
  items: RequestView[];
  nextCursor?: string;
}

export interface MyRequests {
  /** Fetches and shows the list; true when something is moving (the poller then asks sooner). */
  refresh(): Promise<boolean>;
  clear(): void;
  setIdentity(id: string): void;
}

interface Shown {
  node: HTMLElement;
  status: string;
  signature: string;
  timelineOpen: boolean;
  confirming: boolean;
  message?: string;
}

const signatureOf = (r: RequestView) =>
  [r.status, r.updatedAt, r.revokeRequestedBy ?? '', r.events.length, r.approvals.length].join('|');

/** Statuses in which the person is waiting on the system, not on people. */
const moving = (r: RequestView, now: number): boolean =>
  r.status === 'APPROVED' ||
  (r.status === 'ACTIVE' && r.revokeRequestedBy !== undefined) ||
  (r.status === 'PENDING_APPROVAL' && now - Date.parse(r.createdAt) < FRESH_MS);

export const myRequests = (options: { onAskAgain(request: RequestView): void }): MyRequests => {
  const list = byId<HTMLOListElement>('my-list');
  const count = byId<HTMLElement>('my-count');
  const more = byId<HTMLButtonElement>('my-more');
  const section = byId<HTMLElement>('mine');
  const shown = new Map<string, Shown>();
  let me = '';
  let limit = PAGE;
  let generation = 0;

  const idFor = (requestId: string, part: string) => `mine-${requestId.replace(/[^\w-]/g, '')}-${part}`;

  const loadTimeline = async (request: RequestView, box: HTMLElement) => {
    box.replaceChildren(el('p', 'muted', 'Loading the timeline…'));
    try {
      const full = await callJson<RequestView>(`requests/${encodeURIComponent(request.requestId)}`);
      box.replaceChildren(el('h4', '', 'Timeline'), timelineOf(full));
    } catch (error) {
      box.replaceChildren(
        el(
          'p',
          'field-error',
          `The timeline could not be loaded: ${error instanceof Error ? error.message : String(error)}`,
        ),
      );
    }
  };

  const revoke = async (request: RequestView, state: Shown) => {
    state.confirming = false;
    try {
      await callJson(`requests/${encodeURIComponent(request.requestId)}/revoke`, { method: 'POST' });
      state.message = 'Ending access now…';
      announce(`Ending access to ${titleOf(request)}.`);
    } catch (error) {
      state.message =
        error instanceof ApiError && error.status === 409
          ? 'This access is not active any more, so there is nothing to end.'
          : `Access was not ended: ${error instanceof Error ? error.message : String(error)}`;
      announce(state.message);
    }
    state.signature = '';
    await refresh();
    (shown.get(request.requestId)?.node.querySelector<HTMLElement>('[data-control="timeline"]') ?? list).focus();
  };

  const build = (request: RequestView, previous?: Shown): Shown => {
    const state: Shown = {
      node: el('li', 'request'),
      signature: signatureOf(request),
      status: request.status,
      timelineOpen: previous?.timelineOpen ?? false,
      confirming: (previous?.confirming ?? false) && request.status === 'ACTIVE' && !request.revokeRequestedBy,
      // What an action of the person's said stays until the status moves on; then the status says it.
      ...(previous?.message && previous.status === request.status ? { message: previous.message } : {}),
    };
    const title = titleOf(request);
    const titleId = idFor(request.requestId, 'title');
    const heading = el('h3', '', title);
    heading.id = titleId;
    const timelineId = idFor(request.requestId, 'timeline');
    const timelineBox = el('div', 'timeline');
    timelineBox.id = timelineId;
    timelineBox.hidden = !state.timelineOpen;

    const button = (text: string, control: string, className = 'secondary small') => {
      const b = el('button', className, text, el('span', 'visually-hidden', `: ${title}`)) as HTMLButtonElement;
      b.type = 'button';
      b.dataset.control = control;
      return b;
    };
    const timelineButton = button(state.timelineOpen ? 'Hide timeline' : 'Timeline', 'timeline');
    timelineButton.setAttribute('aria-expanded', String(state.timelineOpen));
    timelineButton.setAttribute('aria-controls', timelineId);
    timelineButton.addEventListener('click', () => {
      state.timelineOpen = !state.timelineOpen;
      timelineBox.hidden = !state.timelineOpen;
      timelineButton.setAttribute('aria-expanded', String(state.timelineOpen));
      timelineButton.firstChild?.replaceWith(state.timelineOpen ? 'Hide timeline' : 'Timeline');
      if (state.timelineOpen) void loadTimeline(request, timelineBox);
    });
    const actions = el('div', 'actions', timelineButton);
    if (request.status === 'ACTIVE' && !request.revokeRequestedBy) {
      const end = button('End access now', 'end', 'danger small');
      end.addEventListener('click', () => {
        state.confirming = true;
        confirm.hidden = false;
        confirm.querySelector<HTMLElement>('[data-control="confirm-end"]')?.focus();
      });
      actions.append(end);
    }
    if (request.action === 'sso:CreateAccountAssignment') {
      const again = button('Ask again', 'again');
      again.addEventListener('click', () => options.onAskAgain(request));
      actions.append(again);
    }
    const yes = button('Yes, end access now', 'confirm-end', 'danger small');
    const no = button('Keep access', 'keep');
    const confirm = el(
      'div',
      'confirm',
      el(
        'p',
        '',
        el('strong', '', `End your access to ${title} now?`),
        ' It is removed from AWS at once; asking again needs a new approval.',
      ),
      el('div', 'actions', yes, no),
    );
    confirm.setAttribute('role', 'group');
    confirm.setAttribute('aria-label', `Confirm ending access to ${title}`);
    confirm.hidden = !state.confirming;
    yes.addEventListener('click', () => void revoke(request, state));
    no.addEventListener('click', () => {
      state.confirming = false;
      confirm.hidden = true;
      state.node.querySelector<HTMLElement>('[data-control="end"]')?.focus();
    });

    const article = el(
      'article',
      isLoud(request.status) ? 'loud' : '',
      el('div', 'request-head', heading, statusBadge(request.status)),
      factsOf(request),
      el('p', 'justification', el('span', 'muted', 'Why: '), request.justification),
      approvalsOf(request),
      request.error ? el('p', 'notice bad', `${request.error.name}: ${request.error.message}`) : undefined,
      request.revokeRequestedBy && request.status === 'ACTIVE' ? el('p', 'muted', 'Ending access…') : undefined,
      state.message ? el('p', 'item-message', state.message) : undefined,
      actions,
      confirm,
      timelineBox,
    );
    article.setAttribute('aria-labelledby', titleId);
    state.node.append(article);
    state.node.dataset.requestId = request.requestId;
    state.node.dataset.status = request.status;
    if (state.timelineOpen) void loadTimeline(request, timelineBox);
    return state;
  };

  const render = (page: RequestPage) => {
    const wanted: HTMLElement[] = [];
    for (const request of page.items) {
      const previous = shown.get(request.requestId);
      if (previous && previous.signature === signatureOf(request)) {
        wanted.push(previous.node);
        continue;
      }
      const focused = previous?.node.contains(document.activeElement)
        ? (document.activeElement as HTMLElement).dataset.control
        : undefined;
      const next = build(request, previous);
      shown.set(request.requestId, next);
      if (previous) previous.node.replaceWith(next.node);
      wanted.push(next.node);
      if (focused) {
        (
          next.node.querySelector<HTMLElement>(`[data-control="${focused}"]`) ??
          next.node.querySelector<HTMLElement>('[data-control="timeline"]')
        )?.focus();
      }
    }
    const keep = new Set(wanted);
    for (const [id, state] of shown) {
      if (!keep.has(state.node)) {
        state.node.remove();
        shown.delete(id);
      }
    }
    // Moves only what is out of place: moving a node that holds focus would drop the focus.
    wanted.forEach((node, index) => {
      if (list.children[index] !== node) list.insertBefore(node, list.children[index] ?? null);
    });
    const n = page.items.length;
    count.textContent =
      n === 0
        ? 'You have not asked for anything yet.'
        : page.nextCursor
          ? `Your newest ${n} requests. There are older ones.`
          : `${n === 1 ? '1 request' : `${n} requests`}, newest first.`;
    more.hidden = !page.nextCursor || limit >= MAX_LIMIT;
  };

  const refresh = async (): Promise<boolean> => {
    if (!me) return false;
    const mine = generation;
    section.setAttribute('aria-busy', 'true');
    try {
      const query = new URLSearchParams({ requester: me, limit: String(limit) });
      const page = await callJson<RequestPage>(`requests?${query}`);
      if (mine !== generation) return false;
      render(page);
      const now = Date.now();
      return page.items.some((r) => moving(r, now));
    } catch (error) {
      if (mine === generation) {
        count.textContent = 'Your requests could not be loaded.';
        if (!(error instanceof ApiError && error.status === 401))
          showError('Your requests could not be loaded', error instanceof Error ? error.message : String(error));
      }
      throw error;
    } finally {
      section.setAttribute('aria-busy', 'false');
    }
  };

  more.addEventListener('click', () => {
    limit = Math.min(MAX_LIMIT, limit + PAGE);
    void refresh();
  });

  return {
    refresh,
    clear() {
      generation += 1;
      shown.clear();
      list.replaceChildren();
      count.textContent = '';
      limit = PAGE;
      me = '';
    },
    setIdentity(id) {
      me = id;
    },
  };
};
