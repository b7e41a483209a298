// "Waiting for me": the open requests on which the signed-in person is an approver and has not decided yet
// (GET /requests?approver=<me>&status=PENDING_APPROVAL, minus those already carrying their decision), each with
// Approve / Deny and an optional comment, sent to POST /requests/{id}/decision. Decisions are first-writer-wins: 409 and
// 410 are ordinary outcomes when others decide too, so they are said plainly rather than shown as failures.
import type { RequestView } from '../../functions/requests/model.js';
import { ApiError, callJson } from '../shared/api.js';
import { byId, el } from '../shared/dom.js';
import { announce, showError } from '../shared/messages.js';
import { approvalsOf, factsOf, requesterOf, titleOf } from './requestViews.js';

interface RequestPage {
  items: RequestView[];
  nextCursor?: string;
}

export interface WaitingForMe {
  refresh(): Promise<boolean>;
  clear(): void;
  setIdentity(id: string): void;
}

/** How many pending requests the section reads at most: the approver index cannot tell which ones I decided. */
const READ_AT_MOST = 600;
const PAGE_SIZE = 200;

/**
 * The pending requests I was asked about, newest first, following the cursor up to READ_AT_MOST: the index lists
 * requests still waiting on others after I decided, so a first page of those must not hide older ones waiting on
 * me. `nextCursor` is kept when pages were left unread, so the count can say the list is not whole.
 */
const readPending = async (me: string): Promise<RequestPage> => {
  const items: RequestView[] = [];
  let cursor: string | undefined;
  do {
    const query = new URLSearchParams({ approver: me, status: 'PENDING_APPROVAL', limit: String(PAGE_SIZE) });
    if (cursor) query.set('cursor', cursor);
    const page = await callJson<RequestPage>(`requests?${query}`);
    items.push(...page.items);
    cursor = page.nextCursor;
    // Enough to decide on: stop early once a screenful of undecided requests is in hand.
    const undecided = items.filter((r) => !r.approvals.some((a) => a.approver === me)).length;
    if (undecided >= 50) break;
  } while (cursor && items.length < READ_AT_MOST);
  return { items, ...(cursor ? { nextCursor: cursor } : {}) };
};

/** What each refusal of a decision means to the person who clicked. */
const refusalText = (error: unknown): string => {
  if (error instanceof ApiError) {
    if (error.status === 409) return 'You already decided this request.';
    if (error.status === 410) return 'This request is no longer pending: it was decided, expired or withdrawn.';
    if (error.status === 403) return `You may not decide this request: ${error.message}`;
    return `Your decision was not recorded: ${error.message} (HTTP ${error.status})`;
  }
  return `Your decision was not recorded: ${error instanceof Error ? error.message : String(error)}`;
};

export const waitingForMe = (): WaitingForMe => {
  const list = byId<HTMLUListElement>('waiting-list');
  const count = byId<HTMLElement>('waiting-count');
  const section = byId<HTMLElement>('waiting');
  const nodes = new Map<string, { node: HTMLElement; signature: string }>();
  /** Outcomes of this person's own clicks, kept on screen after the request leaves the list. */
  const outcomes = byId<HTMLElement>('waiting-outcomes');
  /** Requests this person decided (or found decided) on this page: never shown again, whatever a late answer says. */
  const decided = new Set<string>();
  let me = '';
  let generation = 0;

  const idFor = (requestId: string, part: string) => `waiting-${requestId.replace(/[^\w-]/g, '')}-${part}`;

  const build = (request: RequestView): HTMLElement => {
    const title = titleOf(request);
    const heading = el('h3', '', title);
    heading.id = idFor(request.requestId, 'title');
    const comment = el('textarea', '') as HTMLTextAreaElement;
    comment.id = idFor(request.requestId, 'comment');
    comment.rows = 2;
    const label = el('label', '', 'Comment ', el('span', 'muted', '(optional)'));
    label.htmlFor = comment.id;
    const message = el('p', 'item-message');
    message.id = idFor(request.requestId, 'message');
    const decide = (decision: 'approve' | 'deny', text: string, className: string) => {
      const b = el(
        'button',
        className,
        text,
        el('span', 'visually-hidden', `: ${title}, asked by ${requesterOf(request)}`),
      ) as HTMLButtonElement;
      b.type = 'button';
      b.dataset.control = decision;
      b.addEventListener('click', async () => {
        for (const button of node.querySelectorAll('button')) button.disabled = true;
        message.textContent = decision === 'approve' ? 'Approving…' : 'Denying…';
        try {
          await callJson(`requests/${encodeURIComponent(request.requestId)}/decision`, {
            method: 'POST',
            body: { decision, ...(comment.value.trim() ? { comment: comment.value } : {}) },
          });
          record(`You ${decision === 'approve' ? 'approved' : 'denied'} ${title} for ${requesterOf(request)}.`);
        } catch (error) {
          const text = refusalText(error);
          if (error instanceof ApiError && (error.status === 409 || error.status === 410)) record(`${title}: ${text}`);
          else {
            message.textContent = text;
            for (const button of node.querySelectorAll('button')) button.disabled = false;
            announce(text);
            return;
          }
        }
        // Off the list at once (a refresh already under way may still answer from before the decision), with focus on
        // the outcome, which says what happened.
        decided.add(request.requestId);
        nodes.delete(request.requestId);
        node.remove();
        showCount(list.children.length, false);
        outcomes.focus();
        await refresh().catch(() => undefined);
      });
      return b;
    };
    const node = el(
      'li',
      'request',
      el(
        'article',
        '',
        heading,
        el('p', '', el('span', 'muted', 'Asked by '), requesterOf(request)),
        factsOf(request),
        el('p', 'justification', el('span', 'muted', 'Why: '), request.justification),
        el(
          'p',
          'muted',
          `${request.approvals.filter((a) => a.decision === 'approve').length} of ${request.minApprovals} approvals so far.`,
        ),
        approvalsOf(request),
        label,
        comment,
        el('div', 'actions', decide('approve', 'Approve', ''), decide('deny', 'Deny', 'danger')),
        message,
      ),
    );
    node.querySelector('article')?.setAttribute('aria-labelledby', heading.id);
    node.dataset.requestId = request.requestId;
    return node;
  };

  const record = (text: string) => {
    outcomes.replaceChildren(el('p', '', text));
    outcomes.hidden = false;
    announce(text);
  };

  // `more`: pages were left unread, so the list is not all there is, and says so even when it is empty.
  const showCount = (n: number, more: boolean) => {
    if (n === 0) {
      count.textContent = more
        ? `Nothing is waiting for you among the newest ${READ_AT_MOST} pending requests you were asked about; older ones were not checked.`
        : 'Nothing is waiting for you.';
      return;
    }
    count.textContent = `${n === 1 ? '1 request is' : `${n} requests are`} waiting for your decision${more ? ' (older ones are not shown: decide these first)' : ''}.`;
  };

  const render = (page: RequestPage) => {
    // The approver index copies the status, and it can trail the request: only what is still pending is offered.
    const open = page.items.filter(
      (r) =>
        r.status === 'PENDING_APPROVAL' && !decided.has(r.requestId) && !r.approvals.some((a) => a.approver === me),
    );
    const wanted: HTMLElement[] = [];
    for (const request of open) {
      const signature = `${request.updatedAt}|${request.approvals.length}`;
      const previous = nodes.get(request.requestId);
      // A request being answered keeps its node (and the comment being typed) until its approvals change.
      if (previous && (previous.signature === signature || previous.node.contains(document.activeElement))) {
        wanted.push(previous.node);
        continue;
      }
      const node = build(request);
      if (previous) previous.node.replaceWith(node);
      nodes.set(request.requestId, { node, signature });
      wanted.push(node);
    }
    const keep = new Set(wanted);
    for (const [id, entry] of nodes) {
      if (!keep.has(entry.node)) {
        entry.node.remove();
        nodes.delete(id);
      }
    }
    wanted.forEach((node, index) => {
      if (list.children[index] !== node) list.insertBefore(node, list.children[index] ?? null);
    });
    showCount(open.length, page.nextCursor !== undefined);
  };

  const refresh = async (): Promise<boolean> => {
    if (!me) return false;
    const mine = generation;
    section.setAttribute('aria-busy', 'true');
    try {
      const page = await readPending(me);
      if (mine === generation) render(page);
      return false;
    } catch (error) {
      if (mine === generation) {
        count.textContent = 'The requests waiting for you could not be loaded.';
        if (!(error instanceof ApiError && error.status === 401))
          showError(
            'Requests waiting for you could not be loaded',
            error instanceof Error ? error.message : String(error),
          );
      }
      throw error;
    } finally {
      section.setAttribute('aria-busy', 'false');
    }
  };

  return {
    refresh,
    clear() {
      generation += 1;
      nodes.clear();
      decided.clear();
      list.replaceChildren();
      outcomes.replaceChildren();
      outcomes.hidden = true;
      count.textContent = '';
      me = '';
    },
    setIdentity(id) {
      me = id;
    },
  };
};
