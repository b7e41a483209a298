// The catalog benchmark's generated directory: the shape issue 11 asks for, and a fixture the local stack accepts.
import { describe, expect, it } from '@jest/globals';
import {
  createAsker,
  defaultCatalogShape,
  generateCatalogFixture,
  ouLevelSizes,
  type GeneratedCatalog,
} from '../../../bench/catalog/fixture.js';
import { loadFixtures } from '../../../local/emulators/fixtures.js';

// Generated once: 5,000 users take a moment, and every test reads the same value.
const generated: GeneratedCatalog = generateCatalogFixture();
const { identityStore, organizations, sso } = generated.fixtures;

/** An OU's distance below the root, walking parentIds. */
const depthOf = (id: string): number => {
  const parents = new Map(organizations.ous.map((ou) => [ou.id, ou.parentId]));
  let depth = 0;
  for (let at: string | undefined = id; at !== undefined && at !== organizations.rootId; at = parents.get(at))
    depth += 1;
  return depth;
};

describe('generateCatalogFixture', () => {
  it('has the counts of issue 11: 600 accounts, 40 OUs, 60 permission sets, 5,000 users, 300 groups', () => {
    // Assess
    expect(organizations.accounts).toHaveLength(600);
    expect(organizations.ous).toHaveLength(40);
    expect(sso.permissionSets).toHaveLength(60);
    expect(identityStore.users).toHaveLength(5000);
    expect(identityStore.groups).toHaveLength(300);
    expect(new Set(sso.permissionSets.map((set) => set.name)).size).toBe(60);
  });

  it('nests the OUs exactly 4 deep, with every level present and every account inside an OU', () => {
    // Prepare
    const depths = organizations.ous.map((ou) => depthOf(ou.id));
    const ouIds = new Set(organizations.ous.map((ou) => ou.id));

    // Assess
    expect(Math.max(...depths)).toBe(4);
    expect(new Set(depths)).toEqual(new Set([1, 2, 3, 4]));
    for (const ou of organizations.ous) expect(generated.ouLevels.get(ou.id)).toBe(depthOf(ou.id));
    expect(organizations.accounts.every((account) => ouIds.has(account.parentId))).toBe(true);
    // No empty OU: each one holds at least one account.
    expect(new Set(organizations.accounts.map((account) => account.parentId)).size).toBe(40);
  });

  it('puts every user in 3 to 10 groups, and keeps approver groups small', () => {
    // Prepare
    const counts = new Map<string, number>();
    for (const group of identityStore.groups)
      for (const member of group.members) counts.set(member, (counts.get(member) ?? 0) + 1);
    const perUser = identityStore.users.map((user) => counts.get(user.userName) ?? 0);

    // Assess
    expect(Math.min(...perUser)).toBe(3);
    expect(Math.max(...perUser)).toBe(10);
    for (const user of identityStore.users)
      expect(generated.groupsOfUser.get(user.userName)).toHaveLength(counts.get(user.userName) ?? -1);
    for (const name of generated.approverGroups) {
      const group = identityStore.groups.find((g) => g.displayName === name);
      expect(group?.members).toHaveLength(defaultCatalogShape().approversPerGroup);
    }
    for (const group of identityStore.groups) expect(new Set(group.members).size).toBe(group.members.length);
  });

  it('loads under the local stack fixture validation, directory checks included', () => {
    // Act
    const loaded = loadFixtures(JSON.stringify(generated.fixtures));

    // Assess
    expect(loaded.identityStore.users).toHaveLength(5000);
    expect(loaded.organizations.accounts).toHaveLength(600);
    expect(loaded.sso.instanceArn).toBe(sso.instanceArn);
    // Proton is not generated: the defaults stay, as for any partial fixture file.
    expect(loaded.proton.connections.length).toBeGreaterThan(0);
  });

  it('writes a policy whose groups, OUs, permission-set names and accounts all exist', () => {
    // Prepare
    const groupNames = new Set(identityStore.groups.map((group) => group.displayName));
    const ouIds = new Set([organizations.rootId, ...organizations.ous.map((ou) => ou.id)]);
    const setNames = new Set(sso.permissionSets.map((set) => set.name));
    const accountIds = new Set(organizations.accounts.map((account) => account.id));
    const emails = new Set(identityStore.users.map((user) => user.email));
    const { rules } = generated.policy;

    // Assess
    for (const rule of rules) {
      for (const entry of [...(rule.requesters ?? []), ...rule.approvers]) {
        if (entry.startsWith('group:')) expect(groupNames).toContain(entry.slice('group:'.length));
        else expect(emails).toContain(entry);
      }
      for (const ou of rule.match?.OrganizationalUnit ?? []) expect(ouIds).toContain(ou);
      for (const name of rule.match?.PermissionSetName ?? []) expect(setNames).toContain(name);
      for (const id of rule.match?.TargetId ?? []) expect(accountIds).toContain(id);
    }
    // The second-stage fields are all exercised.
    expect(generated.policy.identity).toEqual({ claim: 'email', userAttribute: 'emails.value' });
    expect(rules.filter((rule) => rule.action === 'sso:CreateAccountAssignment').map((r) => r.principals)).toEqual(
      Array(5).fill('self'),
    );
    expect(rules.some((rule) => rule.approvalRequired === false)).toBe(true);
    expect(rules.some((rule) => rule.match?.OrganizationalUnit?.includes(organizations.rootId))).toBe(true);
    expect(rules.some((rule) => rule.match?.TargetId && rule.match.PermissionSetName)).toBe(true);
    expect(rules.every((rule) => rule.approvers.some((a) => a.startsWith('group:')))).toBe(true);
  });

  it('lists as eligible requesters exactly the users in a requester group of a rule that needs approval', () => {
    // Prepare
    const askable = new Set(
      generated.policy.rules
        .filter((rule) => rule.action === 'sso:CreateAccountAssignment' && rule.approvalRequired !== false)
        .flatMap((rule) => rule.requesters ?? [])
        .map((entry) => entry.slice('group:'.length)),
    );
    const expected = identityStore.users
      .filter((user) => (generated.groupsOfUser.get(user.userName) ?? []).some((g) => askable.has(g)))
      .map((user) => user.email);

    // Assess
    expect(generated.eligibleRequesters).toEqual(expected);
    expect(expected.length).toBeGreaterThan(1000);
  });

  it('is the same for the same seed and different for another', () => {
    // Act
    const small = { ...defaultCatalogShape(), users: 200, groups: 30, accounts: 50 };
    const again = generateCatalogFixture(small);
    const same = generateCatalogFixture(small);
    const other = generateCatalogFixture({ ...small, seed: small.seed + 1 });

    // Assess
    expect(JSON.stringify(same.fixtures)).toBe(JSON.stringify(again.fixtures));
    expect(JSON.stringify(other.fixtures)).not.toBe(JSON.stringify(again.fixtures));
  });
});

describe('createAsker', () => {
  it('asks, for each person, for a pair that the first rule they may use routes to a rule that needs approval', () => {
    // Prepare
    const ask = createAsker(generated);
    const { rules } = generated.policy;
    const parents = new Map(organizations.ous.map((ou) => [ou.id, ou.parentId]));
    const accountParent = new Map(organizations.accounts.map((a) => [a.id, a.parentId]));
    const underOu = (accountId: string, ou: string): boolean => {
      for (let at = accountParent.get(accountId); at !== undefined; at = parents.get(at)) if (at === ou) return true;
      return false;
    };
    const emailToUser = new Map(identityStore.users.map((u) => [u.email, u.userName]));
    const callers = generated.eligibleRequesters.slice(0, 300);

    // Act
    const asks = callers.map((email, n) => ({ email, asked: ask(email, n) }));

    // Assess
    expect(asks.filter((a) => a.asked).length).toBeGreaterThan(290);
    for (const { email, asked } of asks) {
      if (!asked) continue;
      const groups = new Set(generated.groupsOfUser.get(emailToUser.get(email) ?? ''));
      // Independently of the asker: the first rule this person may use whose match covers the pair.
      const decides = rules.findIndex(
        (rule) =>
          rule.action === 'sso:CreateAccountAssignment' &&
          (rule.requesters ?? []).some((r) => groups.has(r.slice('group:'.length))) &&
          (rule.match?.PermissionSetName ?? []).includes(asked.parameters.PermissionSetName) &&
          (rule.match?.TargetId?.includes(asked.parameters.TargetId) ?? true) &&
          (rule.match?.OrganizationalUnit?.some((ou) => underOu(asked.parameters.TargetId, ou)) ?? true),
      );
      expect(decides).toBe(asked.ruleIndex);
      expect(rules[decides]?.approvalRequired).not.toBe(false);
    }
  });

  it('asks nothing of a person outside every requester group', () => {
    // Prepare
    const ask = createAsker(generated);

    // Act / Assess
    expect(ask('nobody@bench.example.com', 0)).toBeUndefined();
  });
});

describe('ouLevelSizes', () => {
  it('grows with depth, keeps every level, and sums to the total', () => {
    // Act
    const sizes = ouLevelSizes(40, 4);

    // Assess
    expect(sizes).toEqual([4, 8, 12, 16]);
    expect(ouLevelSizes(7, 3).reduce((a, b) => a + b, 0)).toBe(7);
    expect(ouLevelSizes(3, 3)).toEqual([1, 1, 1]);
  });

  it('refuses fewer OUs than levels', () => {
    // Act / Assess
    expect(() => ouLevelSizes(2, 4)).toThrow('cannot nest 2 OUs 4 levels deep');
  });
});
