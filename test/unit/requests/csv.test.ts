import { describe, expect, it } from '@jest/globals';
import { CSV_COLUMNS, csvCell, csvHeader, csvRow } from '../../../functions/requests/csv.js';
import { statusIndexKeys } from '../../../functions/requests/keys.js';
import type { RequestItem } from '../../../functions/requests/model.js';

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line\nbreak', '"line\nbreak"'],
    ['carriage\rreturn', '"carriage\rreturn"'],
    ['', ''],
  ])('quotes %j per RFC 4180 as %j', (value, expected) => {
    // Act / Assess
    expect(csvCell(value)).toBe(expected);
  });

  it.each([
    ['=HYPERLINK("http://evil.example","x")', `"'=HYPERLINK(""http://evil.example"",""x"")"`],
    ['+1+1', "'+1+1"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1:A2)', "'@SUM(A1:A2)"],
    ['\t=1', "'\t=1"],
  ])('neutralises a formula-like cell %j', (value, expected) => {
    // Act / Assess
    expect(csvCell(value)).toBe(expected);
  });
});

describe('csvRow', () => {
  const item: RequestItem = {
    pk: 'REQUEST#r-1',
    sk: 'REQUEST',
    kind: 'REQUEST',
    requestId: 'r-1',
    action: 'sso:CreateAccountAssignment',
    parameters: '{}',
    requester: '=cmd@example.com',
    justification: 'x',
    summary: 's',
    targetId: '111111111111',
    status: 'FAILED',
    ...statusIndexKeys(
      { requester: '=cmd@example.com', targetId: '111111111111', action: 'sso:CreateAccountAssignment' },
      'FAILED',
    ),
    createdAt: '2026-11-21T10:00:00.000Z',
    updatedAt: '2026-11-21T10:05:00.000Z',
    expiresAt: '2026-11-22T10:00:00.000Z',
    approvers: ['bob@example.com', 'carol@example.com'],
    minApprovals: 2,
    approvalCount: 2,
    decisions: {},
    approvals: [
      { approver: 'bob@example.com', decision: 'approve', at: '2026-11-21T10:01:00.000Z', via: 'link' },
      { approver: 'carol@example.com', decision: 'approve', at: '2026-11-21T10:02:00.000Z', via: 'slack' },
    ],
    events: [{ at: '2026-11-21T10:03:00.000Z', type: 'failed', detail: '{}' }],
    error: {
      name: 'AccessDeniedException',
      cause: JSON.stringify({ errorType: 'AccessDeniedException', errorMessage: 'not allowed, "really"' }),
    },
  };

  it('has the documented columns, in order', () => {
    // Act / Assess
    expect(csvHeader()).toBe(
      'requestId,createdAt,requester,action,target,status,approvers,decidedAt,completedAt,error',
    );
    expect(CSV_COLUMNS).toHaveLength(10);
  });

  it('renders a quorum request with decision and completion times, quoting and neutralising cells', () => {
    // Act
    const row = csvRow(item);
    // Assess
    expect(row).toBe(
      `r-1,2026-11-21T10:00:00.000Z,'=cmd@example.com,sso:CreateAccountAssignment,111111111111,FAILED,bob@example.com;carol@example.com,` +
        `2026-11-21T10:02:00.000Z,2026-11-21T10:03:00.000Z,"AccessDeniedException: not allowed, ""really"""`,
    );
  });
});
