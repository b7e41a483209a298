// The results table: one page of GET /requests for the applied filters, newest first, with paging by the API's
// cursor. Only the newest answer is shown, however quickly someone clicks.
import { ApiError, callJson } from '../shared/api.js';
import { byId, el, plural, utcTime } from '../shared/dom.js';
import { announce, clearError, showError } from '../shared/messages.js';
import { currentIdentity } from '../shared/session.js';
import { isLoudStatus } from '../../functions/requests/statusLabels.js';
import { type AppliedFilters, DEFAULT_LIMIT, InputError, readFilters } from './filters.js';
import { actionCode, approversCell, NAME_HEADINGS, nameCells, statusBadge, targetOf } from './format.js';
import type { RequestPage, RequestView } from './view.js';

interface Paging {
  cursor: string;
  /** The cursors of the pages before this one, oldest first ('' for the first page). */
  previous: string[];
  next: string;
}

interface LoadOptions {
  /** The filters changed: on failure, no rows of the previous filters stay to pass for answers to these ones. */
  fresh?: boolean;
  /** Someone who may not list everyone's requests lands on their own instead of on an error. */
  ownIfRefused?: boolean;
}

export interface Results {
  /** Reads the filters and loads their first page. */
  applyFilters(options?: LoadOptions): Promise<void>;
  nextPage(): void;
  previousPage(): void;
  /** The filters the table shows, which the CSV download uses too. */
  applied(): AppliedFilters;
  /** Forgets the rows, and any answer still on its way (signing out). */
  reset(): void;
}

export const resultsTable = (options: {
  targetParameters: Record<string, string>;
  openTimeline(requestId: string, from: HTMLElement): void;
  fail(error: unknown): void;
}): Results => {
  let applied: AppliedFilters = { params: new URLSearchParams(), limit: DEFAULT_LIMIT };
  let paging: Paging = { cursor: '', previous: [], next: '' };
  let generation = 0;
  // The three name columns, after Approvers, when any request on the page has names; a page whose requests were
  // all stored before names existed keeps the table it always had.
  let withNames = false;

  const setBusy = (busy: boolean): void => {
    byId('results').setAttribute('aria-busy', busy ? 'true' : 'false');
  };

  // Explicit roles and a data-label per cell: narrow screens restyle rows as cards, and the roles keep them
  // a table for screen readers, which some browsers stop doing once a table's display is changed.
  const cell = (label: string, ...children: Array<string | HTMLElement>): HTMLTableCellElement => {
    const node = el('td', '', ...children);
    node.setAttribute('role', 'cell');
    if (label) node.dataset.label = label;
    return node;
  };

  const rowOf = (item: RequestView): HTMLTableRowElement => {
    const row = el('tr', isLoudStatus(item.status) ? 'loud' : '');
    row.setAttribute('role', 'row');
    row.dataset.requestId = item.requestId;
    const created = el('th', '', utcTime(item.createdAt));
    created.scope = 'row';
    created.setAttribute('role', 'rowheader');
    created.dataset.label = 'Created';
    const open = el(
      'button',
      'small secondary',
      'Timeline',
      el('span', 'visually-hidden', ` of request ${item.requestId}`),
    );
    open.type = 'button';
    open.addEventListener('click', () => options.openTimeline(item.requestId, open));
    row.append(
      created,
      cell('Requester', item.requester),
      cell('Action', actionCode(item.action)),
      cell('Target', el('code', '', targetOf(item, options.targetParameters))),
      cell('Status', statusBadge(item.status)),
      cell('Approvers', approversCell(item)),
    );
    if (withNames) {
      const names = nameCells(item);
      row.append(
        ...NAME_HEADINGS.map((label, i) => {
          const named = cell(label, names[i] ?? '');
          named.classList.add('name');
          return named;
        }),
      );
    }
    row.append(cell('', open));
    return row;
  };

  const showNameColumns = (show: boolean): void => {
    withNames = show;
    byId('results-table').classList.toggle('names', show);
    const head = byId('results-head');
    for (const th of head.querySelectorAll('th[data-names]')) th.remove();
    if (!show) return;
    const last = head.lastElementChild;
    for (const label of NAME_HEADINGS) {
      const th = el('th', '', label);
      th.scope = 'col';
      th.setAttribute('role', 'columnheader');
      th.dataset.names = '';
      head.insertBefore(th, last);
    }
  };

  const messageRow = (text: string): void => {
    const only = el('td', 'empty', text);
    only.colSpan = withNames ? 10 : 7;
    only.setAttribute('role', 'cell');
    const row = el('tr', '', only);
    row.setAttribute('role', 'row');
    byId('results-body').replaceChildren(row);
  };

  const loadPage = async (target: { cursor: string; previous: string[] }, load: LoadOptions = {}): Promise<void> => {
    generation += 1;
    const mine = generation;
    clearError();
    const params = new URLSearchParams(applied.params);
    params.set('limit', String(applied.limit));
    if (target.cursor) params.set('cursor', target.cursor);
    setBusy(true);
    announce('Loading…');
    try {
      const body = await callJson<RequestPage>(`requests?${params}`);
      if (mine !== generation) return;
      const items = Array.isArray(body.items) ? body.items : [];
      paging = {
        cursor: target.cursor,
        previous: target.previous,
        next: typeof body.nextCursor === 'string' ? body.nextCursor : '',
      };
      showNameColumns(items.some((item) => item?.display));
      if (items.length === 0) messageRow('No requests match these filters.');
      else byId('results-body').replaceChildren(...items.map(rowOf));
      const page = paging.previous.length + 1;
      byId('results-caption').textContent = `Access requests, newest first: page ${page}`;
      byId('page-number').textContent = `Page ${page}`;
      byId('result-count').textContent = `${plural(items.length, 'result')} on this page`;
      byId<HTMLButtonElement>('previous-page').disabled = paging.previous.length === 0;
      byId<HTMLButtonElement>('next-page').disabled = paging.next === '';
      announce(`${plural(items.length, 'result')} on page ${page}${paging.next ? '; more on the next page.' : '.'}`);
      // A pager button that just became disabled has dropped focus: put it somewhere sensible.
      const focused = document.activeElement;
      if (focused === document.body || (focused instanceof HTMLButtonElement && focused.disabled)) {
        byId('table-region').focus();
      }
    } catch (error) {
      if (mine !== generation) return;
      announce('');
      // Only auditors may list everyone's requests; anyone else first lands on their own rather than on an error.
      const identity = currentIdentity();
      if (
        load.ownIfRefused &&
        error instanceof ApiError &&
        error.status === 403 &&
        !applied.params.has('requester') &&
        identity
      ) {
        byId<HTMLInputElement>('f-requester').value = identity;
        applied.params.set('requester', identity);
        byId('scope-note').hidden = false;
        return loadPage(target, { fresh: true });
      }
      // Rows from the previous filters would pass for answers to these ones. A failed page turn keeps its
      // page: the filters it answers are still the applied ones.
      if (load.fresh) {
        messageRow('No results: the query was refused (see the message above).');
        byId('result-count').textContent = '';
        byId<HTMLButtonElement>('previous-page').disabled = true;
        byId<HTMLButtonElement>('next-page').disabled = true;
        paging = { cursor: '', previous: [], next: '' };
      }
      options.fail(error);
    } finally {
      if (mine === generation) setBusy(false);
    }
  };

  const applyFilters = async (load: LoadOptions = {}): Promise<void> => {
    try {
      applied = readFilters();
    } catch (error) {
      if (error instanceof InputError) return showError('Check the filters', error.message);
      throw error;
    }
    byId('scope-note').hidden = true;
    return loadPage({ cursor: '', previous: [] }, { ...load, fresh: true });
  };

  return {
    applyFilters,
    nextPage: () => {
      if (paging.next) void loadPage({ cursor: paging.next, previous: [...paging.previous, paging.cursor] });
    },
    previousPage: () => {
      const before = paging.previous.at(-1);
      if (before === undefined) return;
      void loadPage({ cursor: before, previous: paging.previous.slice(0, -1) });
    },
    applied: () => applied,
    reset: () => {
      generation += 1;
      setBusy(false);
      byId('results-body').replaceChildren();
    },
  };
};
