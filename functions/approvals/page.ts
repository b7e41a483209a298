// The approval page: small, self-contained HTML (no external assets, no script) that works in any browser
// and in mail or chat previews. The form posts back to the same URL, so the link token never leaves it.
// The response's CSP allows inline styles and same-origin form posts only, so everything lives in this file.
// Every part is written with the `html` tagged template, which escapes each interpolated value: requesters,
// approvers and the directory supply much of what is shown (justification, comment, ids, summary).
import { accountLabel, askParts, permissionSetName, principalLabel, requesterName } from '../requests/displayNames.js';
import { type Approval, DECISION_CHANNEL_WORDS, type RequestItem } from '../requests/model.js';
import { STATUS_DESCRIPTIONS } from '../requests/statusLabels.js';
import { RESET_STYLE } from '../pages/style.js';
import { type Html, html, trustedHtml } from '../shared/outputContexts/html.js';

/** Time-bound grants add `durationMinutes` to the item; older items and other actions have none. */
export type ApprovalPageItem = RequestItem & { durationMinutes?: number };

export interface DecisionOutcome {
  item: ApprovalPageItem;
  decision: Approval['decision'];
  /** Whether this decision settled the request and resumed the workflow. */
  settled: boolean;
}

// Colours are chosen for WCAG AA: every text/background pair is at least 4.5:1, and borders and the focus
// ring at least 3:1 against what surrounds them. Sizes are relative so browser zoom and text scaling work.
// The document base (box sizing, text scaling, font and colours) is the signed-in pages' (functions/pages/layout.ts).
const STYLE = trustedHtml(`${RESET_STYLE}
main{max-width:42rem;margin:1.5rem auto;background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1.25rem 1.5rem}
h1{font-size:1.5rem;line-height:1.25;margin:0 0 .75rem}
h2{font-size:1.125rem;margin:1.5rem 0 .5rem;padding-top:1rem;border-top:1px solid #d0d7de}
p{margin:.5rem 0}
p.ask{font-size:1.125rem;margin:0 0 .75rem;overflow-wrap:anywhere}
.muted{color:#4b5563}
dl{display:grid;grid-template-columns:minmax(7rem,max-content) 1fr;gap:.4rem 1rem;margin:0}
dt{font-weight:600;color:#374151}
dd{margin:0;min-width:0;overflow-wrap:anywhere}
code{font:.9375em/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:#f3f4f6;padding:.05em .3em;border-radius:4px}
ul.approvals{list-style:none;margin:.5rem 0 0;padding:0}
ul.approvals li{border:1px solid #d0d7de;border-radius:6px;padding:.5rem .75rem;margin-top:.5rem;overflow-wrap:anywhere}
.badge{display:inline-block;font-size:.875rem;font-weight:600;padding:0 .5rem;border-radius:999px;border:1px solid currentColor}
.badge.approve{color:#116329;background:#dafbe1}
.badge.deny{color:#a40e26;background:#ffebe9}
blockquote{margin:.35rem 0 0;padding:.1rem 0 .1rem .75rem;border-left:3px solid #6e7781;white-space:pre-wrap}
.notice{padding:.75rem 1rem;border-radius:6px;border-left:5px solid;margin:0 0 1rem}
.notice p{margin:.25rem 0}
.notice.info{background:#ddf4ff;border-color:#0550ae}
.notice.ok{background:#dafbe1;border-color:#116329}
.notice.bad{background:#ffebe9;border-color:#a40e26}
label{display:block;font-weight:600;margin-bottom:.25rem}
.hint{font-size:.875rem;color:#4b5563;margin:0 0 .35rem}
textarea{display:block;width:100%;min-height:5rem;font:inherit;color:inherit;background:#fff;padding:.5rem;border:1px solid #6e7781;border-radius:6px;resize:vertical}
.actions{display:flex;flex-wrap:wrap;gap:.75rem;margin-top:1rem}
button{flex:1 1 9rem;min-height:2.75rem;font:inherit;font-weight:600;padding:.6rem 1.25rem;border-radius:6px;border:2px solid transparent;cursor:pointer;color:#fff}
button[value=approve]{background:#116329}
button[value=deny]{background:#a40e26}
button:hover{filter:brightness(1.15)}
:focus-visible{outline:3px solid #0550ae;outline-offset:2px}
textarea:focus-visible{outline-offset:0;border-color:#0550ae}
@media (max-width:30rem){
main{margin:0;border:0;border-radius:0;padding:1rem}
dl{grid-template-columns:1fr;gap:0}
dd{margin-bottom:.5rem}
}
@media (forced-colors:active){button{border-color:ButtonText}.notice{border:1px solid}}`);

const layout = (title: string, body: Html): string =>
  html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="referrer" content="no-referrer"><meta name="robots" content="noindex,nofollow"><title>${title} – Access approvals</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`.toString();

const plural = (count: number, unit: string): string => `${count} ${unit}${count === 1 ? '' : 's'}`;

/** Whole minutes as "45 minutes", "3 hours 5 minutes" or "2 days 4 hours": precise near, coarse far. */
export const humanDuration = (minutesIn: number): string => {
  const totalMinutes = Math.floor(minutesIn);
  if (totalMinutes < 1) return 'less than a minute';
  const days = Math.floor(totalMinutes / 1440);
  const hours = Math.floor((totalMinutes % 1440) / 60);
  const minutes = totalMinutes % 60;
  const parts =
    days > 0
      ? ([
          [days, 'day'],
          [hours, 'hour'],
        ] as const)
      : ([
          [hours, 'hour'],
          [minutes, 'minute'],
        ] as const);
  return parts
    .filter(([n]) => n > 0)
    .map(([n, unit]) => plural(n, unit))
    .join(' ');
};

// Minutes are rounded down so the page never promises more time than is left.
export const timeLeft = (expiresAt: string, now: Date): string =>
  humanDuration(Math.max(0, Math.floor((Date.parse(expiresAt) - now.getTime()) / 60000)));

// ISO-8601 to "2025-01-31 14:05 UTC": unambiguous for approvers in any time zone, with no script needed.
const utc = (iso: string): Html => html`<time datetime="${iso}">${iso.slice(0, 16).replace('T', ' ')} UTC</time>`;

const durationOf = (item: ApprovalPageItem): number | undefined =>
  typeof item.durationMinutes === 'number' && Number.isFinite(item.durationMinutes) && item.durationMinutes > 0
    ? item.durationMinutes
    : undefined;

/**
 * "Alice Liddell asks for <strong>PowerUser</strong> on <strong>payments-prod</strong> (111122223333) for 2 h", for
 * a request whose snapshot names its permission set and account; nothing otherwise (the summary says it all).
 */
const askParagraph = (item: ApprovalPageItem): Html => {
  const parts = askParts(item);
  if (!parts) return html``;
  return html`<p class="ask">${parts.requester} asks for <strong>${parts.permissionSet}</strong> on <strong>${parts.account}</strong>${parts.accountId ? html` (${parts.accountId})` : ''}${parts.principal ? html` for ${parts.principal}` : ''}${parts.duration ? html`${parts.principal ? ',' : ''} for ${parts.duration}` : ''}</p>\n`;
};

/** The names of the request's snapshot, each with the id an approver may need to judge it. */
const nameRows = (item: ApprovalPageItem): Html => {
  const display = item.display;
  if (!display) return html`<dt>Requested by</dt><dd>${item.requester}</dd>\n`;
  const ps = display.permissionSet;
  // The requester's name is in the ask and the introduction above; here is the id an auditor matches on.
  return html`<dt>Requested by</dt><dd>${item.requester}</dd>
${display.principal ? html`<dt>For</dt><dd>${principalLabel(display.principal)} <span class="muted">(<code>${display.principal.id}</code>)</span></dd>\n` : ''}${ps ? html`<dt>Permission set</dt><dd>${permissionSetName(ps)}${ps.description ? html` <span class="muted">– ${ps.description}</span>` : ''}</dd>\n` : ''}${display.account ? html`<dt>Account</dt><dd>${accountLabel(display.account)}</dd>\n` : ''}`;
};

const requestSection = (item: ApprovalPageItem, now: Date): Html => {
  const duration = durationOf(item);
  const pending = item.status === 'PENDING_APPROVAL';
  return html`<section aria-labelledby="request-heading"><h2 id="request-heading">Request</h2>${askParagraph(item)}<dl>
<dt>Summary</dt><dd>${item.summary}</dd>
<dt>Action</dt><dd><code>${item.action}</code></dd>
${nameRows(item)}<dt>Justification</dt><dd>${item.justification}</dd>
${duration === undefined ? '' : html`<dt>Access for</dt><dd>${humanDuration(duration)}, then removed automatically</dd>\n`}<dt>Status</dt><dd>${STATUS_DESCRIPTIONS[item.status] ?? item.status}</dd>
<dt>Time left</dt><dd>${pending ? html`${timeLeft(item.expiresAt, now)} <span class="muted">(until ${utc(item.expiresAt)})</span>` : 'None (closed)'}</dd>
<dt>Reference</dt><dd><code>${item.requestId}</code></dd>
</dl></section>`;
};

const approvalEntry = (a: Approval): Html =>
  html`<li><strong>${a.approver}</strong> <span class="badge ${a.decision}">${a.decision === 'approve' ? 'Approved' : 'Denied'}</span><br><span class="muted">${utc(a.at)} via ${DECISION_CHANNEL_WORDS[a.via]}</span>${a.comment ? html`<blockquote>${a.comment}</blockquote>` : ''}</li>`;

const approvalsSection = (item: ApprovalPageItem): Html => {
  const received = `${item.approvalCount} of ${plural(item.minApprovals, 'required approval')} received`;
  const stillNeeded = Math.max(0, item.minApprovals - item.approvalCount);
  const tally =
    item.status === 'PENDING_APPROVAL'
      ? html`${received}; <strong>${stillNeeded} more needed</strong>.`
      : html`${received}.`;
  const list =
    item.approvals.length === 0
      ? html`<p>No one has decided yet.</p>`
      : html`<ul class="approvals">${item.approvals.map(approvalEntry)}</ul>`;
  return html`<section aria-labelledby="approvals-heading"><h2 id="approvals-heading">Approvals</h2><p>${tally}</p>${list}</section>`;
};

const requestDetails = (item: ApprovalPageItem, now: Date): Html =>
  html`${requestSection(item, now)}${approvalsSection(item)}`;

export const renderApprovalPage = (item: ApprovalPageItem, approver: string, now: Date): string =>
  layout(
    `Approve or deny: ${item.summary}`,
    html`<h1>Approval requested</h1>
<p><strong>${requesterName(item)}</strong>${item.display && requesterName(item) !== item.requester ? html` (${item.requester})` : ''} asks for your approval. This link was sent to <strong>${approver}</strong>.</p>
${requestDetails(item, now)}
<section aria-labelledby="decision-heading"><h2 id="decision-heading">Your decision</h2>
<form method="post">
<label for="comment">Comment (optional)</label>
<p class="hint" id="comment-hint">Up to 1024 characters. The requester and auditors will see it.</p>
<textarea id="comment" name="comment" maxlength="1024" rows="3" aria-describedby="comment-hint"></textarea>
<div class="actions">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</div>
</form></section>`,
  );

const decisionMessage = ({ item, decision, settled }: DecisionOutcome): string => {
  if (decision === 'deny') return 'You denied this request. It is closed, and the requester will be told.';
  if (settled) return 'You approved this request. It has all the approvals it needs and is being carried out now.';
  return `You approved this request. It still needs ${plural(Math.max(0, item.minApprovals - item.approvalCount), 'more approval')}.`;
};

/** The page after a successful decision: what happened, then the request as it now stands. */
export const renderDecisionPage = (outcome: DecisionOutcome, now: Date): string =>
  layout(
    outcome.decision === 'deny' ? 'Request denied' : 'Request approved',
    html`<h1>Decision recorded</h1>
<div class="notice ok" role="status"><p>${decisionMessage(outcome)}</p></div>
${requestDetails(outcome.item, now)}`,
  );

const REFUSALS: Record<number, { title: string; hint: string }> = {
  400: {
    title: 'Decision not recorded',
    hint: 'Go back, choose Approve or Deny, and keep any comment to 1024 characters.',
  },
  403: {
    title: 'This link cannot be used',
    hint: 'Open the link exactly as it was sent to you. If it is yours and still fails, you may no longer be an approver of this request.',
  },
  409: { title: 'Already decided', hint: 'Each approver decides once, and your decision stands.' },
  410: {
    title: 'Approval closed',
    hint: 'Nothing more can be decided here. If access is still needed, the requester can submit a new request.',
  },
};

export const refusalTitle = (statusCode: number): string => REFUSALS[statusCode]?.title ?? 'This link cannot be used';

/** The page for any refused link use: bad signature, expired, not an approver, decided or closed. */
export const renderRefusalPage = (statusCode: number, message: string, item?: ApprovalPageItem, now?: Date): string => {
  const refusal = REFUSALS[statusCode] ?? { title: refusalTitle(statusCode), hint: '' };
  return layout(
    refusal.title,
    html`<h1>${refusal.title}</h1>
<div class="notice bad" role="alert"><p>${message}</p>${refusal.hint ? html`<p>${refusal.hint}</p>` : ''}</div>
${item ? requestDetails(item, now ?? new Date()) : ''}`,
  );
};
