// The SSO Admin emulator's provisioned listing (ListAccountsForProvisionedPermissionSet) and the fixture's planted
// assignments: a permission set becomes provisioned to an account when an assignment is created there, and stays so
// after the assignment is deleted, as in AWS.
import { describe, expect, it } from '@jest/globals';
import { defaultFixtures, type SsoFixtures } from '../../../local/emulators/fixtures.js';
import { createSsoAdminEmulator } from '../../../local/emulators/ssoAdmin.js';

const INSTANCE = defaultFixtures.sso.instanceArn;
const [PERMISSION_SET = '', OTHER = ''] = defaultFixtures.sso.permissionSets;
const USER = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6';

type Body = Record<string, unknown> & { __type?: string; message?: string; AccountIds?: string[]; NextToken?: string };

const setup = (fixtures: Partial<SsoFixtures> = {}) => {
  const clock = { time: 1_700_000_000_000, now: () => clock.time };
  const emulator = createSsoAdminEmulator({ fixtures: { ...defaultFixtures.sso, ...fixtures }, clock });
  const call = async (operation: string, input: unknown) =>
    (await emulator.handle(operation, input)) as { status: number; body: Body };
  const accounts = async (PermissionSetArn: string, extra: Record<string, unknown> = {}) =>
    (await call('ListAccountsForProvisionedPermissionSet', { InstanceArn: INSTANCE, PermissionSetArn, ...extra })).body;
  return { clock, call, accounts };
};

const assignment = (TargetId: string, PermissionSetArn = PERMISSION_SET) => ({
  InstanceArn: INSTANCE,
  PermissionSetArn,
  PrincipalId: USER,
  PrincipalType: 'USER',
  TargetId,
  TargetType: 'AWS_ACCOUNT',
});

describe('ListAccountsForProvisionedPermissionSet', () => {
  it('lists an account once an assignment there has been created, and keeps it after the deletion', async () => {
    // Prepare
    const sso = setup();
    const before = await sso.accounts(PERMISSION_SET);
    await sso.call('CreateAccountAssignment', assignment('222222222222'));
    sso.clock.time += 5_000;

    // Act
    const created = await sso.accounts(PERMISSION_SET);
    await sso.call('DeleteAccountAssignment', assignment('222222222222'));
    sso.clock.time += 5_000;
    const deleted = await sso.accounts(PERMISSION_SET);
    const other = await sso.accounts(OTHER);
    const notProvisioned = await sso.accounts(PERMISSION_SET, {
      ProvisioningStatus: 'LATEST_PERMISSION_SET_NOT_PROVISIONED',
    });

    // Assess
    expect(before.AccountIds).toEqual([]);
    expect(created.AccountIds).toEqual(['222222222222']);
    expect(deleted.AccountIds).toEqual(['222222222222']);
    expect(other.AccountIds).toEqual([]);
    expect(notProvisioned.AccountIds).toEqual([]);
  });

  it('pages with MaxResults and NextToken', async () => {
    // Prepare
    const sso = setup();
    for (const account of ['111111111111', '222222222222'])
      await sso.call('CreateAccountAssignment', assignment(account));
    sso.clock.time += 5_000;

    // Act
    const first = await sso.accounts(PERMISSION_SET, { MaxResults: 1 });
    const second = await sso.accounts(PERMISSION_SET, { MaxResults: 1, NextToken: first.NextToken });

    // Assess
    expect(first.AccountIds).toEqual(['111111111111']);
    expect(first.NextToken).toEqual(expect.any(String));
    expect(second.AccountIds).toEqual(['222222222222']);
    expect(second.NextToken).toBeUndefined();
  });

  it('validates as AWS does, naming the field, and knows only its own permission sets', async () => {
    // Prepare
    const sso = setup();

    // Act
    const missing = await sso.call('ListAccountsForProvisionedPermissionSet', { InstanceArn: INSTANCE });
    const badStatus = await sso.accounts(PERMISSION_SET, { ProvisioningStatus: 'PROVISIONED' });
    const tooMany = await sso.accounts(PERMISSION_SET, { MaxResults: 101 });
    const unknown = await sso.accounts('arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-9999999999999999');

    // Assess
    expect(missing).toMatchObject({ status: 400, body: { __type: 'ValidationException' } });
    expect(missing.body.message).toContain('PermissionSetArn');
    expect(badStatus.__type).toBe('ValidationException');
    expect(badStatus.message).toContain('ProvisioningStatus');
    expect(tooMany.__type).toBe('ValidationException');
    expect(unknown.__type).toBe('ResourceNotFoundException');
  });
});

describe('sso.assignments fixtures', () => {
  it('are in place at start, listed, and provision their permission set to their account', async () => {
    // Prepare
    const sso = setup({
      assignments: [{ accountId: '222222222222', permissionSetArn: OTHER, principalType: 'USER', principalId: USER }],
    });

    // Act
    const listed = await sso.call('ListAccountAssignments', {
      InstanceArn: INSTANCE,
      AccountId: '222222222222',
      PermissionSetArn: OTHER,
    });
    const provisioned = await sso.accounts(OTHER);

    // Assess
    expect(listed.body.AccountAssignments).toEqual([
      { AccountId: '222222222222', PermissionSetArn: OTHER, PrincipalType: 'USER', PrincipalId: USER },
    ]);
    expect(provisioned.AccountIds).toEqual(['222222222222']);
  });

  it('refuses an assignment naming an unknown account, naming the field', () => {
    // Act
    const start = () =>
      setup({
        assignments: [{ accountId: '999999999999', permissionSetArn: OTHER, principalType: 'USER', principalId: USER }],
      });

    // Assess
    expect(start).toThrow(/sso\.assignments\[0\]\.accountId/);
  });
});
