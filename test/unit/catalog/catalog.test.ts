import { describe, expect, it } from '@jest/globals';
import { buildCatalog, type Catalog, type SsoCatalogEntry } from '../../../functions/catalog/catalog.js';
import type { PendingConnection } from '../../../functions/catalog/pendingConnections.js';
import { type ResolvedCaller, routeRequest } from '../../../functions/policy/eligibility.js';
import { parsePolicy, type Policy } from '../../../functions/policy/policy.js';
import {
  defaultDirectoryData,
  memoryDirectory,
  POWER_USER_ARN,
  READ_ONLY_ARN,
  USERS,
  type MemoryDirectoryData,
} from '../../fixtures/memoryDirectory.js';

const SSO = 'sso:CreateAccountAssignment';
const PROTON = 'proton:AcceptEnvironmentAccountConnection';
const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';

const policy: Policy = parsePolicy({
  rules: [
    {
      action: SSO,
      match: { TargetId: ['111111111111', '222222222222'] },
      approvers: ['bob@example.com', 'carol@example.com'],
    },
    {
      action: PROTON,
      requesters: ['group:Engineers'],
      match: { environmentName: ['prod'] },
      approvers: ['carol@example.com', 'bob@example.com'],
      minApprovals: 2,
    },
    {
      action: PROTON,
      requesters: ['group:Engineers', 'group:On-call'],
      approvers: ['carol@example.com', 'bob@example.com'],
    },
    {
      action: SSO,
      requesters: ['group:Engineers'],
      match: { OrganizationalUnit: ['ou-ab12-44444444'], PermissionSetName: ['ReadOnly'] },
      principals: 'self',
      approvalRequired: false,
      maxDurationMinutes: 120,
    },
    {
      action: SSO,
      requesters: ['group:Engineers'],
      match: { OrganizationalUnit: ['ou-ab12-22222222'], PermissionSetName: ['ReadOnly', 'PowerUser'] },
      principals: 'self',
      approvers: ['group:Platform Approvers'],
    },
  ],
});

const CONNECTIONS: PendingConnection[] = [
  { id: '3f1c1a52-6a7b-4c1e-9d35-0b6f5c2a9e10', environmentAccountId: '111111111111', environmentName: 'dev' },
  { id: 'b5a9c8d7-e6f5-4a3b-9c2d-1e0f9a8b7c6d', environmentAccountId: '222222222222', environmentName: 'prod' },
];

const callerFor = (userName: keyof typeof USERS): ResolvedCaller => ({
  id: USERS[userName].email,
  user: USERS[userName],
});

const catalogFor = async (caller: ResolvedCaller, p: Policy = policy, data?: MemoryDirectoryData) => {
  const directory = memoryDirectory(data);
  let listings = 0;
  const catalog = await buildCatalog(p, caller, {
    directory,
    pendingConnections: async () => {
      listings += 1;
      return CONNECTIONS;
    },
  });
  return { catalog, directory, listings };
};

const ssoEntries = (catalog: Catalog) => catalog.entries.filter((e): e is SsoCatalogEntry => e.action === SSO);
const shape = (entry: SsoCatalogEntry) => ({
  accounts: entry.accounts.map((a) => a.name),
  permissionSets: entry.permissionSets.map((ps) => ps.name),
  approvalRequired: entry.approvalRequired,
});

describe('buildCatalog', () => {
  it("answers alice's identity and, by rule, what she may request, minus what earlier rules route", async () => {
    // Act
    const { catalog } = await catalogFor(callerFor('alice'));
    // Assess
    expect(catalog.identity).toEqual({
      id: 'alice@example.com',
      userId: USERS.alice.userId,
      displayName: 'Alice Liddell',
      groups: ['Engineers'],
    });
    expect(ssoEntries(catalog).map(shape)).toEqual([
      {
        accounts: ['platform-dev', 'platform-staging'],
        permissionSets: ['ReadOnly', 'PowerUser'],
        approvalRequired: true,
      },
      { accounts: ['payments-dev', 'payments-staging'], permissionSets: ['ReadOnly'], approvalRequired: false },
      // Payments holds payments-prod and, below Non-Prod, two accounts whose ReadOnly the rule before already routes.
      { accounts: ['payments-prod'], permissionSets: ['ReadOnly', 'PowerUser'], approvalRequired: true },
      { accounts: ['payments-dev', 'payments-staging'], permissionSets: ['PowerUser'], approvalRequired: true },
    ]);
    const [legacy, auto, prod] = ssoEntries(catalog);
    expect(legacy).toMatchObject({
      principals: 'any',
      approvers: ['bob@example.com', 'carol@example.com'],
      minApprovals: 1,
    });
    expect(auto).toMatchObject({ principals: 'self', approvers: [], minApprovals: 0, maxDurationMinutes: 120 });
    expect(prod).toMatchObject({
      approvers: ['bob@example.com', 'dana@example.com', 'grace@example.com'],
      accounts: [{ id: '111122223333', name: 'payments-prod' }],
      permissionSets: [
        { arn: READ_ONLY_ARN, name: 'ReadOnly', description: expect.any(String) },
        { arn: POWER_USER_ARN, name: 'PowerUser', description: expect.any(String) },
      ],
      maxDurationMinutes: 480,
    });
  });

  it('offers each pair exactly where routing sends it, with the same approvers', async () => {
    // Prepare
    const caller = callerFor('alice');
    const { catalog } = await catalogFor(caller);
    const directory = memoryDirectory();
    const offered = new Map<string, SsoCatalogEntry>();
    for (const entry of ssoEntries(catalog)) {
      for (const account of entry.accounts) {
        for (const ps of entry.permissionSets) {
          // Assess: no pair is offered twice
          expect(offered.has(`${account.id} ${ps.arn}`)).toBe(false);
          offered.set(`${account.id} ${ps.arn}`, entry);
        }
      }
    }
    // Act / Assess: every account of the organisation with every permission set, asked for herself
    for (const account of defaultDirectoryData().accounts) {
      for (const arn of [READ_ONLY_ARN, POWER_USER_ARN]) {
        const parameters = {
          InstanceArn: INSTANCE_ARN,
          PermissionSetArn: arn,
          PrincipalId: USERS.alice.userId,
          PrincipalType: 'USER',
          TargetId: account.id,
          TargetType: 'AWS_ACCOUNT',
        };
        const route = await routeRequest(policy, directory, { action: SSO, parameters, facts: {}, caller }).catch(
          () => undefined,
        );
        const entry = offered.get(`${account.id} ${arn}`);
        expect({ pair: `${account.name} ${arn}`, offered: entry !== undefined }).toEqual({
          pair: `${account.name} ${arn}`,
          offered: route !== undefined,
        });
        if (route && entry) {
          expect(entry).toMatchObject({
            approvers: route.approvers,
            minApprovals: route.minApprovals,
            approvalRequired: route.approvalRequired,
          });
        }
      }
    }
  });

  it('gives a requester outside the groups only the rules open to anyone', async () => {
    // Act: grace is in Platform Approvers only
    const { catalog, listings } = await catalogFor(callerFor('grace'));
    // Assess
    expect(catalog.identity.groups).toEqual(['Platform Approvers']);
    expect(ssoEntries(catalog).map(shape)).toEqual([
      {
        accounts: ['platform-dev', 'platform-staging'],
        permissionSets: ['ReadOnly', 'PowerUser'],
        approvalRequired: true,
      },
    ]);
    // No Proton rule lets her in, so the connections are not even listed.
    expect(catalog.entries.filter((e) => e.action === PROTON)).toEqual([]);
    expect(listings).toBe(0);
  });

  it('leaves an approver out of their own entry, and drops an entry whose quorum they alone would complete', async () => {
    // Act: bob approves the legacy rule; carol (Engineers, On-call) approves both Proton rules
    const bob = await catalogFor(callerFor('bob'));
    const carol = await catalogFor(callerFor('carol'));
    // Assess: the legacy rule keeps carol for bob. The prod rule needs two approvers besides carol, so she is not
    // offered the prod connection at all (a submit would be refused), and the dev one goes to bob alone.
    expect(ssoEntries(bob.catalog)[0]?.approvers).toEqual(['carol@example.com']);
    expect(carol.catalog.entries.filter((e) => e.action === PROTON)).toEqual([
      {
        action: PROTON,
        connections: [CONNECTIONS[0]],
        approvers: ['bob@example.com'],
        minApprovals: 1,
        approvalRequired: true,
      },
    ]);
  });

  it('skips a rule whose requesters exclude the caller, so the next matching rule offers its connections', async () => {
    // Act: bob is in On-call, not Engineers: the prod rule is not his, the catch-all rule is
    const { catalog } = await catalogFor(callerFor('bob'));
    // Assess
    expect(catalog.entries.filter((e) => e.action === PROTON)).toEqual([
      {
        action: PROTON,
        connections: CONNECTIONS,
        approvers: ['carol@example.com'],
        minApprovals: 1,
        approvalRequired: true,
      },
    ]);
  });

  it('lists PENDING Proton connections under the first rule that would route them', async () => {
    // Act
    const { catalog, listings } = await catalogFor(callerFor('alice'));
    // Assess
    expect(catalog.entries.filter((e) => e.action === PROTON)).toEqual([
      {
        action: PROTON,
        connections: [CONNECTIONS[1]],
        approvers: ['carol@example.com', 'bob@example.com'],
        minApprovals: 2,
        approvalRequired: true,
      },
      {
        action: PROTON,
        connections: [CONNECTIONS[0]],
        approvers: ['carol@example.com', 'bob@example.com'],
        minApprovals: 1,
        approvalRequired: true,
      },
    ]);
    expect(listings).toBe(1);
  });

  it('gives a caller with no Identity Center user only rules that grant to any principal', async () => {
    // Act
    const { catalog } = await catalogFor({ id: 'eve@example.com' });
    // Assess
    expect(catalog.identity).toEqual({ id: 'eve@example.com', groups: [] });
    expect(ssoEntries(catalog).map((e) => e.principals)).toEqual(['any']);
  });

  it('stays sized by accounts plus permission sets on a large organisation, never their product', async () => {
    // Prepare: 600 accounts in 40 OUs, 60 permission sets; rules that overlap by OU and by name
    const data = defaultDirectoryData();
    data.ous = Array.from({ length: 40 }, (_, i) => ({
      id: `ou-ab12-${String(i).padStart(8, '0')}`,
      parentId: i < 4 ? 'r-ab12' : `ou-ab12-${String(Math.floor(i / 4) - 1).padStart(8, '0')}`,
    }));
    data.accounts = Array.from({ length: 600 }, (_, i) => ({
      id: String(100_000_000_000 + i),
      name: `account-${i}`,
      parentId: data.ous[i % 40]?.id ?? 'r-ab12',
    }));
    data.permissionSets = Array.from({ length: 60 }, (_, i) => ({
      arn: `arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-${String(i).padStart(16, '0')}`,
      name: `Set${i}`,
    }));
    const names = (from: number, to: number) => data.permissionSets.slice(from, to).map((ps) => ps.name);
    const large = parsePolicy({
      rules: [
        {
          action: SSO,
          requesters: ['group:Engineers'],
          match: { OrganizationalUnit: ['ou-ab12-00000001'], PermissionSetName: names(0, 10) },
          principals: 'self',
          approvalRequired: false,
        },
        {
          action: SSO,
          requesters: ['group:Engineers'],
          match: { OrganizationalUnit: ['ou-ab12-00000002'], PermissionSetName: names(5, 20) },
          principals: 'self',
          approvers: ['bob@example.com'],
        },
        {
          action: SSO,
          requesters: ['group:Engineers'],
          match: { OrganizationalUnit: ['r-ab12'] },
          principals: 'self',
          approvers: ['dana@example.com'],
        },
      ],
    });
    // Act
    const { catalog } = await catalogFor(callerFor('alice'), large, data);
    // Assess
    const entries = ssoEntries(catalog);
    const accountMentions = entries.reduce((n, e) => n + e.accounts.length, 0);
    const setMentions = entries.reduce((n, e) => n + e.permissionSets.length, 0);
    const pairs = entries.reduce((n, e) => n + e.accounts.length * e.permissionSets.length, 0);
    // Every pair of the organisation is offered once, the root rule's only where the two rules before leave it.
    expect(pairs).toBe(600 * 60);
    const rootPairs = entries
      .filter((e) => e.approvers.includes('dana@example.com'))
      .reduce((n, e) => n + e.accounts.length * e.permissionSets.length, 0);
    // OU 1 holds 9 OUs (135 accounts) × 10 sets; OU 2 holds 5 OUs (75 accounts) × 15 sets.
    expect(rootPairs).toBe(600 * 60 - 135 * 10 - 75 * 15);
    expect(accountMentions).toBeLessThanOrEqual(3 * 600);
    expect(setMentions).toBeLessThanOrEqual(10 * 60);
    expect(JSON.stringify(catalog).length).toBeLessThan(200_000);
  });
});
