import { describe, expect, it } from '@jest/globals';
import { parsePolicy, routeApproval, type Policy } from '../../../functions/policy/policy.js';
import { SSO_PARAMETERS as ssoParams } from '../../fixtures/requests.js';

const policy: Policy = parsePolicy({
  approvalTimeoutSeconds: 7200,
  auditors: ['dana@example.com'],
  rules: [
    {
      action: 'sso:CreateAccountAssignment',
      match: { TargetId: ['111111111111'], PermissionSetArn: [ssoParams.PermissionSetArn] },
      approvers: ['bob@example.com', 'carol@example.com'],
      minApprovals: 2,
      approvalTimeoutSeconds: 600,
    },
    { action: 'sso:CreateAccountAssignment', match: { TargetId: ['222222222222'] }, approvers: ['bob@example.com'] },
    { action: 'proton:AcceptEnvironmentAccountConnection', approvers: ['carol@example.com'] },
  ],
});

describe('routeApproval', () => {
  it('uses the first rule whose match lists contain the request values', () => {
    // Act
    const route = routeApproval(policy, {
      action: 'sso:CreateAccountAssignment',
      parameters: ssoParams,
      requester: 'alice@example.com',
    });
    // Assess
    expect(route).toEqual({
      ruleIndex: 0,
      approvers: ['bob@example.com', 'carol@example.com'],
      minApprovals: 2,
      approvalTimeoutSeconds: 600,
      reminderAfterSeconds: 300,
      maxDurationMinutes: 480,
    });
  });

  it('falls back to the policy-wide approval window', () => {
    // Act
    const route = routeApproval(policy, {
      action: 'sso:CreateAccountAssignment',
      parameters: { ...ssoParams, TargetId: '222222222222' },
      requester: 'alice@example.com',
    });
    // Assess
    expect(route.approvalTimeoutSeconds).toBe(7200);
    expect(route.ruleIndex).toBe(1);
  });

  it('refuses a request no rule covers', () => {
    // Act / Assess
    expect(() =>
      routeApproval(policy, {
        action: 'sso:CreateAccountAssignment',
        parameters: { ...ssoParams, TargetId: '333333333333' },
        requester: 'alice@example.com',
      }),
    ).toThrow(expect.objectContaining({ code: 'NoApprovalRule', statusCode: 403 }));
  });

  it('never makes the requester their own approver, and refuses when too few approvers remain', () => {
    // Act
    const proton = routeApproval(policy, {
      action: 'proton:AcceptEnvironmentAccountConnection',
      parameters: { id: 'x' },
      requester: 'bob@example.com',
    });
    // Assess
    expect(proton.approvers).toEqual(['carol@example.com']);
    expect(() =>
      routeApproval(policy, {
        action: 'sso:CreateAccountAssignment',
        parameters: ssoParams,
        requester: 'bob@example.com',
      }),
    ).toThrow(/needs 2 approval/);
  });
});

describe('parsePolicy', () => {
  it.each([
    [{ rules: [] }, /rules/],
    [{ rules: [{ action: 'iam:CreateUser', approvers: ['a'] }] }, /rules\[0\] \(iam:CreateUser\): unknown action/],
    [
      { rules: [{ action: 'sso:CreateAccountAssignment', match: { Color: ['red'] }, approvers: ['a'] }] },
      /match key Color/,
    ],
    [
      { rules: [{ action: 'sso:CreateAccountAssignment', approvers: ['a'], minApprovals: 2 }] },
      /minApprovals 2 exceeds/,
    ],
    [
      {
        rules: [
          { action: 'sso:CreateAccountAssignment', approvers: ['a'] },
          { action: 'sso:CreateAccountAssignment', match: { TargetId: ['111111111111'] }, approvers: ['b'] },
        ],
      },
      /rules\[1\].*unreachable.*rules\[0\]/,
    ],
    [
      { rules: [{ action: 'sso:CreateAccountAssignment', approvers: ['a'], approvalTimeoutSeconds: 0 }] },
      /approvalTimeoutSeconds/,
    ],
    [
      {
        approvalTimeoutSeconds: 600,
        rules: [{ action: 'sso:CreateAccountAssignment', approvers: ['a'], reminderAfterSeconds: 600 }],
      },
      /rules\[0\].*reminderAfterSeconds 600 must be less than its approval window of 600/,
    ],
    [
      { rules: [{ action: 'sso:CreateAccountAssignment', approvers: ['a'] }], extra: true },
      /extra is not a known field/,
    ],
    [
      {
        people: [
          { id: 'a', slackUserId: 'U1' },
          { id: 'b', slackUserId: 'U1' },
        ],
        rules: [{ action: 'sso:CreateAccountAssignment', approvers: ['a'] }],
      },
      /b and a share slackUserId U1/,
    ],
  ])('rejects an invalid policy with a message naming the problem (%#)', (document, message) => {
    // Act / Assess
    expect(() => parsePolicy(document)).toThrow(message);
  });

  it('accepts the example policy shipped in config/', async () => {
    // Prepare
    const { readFileSync } = await import('node:fs');
    // Act
    const parsed = parsePolicy(JSON.parse(readFileSync('config/policy.example.json', 'utf8')));
    // Assess
    expect(parsed.rules.length).toBeGreaterThan(0);
  });
});
