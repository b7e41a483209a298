// Slack messages and the approval page speak in the request's names where it has them: who asks, for what
// permission set, on which account (with its id), for how long. Names are escaped for each context; a request
// stored before names reads exactly as before.
import { describe, expect, it } from '@jest/globals';
import { renderApprovalPage } from '../../../functions/approvals/page.js';
import {
  approvalRequestMessage,
  decisionStateMessage,
  reminderMessage,
} from '../../../functions/notifications/messages.js';
import type { RequestDisplay } from '../../../functions/requests/model.js';
import { storedRequest } from '../../fixtures/requests.js';

const URL = 'https://approvals.example.com/approvals/v1.token';
const NOW = new Date('2026-11-21T12:00:00.000Z');

const ALICE: RequestDisplay = {
  requester: { id: 'alice@example.com', name: 'Alice Liddell' },
  principal: { type: 'USER', id: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', name: 'Alice Liddell', userName: 'alice' },
  permissionSet: {
    arn: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222',
    name: 'PowerUser',
    description: 'Build & operate',
  },
  account: { id: '111122223333', name: 'payments-prod' },
};

const named = storedRequest('PENDING_APPROVAL', {
  display: ALICE,
  durationMinutes: 120,
  summary: 'PowerUser on payments-prod (111122223333) for Alice Liddell (alice)',
});

type Section = { type: string; text?: { type: string; text: string }; fields?: Array<{ text: string }> };
const sections = (blocks: unknown[]): Section[] => (blocks as Section[]).filter((b) => b.type === 'section');

describe('Slack messages with names', () => {
  it('asks "*Alice Liddell* asks for *PowerUser* on *payments-prod* (111122223333) for 2 h", with the names as fields', () => {
    // Act
    const message = approvalRequestMessage(named, URL);
    // Assess
    const [ask] = sections(message.blocks);
    expect(ask?.text?.text).toBe('*Alice Liddell* asks for *PowerUser* on *payments-prod* (111122223333) for 2 h');
    expect(ask?.fields?.map((f) => f.text).slice(0, 4)).toEqual([
      '*Requested by*\nAlice Liddell (alice@example.com)',
      '*For*\nAlice Liddell (alice)',
      '*Permission set*\nPowerUser: Build &amp; operate',
      '*Account*\npayments-prod (111122223333)',
    ]);
    expect(
      message.text.startsWith(
        'Alice Liddell (alice@example.com) asks for PowerUser on payments-prod (111122223333) for 2 h.',
      ),
    ).toBe(true);
  });

  it('names the requester in reminders and in the decided message', () => {
    // Act
    const reminder = reminderMessage(named, URL);
    const decided = decisionStateMessage({ ...named, status: 'DENIED' });
    // Assess
    expect(reminder.text.startsWith('Reminder: Alice Liddell is still waiting')).toBe(true);
    expect(sections(decided.blocks)[0]?.text?.text).toBe(
      '*Alice Liddell* asked for *PowerUser* on *payments-prod* (111122223333) for 2 h',
    );
  });

  it('keeps a hostile name inert: no mention, link or broadcast survives', () => {
    // Prepare
    const hostile = storedRequest('PENDING_APPROVAL', {
      display: {
        requester: { id: 'alice@example.com', name: '<!channel> <@U123>' },
        permissionSet: { arn: ALICE.permissionSet?.arn ?? '', name: '<https://evil.example|PowerUser>' },
        account: { id: '111122223333', name: '<!here>' },
      },
    });
    // Act
    const message = approvalRequestMessage(hostile, URL);
    // Assess
    expect(sections(message.blocks)[0]?.text?.text).toBe(
      '*&lt;!channel&gt; &lt;@U123&gt;* asks for *&lt;https://evil.example|PowerUser&gt;* on *&lt;!here&gt;* (111122223333)',
    );
    expect(message.text).not.toMatch(/<[!@#h]/);
  });

  it('reads exactly as before names for a request that has none', () => {
    // Act
    const message = approvalRequestMessage(storedRequest('PENDING_APPROVAL'), URL);
    // Assess
    expect(sections(message.blocks)[0]?.text?.text).toBe(
      '*alice@example.com* asks: Assign ps-1 to user u on account 111111111111',
    );
    expect(sections(message.blocks)[0]?.fields?.[0]?.text).toBe('*Justification*\non-call');
  });
});

describe('the approval page with names', () => {
  it('shows the ask with the names in bold and each name with its id', () => {
    // Act
    const page = renderApprovalPage(named, 'bob@example.com', NOW);
    // Assess
    expect(page).toContain(
      '<p class="ask">Alice Liddell asks for <strong>PowerUser</strong> on <strong>payments-prod</strong> (111122223333) for 2 h</p>',
    );
    expect(page).toContain('<p><strong>Alice Liddell</strong> (alice@example.com) asks for your approval.');
    expect(page).toContain('<dt>Requested by</dt><dd>alice@example.com</dd>');
    expect(page).toContain(
      '<dt>For</dt><dd>Alice Liddell (alice) <span class="muted">(<code>f81d4fae-7dec-11d0-a765-00a0c91e6bf6</code>)</span></dd>',
    );
    expect(page).toContain(
      '<dt>Permission set</dt><dd>PowerUser <span class="muted">– Build &amp; operate</span></dd>',
    );
    expect(page).toContain('<dt>Account</dt><dd>payments-prod (111122223333)</dd>');
  });

  it('escapes a hostile name', () => {
    // Prepare
    const hostile = storedRequest('PENDING_APPROVAL', {
      display: { ...ALICE, account: { id: '111122223333', name: '<script>document.title="x"</script>' } },
    });
    // Act
    const page = renderApprovalPage(hostile, 'bob@example.com', NOW);
    // Assess
    expect(page).not.toContain('<script>');
    expect(page).toContain('<strong>&lt;script&gt;document.title=&quot;x&quot;&lt;/script&gt;</strong>');
  });

  it('shows the requester id alone, as before, for a request without names', () => {
    // Act
    const page = renderApprovalPage(storedRequest('PENDING_APPROVAL'), 'bob@example.com', NOW);
    // Assess
    expect(page).not.toContain('class="ask"');
    expect(page).toContain('<p><strong>alice@example.com</strong> asks for your approval.');
    expect(page).toContain('<dt>Requested by</dt><dd>alice@example.com</dd>');
  });
});
