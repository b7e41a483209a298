// One load of the access page in Chromium, signed in, timed from the navigation's start to the page's own signal
// that its pickers are filled from /catalog (performance.mark('access:catalog-rendered')). Each load has a browser
// context of its own: no HTTP cache, no storage but the session's token, as a person opening the page in a new tab.
import type { Browser } from 'playwright-core';

export const RENDERED_MARK = 'access:catalog-rendered';

export interface CatalogTiming {
  /** From the navigation's start to the catalog request's start and to its last byte (Resource Timing). */
  startMs: number;
  endMs: number;
  /** The response's own time: request start to last byte. */
  ms: number;
  /** The body as the page received it, decoded. */
  bytes: number;
  /** Distinct accounts and permission sets its SSO entries list. */
  accounts: number;
  permissionSets: number;
}

export interface LoadSample {
  /** Navigation start → the mark: the figure the target applies to. NaN when the page never set it. */
  renderedMs: number;
  /** Navigation start → the document's last byte. */
  documentMs: number;
  catalog?: CatalogTiming;
  error?: string;
}

export interface LoadOptions {
  /** The page's address, e.g. http://127.0.0.1:3000/. */
  url: string;
  /** The sessionStorage key the page reads its token from, and the token. */
  tokenKey: string;
  token: string;
  timeoutMs: number;
}

interface CatalogBody {
  entries?: Array<{ action?: string; accounts?: Array<{ id: string }>; permissionSets?: Array<{ arn: string }> }>;
}

/** Distinct accounts and permission sets over the catalog's SSO entries (the same pair may appear in several). */
export const catalogListing = (text: string): { accounts: number; permissionSets: number } => {
  const body = JSON.parse(text) as CatalogBody;
  const sso = (body.entries ?? []).filter((entry) => entry.action === 'sso:CreateAccountAssignment');
  return {
    accounts: new Set(sso.flatMap((entry) => (entry.accounts ?? []).map((a) => a.id))).size,
    permissionSets: new Set(sso.flatMap((entry) => (entry.permissionSets ?? []).map((s) => s.arn))).size,
  };
};

/** The page's own clocks, all relative to the navigation's start (performance.timeOrigin). */
const TIMINGS = `(() => {
  const rendered = performance.getEntriesByName(${JSON.stringify(RENDERED_MARK)}, 'mark')[0];
  const navigation = performance.getEntriesByType('navigation')[0];
  const catalog = performance.getEntriesByType('resource').find((entry) => new URL(entry.name).pathname === '/catalog');
  return {
    state: document.body?.dataset.catalog ?? null,
    rendered: rendered ? rendered.startTime : null,
    document: navigation ? navigation.responseEnd : null,
    catalog: catalog ? { start: catalog.startTime, end: catalog.responseEnd } : null,
  };
})()`;

interface PageTimings {
  state: string | null;
  rendered: number | null;
  document: number | null;
  catalog: { start: number; end: number } | null;
}

export const loadPage = async (browser: Browser, options: LoadOptions): Promise<LoadSample> => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  try {
    // Before any of the page's scripts run, on every navigation: where the page's session keeps its token.
    // Strings, not functions: this code runs in the page, and the project's TypeScript has no DOM types.
    await context.addInitScript(
      `sessionStorage.setItem(${JSON.stringify(options.tokenKey)}, ${JSON.stringify(options.token)});`,
    );
    const page = await context.newPage();
    page.on('pageerror', (error) => errors.push(error.message));
    const catalogResponse = page
      .waitForResponse((r) => new URL(r.url()).pathname === '/catalog' && r.request().method() === 'GET', {
        timeout: options.timeoutMs,
      })
      .then(async (r) => ({ status: r.status(), text: await r.text() }));
    catalogResponse.catch(() => undefined);
    await page.goto(options.url, { waitUntil: 'commit', timeout: options.timeoutMs });
    // A locator, not waitForFunction: the page's CSP (nonce-only scripts, no eval) refuses the script Playwright
    // would evaluate in the page to poll a predicate. The page sets the attribute right after its mark.
    await page
      .locator('body[data-catalog]')
      .waitFor({ state: 'attached', timeout: options.timeoutMs })
      .catch(() => errors.push(`no body[data-catalog] within ${options.timeoutMs} ms`));
    const timings = await page.evaluate<PageTimings>(TIMINGS);
    if (timings.state !== 'ready') errors.push(`body[data-catalog] is ${JSON.stringify(timings.state)}, not "ready"`);
    const response = await catalogResponse.catch((error: Error) => {
      errors.push(`GET /catalog: ${error.message.split('\n')[0]}`);
      return undefined;
    });
    let catalog: CatalogTiming | undefined;
    if (response && timings.catalog) {
      if (response.status !== 200)
        errors.push(`GET /catalog answered ${response.status}: ${response.text.slice(0, 200)}`);
      catalog = {
        startMs: timings.catalog.start,
        endMs: timings.catalog.end,
        ms: timings.catalog.end - timings.catalog.start,
        bytes: Buffer.byteLength(response.text),
        ...(response.status === 200 ? catalogListing(response.text) : { accounts: 0, permissionSets: 0 }),
      };
    }
    return {
      renderedMs: timings.rendered ?? Number.NaN,
      documentMs: timings.document ?? Number.NaN,
      ...(catalog ? { catalog } : {}),
      ...(errors.length > 0 ? { error: errors.join('; ') } : {}),
    };
  } catch (error) {
    return { renderedMs: Number.NaN, documentMs: Number.NaN, error: [...errors, (error as Error).message].join('; ') };
  } finally {
    await context.close();
  }
};
