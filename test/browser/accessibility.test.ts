// axe-core over the pages that now speak in names: the approval page at 320 px and the audit page with its name
// columns and a timeline open, in Chromium. Any WCAG 2.x A/AA violation axe finds fails the test, named with its
// rule and the elements it found, so a new column or field cannot ship without a label or with too little contrast.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { renderApprovalPage } from '../../functions/approvals/page.js';
import type { RequestDisplay, RequestItem } from '../../functions/requests/model.js';
import { storedRequest } from '../fixtures/requests.js';
import { launchChromium } from './chromium.js';
import { openServedAuditPage } from './servedAuditPage.js';

// axe's own source, evaluated through the DevTools protocol: the pages' CSP (nonce-only scripts) does not apply to
// it, so the pages are checked exactly as they are served.
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const ORIGIN = 'http://accessibility.test';
const NOW = new Date('2026-11-21T12:00:00.000Z');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

const ALICE: RequestDisplay = {
  requester: { id: 'alice@example.com', name: 'Alice Liddell' },
  principal: { type: 'USER', id: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', name: 'Alice Liddell', userName: 'alice' },
  permissionSet: {
    arn: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222',
    name: 'PowerUser',
    description: 'Full access to AWS services and resources, except managing users, groups and billing',
  },
  account: { id: '111122223333', name: 'payments-prod' },
};

const named: RequestItem = storedRequest('PENDING_APPROVAL', {
  requestId: '5d0c4b1a-2e3f-4a5b-8c6d-7e8f9a0b1c2d',
  display: ALICE,
  durationMinutes: 120,
  targetId: '111122223333',
  summary: 'PowerUser on payments-prod (111122223333) for Alice Liddell (alice)',
});
const stored: RequestItem = storedRequest('COMPLETED', { requestId: '5d0c4b1a-2e3f-4a5b-8c6d-7e8f9a0b1c2e' });

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** What axe found wrong, and how many of its rules it checked and passed (so an axe that ran nothing shows). */
const axeAudit = async (page: Page): Promise<{ violations: Violation[]; passedRules: number }> => {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(`axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(WCAG_TAGS)} } })
    .then((result) => ({
      violations: result.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')),
      })),
      passedRules: result.passes.length,
    }))`);
};

let browser: Browser | undefined;

beforeAll(async () => {
  browser = await launchChromium();
}, 60_000);

afterAll(async () => {
  await browser?.close();
});

const chromium = (): Browser => {
  if (!browser) throw new Error('Chromium did not start');
  return browser;
};

describe('axe-core', () => {
  it('finds no WCAG A/AA violation on the approval page by name at 320 px', async () => {
    // Prepare
    const context = await chromium().newContext({ viewport: { width: 320, height: 800 } });
    await context.route(`${ORIGIN}/**`, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html', body: renderApprovalPage(named, 'bob@example.com', NOW) }),
    );
    const page = await context.newPage();
    try {
      await page.goto(`${ORIGIN}/approvals/x`);
      // Act
      const { violations, passedRules } = await axeAudit(page);
      // Assess
      expect(violations).toEqual([]);
      expect(passedRules).toBeGreaterThan(10);
    } finally {
      await context.close();
    }
  }, 60_000);

  it('finds no WCAG A/AA violation on the audit page with its name columns and a timeline open', async () => {
    // Prepare
    const { page } = await openServedAuditPage(chromium(), [named, stored], {
      origin: ORIGIN,
      signedInAs: 'dana@example.com',
    });
    try {
      await page.getByRole('button', { name: `Timeline of request ${named.requestId}` }).click();
      await page.locator('#timeline:not([hidden])').waitFor();
      // Act
      const { violations, passedRules } = await axeAudit(page);
      const nameColumns = await page.locator('thead th').allInnerTexts();
      // Assess
      expect(nameColumns).toEqual(expect.arrayContaining(['Who', 'Permission set', 'Account name']));
      expect(violations).toEqual([]);
      expect(passedRules).toBeGreaterThan(10);
    } finally {
      await page.context().close();
    }
  }, 60_000);
});
