// The auditor's page: one self-contained HTML document (inline CSS, one inline script, no external assets).
// The server side knows nothing about the caller: the page is the same for everyone, and its script calls the
// HTTP API with the caller's own bearer token, so the API's authorization is the only authorization there is.
// The script runs under a per-response CSP nonce; everything it puts on screen goes in as text, never markup.
import { actionNames, findAction } from '../actions/registry.js';
import { DECISION_CHANNEL_WORDS, REQUEST_STATUSES, type RequestStatus } from '../requests/model.js';
import { html } from '../shared/outputContexts/html.js';

export interface AuditPageOptions {
  /** The CSP nonce of this response; the page's one script carries it. */
  nonce: string;
  /** The identity provider's OIDC authorize URL (implicit flow back to this page); empty when there is none. */
  loginUrl?: string;
}

// Data handed to the script as a JSON literal: `<` is escaped so no value can close the script element.
const scriptJson = (value: unknown): string => JSON.stringify(value).replace(/</g, '\\u003c');

export const STATUS_NAMES: Record<RequestStatus, string> = {
  PENDING_APPROVAL: 'Pending approval',
  APPROVED: 'Approved',
  COMPLETED: 'Completed',
  DENIED: 'Denied',
  EXPIRED: 'Expired',
  FAILED: 'Failed',
  ACTIVE: 'Active',
  REVOKED: 'Revoked',
  REVOKE_FAILED: 'Revoke failed',
  OUTCOME_UNKNOWN: 'Outcome unknown',
};

/** Statuses where access is in a state nobody intended: an auditor must not be able to miss them. */
export const LOUD_STATUSES: readonly RequestStatus[] = ['FAILED', 'REVOKE_FAILED', 'OUTCOME_UNKNOWN'];

/**
 * Which parameter names each action's target, learnt by handing the registry's own `targetId` a recorder
 * instead of real parameters: the page stays generic, and a new action needs no change here.
 */
export const targetParameters = (): Record<string, string> => {
  const recorder = new Proxy({}, { get: (_target, key) => String(key) }) as Record<string, string>;
  return Object.fromEntries(actionNames().map((name) => [name, findAction(name)?.definition.targetId(recorder) ?? '']));
};

/** Only absolute http(s) URLs become the sign-in link, so a misconfigured value can never be `javascript:`. */
export const safeLoginUrl = (value: string | undefined): string | undefined => {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined;
  } catch {
    return undefined;
  }
};

export const auditPageHeaders = (nonce: string): Record<string, string> => ({
  'content-type': 'text/html; charset=utf-8',
  // The page holds a bearer token while open: nothing is cached, nothing leaks through Referer, no framing.
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'content-security-policy':
    `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; connect-src 'self'; ` +
    "img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
});

// Colours are chosen for WCAG AA: every text/background pair is at least 4.5:1, borders and the focus ring
// at least 3:1. Sizes are relative so zoom and text scaling work. The table scrolls inside its own region on
// middling widths and turns into one card per row on narrow ones, so the page never scrolls sideways at 320 px.
const STYLE = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f3f4f6;color:#1b1f24}
header.top{background:#1b1f24;color:#fff;padding:.75rem 1.5rem;display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 1rem}
header.top h1{font-size:1.25rem;line-height:1.3;margin:0}
.session{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;min-width:0}
.session p{margin:0;overflow-wrap:anywhere}
main{max-width:80rem;margin:1rem auto;padding:0 1rem}
.card{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:1rem 1.25rem;margin:0 0 1rem}
h2{font-size:1.25rem;line-height:1.3;margin:0 0 .75rem}
h3{font-size:1.0625rem;margin:1.25rem 0 .5rem}
p{margin:.5rem 0}
.muted{color:#4b5563}
.hint{font-size:.875rem;color:#4b5563;margin:.15rem 0 0}
.tag{display:inline-block;font-size:.8125rem;font-weight:600;padding:0 .5rem;border-radius:999px;background:#fff8c5;color:#6b4f00;border:1px solid #9a6700;vertical-align:middle}
.ways{display:grid;grid-template-columns:repeat(auto-fit,minmax(16rem,1fr));gap:1rem}
.way{border:1px solid #d0d7de;border-radius:6px;padding:.75rem 1rem}
.way h3{margin-top:0}
label{display:block;font-weight:600;margin-bottom:.2rem}
input,select{display:block;width:100%;min-height:2.5rem;font:inherit;color:inherit;background:#fff;padding:.4rem .5rem;border:1px solid #6e7781;border-radius:6px}
.grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.75rem 1rem}
.actions{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem;margin-top:1rem}
button,a.button{display:inline-flex;align-items:center;justify-content:center;min-height:2.5rem;font:inherit;font-weight:600;padding:.4rem 1rem;border-radius:6px;border:2px solid #0550ae;cursor:pointer;text-decoration:none;background:#0550ae;color:#fff}
button.secondary{background:#fff;color:#0550ae}
header.top button{background:#fff;color:#1b1f24;border-color:#fff}
button.small{min-height:2.25rem;padding:.2rem .6rem;font-size:.9375rem}
button:disabled{cursor:not-allowed;background:#eaeef2;color:#4b5563;border-color:#8c959f}
button:not(:disabled):hover,a.button:hover{filter:brightness(1.15)}
:focus-visible{outline:3px solid #0550ae;outline-offset:2px}
header.top :focus-visible{outline-color:#fff}
input:focus-visible,select:focus-visible{outline-offset:0;border-color:#0550ae}
[tabindex="-1"]:focus{outline:none}
.alert:not(:empty){background:#ffebe9;border:1px solid #a40e26;border-left-width:6px;border-radius:6px;padding:.75rem 1rem;margin:0 0 1rem;overflow-wrap:anywhere}
.alert p{margin:.25rem 0}
.alert ul{margin:.25rem 0;padding-left:1.25rem}
.toolbar{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem 1rem}
.toolbar p{margin:0;font-weight:600}
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
code,pre{font:.875rem/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{overflow-wrap:anywhere}
td code{overflow-wrap:normal}
pre{margin:.35rem 0 0;background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.5rem .75rem;white-space:pre-wrap;overflow-wrap:anywhere}
.badge{display:inline-block;font-size:.8125rem;font-weight:600;padding:.05rem .55rem;border-radius:999px;border:1px solid currentColor;white-space:nowrap}
.s-PENDING_APPROVAL{color:#0550ae;background:#ddf4ff}
.s-APPROVED,.s-ACTIVE{color:#0a5d61;background:#d8f6f2}
.s-COMPLETED,.d-approve{color:#116329;background:#dafbe1}
.s-DENIED,.s-REVOKED{color:#374151;background:#eaeef2}
.d-deny{color:#a40e26;background:#ffebe9}
.count{font-weight:600}
.s-EXPIRED{color:#6b4f00;background:#fff8c5}
.badge.loud{color:#fff;background:#a40e26;border-color:#a40e26;font-size:.875rem;text-transform:uppercase;letter-spacing:.02em}
.pager{display:flex;flex-wrap:wrap;align-items:center;gap:.75rem}
.pager p{margin:0}
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.4rem 1rem;margin:0}
dt{font-weight:600;color:#374151}
dd{margin:0;min-width:0;overflow-wrap:anywhere}
.notice{border-radius:6px;border-left:6px solid;padding:.75rem 1rem;margin:.75rem 0;overflow-wrap:anywhere}
.notice.bad{background:#ffebe9;border-color:#a40e26}
.notice.info{background:#ddf4ff;border-color:#0550ae}
.notice.bad strong{color:#86061d}
ol.events,ul.approvals{list-style:none;margin:0;padding:0}
ol.events li,ul.approvals li{border:1px solid #d0d7de;border-radius:6px;padding:.5rem .75rem;margin-top:.5rem;overflow-wrap:anywhere}
ol.events li.loud{border-color:#a40e26;border-left-width:6px}
.event-head{display:flex;flex-wrap:wrap;gap:.25rem .75rem;align-items:baseline}
blockquote{margin:.35rem 0 0;padding:.1rem 0 .1rem .75rem;border-left:3px solid #6e7781;white-space:pre-wrap}
.visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
[hidden]{display:none!important}
@media (max-width:40rem){
header.top{padding:.75rem 1rem}
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
main{padding:0 .5rem}
.card{padding:.75rem}
dl{grid-template-columns:1fr;gap:0}
dd{margin-bottom:.5rem}
}
@media (forced-colors:active){.badge,button,a.button{border:1px solid}.alert:not(:empty),.notice{border:2px solid}tr.loud>th{border-left:6px solid}}`;

/** Plain JavaScript for the browser, kept in one string: the CSP admits exactly this script by its nonce. */
const script = (): string => `
'use strict';
(() => {
const TOKEN_KEY = 'access-approvals.audit.token';
const LOGIN_KEY = 'access-approvals.audit.login';
const STATUS_NAMES = ${scriptJson(STATUS_NAMES)};
const CHANNEL_WORDS = ${scriptJson(DECISION_CHANNEL_WORDS)};
const LOUD = ${scriptJson(LOUD_STATUSES)};
const TARGET_PARAMETERS = ${scriptJson(targetParameters())};
const DEFAULT_LIMIT = 50;

const byId = (id) => document.getElementById(id);
// The browser's output context for API data is the DOM, not HTML text: every value goes in through append() as a
// text node, so it is never parsed as markup and needs no escaping. Only nodes made here pass through as nodes;
// anything else, an object from the API included, becomes its string. Nothing in this script assigns innerHTML,
// outerHTML or insertAdjacentHTML, or writes data into an attribute that a browser would run (on*, href, src).
const el = (tag, className, ...children) => {
  const node = document.createElement(tag);
  if (className) node.className = className;
  node.append(...children.filter((c) => c !== undefined && c !== null && c !== false).map((c) => (c instanceof Node ? c : String(c))));
  return node;
};
const plural = (n, word) => n + ' ' + word + (n === 1 ? '' : 's');
// Seconds in the table; milliseconds in a timeline, where several events often share a second.
const utc = (iso, precise) => {
  if (typeof iso !== 'string' || iso === '') return el('span', 'muted', 'unknown');
  const time = el('time', '', iso.replace('T', ' ').replace(precise ? /Z$/ : /(\\.\\d+)?Z$/, '') + ' UTC');
  time.dateTime = iso;
  return time;
};
// Step Functions passes causes as JSON inside a string; unfolded, they read as the rest of the detail does.
const unfold = (value) => {
  if (typeof value === 'string' && /^\\s*[[{]/.test(value)) {
    try { return unfold(JSON.parse(value)); } catch { return value; }
  }
  if (Array.isArray(value)) return value.map(unfold);
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unfold(v)]));
  return value;
};
const pretty = (value) => JSON.stringify(unfold(value), null, 2);
const isEmpty = (value) => value === undefined || value === null || (typeof value === 'object' && Object.keys(value).length === 0);

// ---- session: the token lives in sessionStorage only, so it ends with the tab and is never sent by the browser on its own
const readToken = () => { try { return sessionStorage.getItem(TOKEN_KEY); } catch { return null; } };
const storeToken = (token) => sessionStorage.setItem(TOKEN_KEY, token);
const forgetToken = () => { try { sessionStorage.removeItem(TOKEN_KEY); } catch { /* storage blocked: nothing was kept */ } };
// For display only: the API verifies the token; the page never trusts what it reads here.
const claimsOf = (token) => {
  try {
    const part = (token.split('.')[1] || '').replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(part + '='.repeat((4 - (part.length % 4)) % 4));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) || {};
  } catch {
    return {};
  }
};
const randomHex = () => Array.from(crypto.getRandomValues(new Uint8Array(16)), (b) => b.toString(16).padStart(2, '0')).join('');

// ---- messages
const alertBox = byId('alert');
const statusBox = byId('status');
const clearError = () => alertBox.replaceChildren();
const showError = (title, message, details) => {
  alertBox.replaceChildren(el('p', '', el('strong', '', title)));
  if (message) alertBox.append(el('p', '', message));
  if (Array.isArray(details) && details.length > 0) {
    alertBox.append(el('ul', '', ...details.map((d) => el('li', '', d && d.path ? d.path + ': ' + d.message : String(d && d.message)))));
  }
  alertBox.scrollIntoView({ block: 'nearest' });
};
const announce = (text) => { statusBox.textContent = text; };

class ApiError extends Error {
  constructor(status, message, details) {
    super(message);
    this.status = status;
    this.details = details;
  }
}
const TITLES = { 400: 'Check the filters', 401: 'Please sign in again', 403: 'Not allowed', 404: 'Not found' };
const showFailure = (error) => {
  if (error instanceof ApiError) {
    if (error.status === 401) return signOut('Your sign-in was refused or has expired. Sign in again to continue.');
    return showError(TITLES[error.status] || 'The request failed', error.message + ' (HTTP ' + error.status + ')', error.details);
  }
  showError('Could not reach the API', error && error.message ? error.message : String(error));
};

// Relative to this page, so the API is found under a stage prefix (/dev/audit → /dev/requests) as well.
const apiUrl = (path) => new URL(path, location.href).href;
const call = async (path, accept) => {
  const response = await fetch(apiUrl(path), {
    headers: { authorization: 'Bearer ' + readToken(), accept },
    cache: 'no-store',
    credentials: 'omit',
  });
  if (!response.ok) {
    let message = 'The API answered HTTP ' + response.status + '.';
    let details = [];
    try {
      const body = await response.json();
      if (body && body.error && typeof body.error.message === 'string') {
        message = body.error.message;
        details = Array.isArray(body.error.details) ? body.error.details : [];
      } else if (body && typeof body.message === 'string') {
        message = body.message;
      }
    } catch { /* not JSON: keep the status line */ }
    throw new ApiError(response.status, message, details);
  }
  return response;
};

// ---- views
const signinSection = byId('signin');
const auditSection = byId('audit');
const sessionBar = byId('session');

const showSignIn = () => {
  sessionBar.hidden = true;
  auditSection.hidden = true;
  signinSection.hidden = false;
};
const showSignedIn = (token) => {
  const claims = claimsOf(token);
  byId('who').textContent = claims.email || claims.sub || 'an unnamed identity';
  signinSection.hidden = true;
  sessionBar.hidden = false;
  auditSection.hidden = false;
};
const signIn = (token) => {
  storeToken(token);
  clearError();
  showSignedIn(token);
  byId('filters-heading').focus();
  applyFilters({ ownIfRefused: true });
};
function signOut(message) {
  forgetToken();
  generation += 1;
  setBusy(false);
  byId('results-body').replaceChildren();
  closeTimeline(false);
  showSignIn();
  if (message) showError('Signed out', message);
  else clearError();
  announce('Signed out.');
  byId('signin-heading').focus();
}

// ---- sign-in: identity provider (implicit flow back to this page), local stack, or a pasted token
const idpLink = byId('idp-login');
if (idpLink) {
  idpLink.addEventListener('click', (event) => {
    event.preventDefault();
    const login = { state: randomHex(), nonce: randomHex() };
    sessionStorage.setItem(LOGIN_KEY, JSON.stringify(login));
    const url = new URL(idpLink.href);
    url.searchParams.set('state', login.state);
    url.searchParams.set('nonce', login.nonce);
    location.assign(url.href);
  });
}

const takeRedirect = () => {
  const fragment = new URLSearchParams(location.hash.slice(1));
  if (!['id_token', 'access_token', 'error'].some((key) => fragment.has(key))) return;
  // The fragment holds a bearer token: take it out of the address bar and the history entry at once.
  history.replaceState(null, '', location.pathname + location.search);
  let started = null;
  try { started = JSON.parse(sessionStorage.getItem(LOGIN_KEY) || 'null'); } catch { started = null; }
  sessionStorage.removeItem(LOGIN_KEY);
  if (fragment.has('error')) {
    return showError('Sign-in failed', fragment.get('error_description') || fragment.get('error'));
  }
  // A token this tab did not ask for could be someone else's, planted to make us act as them.
  const token = fragment.get('id_token') || fragment.get('access_token') || '';
  const nonce = claimsOf(token).nonce;
  if (!started || fragment.get('state') !== started.state || (nonce !== undefined && nonce !== started.nonce)) {
    return showError('Sign-in not completed', 'The answer from the identity provider does not match a sign-in started on this page. Sign in again.');
  }
  storeToken(token);
};

byId('local-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  clearError();
  const email = byId('local-email').value.trim();
  if (!email) return showError('Enter an email address', 'Local sign-in issues a token for the email you give.');
  try {
    const response = await fetch(apiUrl('local/tokens'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ sub: email, email }),
      credentials: 'omit',
    });
    if (response.status === 404) {
      return showError('Local sign-in is not available here', 'It exists only on the local stack (npm start). Sign in with your identity provider or paste a token.');
    }
    const body = await response.json().catch(() => ({}));
    if (!response.ok || typeof body.token !== 'string') {
      return showError('Local sign-in failed', (body.error && body.error.message) || 'HTTP ' + response.status);
    }
    byId('local-email').value = '';
    signIn(body.token);
  } catch (error) {
    showFailure(error);
  }
});

byId('paste-form').addEventListener('submit', (event) => {
  event.preventDefault();
  clearError();
  const input = byId('paste-token');
  const token = input.value.trim().replace(/^Bearer\\s+/i, '');
  input.value = '';
  if (!/^[\\w-]+\\.[\\w-]+\\.[\\w-]*$/.test(token)) return showError('That is not a token', 'Paste a JWT: three base64url parts separated by dots.');
  signIn(token);
});

byId('sign-out').addEventListener('click', () => signOut());

// ---- filters and paging
const FIELDS = ['requester', 'status', 'action', 'targetId', 'approver'];
class InputError extends Error {}
const readFilters = () => {
  const params = new URLSearchParams();
  for (const name of FIELDS) {
    const value = byId('f-' + name).value.trim();
    if (value) params.set(name, value);
  }
  for (const name of ['from', 'to']) {
    const input = byId('f-' + name);
    if (input.validity.badInput) throw new InputError('Enter a complete date and time for "' + name + '", or clear it.');
    // datetime-local is the viewer's wall-clock time; the API wants an instant, so it goes as UTC.
    if (input.value) params.set(name, new Date(input.value).toISOString());
  }
  const limitInput = byId('f-limit');
  const limit = limitInput.value === '' ? DEFAULT_LIMIT : Number(limitInput.value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 200) throw new InputError('Page size must be a whole number from 1 to 200.');
  return { params, limit };
};

let applied = { params: new URLSearchParams(), limit: DEFAULT_LIMIT };
let paging = { cursor: '', previous: [], next: '' };
// Only the newest answer is shown, however quickly someone clicks.
let generation = 0;

const nameOfStatus = (status) => STATUS_NAMES[status] || String(status);
const statusBadge = (status) => {
  if (LOUD.includes(status)) {
    const icon = el('span', '', '\\u26a0 ');
    icon.setAttribute('aria-hidden', 'true');
    return el('strong', 'badge loud', icon, nameOfStatus(status));
  }
  return el('span', 'badge s-' + String(status).replace(/[^A-Z_]/g, ''), nameOfStatus(status));
};
const decisionBadge = (decision) => el('span', 'badge d-' + (decision === 'approve' ? 'approve' : 'deny'), decision === 'approve' ? 'Approved' : 'Denied');
const targetOf = (item) => item.targetId || (item.parameters && item.parameters[TARGET_PARAMETERS[item.action]]) || '';
const approversCell = (item) => {
  const decided = new Map((item.approvals || []).map((a) => [a.approver, a.decision]));
  const approvers = Array.isArray(item.approvers) ? item.approvers : [];
  if (approvers.length === 0) return el('span', 'muted', 'none');
  return el('ul', 'plain', ...approvers.map((approver) => {
    const decision = decided.get(approver);
    return el('li', '', approver, decision ? el('span', 'muted', decision === 'approve' ? ' (approved)' : ' (denied)') : null);
  }));
};

// Breaks only after the service prefix and between words, so a narrow column never splits a word.
const actionCode = (action) => {
  const parts = String(action).split(/(?<=:)|(?<=[a-z])(?=[A-Z])/);
  return el('code', '', ...parts.flatMap((part, i) => (i === 0 ? [part] : [document.createElement('wbr'), part])));
};

// Explicit roles and a data-label per cell: narrow screens restyle rows as cards, and the roles keep them
// a table for screen readers, which some browsers stop doing once a table's display is changed.
const cell = (label, ...children) => {
  const node = el('td', '', ...children);
  node.setAttribute('role', 'cell');
  if (label) node.dataset.label = label;
  return node;
};
const rowOf = (item) => {
  const row = el('tr', LOUD.includes(item.status) ? 'loud' : '');
  row.setAttribute('role', 'row');
  row.dataset.requestId = item.requestId;
  const created = el('th', '', utc(item.createdAt));
  created.scope = 'row';
  created.setAttribute('role', 'rowheader');
  created.dataset.label = 'Created';
  const open = el('button', 'small secondary', 'Timeline', el('span', 'visually-hidden', ' of request ' + item.requestId));
  open.type = 'button';
  open.addEventListener('click', () => openTimeline(item.requestId, open));
  row.append(created, cell('Requester', item.requester), cell('Action', actionCode(item.action)), cell('Target', el('code', '', targetOf(item))),
    cell('Status', statusBadge(item.status)), cell('Approvers', approversCell(item)));
  if (withNames) {
    const names = nameCells(item);
    row.append(
      ...NAME_HEADINGS.map((label, i) => {
        const named = cell(label, names[i]);
        named.classList.add('name');
        return named;
      }),
    );
  }
  row.append(cell('', open));
  return row;
};

// ---- names: the display snapshot's names (DESIGN.md, "Names everywhere"), in three columns after Approvers. A page
// whose requests were all stored before names existed keeps the table it always had; the ids stay in their columns.
const NAME_HEADINGS = ['Who', 'Permission set', 'Account name'];
let withNames = false;
const hasName = (named) => named && typeof named === 'object' && typeof named.name === 'string' && named.name !== '' && named.name !== named.id;
const none = () => el('span', 'muted', '\\u2014');
const principalText = (p) => {
  if (!hasName(p)) return p && p.id ? (p.type === 'GROUP' ? 'group ' : 'user ') + p.id : null;
  if (p.type === 'GROUP') return 'group ' + p.name;
  return p.userName && p.userName !== p.name ? p.name + ' (' + p.userName + ')' : p.name;
};
const permissionSetText = (ps) => {
  if (!ps || typeof ps !== 'object') return null;
  return typeof ps.name === 'string' && ps.name !== '' && ps.name !== ps.arn ? ps.name : String(ps.arn || '').split('/').pop() || null;
};
const nameCells = (item) => {
  const d = item.display && typeof item.display === 'object' ? item.display : {};
  const who = hasName(d.requester) ? d.requester.name : null;
  const ps = permissionSetText(d.permissionSet);
  return [who || none(), ps || none(), hasName(d.account) ? d.account.name : none()];
};
const showNameColumns = (show) => {
  withNames = show;
  byId('results-table').classList.toggle('names', show);
  const head = byId('results-head');
  head.querySelectorAll('th[data-names]').forEach((th) => th.remove());
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

const setBusy = (busy) => {
  byId('results').setAttribute('aria-busy', busy ? 'true' : 'false');
};

const messageRow = (text) => {
  const only = el('td', 'empty', text);
  only.colSpan = withNames ? 10 : 7;
  only.setAttribute('role', 'cell');
  const row = el('tr', '', only);
  row.setAttribute('role', 'row');
  byId('results-body').replaceChildren(row);
};

const loadPage = async (target, options) => {
  const mine = ++generation;
  clearError();
  const params = new URLSearchParams(applied.params);
  params.set('limit', String(applied.limit));
  if (target.cursor) params.set('cursor', target.cursor);
  setBusy(true);
  announce('Loading…');
  try {
    const response = await call('requests?' + params, 'application/json');
    const body = await response.json();
    if (mine !== generation) return;
    const items = Array.isArray(body.items) ? body.items : [];
    paging = { cursor: target.cursor, previous: target.previous, next: typeof body.nextCursor === 'string' ? body.nextCursor : '' };
    showNameColumns(items.some((item) => item && item.display));
    if (items.length === 0) messageRow('No requests match these filters.');
    else byId('results-body').replaceChildren(...items.map(rowOf));
    const page = paging.previous.length + 1;
    byId('results-caption').textContent = 'Access requests, newest first: page ' + page;
    byId('page-number').textContent = 'Page ' + page;
    byId('result-count').textContent = plural(items.length, 'result') + ' on this page';
    byId('previous-page').disabled = paging.previous.length === 0;
    byId('next-page').disabled = paging.next === '';
    announce(plural(items.length, 'result') + ' on page ' + page + (paging.next ? '; more on the next page.' : '.'));
    // A pager button that just became disabled has dropped focus: put it somewhere sensible.
    if (document.activeElement === document.body || (document.activeElement && document.activeElement.disabled)) byId('table-region').focus();
  } catch (error) {
    if (mine !== generation) return;
    announce('');
    // Only auditors may list everyone's requests; anyone else first lands on their own rather than on an error.
    const self = claimsOf(readToken() || '');
    const identity = self.email || self.sub;
    if (options && options.ownIfRefused && error instanceof ApiError && error.status === 403 && !applied.params.has('requester') && identity) {
      byId('f-requester').value = identity;
      applied.params.set('requester', identity);
      byId('scope-note').hidden = false;
      return loadPage(target, { fresh: true });
    }
    // Rows from the previous filters would pass for answers to these ones. A failed page turn keeps its
    // page: the filters it answers are still the applied ones.
    if (options && options.fresh) {
      messageRow('No results: the query was refused (see the message above).');
      byId('result-count').textContent = '';
      byId('previous-page').disabled = true;
      byId('next-page').disabled = true;
      paging = { cursor: '', previous: [], next: '' };
    }
    showFailure(error);
  } finally {
    if (mine === generation) setBusy(false);
  }
};

function applyFilters(options) {
  try {
    applied = readFilters();
  } catch (error) {
    if (error instanceof InputError) return showError('Check the filters', error.message);
    throw error;
  }
  byId('scope-note').hidden = true;
  return loadPage({ cursor: '', previous: [] }, { ...options, fresh: true });
}

byId('filters').addEventListener('submit', (event) => {
  event.preventDefault();
  applyFilters();
});
byId('filters').addEventListener('reset', () => {
  // After the browser has cleared the fields.
  setTimeout(applyFilters, 0);
});
byId('next-page').addEventListener('click', () => {
  if (paging.next) loadPage({ cursor: paging.next, previous: [...paging.previous, paging.cursor] });
});
byId('previous-page').addEventListener('click', () => {
  if (paging.previous.length === 0) return;
  const previous = paging.previous.slice(0, -1);
  loadPage({ cursor: paging.previous[paging.previous.length - 1], previous });
});

// ---- timeline
const timeline = byId('timeline');
let opener = null;

const field = (label, ...value) => [el('dt', '', label), el('dd', '', ...value)];
// The names a request was shown under, each with its id; nothing for requests stored before names existed.
const namesFields = (view) => {
  const d = view.display && typeof view.display === 'object' ? view.display : undefined;
  if (!d) return [];
  const parts = [];
  if (hasName(d.requester)) parts.push(...field('Requester name', d.requester.name));
  if (d.principal && d.principal.id) parts.push(...field('For', principalText(d.principal), ' ', el('code', '', d.principal.id)));
  if (d.permissionSet && d.permissionSet.arn) {
    parts.push(...field('Permission set', permissionSetText(d.permissionSet), d.permissionSet.description ? el('span', 'muted', ' \\u2013 ' + d.permissionSet.description) : null));
  }
  if (d.account && d.account.id) parts.push(...field('Account', hasName(d.account) ? d.account.name + ' ' : '', el('code', '', d.account.id)));
  return parts;
};
const renderTimeline = (view) => {
  const approvals = Array.isArray(view.approvals) ? view.approvals : [];
  const events = Array.isArray(view.events) ? view.events : [];
  const approvers = Array.isArray(view.approvers) ? view.approvers : [];
  const body = byId('timeline-body');
  const parts = [];
  if (LOUD.includes(view.status)) {
    parts.push(el('div', 'notice bad', el('p', '', el('strong', '', '\\u26a0 ' + nameOfStatus(view.status) + ': '),
      view.error ? (view.error.name || 'Error') + ': ' + (view.error.message || '') : 'see the events below.')));
  }
  parts.push(el('dl', '',
    ...field('Summary', view.summary),
    ...field('Request ID', el('code', '', view.requestId)),
    ...field('Action', el('code', '', view.action)),
    ...field('Target', el('code', '', targetOf(view))),
    ...field('Requested by', view.requester),
    ...namesFields(view),
    ...field('Justification', view.justification),
    ...field('Status', statusBadge(view.status)),
    ...field('Created', utc(view.createdAt)),
    ...field('Last updated', utc(view.updatedAt)),
    ...field('Approval window ends', utc(view.expiresAt)),
    ...field('Approvers', approvers.join(', ') || 'none', el('span', 'muted', ' (' + plural(Number(view.minApprovals) || 1, 'approval') + ' required)')),
    ...field('Parameters', el('pre', '', pretty(view.parameters || {}))),
  ));
  parts.push(el('h3', '', 'Approvals'));
  parts.push(approvals.length === 0
    ? el('p', 'muted', 'No decisions recorded.')
    : el('ul', 'approvals', ...approvals.map((a) => el('li', '',
        el('div', 'event-head', el('strong', '', a.approver), decisionBadge(a.decision), el('span', 'muted', utc(a.at, true), ' via ' + (CHANNEL_WORDS[a.via] || a.via))),
        a.comment ? el('blockquote', '', a.comment) : null))));
  parts.push(el('h3', '', 'Events (' + events.length + ')'));
  parts.push(events.length === 0
    ? el('p', 'muted', 'No events recorded.')
    : el('ol', 'events', ...events.map((e) => el('li', /fail|error/i.test(String(e.type)) ? 'loud' : '',
        el('div', 'event-head', utc(e.at, true), el('strong', 'event-type', e.type)),
        // A detail that is not JSON is shown as written, not as an escaped JSON string.
        isEmpty(e.detail) ? null : el('pre', '', typeof e.detail === 'string' ? e.detail : pretty(e.detail))))));
  if (view.outcome !== undefined) parts.push(el('h3', '', 'Outcome'), el('pre', '', pretty(view.outcome)));
  if (view.error) {
    parts.push(el('h3', '', 'Error'), el('div', 'notice bad', el('p', '', el('strong', '', view.error.name || 'Error')), el('p', '', view.error.message || '')));
  }
  body.replaceChildren(...parts);
  byId('timeline-heading').textContent = 'Timeline of request ' + view.requestId;
};

async function openTimeline(requestId, from) {
  clearError();
  announce('Loading the timeline…');
  try {
    const response = await call('requests/' + encodeURIComponent(requestId), 'application/json');
    renderTimeline(await response.json());
    opener = from;
    timeline.hidden = false;
    announce('');
    byId('timeline-heading').focus();
  } catch (error) {
    announce('');
    showFailure(error);
  }
}
function closeTimeline(restoreFocus) {
  timeline.hidden = true;
  byId('timeline-body').replaceChildren();
  if (restoreFocus && opener && opener.isConnected) opener.focus();
  opener = null;
}
byId('close-timeline').addEventListener('click', () => closeTimeline(true));
timeline.addEventListener('keydown', (event) => {
  if (event.key === 'Escape') closeTimeline(true);
});

// ---- CSV: the same filters as the table, every page, with the token (a plain link could not send it)
const countCsvRows = (text) => {
  let rows = 0;
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\n' && !quoted) rows += 1;
  }
  if (text.length > 0 && !text.endsWith('\\n')) rows += 1;
  return Math.max(0, rows - 1);
};
byId('download-csv').addEventListener('click', async () => {
  clearError();
  const button = byId('download-csv');
  button.disabled = true;
  announce('Preparing the CSV…');
  try {
    const params = new URLSearchParams(applied.params);
    const response = await call('requests?' + params, 'text/csv');
    const text = await response.text();
    const truncated = response.headers.get('x-next-cursor') !== null;
    const url = URL.createObjectURL(new Blob([text], { type: 'text/csv;charset=utf-8' }));
    const link = el('a', '', 'download');
    link.href = url;
    link.download = 'access-requests.csv';
    link.hidden = true;
    document.body.append(link);
    link.click();
    link.remove();
    // Revoked later: some browsers read the blob after click() returns.
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    announce('Downloaded access-requests.csv with ' + plural(countCsvRows(text), 'row') + '.');
    if (truncated) showError('The CSV is incomplete', 'The export stopped at its size or time limit. Narrow the filters (for example by time) and download again.');
  } catch (error) {
    announce('');
    showFailure(error);
  } finally {
    button.disabled = false;
  }
});

// ---- start
const offset = -new Date().getTimezoneOffset();
const sign = offset < 0 ? '-' : '+';
const zone = 'UTC' + sign + String(Math.floor(Math.abs(offset) / 60)).padStart(2, '0') + ':' + String(Math.abs(offset) % 60).padStart(2, '0');
byId('time-hint').textContent = 'Your local time (' + zone + '); sent to the API as UTC.';

takeRedirect();
const token = readToken();
const claims = token ? claimsOf(token) : {};
if (token && typeof claims.exp === 'number' && claims.exp * 1000 <= Date.now()) {
  forgetToken();
  showSignIn();
  showError('Signed out', 'Your sign-in has expired. Sign in again to continue.');
} else if (token) {
  showSignedIn(token);
  applyFilters({ ownIfRefused: true });
} else {
  showSignIn();
}
})();
`;

const option = (value: string, label: string): string => html`<option value="${value}">${label}</option>`.toString();

const signInSection = (
  loginUrl: string | undefined,
): string => `<section id="signin" class="card" aria-labelledby="signin-heading">
<h2 id="signin-heading" tabindex="-1">Sign in</h2>
<p>The audit view shows every access request, decision and outcome you are allowed to see. Your token is kept in this browser tab only, and forgotten when you close it or sign out.</p>
<div class="ways">
${
  loginUrl
    ? html`<div class="way"><h3>Your identity provider</h3><p>Sign in with your organisation's account.</p><p><a id="idp-login" class="button" href="${loginUrl}">Sign in</a></p></div>`.toString()
    : ''
}
<form id="local-form" class="way" novalidate>
<h3>Local sign-in <span class="tag">local stack only</span></h3>
<label for="local-email">Email</label>
<input id="local-email" type="email" autocomplete="email" spellcheck="false" aria-describedby="local-hint">
<p class="hint" id="local-hint">Issues a token from the local stack (<code>npm start</code>). Not available on AWS.</p>
<div class="actions"><button type="submit">Sign in locally</button></div>
</form>
<form id="paste-form" class="way" novalidate>
<h3>Paste a token</h3>
<label for="paste-token">Bearer token (JWT)</label>
<input id="paste-token" type="password" autocomplete="off" spellcheck="false" aria-describedby="paste-hint">
<p class="hint" id="paste-hint">A token your identity provider issued for this API.</p>
<div class="actions"><button type="submit">Use this token</button></div>
</form>
</div>
</section>`;

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
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex,nofollow">` +
  // An empty icon: the browser would otherwise ask for /favicon.ico, which is not a route.
  `<link rel="icon" href="data:,"><title>Audit – Access approvals</title><style>${STYLE}</style></head><body>
<header class="top">
<h1>Access request audit</h1>
<div id="session" class="session" hidden><p>Signed in as <strong id="who"></strong></p><button id="sign-out" type="button">Sign out</button></div>
</header>
<main>
<noscript><div class="notice bad"><p>This page needs JavaScript to query the API.</p></div></noscript>
<div id="alert" class="alert" role="alert"></div>
<p id="status" class="visually-hidden" role="status"></p>
${signInSection(safeLoginUrl(loginUrl))}
<div id="audit" hidden>
${filtersSection()}
${resultsSection()}
${timelineSection()}
</div>
</main>
${html`<script nonce="${nonce}">`}${script()}</script>
</body></html>`;
