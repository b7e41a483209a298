// The auditor's page (GET /audit): the server side is only HTML, the same for everyone; the shared layout
// (functions/pages/layout.ts) gives the document, the session bar and the sign-in, and the page's browser code is
// web/audit.ts (filters, paging, timelines, CSV), bundled by scripts/build-web.ts. It calls the HTTP API with the
// caller's own bearer token, so the API's authorization is the only authorization there is.
import { actionNames, findAction } from '../actions/registry.js';
import { pageHeaders, renderPage, signInSection } from '../pages/layout.js';
import { REQUEST_STATUSES } from '../requests/model.js';
import { STATUS_NAMES } from '../requests/statusLabels.js';
import { html, trustedHtml } from '../shared/outputContexts/html.js';

export { safeLoginUrl } from '../pages/layout.js';
export { LOUD_STATUSES, STATUS_NAMES } from '../requests/statusLabels.js';

export interface AuditPageOptions {
  /** The CSP nonce of this response; the page's one script carries it. */
  nonce: string;
  /** The identity provider's OIDC authorize URL (implicit flow back to this page); empty when there is none. */
  loginUrl?: string;
}

/**
 * Which parameter names each action's target, learnt by handing the registry's own `targetId` a recorder
 * instead of real parameters: the page stays generic, and a new action needs no change here.
 */
export const targetParameters = (): Record<string, string> => {
  const recorder = new Proxy({}, { get: (_target, key) => String(key) }) as Record<string, string>;
  return Object.fromEntries(actionNames().map((name) => [name, findAction(name)?.definition.targetId(recorder) ?? '']));
};

/** The audit page's response headers: the shared ones (a per-response nonce CSP, no-store, no referrer). */
export const auditPageHeaders = pageHeaders;

// What only the audit page shows, after the shared base: the results table (a scrolling region on middling widths,
// one card per row on narrow ones, so the page never scrolls sideways at 320 px), loud rows and the timeline.
const AUDIT_STYLE = `
/* Positioned, so the visually hidden text in its buttons is clipped with it rather than widening the page. */
.table-wrap{position:relative;overflow-x:auto;margin:.75rem 0;border:1px solid #d0d7de;border-radius:6px}
table{border-collapse:collapse;width:100%;font-size:.9375rem}
caption{text-align:left;font-weight:600;padding:.5rem .75rem;background:#f6f8fa;border-bottom:1px solid #d0d7de}
th,td{text-align:left;vertical-align:top;padding:.5rem .65rem;border-bottom:1px solid #d0d7de}
thead th{background:#f6f8fa;white-space:nowrap}
thead th[data-names]{white-space:normal}
td.name{overflow-wrap:anywhere;min-width:6rem}
/* Ten columns with names: a little tighter, and the creation time may break between date and time, so the table
   still fits a desktop-wide screen without scrolling sideways. */
table.names{font-size:.875rem}
table.names th,table.names td{padding:.5rem .35rem}
table.names tbody th{white-space:normal;min-width:6.5rem}
table.names .badge{white-space:normal}
tbody th{font-weight:400;white-space:nowrap}
tbody tr:last-child>*{border-bottom:0}
td.empty{text-align:center;color:#4b5563;padding:1.5rem}
tr.loud>*{background:#ffebe9}
tr.loud>th{box-shadow:inset 6px 0 0 #a40e26}
ul.plain{list-style:none;margin:0;padding:0}
td code{overflow-wrap:normal}
.count{font-weight:600}
.pager{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem}
.pager p{margin:0}
ol.events,ul.approvals{list-style:none;margin:0;padding:0}
ol.events li,ul.approvals li{border:1px solid #d0d7de;border-radius:6px;padding:.5rem .75rem;margin-top:.5rem;overflow-wrap:anywhere}
ol.events li.loud{border-color:#a40e26;border-left-width:6px}
.event-head{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:baseline}
blockquote{margin:.35rem 0 0;padding:.1rem 0 .1rem .75rem;border-left:3px solid #6e7781;white-space:pre-wrap}
@media (max-width:40rem){
.table-wrap{overflow-x:visible}
.table-wrap table,.table-wrap caption,.table-wrap tbody,.table-wrap tr{display:block}
.table-wrap thead{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0,0,0,0)}
.table-wrap tbody tr{padding:.5rem 0;border-bottom:1px solid #d0d7de}
.table-wrap tbody tr:last-child{border-bottom:0}
.table-wrap tbody th,.table-wrap td{display:grid;grid-template-columns:5.75rem minmax(0,1fr);justify-items:start;gap:.5rem;border:0;padding:.2rem .6rem;white-space:normal;overflow-wrap:anywhere}
.table-wrap .badge{white-space:normal}
.table-wrap [data-label]::before{content:attr(data-label);font-weight:600;color:#374151}
.table-wrap td:not([data-label]){display:block}
.table-wrap td.empty{display:block}
tr.loud>th{box-shadow:none}
tr.loud>*{background:transparent}
tr.loud{background:#ffebe9;border-left:6px solid #a40e26}
}
@media (forced-colors:active){tr.loud>th{border-left:6px solid}}`;

const option = (value: string, label: string): string => html`<option value="${value}">${label}</option>`.toString();

const filtersSection = (): string => `<section class="card" aria-labelledby="filters-heading">
<h2 id="filters-heading" tabindex="-1">Filters</h2>
<form id="filters" novalidate>
<div class="grid">
<div><label for="f-requester">Requester</label><input id="f-requester" type="text" inputmode="email" autocomplete="off" spellcheck="false" placeholder="alice@example.com"></div>
<div><label for="f-status">Status</label><select id="f-status">${option('', 'Any status')}${REQUEST_STATUSES.map((s) => option(s, STATUS_NAMES[s])).join('')}</select></div>
<div><label for="f-action">Action</label><select id="f-action">${option('', 'Any action')}${actionNames()
  .map((a) => option(a, a))
  .join('')}</select></div>
<div><label for="f-targetId">Target</label><input id="f-targetId" type="text" autocomplete="off" spellcheck="false" aria-describedby="target-hint"><p class="hint" id="target-hint">Account ID or connection ID.</p></div>
<div><label for="f-approver">Approver</label><input id="f-approver" type="text" inputmode="email" autocomplete="off" spellcheck="false"></div>
<div><label for="f-from">Created from</label><input id="f-from" type="datetime-local" aria-describedby="time-hint"></div>
<div><label for="f-to">Created to</label><input id="f-to" type="datetime-local" aria-describedby="time-hint"></div>
<div><label for="f-limit">Page size</label><input id="f-limit" type="number" inputmode="numeric" min="1" max="200" step="1" value="50" aria-describedby="limit-hint"><p class="hint" id="limit-hint">1 to 200 per page.</p></div>
</div>
<p class="hint" id="time-hint">Your local time; sent to the API as UTC.</p>
<div class="actions"><button type="submit">Apply filters</button><button type="reset" class="secondary">Clear filters</button></div>
</form>
</section>`;

const resultsSection =
  (): string => `<section id="results" class="card" aria-labelledby="results-heading" aria-busy="false">
<div class="toolbar">
<h2 id="results-heading">Results</h2>
<button id="download-csv" type="button" class="secondary" aria-describedby="csv-hint">Download CSV</button>
</div>
<p class="hint" id="csv-hint">The CSV holds every page of the results for the filters applied.</p>
<p id="scope-note" class="notice info" hidden>Showing your own requests: only auditors can see everyone's.</p>
<p id="result-count" class="count"></p>
<div id="table-region" class="table-wrap" role="region" aria-labelledby="results-caption" tabindex="0">
<table role="table" id="results-table">
<caption id="results-caption">Access requests, newest first</caption>
<thead role="rowgroup"><tr role="row" id="results-head">${[
    'Created (UTC)',
    'Requester',
    'Action',
    'Target',
    'Status',
    'Approvers',
  ]
    .map((name) => `<th scope="col" role="columnheader">${name}</th>`)
    .join('')}<th scope="col" role="columnheader"><span class="visually-hidden">Timeline</span></th></tr></thead>
<tbody id="results-body" role="rowgroup"></tbody>
</table>
</div>
<nav class="pager" aria-label="Result pages">
<button id="previous-page" type="button" class="secondary" disabled>Previous page</button>
<p id="page-number">Page 1</p>
<button id="next-page" type="button" class="secondary" disabled>Next page</button>
</nav>
</section>`;

const timelineSection = (): string => `<section id="timeline" class="card" aria-labelledby="timeline-heading" hidden>
<div class="toolbar">
<h2 id="timeline-heading" tabindex="-1">Timeline</h2>
<button id="close-timeline" type="button" class="secondary">Close timeline</button>
</div>
<div id="timeline-body"></div>
</section>`;

export const renderAuditPage = ({ nonce, loginUrl }: AuditPageOptions): string =>
  renderPage({
    title: 'Audit – Access approvals',
    heading: 'Access request audit',
    nonce,
    bundle: 'audit',
    pageData: { targetParameters: targetParameters() },
    extraStyle: AUDIT_STYLE,
    body: html`${signInSection({
      loginUrl,
      intro: 'The audit view shows every access request, decision and outcome you are allowed to see.',
    })}
<div id="audit" hidden>
${trustedHtml(filtersSection())}
${trustedHtml(resultsSection())}
${trustedHtml(timelineSection())}
</div>`,
  });
