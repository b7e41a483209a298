// The approval link as an approver meets it: the real local stack, opened in headless Chromium, clicked
// through to a provisioned grant. Screenshots land in test/artifacts/ for people to look at.
import { statusIndexKeys } from '../../functions/requests/keys.js';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import {
  renderApprovalPage,
  renderDecisionPage,
  timeLeft,
  type ApprovalPageItem,
} from '../../functions/approvals/page.js';
import { ssoRequest, startHarness, type Harness } from '../e2e/harness.js';
import { assertChromiumInstalled, launchChromium } from './chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));

let h: Harness | undefined;
let browser: Browser | undefined;
let alice: string;

const harness = (): Harness => {
  if (!h) throw new Error('The local stack did not start');
  return h;
};

const chromium = (): Browser => {
  if (!browser) throw new Error('Chromium did not start');
  return browser;
};

beforeAll(async () => {
  // First, so a machine without Chromium fails every test here with the fix, not a launch stack trace.
  assertChromiumInstalled();
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  h = await startHarness();
  alice = await h.token('alice@example.com');
});

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

/** A fresh request by alice; bob and carol each get a link. */
const submitted = async (): Promise<{
  requestId: string;
  summary: string;
  expiresAt: string;
  links: Map<string, string>;
}> => {
  const response = await harness().call('POST', '/requests', { token: alice, body: ssoRequest() });
  expect(response.status).toBe(202);
  const { requestId } = response.body as { requestId: string };
  const links = await harness().waitForLinks(requestId, 2);
  const { summary, expiresAt } = (await harness().call('GET', `/requests/${requestId}`, { token: alice })).body as {
    summary: string;
    expiresAt: string;
  };
  return { requestId, summary, expiresAt, links };
};

const linkOf = (links: Map<string, string>, approver: string): string => {
  const link = links.get(approver);
  if (!link) throw new Error(`No link was sent to ${approver}`);
  return `${harness().stack.httpUrl}${link}`;
};

/** The text of the `<dd>` that a `<dt>` labels. */
const field = (page: Page, label: string) => page.locator(`dt:text-is("${label}") + dd`).innerText();

const newPage = async (width = 900): Promise<Page> => chromium().newPage({ viewport: { width, height: 900 } });

describe('approving through the link page', () => {
  it('shows the request, takes a comment, records the approval and the request reaches COMPLETED', async () => {
    // Prepare
    const { requestId, summary, expiresAt, links } = await submitted();
    const page = await newPage();
    const origins = new Set<string>();
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    const comment = 'Fine for INC-123 <b>only</b> & until the incident closes';
    // Act
    const openedAt = new Date();
    const opened = await page.goto(linkOf(links, 'bob@example.com'));
    const loadedAt = new Date();
    await page.screenshot({ path: `${ARTIFACTS}approval-page.png`, fullPage: true });
    const shown = {
      title: await page.title(),
      heading: await page.getByRole('heading', { level: 1 }).innerText(),
      summary: await field(page, 'Summary'),
      action: await field(page, 'Action'),
      requester: await field(page, 'Requested by'),
      justification: await field(page, 'Justification'),
      timeLeft: await field(page, 'Time left'),
      approvals: await page.locator('section[aria-labelledby="approvals-heading"]').innerText(),
    };
    await page.getByLabel('Comment (optional)').fill(comment);
    await page.getByRole('button', { name: 'Approve', exact: true }).click();
    const status = page.getByRole('status');
    await status.waitFor();
    await page.screenshot({ path: `${ARTIFACTS}result-page.png`, fullPage: true });
    const result = {
      message: await status.innerText(),
      approvals: await page.locator('ul.approvals').innerText(),
      injected: await page.locator('blockquote b').count(),
    };
    const done = await harness().waitForStatus(requestId, alice, ['COMPLETED', 'FAILED']);
    // Assess
    expect(opened?.status()).toBe(200);
    expect(opened?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(shown).toEqual({
      title: `Approve or deny: ${summary} – Access approvals`,
      heading: 'Approval requested',
      summary,
      action: 'sso:CreateAccountAssignment',
      requester: 'alice@example.com',
      justification: 'on-call for INC-123',
      timeLeft: expect.stringMatching(
        /^\d+ (day|hour|minute)s?( \d+ (hour|minute)s?)? \(until \d{4}-\d\d-\d\d \d\d:\d\d UTC\)$/,
      ),
      approvals: expect.stringContaining('0 of 1 required approval received; 1 more needed.'),
    });
    expect(shown.timeLeft).toContain(`(until ${expiresAt.slice(0, 16).replace('T', ' ')} UTC)`);
    // The page rounds down as it renders, somewhere between these two instants.
    expect([timeLeft(expiresAt, openedAt), timeLeft(expiresAt, loadedAt)]).toContain(shown.timeLeft.split(' (')[0]);
    expect(shown.approvals).toContain('No one has decided yet.');
    expect(result.message).toContain('You approved this request.');
    expect(result.approvals).toContain('bob@example.com');
    expect(result.approvals).toContain('Approved');
    expect(result.approvals).toContain(comment);
    expect(result.injected).toBe(0);
    expect(done.status).toBe('COMPLETED');
    expect(done.approvals).toEqual([
      expect.objectContaining({ approver: 'bob@example.com', decision: 'approve', via: 'link', comment }),
    ]);
    expect([...origins]).toEqual([harness().stack.httpUrl]);
    await page.close();
  });
});

describe('links that can no longer be used', () => {
  it('shows 409 to the approver who decided, and 410 to another approver once the request is closed', async () => {
    // Prepare
    const { requestId, links } = await submitted();
    const page = await newPage();
    await page.goto(linkOf(links, 'bob@example.com'));
    await page.getByRole('button', { name: 'Deny', exact: true }).click();
    await page.getByRole('status').waitFor();
    await harness().waitForStatus(requestId, alice, ['DENIED']);
    // Act
    const again = await page.goto(linkOf(links, 'bob@example.com'));
    const decided = {
      heading: await page.getByRole('heading', { level: 1 }).innerText(),
      alert: await page.getByRole('alert').innerText(),
    };
    await page.screenshot({ path: `${ARTIFACTS}refusal-409-page.png`, fullPage: true });
    const other = await page.goto(linkOf(links, 'carol@example.com'));
    const closed = {
      heading: await page.getByRole('heading', { level: 1 }).innerText(),
      alert: await page.getByRole('alert').innerText(),
    };
    // Assess
    expect(again?.status()).toBe(409);
    expect(decided.heading).toBe('Already decided');
    expect(decided.alert).toContain('You already decided: deny');
    expect(other?.status()).toBe(410);
    expect(closed.heading).toBe('Approval closed');
    expect(closed.alert).toContain('no longer pending');
    expect(await page.getByRole('button').count()).toBe(0);
    await page.close();
  });

  it.each([
    [
      'a forged approver in the payload',
      (token: string) => {
        const [payload = '', signature = ''] = token.split('.');
        const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
        return `${Buffer.from(JSON.stringify({ ...claims, a: 'mallory@example.com' })).toString('base64url')}.${signature}`;
      },
    ],
    [
      'a changed signature',
      (token: string) => {
        const [payload = '', signature = ''] = token.split('.');
        return `${payload}.${signature.startsWith('A') ? 'B' : 'A'}${signature.slice(1)}`;
      },
    ],
  ])('shows 403 for %s, and nothing about the request', async (_case, tamper) => {
    // Prepare
    const { links } = await submitted();
    const url = new URL(linkOf(links, 'bob@example.com'));
    const token = url.pathname.split('/').pop() ?? '';
    url.pathname = `/approvals/${tamper(token)}`;
    const page = await newPage();
    // Act
    const response = await page.goto(url.toString());
    await page.screenshot({ path: `${ARTIFACTS}refusal-403-page.png`, fullPage: true });
    // Assess
    expect(response?.status()).toBe(403);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('This link cannot be used');
    expect(await page.getByRole('alert').innerText()).toContain('This approval link is not valid');
    expect(await page.locator('#request-heading').count()).toBe(0);
    expect(await page.getByRole('button').count()).toBe(0);
    await page.close();
  });
});

describe('accessibility', () => {
  it('fits 320 px, orders its headings, labels its controls and shows keyboard focus', async () => {
    // Prepare
    const { links } = await submitted();
    const page = await newPage(320);
    // Act
    const response = await page.goto(linkOf(links, 'carol@example.com'));
    await page.screenshot({ path: `${ARTIFACTS}approval-page-320px.png`, fullPage: true });
    const layout = {
      lang: await page.locator('html').getAttribute('lang'),
      // The page may not scroll sideways at 320 px (WCAG reflow).
      scrollWidth: await page.evaluate<number>('document.documentElement.scrollWidth'),
      headings: await page
        .locator('h1, h2, h3, h4, h5, h6')
        .evaluateAll((elements) => elements.map((e) => Number(e.tagName.slice(1)))),
      mains: await page.getByRole('main').count(),
    };
    const labelled = await page.getByLabel('Comment (optional)').getAttribute('maxlength');
    await page.keyboard.press('Tab');
    const firstFocus = await page.locator(':focus').getAttribute('id');
    await page.keyboard.press('Tab');
    const approveFocus = await page.locator(':focus').evaluate((e) => {
      const style = e.ownerDocument.defaultView?.getComputedStyle(e);
      return { text: e.textContent, outline: `${style?.outlineStyle} ${style?.outlineWidth}` };
    });
    // Assess
    expect(response?.status()).toBe(200);
    expect(layout.lang).toBe('en');
    expect(layout.mains).toBe(1);
    expect(layout.scrollWidth).toBeLessThanOrEqual(320);
    expect(layout.headings[0]).toBe(1);
    expect(layout.headings.every((level, i) => i === 0 || level <= (layout.headings[i - 1] ?? 0) + 1)).toBe(true);
    expect(labelled).toBe('1024');
    expect(firstFocus).toBe('comment');
    expect(approveFocus).toEqual({ text: 'Approve', outline: 'solid 3px' });
    await page.close();
  });
});

describe('rendering', () => {
  const item = (overrides: Partial<ApprovalPageItem> = {}): ApprovalPageItem => ({
    pk: 'REQUEST#r-1',
    sk: 'REQUEST',
    kind: 'REQUEST',
    ...statusIndexKeys(
      { requester: 'alice@example.com', targetId: '111111111111', action: 'sso:CreateAccountAssignment' },
      'PENDING_APPROVAL',
    ),
    requestId: 'r-1',
    action: 'sso:CreateAccountAssignment',
    parameters: '{}',
    requester: 'alice@example.com',
    justification: '<script>alert(1)</script>',
    summary: 'Admin on 111111111111',
    targetId: '111111111111',
    status: 'PENDING_APPROVAL',
    createdAt: '2025-01-01T10:00:00.000Z',
    updatedAt: '2025-01-01T10:00:00.000Z',
    expiresAt: '2025-01-02T12:30:00.000Z',
    approvers: ['bob@example.com', 'carol@example.com'],
    minApprovals: 2,
    approvalCount: 0,
    decisions: {},
    approvals: [],
    events: [],
    ...overrides,
  });

  it("shows a time-bound grant's duration and the time left, and keeps hostile text as text", async () => {
    // Prepare
    const page = await newPage();
    const now = new Date('2025-01-01T10:00:00.000Z');
    // Act
    await page.setContent(renderApprovalPage(item({ durationMinutes: 90 }), 'bob@example.com', now));
    const shown = {
      duration: await field(page, 'Access for'),
      timeLeft: await field(page, 'Time left'),
      justification: await field(page, 'Justification'),
      scripts: await page.locator('script').count(),
    };
    // Assess
    expect(shown).toEqual({
      duration: '1 hour 30 minutes, then removed automatically',
      timeLeft: '1 day 2 hours (until 2025-01-02 12:30 UTC)',
      justification: '<script>alert(1)</script>',
      scripts: 0,
    });
    await page.close();
  });

  it('after one of two approvals says how many more are needed, with who decided, when and why', async () => {
    // Prepare
    const page = await newPage();
    const approved = item({
      approvalCount: 1,
      decisions: { 'bob@example.com': 'approve' },
      approvals: [
        {
          approver: 'bob@example.com',
          decision: 'approve',
          at: '2025-01-01T10:05:00.000Z',
          via: 'link',
          comment: 'ok for today',
        },
      ],
    });
    // Act
    await page.setContent(
      renderDecisionPage({ item: approved, decision: 'approve', settled: false }, new Date('2025-01-01T10:05:00.000Z')),
    );
    const shown = {
      status: await page.getByRole('status').innerText(),
      approvals: await page.locator('section[aria-labelledby="approvals-heading"]').innerText(),
      durationRows: await page.locator('dt:text-is("Access for")').count(),
    };
    // Assess
    expect(shown.status).toBe('You approved this request. It still needs 1 more approval.');
    expect(shown.approvals).toContain('1 of 2 required approvals received; 1 more needed.');
    expect(shown.approvals).toContain('bob@example.com');
    expect(shown.approvals).toContain('2025-01-01 10:05 UTC via link');
    expect(shown.approvals).toContain('ok for today');
    expect(shown.durationRows).toBe(0);
    await page.close();
  });
});
