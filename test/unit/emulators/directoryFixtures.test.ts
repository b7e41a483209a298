// The identityStore and organizations sections of LOCAL_FIXTURES: defaults, validation, and how SSO Admin sees them.
import { describe, expect, it } from '@jest/globals';
import {
  defaultFixtures,
  directoryAccountIds,
  directoryPrincipals,
  loadFixtures,
  ssoWithDirectory,
} from '../../../local/emulators/fixtures.js';
import { createSsoAdminEmulator } from '../../../local/emulators/ssoAdmin.js';

const caught = (run: () => unknown): Error => {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('no error was thrown');
};

describe('directory fixtures: defaults', () => {
  it('name alice, bob, carol and dana and at least four more people, each with an email', () => {
    // Prepare
    const { users } = defaultFixtures.identityStore;

    // Act
    const names = users.map((user) => user.userName);

    // Assess
    expect(names).toEqual(expect.arrayContaining(['alice', 'bob', 'carol', 'dana']));
    expect(users.length).toBeGreaterThanOrEqual(8);
    expect(users.find((user) => user.userName === 'alice')).toEqual({
      userId: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
      userName: 'alice',
      displayName: 'Alice Liddell',
      email: 'alice@example.com',
    });
  });

  it('keep the long-standing default principals as a directory user and group', () => {
    // Prepare
    const { identityStore, sso } = defaultFixtures;

    // Act
    const directoryIds = [...identityStore.users.map((u) => u.userId), ...identityStore.groups.map((g) => g.groupId)];

    // Assess
    expect(directoryIds).toEqual(expect.arrayContaining(sso.principals.map((principal) => principal.id)));
  });

  it('place named accounts, the default SSO accounts among them, at least three OU levels below the root', () => {
    // Prepare
    const { rootId, ous, accounts } = defaultFixtures.organizations;
    const parentOf = new Map([...ous, ...accounts].map((node) => [node.id, node.parentId]));
    const depth = (id: string): number => (id === rootId ? 0 : 1 + depth(parentOf.get(id) ?? rootId));

    // Act
    const deepest = Math.max(...accounts.map((account) => depth(account.parentId)));

    // Assess
    expect(deepest).toBeGreaterThanOrEqual(3);
    expect(accounts.find((account) => account.id === '111122223333')?.name).toBe('payments-prod');
    expect(accounts.map((account) => account.id)).toEqual(expect.arrayContaining(defaultFixtures.sso.accounts));
  });

  it('load from a file without the new sections exactly as the defaults', () => {
    // Prepare
    const spec = JSON.stringify({ sso: { provisioningSeconds: 3 } });

    // Act
    const fixtures = loadFixtures(spec);

    // Assess
    expect(fixtures.identityStore).toEqual(defaultFixtures.identityStore);
    expect(fixtures.organizations).toEqual(defaultFixtures.organizations);
  });

  it('take a given section whole, merged per field over the defaults', () => {
    // Prepare
    const spec = JSON.stringify({
      identityStore: {
        users: [
          {
            userId: '00000000-0000-4000-8000-000000000001',
            userName: 'zoe',
            displayName: 'Zoe',
            email: 'zoe@example.com',
          },
        ],
        groups: [],
      },
      organizations: { ous: [], accounts: [{ id: '123456789012', name: 'solo', parentId: 'r-ab12' }] },
    });

    // Act
    const fixtures = loadFixtures(spec);

    // Assess
    expect(fixtures.identityStore).toEqual({
      id: defaultFixtures.identityStore.id,
      users: [
        {
          userId: '00000000-0000-4000-8000-000000000001',
          userName: 'zoe',
          displayName: 'Zoe',
          email: 'zoe@example.com',
        },
      ],
      groups: [],
    });
    expect(fixtures.organizations).toEqual({
      rootId: 'r-ab12',
      ous: [],
      accounts: [{ id: '123456789012', name: 'solo', parentId: 'r-ab12' }],
    });
  });
});

describe('directory fixtures: validation', () => {
  const user = (userName: string, userId = '00000000-0000-4000-8000-000000000001') => ({
    userId,
    userName,
    displayName: userName,
    email: `${userName}@example.com`,
  });

  it.each([
    [{ identityStore: { id: 'store-1' } }, "'identityStore.id'"],
    [{ identityStore: { users: [{ userName: 'x' }] } }, "'identityStore.users[0].userId'"],
    [{ identityStore: { users: [{ ...user('x'), userId: 'x' }] } }, "'identityStore.users[0].userId'"],
    [
      { identityStore: { groups: [{ groupId: 'g', displayName: 'G', members: [] }] } },
      "'identityStore.groups[0].groupId'",
    ],
    [
      { identityStore: { users: [user('x'), user('x', '00000000-0000-4000-8000-000000000002')] } },
      "userName 'x' is used twice",
    ],
    [{ identityStore: { users: [user('x'), user('y')] } }, "id '00000000-0000-4000-8000-000000000001' is used twice"],
    [
      {
        identityStore: {
          groups: [{ groupId: '00000000-0000-4000-8000-0000000000aa', displayName: 'G', members: ['alice', 'zed'] }],
        },
      },
      "identityStore.groups[0].members[1]: no user has userName 'zed'",
    ],
    [{ organizations: { rootId: 'root' } }, "'organizations.rootId'"],
    [{ organizations: { ous: [{ id: 'ou-1', name: 'x', parentId: 'r-ab12' }] } }, "'organizations.ous[0].id'"],
    [
      { organizations: { accounts: [{ id: '1234', name: 'x', parentId: 'r-ab12' }] } },
      "'organizations.accounts[0].id'",
    ],
    [
      { organizations: { accounts: [{ id: '123456789012', name: 'x', parentId: 'ou-ab12-99999999' }] } },
      "organizations.accounts[0].parentId: 'ou-ab12-99999999' is neither the root nor an OU",
    ],
    [
      {
        organizations: {
          ous: [
            { id: 'ou-ab12-aaaaaaaa', name: 'A', parentId: 'ou-ab12-bbbbbbbb' },
            { id: 'ou-ab12-bbbbbbbb', name: 'B', parentId: 'ou-ab12-aaaaaaaa' },
          ],
        },
      },
      "organizations.ous[0]: 'ou-ab12-aaaaaaaa' is its own ancestor",
    ],
    [
      {
        organizations: {
          accounts: [
            { id: '123456789012', name: 'x', parentId: 'r-ab12' },
            { id: '123456789012', name: 'y', parentId: 'r-ab12' },
          ],
        },
      },
      "organizations.accounts: id '123456789012' is used twice",
    ],
    [{ organizations: { managementAccountId: '123456789012' } }, 'organizations.managementAccountId'],
  ])('rejects %j, naming the field', (spec, problem) => {
    // Prepare
    const json = JSON.stringify(spec);

    // Act
    const error = caught(() => loadFixtures(json));

    // Assess
    expect(error.message).toMatch(/^LOCAL_FIXTURES: /);
    expect(error.message).toContain(problem);
  });
});

describe('directory fixtures: SSO Admin shares the directory', () => {
  it('counts every directory user and group as a principal and every organization account as a target, once each', () => {
    // Prepare
    const fixtures = loadFixtures(undefined);

    // Act
    const principals = directoryPrincipals(fixtures);
    const accounts = directoryAccountIds(fixtures);

    // Assess
    expect(principals).toContainEqual({ id: '6db8ea34-00a8-4c51-9ef8-3ddeea34495c', type: 'USER' });
    expect(principals).toContainEqual({ id: '7dea4e30-e18d-45d1-8843-11956e623719', type: 'GROUP' });
    expect(new Set(principals.map((principal) => principal.id)).size).toBe(principals.length);
    expect(accounts).toEqual(expect.arrayContaining(['111111111111', '222222222222', '111122223333']));
    expect(new Set(accounts).size).toBe(accounts.length);
  });

  it('lets SSO Admin assign bob on payments-prod, which only the directory names', async () => {
    // Prepare
    const fixtures = loadFixtures(undefined);
    const emulator = createSsoAdminEmulator({ fixtures: ssoWithDirectory(fixtures), timeScale: 0.001 });
    const input = {
      InstanceArn: fixtures.sso.instanceArn,
      PermissionSetArn: defaultFixtures.sso.permissionSets[0],
      PrincipalId: '6db8ea34-00a8-4c51-9ef8-3ddeea34495c',
      PrincipalType: 'USER',
      TargetId: '111122223333',
      TargetType: 'AWS_ACCOUNT',
    };

    // Act
    const withDirectory = await emulator.handle('CreateAccountAssignment', input);
    const without = await createSsoAdminEmulator({ fixtures: fixtures.sso, timeScale: 0.001 }).handle(
      'CreateAccountAssignment',
      input,
    );

    // Assess
    expect(withDirectory.status).toBe(200);
    expect(without.status).toBe(400);
  });
});
