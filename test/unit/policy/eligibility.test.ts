import { describe, expect, it } from '@jest/globals';
import { OrganizationUnavailableError } from '../../../functions/directory/directory.js';
import { resolveCaller, routeRequest, type ResolvedCaller } from '../../../functions/policy/eligibility.js';
import { parsePolicy, type Policy } from '../../../functions/policy/policy.js';
import { GROUP_IDS, memoryDirectory, POWER_USER_ARN, READ_ONLY_ARN, USERS } from '../../fixtures/memoryDirectory.js';

const SSO = 'sso:CreateAccountAssignment';
const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';

const ssoRequest = (overrides: Record<string, string> = {}) => ({
  InstanceArn: INSTANCE_ARN,
  PermissionSetArn: READ_ONLY_ARN,
  PrincipalId: USERS.alice.userId,
  PrincipalType: 'USER',
  TargetId: '111122223333',
  TargetType: 'AWS_ACCOUNT',
  ...overrides,
});

const callerFor = (userName: keyof typeof USERS): ResolvedCaller => ({
  id: USERS[userName].email,
  user: USERS[userName],
});

const policy: Policy = parsePolicy({
  identity: { claim: 'email', userAttribute: 'emails.value' },
  rules: [
    {
      action: SSO,
      requesters: ['group:Engineers'],
      match: { OrganizationalUnit: ['ou-ab12-44444444'], PermissionSetName: ['ReadOnly'] },
      principals: 'self',
      approvalRequired: false,
    },
    {
      action: SSO,
      requesters: ['group:Engineers', 'heidi@example.com'],
      match: { OrganizationalUnit: ['ou-ab12-22222222'], PermissionSetName: ['ReadOnly', 'PowerUser'] },
      principals: 'self',
      approvers: ['group:Platform Approvers', 'bob@example.com'],
      minApprovals: 2,
    },
    {
      action: SSO,
      requesters: ['group:On-call'],
      match: { OrganizationalUnit: ['r-ab12'] },
      principals: 'self-or-groups',
      approvers: ['dana@example.com'],
    },
  ],
});

describe('resolveCaller', () => {
  it('maps the email claim to the Identity Center user by default', async () => {
    // Prepare
    const directory = memoryDirectory();
    // Act
    const caller = await resolveCaller(parsePolicy({ rules: policy.rules }), directory, {
      id: 'alice@example.com',
      claims: { email: 'alice@example.com', sub: 'x' },
    });
    // Assess
    expect(caller).toEqual({ id: 'alice@example.com', user: USERS.alice });
  });

  it('follows the policy identity mapping: another claim against userName', async () => {
    // Prepare
    const mapped = parsePolicy({
      identity: { claim: 'preferred_username', userAttribute: 'userName' },
      rules: policy.rules,
    });
    // Act
    const caller = await resolveCaller(mapped, memoryDirectory(), {
      id: 'bob@example.com',
      claims: { email: 'bob@example.com', preferred_username: 'bob' },
    });
    // Assess
    expect(caller.user?.userId).toBe(USERS.bob.userId);
  });

  it('leaves user undefined for a caller the directory does not know, or without the claim', async () => {
    // Act
    const unknown = await resolveCaller(policy, memoryDirectory(), {
      id: 'eve@example.com',
      claims: { email: 'eve@example.com' },
    });
    const noClaim = await resolveCaller(policy, memoryDirectory(), { id: 'sub-1', claims: { sub: 'sub-1' } });
    // Assess
    expect(unknown).toEqual({ id: 'eve@example.com' });
    expect(noClaim).toEqual({ id: 'sub-1' });
  });
});

describe('routeRequest', () => {
  it('auto-approves an eligible request on an approvalRequired:false rule, matched by nested OU and name', async () => {
    // Prepare: payments-dev sits in Payments Non-Prod (ou-ab12-44444444)
    const directory = memoryDirectory();
    // Act
    const route = await routeRequest(policy, directory, {
      action: SSO,
      parameters: ssoRequest({ TargetId: '444455556666' }),
      facts: {},
      caller: callerFor('alice'),
    });
    // Assess
    expect(route).toMatchObject({ ruleIndex: 0, approvalRequired: false, approvers: [], minApprovals: 0 });
  });

  it('expands group approvers to member emails, merged with people, deduplicated, requester removed', async () => {
    // Prepare: payments-prod is two OUs below Payments; bob is in Platform Approvers and named again
    const directory = memoryDirectory();
    // Act
    const route = await routeRequest(policy, directory, {
      action: SSO,
      parameters: ssoRequest({ PermissionSetArn: POWER_USER_ARN }),
      facts: {},
      caller: callerFor('alice'),
    });
    // Assess
    expect(route).toMatchObject({
      ruleIndex: 1,
      approvalRequired: true,
      approvers: ['bob@example.com', 'dana@example.com', 'grace@example.com'],
      minApprovals: 2,
    });
    expect(directory.calls.memberOf).toBe(1);
  });

  it('asks IsMemberInGroups once for every group involved, and makes few directory calls', async () => {
    // Prepare
    const directory = memoryDirectory();
    const memberOf = directory.memberOf;
    const asked: string[][] = [];
    directory.memberOf = (userId, groupIds) => {
      asked.push([...groupIds]);
      return memberOf(userId, groupIds);
    };
    // Act
    await routeRequest(policy, directory, {
      action: SSO,
      parameters: ssoRequest({ TargetId: '111111111111', PrincipalType: 'GROUP', PrincipalId: GROUP_IDS['On-call'] }),
      facts: {},
      caller: callerFor('carol'),
    });
    // Assess: On-call as requester group and as principal are one id, asked in the one call
    expect(asked).toEqual([[GROUP_IDS['On-call']]]);
    expect(directory.calls.organization).toBe(1);
  });

  it('removes the requester from the approvers and refuses a quorum the rest cannot reach', async () => {
    // Prepare: heidi may use rule 1 but is not an approver; a policy where bob asks and only bob + dana approve
    const narrow = parsePolicy({
      rules: [
        {
          action: SSO,
          match: { OrganizationalUnit: ['ou-ab12-22222222'] },
          approvers: ['group:Platform Approvers'],
          minApprovals: 3,
        },
      ],
    });
    // Act
    const attempt = routeRequest(narrow, memoryDirectory(), {
      action: SSO,
      parameters: ssoRequest({ PrincipalId: USERS.bob.userId }),
      facts: {},
      caller: callerFor('bob'),
    });
    // Assess
    await expect(attempt).rejects.toMatchObject({
      code: 'NoApprovalRule',
      statusCode: 403,
      message: expect.stringContaining('rules[0] (sso:CreateAccountAssignment) needs 3 approval(s) but only 2'),
    });
  });

  it('admits a person listed by id who is in none of the groups', async () => {
    // Act
    const route = await routeRequest(policy, memoryDirectory(), {
      action: SSO,
      parameters: ssoRequest({ PrincipalId: USERS.heidi.userId }),
      facts: {},
      caller: callerFor('heidi'),
    });
    // Assess
    expect(route.ruleIndex).toBe(1);
  });

  it('refuses with NotEligible, naming who may use the rule but no member, and pointing to the catalog', async () => {
    // Act: grace is in Platform Approvers only
    const attempt = routeRequest(policy, memoryDirectory(), {
      action: SSO,
      parameters: ssoRequest({ PrincipalId: USERS.grace.userId }),
      facts: {},
      caller: callerFor('grace'),
    });
    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'NotEligible', statusCode: 403 });
    const message = await attempt.catch((error: Error) => error.message);
    expect(message).toContain('rules[1] (sso:CreateAccountAssignment)');
    expect(message).toContain('members of "Engineers" and 1 named person');
    expect(message).toContain('GET /catalog');
    expect(message).not.toContain('heidi');
    expect(message).not.toContain('alice');
  });

  it('refuses with PrincipalNotAllowed when the rule admits the caller but grants only to self', async () => {
    // Act: alice asks for bob
    const attempt = routeRequest(policy, memoryDirectory(), {
      action: SSO,
      parameters: ssoRequest({ PrincipalId: USERS.bob.userId }),
      facts: {},
      caller: callerFor('alice'),
    });
    // Assess
    await expect(attempt).rejects.toMatchObject({
      code: 'PrincipalNotAllowed',
      statusCode: 403,
      message: expect.stringContaining('leave out PrincipalId and PrincipalType'),
    });
  });

  it('prefers PrincipalNotAllowed over NotEligible when both happened', async () => {
    // Prepare: carol is in Engineers (rule 1, self only) and On-call (rule 2); a group she is not in
    const attempt = routeRequest(policy, memoryDirectory(), {
      action: SSO,
      parameters: ssoRequest({ PrincipalType: 'GROUP', PrincipalId: GROUP_IDS.Auditors }),
      facts: {},
      caller: callerFor('carol'),
    });
    // Assess
    await expect(attempt).rejects.toMatchObject({
      code: 'PrincipalNotAllowed',
      message: expect.stringContaining('rules[1]'),
    });
  });

  it('lets self-or-groups grant to a group the caller is in, and to no other', async () => {
    // Act: frank (Engineers, On-call) asks on a Platform account, outside rules 0-1's OUs
    const ok = await routeRequest(policy, memoryDirectory(), {
      action: SSO,
      parameters: ssoRequest({ TargetId: '111111111111', PrincipalType: 'GROUP', PrincipalId: GROUP_IDS.Engineers }),
      facts: {},
      caller: callerFor('frank'),
    });
    const refused = routeRequest(policy, memoryDirectory(), {
      action: SSO,
      parameters: ssoRequest({ TargetId: '111111111111', PrincipalType: 'GROUP', PrincipalId: GROUP_IDS.Auditors }),
      facts: {},
      caller: callerFor('frank'),
    });
    // Assess
    expect(ok).toMatchObject({ ruleIndex: 2, approvers: ['dana@example.com'] });
    await expect(refused).rejects.toMatchObject({ code: 'PrincipalNotAllowed' });
  });

  it('matches the root id for every account, and refuses a caller with no user for self', async () => {
    // Prepare: the audit account sits directly below a top-level OU, the management account at the root
    const caller: ResolvedCaller = { id: 'eve@example.com' };
    // Act
    const attempt = routeRequest(policy, memoryDirectory(), {
      action: SSO,
      parameters: ssoRequest({ TargetId: '100000000000' }),
      facts: {},
      caller,
    });
    // Assess: rule 2 matches through r-ab12 but eve is in no group
    await expect(attempt).rejects.toMatchObject({ code: 'NotEligible', message: expect.stringContaining('rules[2]') });
  });

  it('gives NoApprovalRule when no rule matches (an account outside the organisation, an unnamed set)', async () => {
    // Act
    const attempt = routeRequest(policy, memoryDirectory(), {
      action: SSO,
      parameters: ssoRequest({ TargetId: '999999999999' }),
      facts: {},
      caller: callerFor('alice'),
    });
    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'NoApprovalRule', statusCode: 403 });
  });

  it('keeps an existing policy meaning: no requesters is anyone, no principals is any, no directory call', async () => {
    // Prepare
    const legacy = parsePolicy({
      rules: [
        { action: SSO, match: { TargetId: ['111111111111'] }, approvers: ['bob@example.com', 'carol@example.com'] },
      ],
    });
    const directory = memoryDirectory();
    // Act
    const route = await routeRequest(legacy, directory, {
      action: SSO,
      parameters: ssoRequest({ TargetId: '111111111111', PrincipalId: USERS.dana.userId }),
      facts: {},
      caller: { id: 'mallory@example.com' },
    });
    // Assess
    expect(route).toMatchObject({
      ruleIndex: 0,
      approvers: ['bob@example.com', 'carol@example.com'],
      approvalRequired: true,
    });
    expect(directory.calls).toEqual({});
  });

  it('matches Proton rules on the looked-up facts', async () => {
    // Prepare
    const proton = parsePolicy({
      rules: [
        {
          action: 'proton:AcceptEnvironmentAccountConnection',
          requesters: ['group:Engineers'],
          match: { environmentName: ['prod'] },
          approvers: ['carol@example.com'],
        },
      ],
    });
    // Act
    const route = await routeRequest(proton, memoryDirectory(), {
      action: 'proton:AcceptEnvironmentAccountConnection',
      parameters: { id: 'b5a9c8d7-e6f5-4a3b-9c2d-1e0f9a8b7c6d' },
      facts: { environmentName: 'prod', environmentAccountId: '222222222222' },
      caller: callerFor('alice'),
    });
    // Assess
    expect(route).toMatchObject({ ruleIndex: 0, approvers: ['carol@example.com'] });
  });
});

describe('routeRequest without Organizations access', () => {
  it('lets no OU rule match, so the request falls through to NoApprovalRule instead of failing', async () => {
    // Prepare
    const directory = memoryDirectory();
    directory.organization = async () => {
      throw new OrganizationUnavailableError('AccessDeniedException');
    };
    // Act
    const attempt = routeRequest(policy, directory, {
      action: SSO,
      parameters: ssoRequest(),
      facts: {},
      caller: callerFor('alice'),
    });
    // Assess
    await expect(attempt).rejects.toMatchObject({ code: 'NoApprovalRule' });
  });
});
