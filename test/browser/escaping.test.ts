// Typed text never becomes markup on our pages, checked where it matters: in Chromium's HTML parser and DOM.
// - The approval, decision and refusal pages, rendered on the server from hostile requests, parse to exactly the
//   element tree (tags, attributes and their values) that the same pages have with every typed string replaced by
//   "x": no element or attribute came from input, and every typed string is there as text.
// - The audit page's script, fed hostile requests by a stubbed API, builds rows and timelines whose elements are
//   all its own, shows the typed text as text, and trips no CSP violation (an injected handler would).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';
import {
  type ApprovalPageItem,
  renderApprovalPage,
  renderDecisionPage,
  renderRefusalPage,
} from '../../functions/approvals/page.js';
import { auditPageHeaders, renderAuditPage } from '../../functions/audit/page.js';
import type { RequestItem } from '../../functions/requests/model.js';
import { errorMessage, toRequestView } from '../../functions/requests/view.js';
import { hostileNonEmptyText, hostileRequestItem } from '../fixtures/hostileText.js';
import { launchChromium } from './chromium.js';

const APPROVAL_PAGE_RUNS = 200;
const AUDIT_PAGE_RUNS = 20;
const NOW = new Date('2027-06-01T12:00:00.000Z');

let browser: Browser | undefined;
let parserPage: Page | undefined;

beforeAll(async () => {
  browser = await launchChromium();
  parserPage = await browser.newPage();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const chromium = (): Browser => {
  if (!browser) throw new Error('Chromium did not start');
  return browser;
};

interface Parsed {
  /** Every element in document order: tag name and its attributes with their values. */
  elements: string[];
  bodyText: string;
}

// Runs in the page (the tests' tsconfig has no DOM types, so it goes as source). DOMParser runs no script.
const PARSE_ALL = `(documents) => documents.map((source) => {
  const doc = new DOMParser().parseFromString(source, 'text/html');
  const elements = Array.from(doc.querySelectorAll('*'), (el) =>
    el.tagName + '[' + Array.from(el.attributes, (a) => a.name + '=' + JSON.stringify(a.value)).sort().join(' ') + ']');
  return { elements, bodyText: doc.body.textContent };
})`;

const parseAll = async (documents: string[]): Promise<Parsed[]> => {
  if (!parserPage) throw new Error('Chromium did not start');
  // A string is evaluated as an expression (its argument would be dropped), so the call carries its data as JSON.
  return parserPage.evaluate<Parsed[]>(`(${PARSE_ALL})(${JSON.stringify(documents)})`);
};

/** How HTML parsing normalises text content: CR and CRLF become LF, NUL is dropped. */
const asParsed = (text: string): string => text.replace(/\r\n?/g, '\n').replace(/\0/g, '');

const placeholder = (text: string): string => (text === '' ? '' : 'x');

/** The same request with every typed string replaced by "x" (empty stays empty): the page's intended shape. */
const withPlaceholders = (item: RequestItem): ApprovalPageItem => ({
  ...item,
  requester: placeholder(item.requester),
  justification: placeholder(item.justification),
  summary: placeholder(item.summary),
  targetId: placeholder(item.targetId),
  approvers: item.approvers.map(placeholder),
  approvals: item.approvals.map((a) => ({
    ...a,
    approver: placeholder(a.approver),
    ...(a.comment === undefined ? {} : { comment: placeholder(a.comment) }),
  })),
});

const pagesFor = (item: ApprovalPageItem, approver: string, refusal: string): string[] => [
  renderApprovalPage(item, approver, NOW),
  renderDecisionPage({ item, decision: 'approve', settled: false }, NOW),
  renderRefusalPage(409, refusal, item, NOW),
];

describe('the approval pages', () => {
  it('hold no element or attribute that came from typed text, and show all of it as text (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        hostileRequestItem(),
        hostileNonEmptyText(),
        hostileNonEmptyText(),
        async (item, approver, refusal) => {
          // Prepare
          const hostile = pagesFor(item, approver, refusal);
          const intended = pagesFor(withPlaceholders(item), 'x', 'x');
          // Act
          const parsed = await parseAll([...hostile, ...intended]);
          // Assess
          for (const [index] of hostile.entries()) {
            const got = parsed[index];
            const want = parsed[index + hostile.length];
            expect(got?.elements).toEqual(want?.elements);
            const text = got?.bodyText ?? '';
            for (const typed of [item.requester, item.justification, item.summary, approver]) {
              if (index === 0 || typed !== approver) expect(text).toContain(asParsed(typed));
            }
            for (const a of item.approvals) {
              expect(text).toContain(asParsed(a.approver));
              if (a.comment) expect(text).toContain(asParsed(a.comment));
            }
            if (index === 2) expect(text).toContain(asParsed(refusal));
          }
        },
      ),
      { numRuns: APPROVAL_PAGE_RUNS },
    );
  }, 120_000);
});

describe('the audit page', () => {
  const ORIGIN = 'http://audit.test';
  const TITLE = 'Audit – Access approvals';
  const base64url = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
  // The page only reads claims for display; the stubbed API below accepts any token.
  const TOKEN = `${base64url({ alg: 'none' })}.${base64url({ sub: 'auditor@example.com', email: 'auditor@example.com' })}.`;
  /** The elements the page's script makes for rows and timelines; anything else came from data. */
  const OWN_ELEMENTS = new Set([
    'TR',
    'TH',
    'TD',
    'TIME',
    'SPAN',
    'STRONG',
    'CODE',
    'WBR',
    'UL',
    'OL',
    'LI',
    'BUTTON',
    'DIV',
    'P',
    'DL',
    'DT',
    'DD',
    'PRE',
    'H3',
    'BLOCKQUOTE',
  ]);
  const OWN_ATTRIBUTES = new Set([
    'class',
    'role',
    'scope',
    'colspan',
    'datetime',
    'type',
    'aria-hidden',
    'data-label',
    'data-request-id',
  ]);

  interface Rendered {
    elements: Array<{ tag: string; attributes: string[] }>;
    text: string;
    title: string;
    alerted: boolean;
  }

  // Runs in the page after the rows (or a timeline) are on screen.
  const READ_REGION = `(selector) => {
    const region = document.querySelector(selector);
    return {
      elements: Array.from(region.querySelectorAll('*'), (el) => ({ tag: el.tagName, attributes: el.getAttributeNames() })),
      text: region.textContent,
      title: document.title,
      alerted: window.__alerted === true,
    };
  }`;

  const openWith = async (items: RequestItem[]): Promise<{ page: Page; errors: string[] }> => {
    const context = await chromium().newContext();
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    await context.addInitScript(
      `sessionStorage.setItem('access-approvals.audit.token', ${JSON.stringify(TOKEN)});
       window.alert = () => { window.__alerted = true; };`,
    );
    const views = new Map(items.map((item) => [item.requestId, toRequestView(item)]));
    await context.route(`${ORIGIN}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/audit') {
        const nonce = 'test-nonce-0123456789';
        return route.fulfill({ status: 200, headers: auditPageHeaders(nonce), body: renderAuditPage({ nonce }) });
      }
      const json = (body: unknown) =>
        route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });
      if (url.pathname === '/requests') return json({ items: [...views.values()] });
      const view = views.get(decodeURIComponent(url.pathname.replace(/^\/requests\//, '')));
      return view ? json(view) : route.fulfill({ status: 404, body: '{}' });
    });
    const listed = page.waitForResponse((r) => new URL(r.url()).pathname === '/requests');
    await page.goto(`${ORIGIN}/audit`);
    await listed;
    await page.locator('#results[aria-busy="false"]').waitFor();
    return { page, errors };
  };

  const read = (page: Page, selector: string): Promise<Rendered> =>
    page.evaluate<Rendered>(`(${READ_REGION})(${JSON.stringify(selector)})`);

  const assertOwnMarkup = (rendered: Rendered): void => {
    expect(rendered.title).toBe(TITLE);
    expect(rendered.alerted).toBe(false);
    for (const element of rendered.elements) {
      expect(OWN_ELEMENTS.has(element.tag)).toBe(true);
      for (const attribute of element.attributes) expect(OWN_ATTRIBUTES.has(attribute)).toBe(true);
    }
  };

  it('renders hostile rows and timelines as text, with only its own elements (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(hostileRequestItem(), { minLength: 1, maxLength: 3 }), async (generated) => {
        // Prepare: request ids are ours and unique
        const items = generated.map((item, i) => ({ ...item, requestId: `${item.requestId.slice(0, -2)}${i}0` }));
        const { page, errors } = await openWith(items);
        try {
          // Act / Assess: the table
          const table = await read(page, '#results-body');
          assertOwnMarkup(table);
          for (const item of items) {
            expect(table.text).toContain(item.requester);
            for (const approver of item.approvers) expect(table.text).toContain(approver);
          }
          // Act / Assess: each timeline
          for (const item of items) {
            const shown = page.waitForResponse((r) => new URL(r.url()).pathname.startsWith('/requests/'));
            await page.locator(`tr[data-request-id="${item.requestId}"] button`).click();
            await shown;
            await page.locator('#timeline:not([hidden])').waitFor();
            const timeline = await read(page, '#timeline-body');
            assertOwnMarkup(timeline);
            for (const typed of [item.summary, item.requester, item.justification]) {
              expect(timeline.text).toContain(typed);
            }
            for (const a of item.approvals) {
              expect(timeline.text).toContain(a.approver);
              if (a.comment) expect(timeline.text).toContain(a.comment);
            }
            if (item.error) expect(timeline.text).toContain(errorMessage(item.error.cause));
          }
          // An injected inline handler or script would be refused by the CSP, which reports it as an error.
          expect(errors).toEqual([]);
        } finally {
          await page.context().close();
        }
      }),
      { numRuns: AUDIT_PAGE_RUNS },
    );
  }, 300_000);
});
