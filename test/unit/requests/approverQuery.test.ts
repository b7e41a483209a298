// GET /requests?approver=<self>: a non-auditor may list what they were asked to decide, with any other filters, but
// never someone else's approvals (issue 12, "Deciding while signed in").
import { describe, expect, it } from '@jest/globals';
import { authorizeQuery, planQuery, type RequestFilters } from '../../../functions/requests/queryRequests.js';

const BOB = 'bob@example.com';

describe('authorizeQuery for approvers who are not auditors', () => {
  it.each<[string, RequestFilters]>([
    ['approver=<self>', { approver: BOB }],
    ['approver=<self> with a status', { approver: BOB, status: 'PENDING_APPROVAL' }],
    ['approver=<self> with an action', { approver: BOB, action: 'sso:CreateAccountAssignment' }],
    [
      'approver=<self> with every other filter',
      {
        approver: BOB,
        status: 'PENDING_APPROVAL',
        action: 'sso:CreateAccountAssignment',
        targetId: '111111111111',
        requester: 'alice@example.com',
        from: '2026-01-01T00:00:00.000Z',
        to: '2026-12-31T00:00:00.000Z',
      },
    ],
  ])('allows %s', (_name, filters) => {
    // Act / Assess
    expect(() => authorizeQuery(filters, BOB, false)).not.toThrow();
  });

  it.each<[string, RequestFilters]>([
    ["someone else's approvals", { approver: 'carol@example.com' }],
    ["someone else's approvals in one status", { approver: 'carol@example.com', status: 'PENDING_APPROVAL' }],
    [
      "someone else's approvals of someone else's requests",
      { approver: 'carol@example.com', requester: 'alice@example.com' },
    ],
    ['an approver that differs only in case', { approver: 'BOB@example.com' }],
  ])('refuses %s with 403 Forbidden', (_name, filters) => {
    // Act / Assess
    expect(() => authorizeQuery(filters, BOB, false)).toThrow(
      expect.objectContaining({ statusCode: 403, code: 'Forbidden' }),
    );
  });

  it('the open requests waiting on the approver are one Query on byApproverStatus', () => {
    // Act
    const plan = planQuery({ approver: BOB, status: 'PENDING_APPROVAL' });
    // Assess
    expect(plan).toMatchObject({ index: 'byApproverStatus', keyValue: `${BOB}#PENDING_APPROVAL` });
  });
});
