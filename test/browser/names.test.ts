// Names on the pages, in Chromium. The approval page shows the ask by name ("Alice Liddell asks for PowerUser on
// payments-prod (111122223333) for 2 h") and parses, with hostile directory names, to exactly the element tree it has
// with plain ones. The audit page adds its Who / Permission set / Account name columns for requests with names (and
// keeps its old table for requests without), shows the names in the timeline, and builds only its own elements from
// hostile names. Roles, scopes and labels are checked here as in the existing page tests; axe-core's WCAG rules run
// over the same pages in accessibility.test.ts.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { Browser, Page } from 'playwright-core';
import { renderApprovalPage } from '../../functions/approvals/page.js';
import type { RequestDisplay, RequestItem } from '../../functions/requests/model.js';
import { hostileNonEmptyText } from '../fixtures/hostileText.js';
import { storedRequest } from '../fixtures/requests.js';
import { launchChromium } from './chromium.js';
import { openServedAuditPage } from './servedAuditPage.js';

const NOW = new Date('2026-11-21T12:00:00.000Z');
const ORIGIN = 'http://names.test';
const TITLE = 'Audit – Access approvals';

const ALICE: RequestDisplay = {
  requester: { id: 'alice@example.com', name: 'Alice Liddell' },
  principal: { type: 'USER', id: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', name: 'Alice Liddell', userName: 'alice' },
  permissionSet: {
    arn: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222',
    name: 'PowerUser',
    description: 'Build and operate',
  },
  account: { id: '111122223333', name: 'payments-prod' },
};

const named = (overrides: Partial<RequestItem> = {}): RequestItem =>
  storedRequest('PENDING_APPROVAL', {
    requestId: '0b7e2a52-3c1d-4e8f-9a6b-5d4c3b2a1f01',
    display: ALICE,
    durationMinutes: 120,
    targetId: '111122223333',
    summary: 'PowerUser on payments-prod (111122223333) for Alice Liddell (alice)',
    ...overrides,
  });

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
  elements: string[];
  bodyText: string;
}

// Runs in the page as source (the tests' tsconfig has no DOM types). DOMParser runs no script.
const PARSE_ALL = `(documents) => documents.map((source) => {
  const doc = new DOMParser().parseFromString(source, 'text/html');
  const elements = Array.from(doc.querySelectorAll('*'), (el) =>
    el.tagName + '[' + Array.from(el.attributes, (a) => a.name + '=' + JSON.stringify(a.value)).sort().join(' ') + ']');
  return { elements, bodyText: doc.body.textContent };
})`;

const parseAll = async (documents: string[]): Promise<Parsed[]> => {
  if (!parserPage) throw new Error('Chromium did not start');
  return parserPage.evaluate<Parsed[]>(`(${PARSE_ALL})(${JSON.stringify(documents)})`);
};

const asParsed = (text: string): string => text.replace(/\r\n?/g, '\n').replace(/\0/g, '');

const hostileDisplay = (): fc.Arbitrary<RequestDisplay> =>
  fc.record({
    requester: fc.record({ id: fc.constant('alice@example.com'), name: hostileNonEmptyText() }),
    principal: fc.record({
      type: fc.constant('GROUP' as const),
      id: hostileNonEmptyText(),
      name: hostileNonEmptyText(),
    }),
    permissionSet: fc.record({
      arn: hostileNonEmptyText(),
      name: hostileNonEmptyText(),
      description: hostileNonEmptyText(),
    }),
    account: fc.record({ id: hostileNonEmptyText(), name: hostileNonEmptyText() }),
  });

/** The same snapshot with every name replaced by a distinct plain word: the page's intended shape. */
const plainDisplay = (d: RequestDisplay): RequestDisplay => ({
  requester: { id: d.requester.id, name: d.requester.name === d.requester.id ? d.requester.id : 'requester' },
  ...(d.principal
    ? {
        principal: {
          type: d.principal.type,
          id: 'pid',
          name: d.principal.name === d.principal.id ? 'pid' : 'principal',
        },
      }
    : {}),
  ...(d.permissionSet
    ? {
        permissionSet: {
          arn: 'arn',
          name: d.permissionSet.name === d.permissionSet.arn ? 'arn' : 'ps',
          ...(d.permissionSet.description ? { description: 'description' } : {}),
        },
      }
    : {}),
  ...(d.account ? { account: { id: 'aid', name: d.account.name === d.account.id ? 'aid' : 'account' } } : {}),
});

describe('the approval page with names', () => {
  it('shows the ask in names, bold where it matters, in a page a browser renders', async () => {
    // Prepare
    const context = await chromium().newContext({ viewport: { width: 320, height: 800 } });
    const page = await context.newPage();
    await context.route(`${ORIGIN}/**`, (route) =>
      route.fulfill({
        status: 200,
        contentType: 'text/html',
        body: renderApprovalPage(named(), 'bob@example.com', NOW),
      }),
    );
    try {
      // Act
      await page.goto(`${ORIGIN}/approvals/x`);
      const shown = {
        ask: await page.locator('p.ask').innerText(),
        bold: await page.locator('p.ask strong').allInnerTexts(),
        intro: await page.locator('main > p').first().innerText(),
        account: await page.locator('dt:text-is("Account") + dd').innerText(),
        permissionSet: await page.locator('dt:text-is("Permission set") + dd').innerText(),
        forWhom: await page.locator('dt:text-is("For") + dd').innerText(),
        requestedBy: await page.locator('dt:text-is("Requested by") + dd').innerText(),
        fits: await page.evaluate<boolean>('document.documentElement.scrollWidth <= 320'),
      };
      // Assess
      expect(shown).toEqual({
        ask: 'Alice Liddell asks for PowerUser on payments-prod (111122223333) for 2 h',
        bold: ['PowerUser', 'payments-prod'],
        intro: 'Alice Liddell (alice@example.com) asks for your approval. This link was sent to bob@example.com.',
        account: 'payments-prod (111122223333)',
        permissionSet: 'PowerUser – Build and operate',
        forWhom: 'Alice Liddell (alice) (f81d4fae-7dec-11d0-a765-00a0c91e6bf6)',
        requestedBy: 'alice@example.com',
        fits: true,
      });
    } finally {
      await context.close();
    }
  });

  it('holds no element or attribute that came from a hostile name, and shows every name as text (property)', async () => {
    await fc.assert(
      fc.asyncProperty(hostileDisplay(), async (display) => {
        // Prepare
        const hostile = renderApprovalPage(named({ display }), 'bob@example.com', NOW);
        const intended = renderApprovalPage(named({ display: plainDisplay(display) }), 'bob@example.com', NOW);
        // Act
        const [got, want] = await parseAll([hostile, intended]);
        // Assess
        expect(got?.elements).toEqual(want?.elements);
        const text = got?.bodyText ?? '';
        for (const name of [display.requester.name, display.permissionSet?.name, display.account?.name]) {
          if (name) expect(text).toContain(asParsed(name));
        }
      }),
      { numRuns: 150 },
    );
  }, 120_000);
});

describe('the audit page with names', () => {
  const OWN_ELEMENTS = new Set(['TR', 'TH', 'TD', 'TIME', 'SPAN', 'STRONG', 'CODE', 'WBR', 'UL', 'OL', 'LI', 'BUTTON']);
  const OWN_ELEMENTS_TIMELINE = new Set([...OWN_ELEMENTS, 'DIV', 'P', 'DL', 'DT', 'DD', 'PRE', 'H3', 'BLOCKQUOTE']);

  const openWith = (items: RequestItem[], width = 1280): Promise<{ page: Page; errors: string[] }> =>
    openServedAuditPage(chromium(), items, { origin: ORIGIN, signedInAs: 'carol@example.com', width });

  const ELEMENTS_OF = `(selector) => Array.from(document.querySelectorAll(selector + ' *'), (el) => ({ tag: el.tagName, attributes: el.getAttributeNames() }))`;
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
  const assertOwnMarkup = async (page: Page, selector: string, own: Set<string>): Promise<void> => {
    const elements = await page.evaluate<Array<{ tag: string; attributes: string[] }>>(
      `(${ELEMENTS_OF})(${JSON.stringify(selector)})`,
    );
    for (const element of elements) {
      expect(own.has(element.tag)).toBe(true);
      for (const attribute of element.attributes) expect(OWN_ATTRIBUTES.has(attribute)).toBe(true);
    }
  };

  it('adds Who, Permission set and Account name columns, with a dash where a request has no name', async () => {
    // Prepare: one request by name, one stored before names
    const old = storedRequest('COMPLETED', { requestId: '0b7e2a52-3c1d-4e8f-9a6b-5d4c3b2a1f02' });
    const { page, errors } = await openWith([named(), old]);
    try {
      // Act
      const shown = {
        headers: await page.locator('thead th').allInnerTexts(),
        scopes: await page.locator('thead th').evaluateAll((cells) => cells.map((c) => c.getAttribute('scope'))),
        named: await page.locator(`tr[data-request-id="${named().requestId}"] > *`).allInnerTexts(),
        old: await page.locator(`tr[data-request-id="${old.requestId}"] td[data-label]`).allInnerTexts(),
        labels: await page
          .locator(`tr[data-request-id="${named().requestId}"] td[data-label]`)
          .evaluateAll((cells) => cells.map((c) => c.getAttribute('data-label'))),
        fits: await page.locator('#table-region').evaluate((e) => e.scrollWidth <= e.clientWidth),
      };
      // Assess
      expect(shown.headers.slice(0, 9)).toEqual([
        'Created (UTC)',
        'Requester',
        'Action',
        'Target',
        'Status',
        'Approvers',
        'Who',
        'Permission set',
        'Account name',
      ]);
      expect(shown.scopes.every((scope) => scope === 'col')).toBe(true);
      expect(shown.named.slice(1, 9)).toEqual([
        'alice@example.com',
        'sso:CreateAccountAssignment',
        '111122223333',
        'Pending approval',
        'bob@example.com\ncarol@example.com',
        'Alice Liddell',
        'PowerUser',
        'payments-prod',
      ]);
      expect(shown.old.slice(-3)).toEqual(['\u2014', '\u2014', '\u2014']);
      expect(shown.labels.slice(-3)).toEqual(['Who', 'Permission set', 'Account name']);
      expect(shown.fits).toBe(true);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  });

  it('keeps its old table for requests stored before names', async () => {
    // Prepare
    const old = storedRequest('COMPLETED', { requestId: '0b7e2a52-3c1d-4e8f-9a6b-5d4c3b2a1f03' });
    const { page } = await openWith([old]);
    try {
      // Act
      const headers = await page.locator('thead th').allInnerTexts();
      const cells = await page.locator(`tr[data-request-id="${old.requestId}"] > *`).count();
      // Assess
      expect(headers).toHaveLength(7);
      expect(cells).toBe(7);
    } finally {
      await page.context().close();
    }
  });

  it('names the requester, principal, permission set and account in the timeline, each with its id', async () => {
    // Prepare
    const { page } = await openWith([named()]);
    try {
      // Act
      await page.getByRole('button', { name: `Timeline of request ${named().requestId}` }).click();
      await page.locator('#timeline:not([hidden])').waitFor();
      const field = (label: string) => page.locator(`#timeline dt:text-is("${label}") + dd`).innerText();
      const shown = {
        name: await field('Requester name'),
        forWhom: await field('For'),
        permissionSet: await field('Permission set'),
        account: await field('Account'),
      };
      // Assess
      expect(shown).toEqual({
        name: 'Alice Liddell',
        forWhom: 'Alice Liddell (alice) f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
        permissionSet: 'PowerUser – Build and operate',
        account: 'payments-prod 111122223333',
      });
    } finally {
      await page.context().close();
    }
  });

  it('builds only its own elements from hostile names, and shows them as text (property)', async () => {
    await fc.assert(
      fc.asyncProperty(hostileDisplay(), async (display) => {
        // Prepare
        const item = named({ display });
        const { page, errors } = await openWith([item]);
        try {
          // Act
          const rowText = await page.locator('#results-body').evaluate((e) => e.textContent ?? '');
          await assertOwnMarkup(page, '#results-body', OWN_ELEMENTS);
          await page.locator(`tr[data-request-id="${item.requestId}"] button`).click();
          await page.locator('#timeline:not([hidden])').waitFor();
          const timelineText = await page.locator('#timeline-body').evaluate((e) => e.textContent ?? '');
          await assertOwnMarkup(page, '#timeline-body', OWN_ELEMENTS_TIMELINE);
          // Assess
          // A name equal to its id was not resolved at submit: the table shows a dash for it, the timeline the id.
          const resolved = [
            [display.requester.name, display.requester.id],
            [display.permissionSet?.name, display.permissionSet?.arn],
            [display.account?.name, display.account?.id],
          ].filter(([name, id]) => name && name !== id);
          for (const [name] of resolved) {
            expect(rowText).toContain(name);
            expect(timelineText).toContain(name);
          }
          expect(await page.title()).toBe(TITLE);
          expect(errors).toEqual([]);
        } finally {
          await page.context().close();
        }
      }),
      { numRuns: 10 },
    );
  }, 300_000);
});
