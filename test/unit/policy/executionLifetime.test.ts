// The policy loader refuses a rule whose approval window plus longest grant would outlive a Standard execution,
// which would cut the workflow off before it revokes the grant.
import { describe, expect, it } from '@jest/globals';
import {
  EXECUTION_MARGIN_SECONDS,
  MAX_SCHEDULED_START_SECONDS,
  MAX_WINDOW_PLUS_GRANT_SECONDS,
  STANDARD_EXECUTION_MAX_SECONDS,
  parsePolicy,
} from '../../../functions/policy/policy.js';

const SSO = 'sso:CreateAccountAssignment';
const YEAR = 31_536_000;

describe('execution lifetime check', () => {
  it('budgets one year less the margin and the (not yet existing) scheduled start', () => {
    // Assess
    expect(STANDARD_EXECUTION_MAX_SECONDS).toBe(YEAR);
    expect(MAX_SCHEDULED_START_SECONDS).toBe(0);
    expect(MAX_WINDOW_PLUS_GRANT_SECONDS).toBe(YEAR - EXECUTION_MARGIN_SECONDS);
    // The margin covers 24 h of revocation retries and 24 h of the final status copy, with a day spare.
    expect(EXECUTION_MARGIN_SECONDS).toBe(3 * 86_400);
  });

  it('refuses a one-year window plus a one-year grant, naming the rule and what to change', () => {
    // Prepare
    const document = {
      rules: [{ action: SSO, approvers: ['bob'], approvalTimeoutSeconds: YEAR, maxDurationMinutes: YEAR / 60 }],
    };

    // Act
    const parse = () => parsePolicy(document);

    // Assess
    expect(parse).toThrow(
      /rules\[0\] \(sso:CreateAccountAssignment\): approval window 31536000 s plus maxDurationMinutes 525600/,
    );
    expect(parse).toThrow(/lower approvalTimeoutSeconds or maxDurationMinutes on this rule/);
    expect(parse).toThrow(new RegExp(`by at least ${2 * YEAR - MAX_WINDOW_PLUS_GRANT_SECONDS} s`));
  });

  it('counts what a rule inherits: the policy-wide window and duration', () => {
    // Prepare
    const document = {
      approvalTimeoutSeconds: 200 * 86_400,
      maxDurationMinutes: 200 * 24 * 60,
      rules: [
        { action: SSO, approvers: ['bob'], match: { TargetId: ['111111111111'] }, maxDurationMinutes: 60 },
        { action: SSO, approvers: ['bob'] },
      ],
    };

    // Act
    const parse = () => parsePolicy(document);

    // Assess: only the rule that inherits both is refused.
    expect(parse).toThrow(/rules\[1\] \(sso:CreateAccountAssignment\): approval window 17280000 s/);
    expect(parse).not.toThrow(/rules\[0\]/);
  });

  it('accepts a rule exactly at the limit, and the default 8 h grant with a long window', () => {
    // Prepare
    const atLimit = MAX_WINDOW_PLUS_GRANT_SECONDS - 60 * 60;
    const document = {
      rules: [
        {
          action: SSO,
          approvers: ['bob'],
          match: { TargetId: ['111111111111'] },
          approvalTimeoutSeconds: atLimit,
          maxDurationMinutes: 60,
        },
        { action: SSO, approvers: ['bob'], approvalTimeoutSeconds: 300 * 86_400 },
      ],
    };

    // Act
    const policy = parsePolicy(document);

    // Assess
    expect(policy.rules).toHaveLength(2);
  });

  it('refuses one second over the limit', () => {
    // Prepare
    const document = {
      rules: [
        {
          action: SSO,
          approvers: ['bob'],
          approvalTimeoutSeconds: MAX_WINDOW_PLUS_GRANT_SECONDS - 60 * 60 + 1,
          maxDurationMinutes: 60,
        },
      ],
    };

    // Act / Assess
    expect(() => parsePolicy(document)).toThrow(/by at least 1 s/);
  });
});
