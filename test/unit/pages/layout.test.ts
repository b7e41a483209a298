// The shared page layout (functions/pages/layout.ts): the document every signed-in page is, its one nonce'd script,
// its page data and its sign-in section, and the status labels the server and the browser share.
import { describe, expect, it } from '@jest/globals';
import { auditPageHeaders, renderAuditPage } from '../../../functions/audit/page.js';
import { browserBundles } from '../../../functions/pages/browserBundles.generated.js';
import { newNonce, pageHeaders, renderPage, signInSection } from '../../../functions/pages/layout.js';
import { REQUEST_STATUSES } from '../../../functions/requests/model.js';
import {
  isLoudStatus,
  STATUS_DESCRIPTIONS,
  STATUS_NAMES,
  statusName,
} from '../../../functions/requests/statusLabels.js';
import { html } from '../../../functions/shared/outputContexts/html.js';

const HOSTILE = '</template><script>alert(1)</script><!-- " \' &amp;';

const pageDataOf = (page: string): unknown => {
  const attribute = /<template id="page-data" data-json="([^"]*)"><\/template>/.exec(page)?.[1];
  if (attribute === undefined) throw new Error('no page-data element');
  const text = attribute
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return JSON.parse(text);
};

describe('renderPage', () => {
  it('is one document with the session bar, the message areas, the body and exactly one script, nonced', () => {
    // Prepare
    const nonce = newNonce();
    // Act
    const page = renderPage({
      title: 'Test – Access approvals',
      heading: 'A heading',
      nonce,
      bundle: 'audit',
      body: html`<section id="mine">${HOSTILE}</section>`,
    });
    // Assess
    expect(page.startsWith('<!doctype html><html lang="en">')).toBe(true);
    expect(page).toContain('<title>Test – Access approvals</title>');
    expect(page).toContain('<h1>A heading</h1>');
    for (const id of ['session', 'who', 'sign-out', 'alert', 'status', 'mine', 'page-data']) {
      expect(page).toContain(`id="${id}"`);
    }
    expect(page).toContain('<div id="alert" class="alert" role="alert"></div>');
    expect(page).toContain('<p id="status" class="visually-hidden" role="status"></p>');
    expect(page.match(/<script\b[^>]*>/g)).toEqual([`<script nonce="${nonce}">`]);
    expect(page).toContain(`<script nonce="${nonce}">${browserBundles.audit}</script>`);
    expect(page).not.toContain('<script>alert(1)');
    expect(page).not.toMatch(/\b(src|href)="(https?:)?\/\//);
  });

  it('hands page data over in an attribute that no value can leave', () => {
    // Prepare
    const pageData = { text: HOSTILE, list: ['<b>', '"'], n: 3 };
    // Act
    const page = renderPage({ title: 't', heading: 'h', nonce: 'n', bundle: 'access', body: html``, pageData });
    // Assess
    expect(pageDataOf(page)).toEqual(pageData);
    expect(page.split('</template>')).toHaveLength(2);
    expect(page).not.toContain('<!--');
  });

  it('escapes the title and heading as text', () => {
    // Act
    const page = renderPage({ title: '<i>t</i>', heading: '<b>h</b>', nonce: 'n', bundle: 'audit', body: html`` });
    // Assess
    expect(page).toContain('<title>&lt;i&gt;t&lt;/i&gt;</title>');
    expect(page).toContain('<h1>&lt;b&gt;h&lt;/b&gt;</h1>');
  });

  it('gives the audit page its target parameters as page data', () => {
    // Act
    const page = renderAuditPage({ nonce: 'n' });
    // Assess
    expect(pageDataOf(page)).toEqual({
      targetParameters: {
        'sso:CreateAccountAssignment': 'TargetId',
        'proton:AcceptEnvironmentAccountConnection': 'id',
      },
    });
  });
});

describe('signInSection', () => {
  it('offers the local form and the pasted token always, and the identity provider only for an http(s) URL', () => {
    // Act
    const without = signInSection({ intro: 'Intro <text>.' }).toString();
    const unsafe = signInSection({ intro: 'x', loginUrl: 'javascript:alert(1)' }).toString();
    const withIdp = signInSection({ intro: 'x', loginUrl: 'https://idp.example.com/authorize?a=1&b=2' }).toString();
    // Assess
    for (const id of ['signin', 'signin-heading', 'local-form', 'local-email', 'paste-form', 'paste-token']) {
      expect(without).toContain(`id="${id}"`);
    }
    expect(without).toContain('<p>Intro &lt;text&gt;. Your token is kept in this browser tab only');
    expect(without).not.toContain('idp-login');
    expect(unsafe).not.toContain('idp-login');
    expect(withIdp).toContain('<a id="idp-login" class="button" href="https://idp.example.com/authorize?a=1&amp;b=2">');
  });
});

describe('pageHeaders and newNonce', () => {
  it("are the audit page's headers, with a fresh 24-character nonce per response", () => {
    // Act
    const nonces = new Set(Array.from({ length: 50 }, newNonce));
    // Assess
    expect(nonces.size).toBe(50);
    for (const nonce of nonces) expect(nonce).toMatch(/^[A-Za-z0-9+/]{24}$/);
    expect(auditPageHeaders('abc')).toEqual(pageHeaders('abc'));
    expect(pageHeaders('abc')['content-security-policy']).toContain("script-src 'nonce-abc'");
    expect(pageHeaders('abc')['cache-control']).toBe('no-store');
  });
});

describe('status labels', () => {
  it('name and describe every status, and keep an unknown one as it is', () => {
    // Assess
    expect(Object.keys(STATUS_NAMES).sort()).toEqual([...REQUEST_STATUSES].sort());
    expect(Object.keys(STATUS_DESCRIPTIONS).sort()).toEqual([...REQUEST_STATUSES].sort());
    expect(statusName('REVOKE_FAILED')).toBe('Revoke failed');
    expect(statusName('NEW_STATUS')).toBe('NEW_STATUS');
    expect(statusName('constructor')).toBe('constructor');
    expect(REQUEST_STATUSES.filter(isLoudStatus)).toEqual(['FAILED', 'REVOKE_FAILED', 'OUTCOME_UNKNOWN']);
  });
});
