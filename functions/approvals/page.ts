// The approval page: small, self-contained HTML (no external assets, no script) that works in any browser
// and in mail or chat previews. The form posts back to the same URL, so the link token never leaves it.
import type { RequestItem } from '../requests/model.js';

const escapeHtml = (value: string): string =>
  value.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

const STYLE = `
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;background:#f5f6f8;color:#1b1f24}
main{max-width:40rem;margin:2rem auto;background:#fff;border-radius:8px;padding:1.5rem 2rem;box-shadow:0 1px 3px #0002}
h1{font-size:1.35rem;margin-top:0}dl{display:grid;grid-template-columns:max-content 1fr;gap:.35rem 1rem}
dt{font-weight:600;color:#444}dd{margin:0;word-break:break-word}
textarea{width:100%;min-height:4rem;font:inherit;box-sizing:border-box}
.actions{display:flex;gap:1rem;margin-top:1rem}
button{font:inherit;padding:.6rem 1.4rem;border-radius:6px;border:0;cursor:pointer;color:#fff}
button[value=approve]{background:#1a7f37}button[value=deny]{background:#cf222e}
button:focus-visible{outline:3px solid #0969da;outline-offset:2px}
.status{padding:.75rem 1rem;border-radius:6px;background:#ddf4ff}.status.bad{background:#ffebe9}`;

const layout = (title: string, body: string): string =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<meta name="referrer" content="no-referrer"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head>` +
  `<body><main>${body}</main></body></html>`;

const timeLeft = (expiresAt: string, now: Date): string => {
  const minutes = Math.max(0, Math.round((Date.parse(expiresAt) - now.getTime()) / 60000));
  if (minutes >= 120) return `${Math.round(minutes / 60)} hours`;
  return `${minutes} minutes`;
};

const summaryList = (item: RequestItem, now: Date): string => {
  const approvals = item.approvals.length === 0
    ? 'none yet'
    : item.approvals.map((a) => `${escapeHtml(a.approver)}: ${a.decision}`).join(', ');
  return `<dl>
<dt>Request</dt><dd>${escapeHtml(item.summary)}</dd>
<dt>Action</dt><dd><code>${escapeHtml(item.action)}</code></dd>
<dt>Requested by</dt><dd>${escapeHtml(item.requester)}</dd>
<dt>Justification</dt><dd>${escapeHtml(item.justification)}</dd>
<dt>Approvals</dt><dd>${approvals} (${item.approvalCount} of ${item.minApprovals} needed)</dd>
<dt>Status</dt><dd>${escapeHtml(item.status)}</dd>
<dt>Time left</dt><dd>${item.status === 'PENDING_APPROVAL' ? timeLeft(item.expiresAt, now) : 'closed'}</dd>
</dl>`;
};

export const renderApprovalPage = (item: RequestItem, approver: string, now: Date): string =>
  layout(
    `Approve: ${item.summary}`,
    `<h1>Approval requested</h1>
<p>Signed in by link as <strong>${escapeHtml(approver)}</strong>.</p>
${summaryList(item, now)}
<form method="post">
<label for="comment">Comment (optional)</label>
<textarea id="comment" name="comment" maxlength="1024"></textarea>
<div class="actions">
<button type="submit" name="decision" value="approve">Approve</button>
<button type="submit" name="decision" value="deny">Deny</button>
</div>
</form>`,
  );

export const renderResultPage = (title: string, message: string, options: { item?: RequestItem; now?: Date; bad?: boolean } = {}): string =>
  layout(
    title,
    `<h1>${escapeHtml(title)}</h1><p class="status${options.bad ? ' bad' : ''}" role="status">${escapeHtml(message)}</p>` +
      (options.item ? summaryList(options.item, options.now ?? new Date()) : ''),
  );

export const refusalTitle = (statusCode: number): string =>
  statusCode === 410 ? 'Approval closed' : statusCode === 409 ? 'Already decided' : 'This link cannot be used';

/** The page for any refused link use: bad signature, expired, not an approver, decided or closed. */
export const renderRefusalPage = (statusCode: number, message: string, item?: RequestItem, now?: Date): string =>
  renderResultPage(refusalTitle(statusCode), message, { item, now, bad: true });
