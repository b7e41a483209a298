import { describe, expect, it } from '@jest/globals';
import { OrganizationUnavailableError } from '../../../functions/directory/directory.js';
import { checkPolicyAgainstDirectory } from '../../../functions/policy/directoryCheck.js';
import { parsePolicy } from '../../../functions/policy/policy.js';
import { memoryDirectory, POWER_USER_ARN, READ_ONLY_ARN } from '../../fixtures/memoryDirectory.js';

const SSO = 'sso:CreateAccountAssignment';
const PROTON = 'proton:AcceptEnvironmentAccountConnection';

describe('parsePolicy, second-stage fields', () => {
  it('accepts identity, requesters, principals, approvalRequired without approvers, and the new match keys', () => {
    // Act
    const policy = parsePolicy({
      identity: { claim: 'email', userAttribute: 'emails.value' },
      rules: [
        {
          action: SSO,
          requesters: ['group:Engineers', 'alice@example.com'],
          match: { OrganizationalUnit: ['ou-ab12-11111111', 'r-ab12'], PermissionSetName: ['ReadOnly', 'PowerUser'] },
          principals: 'self',
          approvalRequired: false,
        },
        { action: SSO, approvers: ['group:Platform Approvers'], minApprovals: 2 },
      ],
    });
    // Assess: approvers is always a list once parsed, and a group entry counts as possibly many people
    expect(policy.rules[0]?.approvers).toEqual([]);
    expect(policy.rules[1]?.minApprovals).toBe(2);
  });

  it.each([
    [
      { identity: { userAttribute: 'phoneNumbers.value' } },
      /identity\.userAttribute must be one of: emails\.value, userName/,
    ],
    [{ identity: { claim: '' } }, /identity\.claim/],
  ])('refuses a bad identity mapping (%#)', (extra, message) => {
    // Act / Assess
    expect(() => parsePolicy({ ...extra, rules: [{ action: SSO, approvers: ['a'] }] })).toThrow(message);
  });

  it.each([
    [
      { action: SSO, principals: 'everyone', approvers: ['a'] },
      /rules\.0\.principals must be one of: self, self-or-groups, any/,
    ],
    [{ action: SSO, requesters: [], approvers: ['a'] }, /rules\.0\.requesters/],
    [{ action: SSO, approvalRequired: 'no', approvers: ['a'] }, /rules\.0\.approvalRequired must be boolean/],
    [
      { action: SSO },
      /rules\[0\] \(sso:CreateAccountAssignment\): approvers is required unless approvalRequired is false/,
    ],
    [{ action: SSO, approvers: [] }, /rules\[0\].*approvers is required unless approvalRequired is false/],
    [{ action: SSO, requesters: ['group:'], approvers: ['a'] }, /rules\[0\].*requesters entry "group:" names no group/],
    [{ action: SSO, approvers: ['group: '] }, /rules\[0\].*approvers entry "group: " names no group/],
    [
      { action: SSO, match: { OrganizationalUnit: ['ou-typo'] }, approvers: ['a'] },
      /rules\[0\].*OrganizationalUnit ou-typo is not a root id/,
    ],
    [
      { action: SSO, match: { PermissionSetName: ['Read Only'] }, approvers: ['a'] },
      /rules\[0\].*PermissionSetName Read Only is not a permission-set name/,
    ],
    [
      { action: SSO, match: { PrincipalType: ['GROUP'] }, principals: 'self', approvers: ['a'] },
      /rules\[0\].*can never match, principals "self" allows only the requester's own USER/,
    ],
    [{ action: PROTON, principals: 'self', approvers: ['a'] }, /rules\[0\].*principals "self" applies only to sso/],
    [{ action: PROTON, match: { OrganizationalUnit: ['r-ab12'] }, approvers: ['a'] }, /match key OrganizationalUnit/],
  ])('refuses a bad rule, naming it (%#)', (rule, message) => {
    // Act / Assess
    expect(() => parsePolicy({ rules: [rule] })).toThrow(message);
  });

  it('counts no group approver as one person when checking minApprovals', () => {
    // Act / Assess: three people listed, or a group that may hold three, both pass here
    expect(() => parsePolicy({ rules: [{ action: SSO, approvers: ['group:G'], minApprovals: 3 }] })).not.toThrow();
    expect(() => parsePolicy({ rules: [{ action: SSO, approvers: ['a'], minApprovals: 3 }] })).toThrow(
      /minApprovals 3 exceeds its 1 approvers/,
    );
  });

  it.each([
    [
      'a rule for everyone shadows one for a group',
      [
        { action: SSO, match: { TargetId: ['111111111111'] }, approvers: ['a'] },
        { action: SSO, requesters: ['group:G'], match: { TargetId: ['111111111111'] }, approvers: ['b'] },
      ],
      true,
    ],
    [
      'a rule for a group does not shadow one for everyone',
      [
        { action: SSO, requesters: ['group:G'], match: { TargetId: ['111111111111'] }, approvers: ['a'] },
        { action: SSO, match: { TargetId: ['111111111111'] }, approvers: ['b'] },
      ],
      false,
    ],
    [
      'a self rule does not shadow an any rule',
      [
        { action: SSO, principals: 'self', approvers: ['a'] },
        { action: SSO, principals: 'any', match: { TargetId: ['111111111111'] }, approvers: ['b'] },
      ],
      false,
    ],
    [
      'an any rule shadows a self-or-groups rule on the same OU',
      [
        { action: SSO, match: { OrganizationalUnit: ['ou-ab12-22222222'] }, approvers: ['a'] },
        {
          action: SSO,
          principals: 'self-or-groups',
          match: { OrganizationalUnit: ['ou-ab12-22222222'] },
          approvers: ['b'],
        },
      ],
      true,
    ],
  ])('shadowing with requesters and principals: %s', (_name, rules, shadowed) => {
    // Act
    const parse = () => parsePolicy({ rules });
    // Assess
    if (shadowed) expect(parse).toThrow(/rules\[1\].*unreachable.*rules\[0\]/);
    else expect(parse).not.toThrow();
  });
});

describe('checkPolicyAgainstDirectory', () => {
  const check = (rules: unknown[]) => checkPolicyAgainstDirectory(parsePolicy({ rules }), memoryDirectory());

  it('accepts a policy whose groups, OUs and permission sets all exist', async () => {
    // Act / Assess
    await expect(
      check([
        {
          action: SSO,
          requesters: ['group:Engineers'],
          match: { OrganizationalUnit: ['ou-ab12-44444444'], PermissionSetName: ['ReadOnly'] },
          principals: 'self',
          approvalRequired: false,
        },
        {
          action: SSO,
          requesters: ['group:Engineers'],
          match: { OrganizationalUnit: ['ou-ab12-22222222'], PermissionSetName: ['ReadOnly', 'PowerUser'] },
          principals: 'self',
          approvers: ['group:Platform Approvers'],
          minApprovals: 2,
        },
      ]),
    ).resolves.toBeUndefined();
  });

  it('makes no directory call for a policy without groups, OUs or permission-set keys', async () => {
    // Prepare
    const directory = memoryDirectory();
    // Act
    await checkPolicyAgainstDirectory(
      parsePolicy({ rules: [{ action: SSO, match: { TargetId: ['111111111111'] }, approvers: ['bob@example.com'] }] }),
      directory,
    );
    // Assess
    expect(directory.calls).toEqual({});
  });

  it.each([
    [
      [{ action: SSO, requesters: ['group:Enginers'], approvers: ['a'] }],
      /rules\[0\] \(sso:CreateAccountAssignment\): requesters group "Enginers" does not exist in Identity Center/,
    ],
    [
      [{ action: PROTON, approvers: ['group:Platform Aprovers'] }],
      /rules\[0\] \(proton:AcceptEnvironmentAccountConnection\): approvers group "Platform Aprovers" does not exist/,
    ],
    [
      [{ action: SSO, match: { OrganizationalUnit: ['ou-ab12-99999999'] }, approvers: ['a'] }],
      /rules\[0\].*OrganizationalUnit ou-ab12-99999999 does not exist in the organisation/,
    ],
    [
      [{ action: SSO, match: { PermissionSetName: ['Admin'] }, approvers: ['a'] }],
      /rules\[0\].*PermissionSetName Admin is not a permission set of the Identity Center instance/,
    ],
    [
      [
        {
          action: SSO,
          match: { PermissionSetArn: ['arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-9999999999999999'] },
          approvers: ['a'],
        },
      ],
      /rules\[0\].*PermissionSetArn arn:aws:sso:::permissionSet\/ssoins-1111111111111111\/ps-9999999999999999 is not a permission set/,
    ],
    [
      [
        {
          action: SSO,
          match: { OrganizationalUnit: ['ou-ab12-22222222'], TargetId: ['111111111111'] },
          approvers: ['a'],
        },
      ],
      /rules\[0\].*can never match, no account is below OrganizationalUnit ou-ab12-22222222 among TargetId 111111111111/,
    ],
    [
      [
        {
          action: SSO,
          match: { PermissionSetName: ['ReadOnly'], PermissionSetArn: [POWER_USER_ARN] },
          approvers: ['a'],
        },
      ],
      /rules\[0\].*can never match, none of its PermissionSetArn values has a listed PermissionSetName/,
    ],
    [
      [{ action: SSO, approvers: ['group:Auditors', 'dana@example.com'], minApprovals: 3 }],
      /rules\[0\].*minApprovals 3 can never be reached, its approvers expand to 2 people/,
    ],
  ])('refuses what the directory contradicts, naming the rule and the value (%#)', async (rules, message) => {
    // Act / Assess
    await expect(check(rules)).rejects.toThrow(message);
  });

  it('refuses a rule fully shadowed once OUs are expanded, including by the root', async () => {
    // Prepare: Payments Prod holds only payments-prod; the root holds every account
    const byTarget = [
      { action: SSO, match: { TargetId: ['111122223333'], PermissionSetArn: [READ_ONLY_ARN] }, approvers: ['a'] },
      {
        action: SSO,
        match: { OrganizationalUnit: ['ou-ab12-33333333'], PermissionSetName: ['ReadOnly'] },
        approvers: ['b'],
      },
    ];
    const byRoot = [
      { action: SSO, match: { OrganizationalUnit: ['r-ab12'] }, approvers: ['a'] },
      { action: SSO, match: { TargetId: ['444455556666'] }, approvers: ['b'] },
    ];
    // Act / Assess
    await expect(check(byTarget)).rejects.toThrow(
      /rules\[1\].*unreachable, once OUs and permission-set names are expanded every request it matches is already matched by rules\[0\]/,
    );
    await expect(check(byRoot)).rejects.toThrow(/rules\[1\].*unreachable.*rules\[0\]/);
  });

  it('keeps a rule an earlier one only partly covers', async () => {
    // Act / Assess: the later rule also covers payments-dev and payments-staging
    await expect(
      check([
        { action: SSO, match: { TargetId: ['111122223333'] }, approvers: ['a'] },
        { action: SSO, match: { OrganizationalUnit: ['ou-ab12-22222222'] }, approvers: ['b'] },
      ]),
    ).resolves.toBeUndefined();
  });
});

describe('the shipped policies', () => {
  it.each(['config/policy.local.json', 'config/policy.example.json'])(
    '%s passes the directory check against the default local fixtures',
    async (file) => {
      // Prepare
      const { readFileSync } = await import('node:fs');
      const policy = parsePolicy(JSON.parse(readFileSync(file, 'utf8')));
      // Act / Assess
      await expect(checkPolicyAgainstDirectory(policy, memoryDirectory(), file)).resolves.toBeUndefined();
    },
  );
});

describe('config/policy.local.json with the fixtures the tests start it with', () => {
  it('stays valid for an instance with only ReadOnly (test/e2e/faults.test.ts replaces the permission sets)', async () => {
    // Prepare
    const { readFileSync } = await import('node:fs');
    const policy = parsePolicy(JSON.parse(readFileSync('config/policy.local.json', 'utf8')));
    const directory = memoryDirectory();
    directory.data.permissionSets = directory.data.permissionSets.filter((ps) => ps.name === 'ReadOnly');
    // Act / Assess
    await expect(checkPolicyAgainstDirectory(policy, directory)).resolves.toBeUndefined();
  });
});

describe('Organizations unavailable', () => {
  it('refuses a policy with OU rules, saying the organisation cannot be read', async () => {
    // Prepare
    const directory = memoryDirectory();
    directory.organization = async () => {
      throw new OrganizationUnavailableError('AccessDeniedException: not authorized');
    };
    const policy = parsePolicy({
      rules: [{ action: SSO, match: { OrganizationalUnit: ['r-ab12'] }, approvers: ['bob@example.com'] }],
    });
    // Act / Assess
    await expect(checkPolicyAgainstDirectory(policy, directory)).rejects.toThrow(
      /OrganizationalUnit rules need the organisation, which cannot be read \(AccessDeniedException/,
    );
  });
});
