// The layout every signed-in page shares (the audit page, GET /audit, and the access page, GET /): one
// self-contained HTML document (inline CSS, one inline script, no external assets) with the session bar, the
// message areas, the sign-in section and the page's browser bundle (web/<page>.ts, built by scripts/build-web.ts)
// in its one nonce'd <script>. The server side knows nothing about the caller: every page is the same for everyone,
// and its script calls the HTTP API with the caller's own bearer token, so the API's authorization is the only
// authorization there is.
import { randomBytes } from 'node:crypto';
import { type Html, html, trustedHtml } from '../shared/outputContexts/html.js';
import { browserBundles } from './browserBundles.generated.js';

/** A page's browser bundle, by the name of its entry point in web/. */
export type PageBundle = keyof typeof browserBundles;

/** A fresh nonce per response: an injected script cannot guess it, so the CSP admits only the page's own. */
export const newNonce = (): string => randomBytes(18).toString('base64');

export const pageHeaders = (nonce: string): Record<string, string> => ({
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

/** The document base every page shares, the approval page included. */
export const RESET_STYLE = `
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{font:1rem/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f3f4f6;color:#1b1f24}`;

// Colours are chosen for WCAG AA: every text/background pair is at least 4.5:1, borders and the focus ring
// at least 3:1. Sizes are relative so zoom and text scaling work, and nothing here is wider than 320 px.
export const BASE_STYLE = `${RESET_STYLE}
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
code,pre{font:.875rem/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
code{overflow-wrap:anywhere}
pre{margin:.35rem 0 0;background:#f6f8fa;border:1px solid #d0d7de;border-radius:6px;padding:.5rem .75rem;white-space:pre-wrap;overflow-wrap:anywhere}
.badge{display:inline-block;font-size:.8125rem;font-weight:600;padding:.05rem .55rem;border-radius:999px;border:1px solid currentColor;white-space:nowrap}
.s-PENDING_APPROVAL{color:#0550ae;background:#ddf4ff}
.s-APPROVED,.s-ACTIVE{color:#0a5d61;background:#d8f6f2}
.s-COMPLETED,.d-approve{color:#116329;background:#dafbe1}
.s-DENIED,.s-REVOKED{color:#374151;background:#eaeef2}
.d-deny{color:#a40e26;background:#ffebe9}
.s-EXPIRED{color:#6b4f00;background:#fff8c5}
.badge.loud{color:#fff;background:#a40e26;border-color:#a40e26;font-size:.875rem;text-transform:uppercase;letter-spacing:.02em}
dl{display:grid;grid-template-columns:minmax(8rem,max-content) 1fr;gap:.4rem 1rem;margin:0}
dt{font-weight:600;color:#374151}
dd{margin:0;min-width:0;overflow-wrap:anywhere}
.notice{border-radius:6px;border-left:6px solid;padding:.75rem 1rem;margin:.75rem 0;overflow-wrap:anywhere}
.notice.bad{background:#ffebe9;border-color:#a40e26}
.notice.info{background:#ddf4ff;border-color:#0550ae}
.notice.bad strong{color:#86061d}
.visually-hidden{position:absolute!important;width:1px;height:1px;padding:0;margin:-1px;overflow:hidden;clip:rect(0,0,0,0);white-space:nowrap;border:0}
[hidden]{display:none!important}
@media (max-width:40rem){
header.top{padding:.75rem 1rem}
main{padding:0 .5rem}
.card{padding:.75rem}
dl{grid-template-columns:1fr;gap:0}
dd{margin-bottom:.5rem}
}
@media (forced-colors:active){.badge,button,a.button{border:1px solid}.alert:not(:empty),.notice{border:2px solid}}`;

export interface SignInOptions {
  /** The identity provider's OIDC authorize URL; only an http(s) URL becomes the link. */
  loginUrl?: string | undefined;
  /** What signing in gives on this page, shown above the ways to sign in. */
  intro: string;
}

/** The ways to sign in, with the ids web/shared/session.ts wires. */
export const signInSection = ({ loginUrl, intro }: SignInOptions): Html => {
  const safeUrl = safeLoginUrl(loginUrl);
  const idp = safeUrl
    ? html`<div class="way"><h3>Your identity provider</h3><p>Sign in with your organisation's account.</p><p><a id="idp-login" class="button" href="${safeUrl}">Sign in</a></p></div>`
    : trustedHtml('');
  return html`<section id="signin" class="card" aria-labelledby="signin-heading">
<h2 id="signin-heading" tabindex="-1">Sign in</h2>
<p>${intro} Your token is kept in this browser tab only, and forgotten when you close it or sign out.</p>
<div class="ways">
${idp}
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
};

export interface PageOptions {
  /** The document's title, e.g. `Audit – Access approvals`. */
  title: string;
  /** The page's one h1, in the header beside the session bar. */
  heading: string;
  /** The CSP nonce of this response (pageHeaders(nonce)); the page's one script carries it. */
  nonce: string;
  /** The page's own sections after the message areas: usually signInSection(...) and what signing in shows. */
  body: Html;
  /** Which browser bundle runs the page. */
  bundle: PageBundle;
  /** What the page's script reads with readPageData() (web/shared/pageData.ts). */
  pageData?: unknown;
  /** The page's own CSS, after the shared base. */
  extraStyle?: string;
}

// The bundle is ours, built by scripts/build-web.ts, which refuses any text that could end or open a script
// element; page data goes in an attribute, entity-escaped, so no value can end it or add markup.
export const renderPage = ({
  title,
  heading,
  nonce,
  body,
  bundle,
  pageData = {},
  extraStyle = '',
}: PageOptions): string =>
  html`<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">` +
  `<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex,nofollow">` +
  // An empty icon: the browser would otherwise ask for /favicon.ico, which is not a route.
  html`<link rel="icon" href="data:,"><title>${title}</title><style>${trustedHtml(BASE_STYLE + extraStyle)}</style></head><body>
<header class="top">
<h1>${heading}</h1>
<div id="session" class="session" hidden><p>Signed in as <strong id="who"></strong></p><button id="sign-out" type="button">Sign out</button></div>
</header>
<main>
<noscript><div class="notice bad"><p>This page needs JavaScript to query the API.</p></div></noscript>
<div id="alert" class="alert" role="alert"></div>
<p id="status" class="visually-hidden" role="status"></p>
${body}
</main>
<template id="page-data" data-json="${JSON.stringify(pageData)}"></template>
<script nonce="${nonce}">${trustedHtml(browserBundles[bundle])}</script>
</body></html>`;
