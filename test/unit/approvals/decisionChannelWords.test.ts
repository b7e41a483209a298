// A decision's channel reads the same on every page: a request that policy approved at once (approvalRequired: false)
// shows "via policy", never as if someone had used a link.
import { describe, expect, it } from '@jest/globals';
import { renderApprovalPage } from '../../../functions/approvals/page.js';
import { DECISION_CHANNEL_WORDS, type Approval } from '../../../functions/requests/model.js';
import { storedRequest } from '../../fixtures/requests.js';

const approvalBy = (via: Approval['via']): Approval => ({
  approver: via === 'system' ? 'system' : 'bob@example.com',
  decision: 'approve',
  at: '2026-11-21T12:00:00.000Z',
  via,
});

describe('decision channels on the approval page', () => {
  it.each(Object.entries(DECISION_CHANNEL_WORDS))('shows an approval via %s as "via %s"', (via, words) => {
    // Prepare
    const item = storedRequest('APPROVED', { approvals: [approvalBy(via as Approval['via'])], approvalCount: 1 });
    // Act
    const page = renderApprovalPage(item, 'carol@example.com', new Date('2026-11-21T12:05:00.000Z'));
    // Assess
    expect(page).toContain(`via ${words}</span>`);
  });
});
