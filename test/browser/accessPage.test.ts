// The access page (GET /) as people use it, on the real local stack in headless Chromium: alice signs in, finds
// PowerUser on payments-prod by typing "pay", asks for 90 minutes; bob signs in in another browser, sees it under
// "Waiting for me" and approves; alice sees it become ACTIVE without reloading, ends it and sees it REVOKED. Once at
// desktop width with the mouse and once at 390 px with the keyboard alone. Then: the API's refusals shown next to the
// field it names, polling that stops while the tab is hidden, and axe-core on the page signed out, with the form
// filled and with "Waiting for me" showing. Screenshots land in test/artifacts/ (git-ignored).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { Browser, Page, Request } from 'playwright-core';
import { startHarness, type Harness } from '../e2e/harness.js';
import { assertChromiumInstalled, launchChromium } from './chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
const PAYMENTS_PROD = '111122223333';
// config/policy.local.json's last rule: Engineers (alice) on the Payments OU, approved by Platform Approvers.
const PLATFORM_APPROVERS = 'bob@example.com, dana@example.com and grace@example.com';

let h: Harness | undefined;
let browser: Browser | undefined;

const harness = (): Harness => {
  if (!h) throw new Error('The local stack did not start');
  return h;
};
const chromium = (): Browser => {
  if (!browser) throw new Error('Chromium did not start');
  return browser;
};

beforeAll(async () => {
  assertChromiumInstalled();
  mkdirSync(ARTIFACTS, { recursive: true });
  browser = await launchChromium();
  // 0.05: the local approval window (3,600 s) is 180 s and a 90-minute grant 270 s, so neither ends on its own while a
  // test is still acting on it, even on a loaded machine.
  h = await startHarness({ timeScale: 0.05 });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await h?.close();
});

interface Opened {
  page: Page;
  requests: Request[];
  /** Console errors (a CSP violation is one) and uncaught page errors. */
  errors: string[];
}

const open = async (width = 1280): Promise<Opened> => {
  const context = await chromium().newContext({ viewport: { width, height: 900 } });
  const page = await context.newPage();
  const requests: Request[] = [];
  const errors: string[] = [];
  page.on('request', (request) => requests.push(request));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  const response = await page.goto(`${harness().stack.httpUrl}/`);
  expect(response?.status()).toBe(200);
  return { page, requests, errors };
};

const signIn = async (page: Page, email: string): Promise<void> => {
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Sign in locally' }).click();
  await page.locator('body[data-catalog="ready"]').waitFor();
};

const myItem = (page: Page, requestId: string) => page.locator(`#my-list li[data-request-id="${requestId}"]`);

/** The API's calls the page made to a path, for checking what it sent. */
const callsTo = (requests: Request[], method: string, path: string): Request[] =>
  requests.filter((r) => r.method() === method && new URL(r.url()).pathname === path);

/** Fills the request form; by mouse (click the option) or by keyboard alone (arrows and Enter). */
const fillForm = async (
  page: Page,
  how: 'mouse' | 'keyboard',
  fields: { minutes: string; justification: string },
): Promise<void> => {
  const account = page.getByRole('combobox', { name: 'Account' });
  const permissionSet = page.getByRole('combobox', { name: 'Permission set' });
  if (how === 'mouse') {
    await account.fill('pay');
    await page.getByRole('option', { name: /^payments-prod/ }).click();
    await permissionSet.click();
    await page.getByRole('option', { name: /^PowerUser/ }).click();
    await page.getByLabel('Duration (minutes)').fill(fields.minutes);
    await page.getByLabel('Justification', { exact: true }).fill(fields.justification);
    return;
  }
  await account.focus();
  await page.keyboard.type('pay');
  // "pay" matches the three payments accounts, by name: payments-dev, payments-prod, payments-staging.
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await page.keyboard.type('power');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await page.keyboard.press('Tab');
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(fields.minutes);
  await page.keyboard.press('Tab');
  await page.keyboard.type(fields.justification);
  // On to the submit button: Enter in the justification would be a new line.
  await page.keyboard.press('Tab');
};

/** A request of alice's for PowerUser on payments-prod, made over the API as curl would. */
const askAsAlice = async (justification: string): Promise<void> => {
  const token = await harness().token('alice@example.com');
  const created = await harness().call('POST', '/requests', {
    token,
    body: {
      action: 'sso:CreateAccountAssignment',
      parameters: { TargetId: PAYMENTS_PROD, PermissionSetName: 'PowerUser' },
      justification,
      durationMinutes: 30,
    },
  });
  expect(created.status).toBe(202);
};

const fitsWidth = (page: Page): Promise<boolean> =>
  page.evaluate<boolean>('document.documentElement.scrollWidth <= document.documentElement.clientWidth');

interface Violation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

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
const seriousOrCritical = (violations: Violation[]): Violation[] =>
  violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');

describe.each([
  { name: 'desktop', width: 1280, how: 'mouse' as const },
  { name: '390px', width: 390, how: 'keyboard' as const },
])('alice asks and bob approves on the access page ($name)', ({ name, width, how }) => {
  it('finds PowerUser on payments-prod by typing "pay", is approved by bob, sees ACTIVE without reloading and ends it', async () => {
    // Prepare
    const alice = await open(width);
    const bob = await open(width);
    const justification = `INC-4711: payments settlement stuck (${name})`;
    try {
      await signIn(alice.page, 'alice@example.com');
      await alice.page.screenshot({ path: `${ARTIFACTS}access-${name}-signed-in.png`, fullPage: true });
      // Act: alice asks
      await fillForm(alice.page, how, { minutes: '90', justification });
      const preview = await alice.page.locator('#ask-preview').innerText();
      const maxHint = await alice.page.locator('#duration-hint').innerText();
      await alice.page.screenshot({ path: `${ARTIFACTS}access-${name}-form-filled.png`, fullPage: true });
      const submitted = alice.page.waitForResponse(
        (r) => r.request().method() === 'POST' && new URL(r.url()).pathname === '/requests',
      );
      if (how === 'mouse') {
        // A double click submits once: the button is disabled while sending and the fill's Idempotency-Key repeats.
        await alice.page.getByRole('button', { name: 'Request access' }).dblclick();
      } else {
        await alice.page.keyboard.press('Enter');
      }
      const answer = await submitted;
      const { requestId } = (await answer.json()) as { requestId: string };
      await myItem(alice.page, requestId).waitFor();
      const mine = {
        title: await myItem(alice.page, requestId).locator('h3').innerText(),
        status: await myItem(alice.page, requestId).locator('.badge').first().innerText(),
      };
      const posts = callsTo(alice.requests, 'POST', '/requests');
      const sent = posts[0]?.postDataJSON() as Record<string, unknown>;
      const documentsBefore = alice.requests.filter((r) => r.resourceType() === 'document').length;

      // Act: bob approves
      await signIn(bob.page, 'bob@example.com');
      const waitingItem = bob.page.locator(`#waiting-list li[data-request-id="${requestId}"]`);
      await waitingItem.waitFor();
      const waiting = {
        title: await waitingItem.locator('h3').innerText(),
        text: await waitingItem.innerText(),
      };
      await bob.page.screenshot({ path: `${ARTIFACTS}access-${name}-waiting-for-bob.png`, fullPage: true });
      await waitingItem.getByLabel('Comment (optional)').fill('ok, settle it');
      await waitingItem.getByRole('button', { name: /^Approve/ }).click();
      await bob.page.locator('#waiting-outcomes').getByText('You approved PowerUser on payments-prod').waitFor();
      await bob.page.locator(`#waiting-list li[data-request-id="${requestId}"]`).waitFor({ state: 'detached' });
      const bobAfter = {
        focused: await bob.page.evaluate<string>('document.activeElement.id'),
        count: await bob.page.locator('#waiting-count').innerText(),
      };

      // Act: alice sees it move, without reloading, and ends it
      await myItem(alice.page, requestId)
        .and(alice.page.locator('[data-status="ACTIVE"]'))
        .waitFor({ timeout: 30_000 });
      await alice.page.screenshot({ path: `${ARTIFACTS}access-${name}-active.png`, fullPage: true });
      const active = await myItem(alice.page, requestId).innerText();
      await myItem(alice.page, requestId)
        .getByRole('button', { name: /^End access now/ })
        .click();
      await myItem(alice.page, requestId)
        .getByRole('button', { name: /^Yes, end access now/ })
        .click();
      await myItem(alice.page, requestId)
        .and(alice.page.locator('[data-status="REVOKED"]'))
        .waitFor({ timeout: 30_000 });
      await alice.page.screenshot({ path: `${ARTIFACTS}access-${name}-revoked.png`, fullPage: true });
      const revoked = await myItem(alice.page, requestId).locator('.badge').first().innerText();
      const stored = await harness().waitForStatus(requestId, await harness().token('alice@example.com'), ['REVOKED']);

      // Assess
      expect(preview).toContain(`Who will be asked: ${PLATFORM_APPROVERS}.`);
      expect(preview).toContain('1 approval is needed (any one of them).');
      expect(maxHint).toContain('from 1 to 480');
      expect(answer.status()).toBe(202);
      expect(posts).toHaveLength(1);
      expect(posts[0]?.headers()['idempotency-key']).toMatch(/^[\x21-\x7e]{1,255}$/);
      expect(sent).toEqual({
        action: 'sso:CreateAccountAssignment',
        parameters: { TargetId: PAYMENTS_PROD, PermissionSetName: 'PowerUser' },
        justification,
        durationMinutes: 90,
      });
      expect(mine).toEqual({ title: 'PowerUser on payments-prod', status: 'Pending approval' });
      expect(waiting.title).toBe('PowerUser on payments-prod');
      expect(waiting.text).toContain('Alice Liddell (alice@example.com)');
      expect(waiting.text).toContain(justification);
      expect(bobAfter).toEqual({ focused: 'waiting-outcomes', count: 'Nothing is waiting for you.' });
      expect(active).toContain('Active');
      expect(active).toContain('Approved by bob@example.com via the access page');
      expect(revoked).toBe('Revoked');
      expect(stored.status).toBe('REVOKED');
      expect((stored.approvals as Array<{ via: string; comment?: string }>)[0]).toMatchObject({
        via: 'page',
        comment: 'ok, settle it',
      });
      // Polling, not reloading: alice's page loaded one document.
      expect(alice.requests.filter((r) => r.resourceType() === 'document').length).toBe(documentsBefore);
      expect(documentsBefore).toBe(1);
      expect(await fitsWidth(alice.page)).toBe(true);
      expect(await fitsWidth(bob.page)).toBe(true);
      expect(alice.errors).toEqual([]);
      expect(bob.errors).toEqual([]);
    } finally {
      await alice.page.context().close();
      await bob.page.context().close();
    }
  }, 120_000);
});

describe('the access page', () => {
  it('shows the API’s refusals next to the field it names, and nothing is written', async () => {
    // Prepare
    const { page, requests, errors } = await open();
    try {
      await signIn(page, 'alice@example.com');
      const before = await harness().itemCount();
      const justification = page.getByLabel('Justification', { exact: true });
      // Act: a justification over the API's 1,024 characters (the page counts but does not refuse)
      await fillForm(page, 'mouse', { minutes: '90', justification: 'x'.repeat(1025) });
      const refused = page.waitForResponse((r) => new URL(r.url()).pathname === '/requests' && r.status() === 400);
      await page.getByRole('button', { name: 'Request access' }).click();
      await refused;
      await page.locator('#justification-error:not([hidden])').waitFor();
      const tooLong = {
        message: await page.locator('#justification-error').innerText(),
        invalid: await justification.getAttribute('aria-invalid'),
        describedBy: await justification.getAttribute('aria-describedby'),
        focused: await justification.evaluate((e) => e.ownerDocument.activeElement === e),
        alert: await page.locator('#alert').innerText(),
      };
      await page.screenshot({ path: `${ARTIFACTS}access-field-error.png`, fullPage: true });
      // Act: a duration over the rule's maximum (480 minutes), refused by the API after routing
      await justification.fill('INC-4712');
      await page.getByLabel('Duration (minutes)').fill('481');
      const refusedAgain = page.waitForResponse((r) => new URL(r.url()).pathname === '/requests' && r.status() === 400);
      await page.getByRole('button', { name: 'Request access' }).click();
      await refusedAgain;
      await page.locator('#duration-error:not([hidden])').waitFor();
      const tooLongAGrant = {
        message: await page.locator('#duration-error').innerText(),
        invalid: await page.getByLabel('Duration (minutes)').getAttribute('aria-invalid'),
        justificationInvalid: await justification.getAttribute('aria-invalid'),
      };
      // Act: an empty justification is the page's own to refuse, before asking the API
      const posts = callsTo(requests, 'POST', '/requests').length;
      await justification.fill('   ');
      await page.getByRole('button', { name: 'Request access' }).click();
      const empty = await page.locator('#justification-error').innerText();
      const postsAfter = callsTo(requests, 'POST', '/requests').length;
      const after = await harness().itemCount();
      // Assess
      expect(tooLong.message).toMatch(/1024/);
      expect(tooLong.invalid).toBe('true');
      expect(tooLong.describedBy?.split(' ')).toContain('justification-error');
      expect(tooLong.focused).toBe(true);
      expect(tooLong.alert).toBe('');
      expect(tooLongAGrant.message).toContain('Must be at most 480 minutes');
      expect(tooLongAGrant.invalid).toBe('true');
      expect(tooLongAGrant.justificationInvalid).toBeNull();
      expect(empty).toBe('Say why you need this access.');
      expect(posts).toBe(2);
      expect(postsAfter).toBe(posts);
      expect(after).toBe(before);
      expect(errors.filter((e) => !e.includes('400'))).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('stops polling while the tab is hidden and refreshes as soon as it is shown again', async () => {
    // Prepare: a fresh request of alice's, so the page polls at its brisk interval (2 s)
    await askAsAlice('INC-4713');
    const { page, requests, errors } = await open();
    try {
      await signIn(page, 'alice@example.com');
      const polls = () => callsTo(requests, 'GET', '/requests').length;
      await page.waitForTimeout(5_000);
      const visible = polls();
      // Act: hidden, as a background tab is
      await page.evaluate(`Object.defineProperty(document, 'hidden', { configurable: true, get: () => true });
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
        document.dispatchEvent(new Event('visibilitychange'));`);
      const hiddenAt = polls();
      await page.waitForTimeout(6_000);
      const whileHidden = polls() - hiddenAt;
      const shown = page.waitForRequest((r) => new URL(r.url()).pathname === '/requests');
      await page.evaluate(`Object.defineProperty(document, 'hidden', { configurable: true, get: () => false });
        Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'visible' });
        document.dispatchEvent(new Event('visibilitychange'));`);
      await shown;
      // Assess: two lists per refresh (mine and waiting for me), at least twice in 5 s while visible
      expect(visible).toBeGreaterThanOrEqual(4);
      expect(whileHidden).toBeLessThanOrEqual(2); // at most a refresh already under way when the tab was hidden
      expect(polls()).toBeGreaterThan(hiddenAt + whileHidden);
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  it('fills the form again from an earlier request with "Ask again", focus on the form, and shows a timeline', async () => {
    // Prepare
    const { page, errors } = await open();
    try {
      await signIn(page, 'alice@example.com');
      const item = page.locator('#my-list li').first();
      await item.waitFor();
      // Act
      await item.getByRole('button', { name: /^Ask again/ }).click();
      const filled = {
        account: await page.getByRole('combobox', { name: 'Account' }).inputValue(),
        permissionSet: await page.getByRole('combobox', { name: 'Permission set' }).inputValue(),
        minutes: await page.getByLabel('Duration (minutes)').inputValue(),
        justification: await page.getByLabel('Justification', { exact: true }).inputValue(),
        focused: await page.evaluate<string>('document.activeElement.id'),
      };
      // By its control: its name changes to "Hide timeline" once open.
      const timelineButton = item.locator('[data-control="timeline"]');
      await timelineButton.click();
      await item.locator('ol.events li').first().waitFor();
      const timeline = {
        expanded: await timelineButton.getAttribute('aria-expanded'),
        events: await item.locator('ol.events li strong').allInnerTexts(),
      };
      // The picture in the README (docs/access-page.png is a copy of this one).
      await page.screenshot({ path: `${ARTIFACTS}access-ask-again.png`, fullPage: true });
      // Assess
      expect(timeline.expanded).toBe('true');
      expect(timeline.events[0]).toBe('submitted');
      expect(filled).toEqual({
        account: 'payments-prod',
        permissionSet: 'PowerUser',
        minutes: '30',
        justification: 'INC-4713',
        focused: 'account',
      });
      expect(errors).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 60_000);

  describe('axe-core: no serious or critical violations', () => {
    it('signed out', async () => {
      // Prepare
      const { page } = await open(320);
      try {
        // Act
        const { violations, passedRules } = await axeAudit(page);
        // Assess
        expect(seriousOrCritical(violations)).toEqual([]);
        expect(passedRules).toBeGreaterThan(10);
        expect(await fitsWidth(page)).toBe(true);
      } finally {
        await page.context().close();
      }
    }, 60_000);

    it('signed in with the form filled and a picker open', async () => {
      // Prepare
      const { page } = await open(320);
      try {
        await signIn(page, 'alice@example.com');
        await fillForm(page, 'mouse', { minutes: '90', justification: 'INC-4714' });
        await page.getByRole('combobox', { name: 'Account' }).fill('pay');
        await page.locator('#account-listbox:not([hidden])').waitFor();
        // Act
        const { violations, passedRules } = await axeAudit(page);
        // Assess
        expect(seriousOrCritical(violations)).toEqual([]);
        expect(passedRules).toBeGreaterThan(10);
        expect(await fitsWidth(page)).toBe(true);
      } finally {
        await page.context().close();
      }
    }, 60_000);

    it('with "Waiting for me" showing', async () => {
      // Prepare: a request of alice's waiting for bob (a fresh one: the local approval window is 180 s at this time scale)
      await askAsAlice('INC-4715');
      const { page } = await open(320);
      try {
        await signIn(page, 'bob@example.com');
        await page.locator('#waiting-list li').first().waitFor();
        // Act
        const { violations, passedRules } = await axeAudit(page);
        await page.screenshot({ path: `${ARTIFACTS}access-320px-waiting.png`, fullPage: true });
        // Assess
        expect(seriousOrCritical(violations)).toEqual([]);
        expect(passedRules).toBeGreaterThan(10);
        expect(await fitsWidth(page)).toBe(true);
      } finally {
        await page.context().close();
      }
    }, 60_000);
  });
});
