// The audit page served from stored requests, without a stack: the page itself, and GET /requests and
// GET /requests/{id} answered from the given items' views, signed in with an unsigned local token. Browser tests that
// look at how the page shows requests (names, accessibility) open it this way.
import type { Browser, Page } from 'playwright-core';
import { auditPageHeaders, renderAuditPage } from '../../functions/audit/page.js';
import type { RequestItem } from '../../functions/requests/model.js';
import { toRequestView } from '../../functions/requests/view.js';

const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Opens the page at `origin`/audit and waits for its first list; console errors and page errors are collected. */
export const openServedAuditPage = async (
  browser: Browser,
  items: readonly RequestItem[],
  options: { origin: string; signedInAs: string; width?: number },
): Promise<{ page: Page; errors: string[] }> => {
  const { origin, signedInAs, width = 1280 } = options;
  const token = `${base64url({ alg: 'none' })}.${base64url({ sub: signedInAs, email: signedInAs })}.`;
  const context = await browser.newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await context.addInitScript(`sessionStorage.setItem('access-approvals.audit.token', ${JSON.stringify(token)});`);
  const views = new Map(items.map((item) => [item.requestId, toRequestView(item)]));
  await context.route(`${origin}/**`, async (route) => {
    const url = new URL(route.request().url());
    if (url.pathname === '/audit') {
      const nonce = 'served-audit-page-nonce';
      return route.fulfill({ status: 200, headers: auditPageHeaders(nonce), body: renderAuditPage({ nonce }) });
    }
    const json = (body: unknown) =>
      route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
    if (url.pathname === '/requests') return json({ items: [...views.values()] });
    const view = views.get(decodeURIComponent(url.pathname.replace(/^\/requests\//, '')));
    return view ? json(view) : route.fulfill({ status: 404, body: '{}' });
  });
  const listed = page.waitForResponse((r) => new URL(r.url()).pathname === '/requests');
  await page.goto(`${origin}/audit`);
  await listed;
  await page.locator('#results[aria-busy="false"]').waitFor();
  return { page, errors };
};
