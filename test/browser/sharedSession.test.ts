// The shared browser modules (web/shared/) as a page uses them, through the audit page's bundle served under a stage
// prefix (/dev/audit) from stubbed routes: the identity provider's link comes back to the page's own URL, API calls
// go relative to the page with the session's token, the contract's errors are shown with their details, an expired
// token counts as signed out, and the token is one sessionStorage key for every page of the origin.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, BrowserContext, Page, Request } from 'playwright-core';
import { auditPageHeaders, renderAuditPage } from '../../functions/audit/page.js';
import { assertChromiumInstalled, launchChromium } from './chromium.js';

const ORIGIN = 'http://shared-session.test';
const IDP = 'https://idp.example.test/oauth2/authorize';
const TOKEN_KEY = 'access-approvals.audit.token';

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const tokenFor = (email: string, claims: Record<string, unknown> = {}): string =>
  `${base64url({ alg: 'none' })}.${base64url({ sub: email, email, ...claims })}.`;

let browser: Browser | undefined;

beforeAll(async () => {
  assertChromiumInstalled();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

interface Opened {
  context: BrowserContext;
  page: Page;
  /** Every call the page made to the API (anything under the origin but the pages). */
  calls: Request[];
  errors: string[];
}

/**
 * A context where `${ORIGIN}/dev/audit` and `${ORIGIN}/dev/other` both serve the audit page, and GET /dev/requests
 * answers with `answer`.
 */
const open = async (options: {
  token?: string;
  loginUrl?: string;
  answer?: { status: number; body: unknown };
}): Promise<Opened> => {
  if (!browser) throw new Error('Chromium did not start');
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  const calls: Request[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  if (options.token) {
    await context.addInitScript(`sessionStorage.setItem('${TOKEN_KEY}', ${JSON.stringify(options.token)});`);
  }
  await context.route(`${ORIGIN}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/dev/audit' || url.pathname === '/dev/other') {
      const nonce = 'shared-session-nonce';
      return route.fulfill({
        status: 200,
        headers: auditPageHeaders(nonce),
        body: renderAuditPage({ nonce, ...(options.loginUrl ? { loginUrl: options.loginUrl } : {}) }),
      });
    }
    calls.push(route.request());
    const answer = options.answer ?? { status: 200, body: { items: [] } };
    return route.fulfill({ status: answer.status, contentType: 'application/json', body: JSON.stringify(answer.body) });
  });
  return { context, page, calls, errors };
};

describe('the shared session', () => {
  it("sends the identity provider this page's own URL as redirect_uri, with a fresh state and nonce", async () => {
    // Prepare
    const opened = await open({ loginUrl: `${IDP}?response_type=id_token&client_id=c&redirect_uri=https://old.test/` });
    const { page, context } = opened;
    const asked = new Promise<URL>((resolve) => {
      void page.route(`${IDP}?*`, (route) => {
        resolve(new URL(route.request().url()));
        return route.fulfill({ status: 200, contentType: 'text/plain', body: 'idp' });
      });
    });
    await page.goto(`${ORIGIN}/dev/audit?from=mail`);
    // Act
    await page.getByRole('link', { name: 'Sign in' }).click();
    const url = await asked;
    // Assess
    expect(url.searchParams.get('redirect_uri')).toBe(`${ORIGIN}/dev/audit`);
    expect(url.searchParams.getAll('redirect_uri')).toHaveLength(1);
    expect(url.searchParams.get('client_id')).toBe('c');
    expect(url.searchParams.get('state')).toMatch(/^[0-9a-f]{32}$/);
    expect(url.searchParams.get('nonce')).toMatch(/^[0-9a-f]{32}$/);
    expect(url.searchParams.get('state')).not.toBe(url.searchParams.get('nonce'));
    expect(opened.errors).toEqual([]);
    await context.close();
  });

  it('calls the API relative to the page (under its stage prefix) with the bearer token, no cookies, no cache', async () => {
    // Prepare
    const token = tokenFor('dana@example.com');
    const opened = await open({ token });
    const { page, context, calls } = opened;
    // Act
    const listed = page.waitForResponse((r) => new URL(r.url()).pathname === '/dev/requests');
    await page.goto(`${ORIGIN}/dev/audit`);
    await listed;
    await page.locator('#results[aria-busy="false"]').waitFor();
    // Assess
    const call = calls[0];
    expect(call).toBeDefined();
    expect(new URL(call?.url() ?? '').pathname).toBe('/dev/requests');
    const headers = (await call?.allHeaders()) ?? {};
    expect(headers.authorization).toBe(`Bearer ${token}`);
    expect(headers.accept).toBe('application/json');
    expect(headers.cookie).toBeUndefined();
    expect(await page.locator('#who').innerText()).toBe('dana@example.com');
    expect(opened.errors).toEqual([]);
    await context.close();
  });

  it("shows the contract's error with its message and every detail, as text", async () => {
    // Prepare
    const opened = await open({
      token: tokenFor('dana@example.com'),
      answer: {
        status: 400,
        body: {
          error: {
            code: 'BadRequest',
            message: 'The query is not valid <b>here</b>',
            details: [{ path: 'status', message: 'must be one of <the statuses>' }, { message: 'no path' }],
          },
        },
      },
    });
    const { page, context } = opened;
    // Act
    await page.goto(`${ORIGIN}/dev/audit`);
    const alert = page.getByRole('alert');
    await alert.filter({ hasText: 'Check the filters' }).waitFor();
    // Assess
    expect(await alert.locator('p').allInnerTexts()).toEqual([
      'Check the filters',
      'The query is not valid <b>here</b> (HTTP 400)',
    ]);
    expect(await alert.locator('li').allInnerTexts()).toEqual(['status: must be one of <the statuses>', 'no path']);
    expect(await alert.locator('b').count()).toBe(0);
    expect(opened.errors).toEqual([]);
    await context.close();
  });

  it('treats an expired token as signed out, forgets it and calls nothing', async () => {
    // Prepare
    const opened = await open({ token: tokenFor('dana@example.com', { exp: Math.floor(Date.now() / 1000) - 60 }) });
    const { page, context } = opened;
    // Act
    await page.goto(`${ORIGIN}/dev/audit`);
    await page.getByRole('alert').filter({ hasText: 'Signed out' }).waitFor();
    // Assess
    expect(await page.getByRole('alert').innerText()).toContain('Your sign-in has expired.');
    expect(await page.locator('#signin').isVisible()).toBe(true);
    expect(await page.locator('#session').isVisible()).toBe(false);
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
    expect(opened.calls).toEqual([]);
    await context.close();
  });

  it('signs in once for every page of the origin in the tab, and signs out of all of them at once', async () => {
    // Prepare
    const opened = await open({});
    const { page, context } = opened;
    await page.goto(`${ORIGIN}/dev/audit`);
    // Act: sign in on one page by pasting a token, then go to another page of the origin
    await page.locator('#paste-token').fill(tokenFor('erin@example.com'));
    await page.getByRole('button', { name: 'Use this token' }).click();
    await page.locator('#who').waitFor();
    await page.goto(`${ORIGIN}/dev/other`);
    await page.locator('#who').waitFor();
    const whoElsewhere = await page.locator('#who').innerText();
    const stored = await page.evaluate<string[]>('Object.keys(sessionStorage)');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.goto(`${ORIGIN}/dev/audit`);
    // Assess
    expect(whoElsewhere).toBe('erin@example.com');
    expect(stored).toEqual([TOKEN_KEY]);
    expect(await page.locator('#signin').isVisible()).toBe(true);
    expect(await page.evaluate<number>('sessionStorage.length')).toBe(0);
    expect(opened.errors).toEqual([]);
    await context.close();
  });
});
