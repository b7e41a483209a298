// The layout every signed-in page shares (the audit page, GET /audit, and the access page, GET /): one
// self-contained HTML document (inline CSS, one inline script, no external assets) with the session bar, the
// message areas, the sign-in section and the page's browser bundle (web/<page>.ts, built by scripts/build-web.ts)
// in its one nonce'd <script>. The server side knows nothing about the caller: every page is the same for everyone,
// and its script calls the HTTP API with the caller's own bearer token, so the API's authorization is the only
// authorization there is.
import { randomBytes } from 'node:crypto';
import { type Html, html, trustedHtml } from '../shared/outputContexts/html.js';
import { browserBundles } from './browserBundles.generated.js';
import { BASE_STYLE } from './style.js';

export { BASE_STYLE, RESET_STYLE } from './style.js';

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
