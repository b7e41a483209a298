// The Identity Center directory against mocked SDK clients: paging, discovery, chunking, caches (TTLs on a fake clock,
// in-flight sharing, failures not kept, bounded size), not-found answers and the organisation tree.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeGroupCommand,
  DescribeUserCommand,
  GetGroupIdCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  IsMemberInGroupsCommand,
  ListGroupMembershipsCommand,
  ListGroupMembershipsForMemberCommand,
} from '@aws-sdk/client-identitystore';
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  DescribePermissionSetCommand,
  ListInstancesCommand,
  ListPermissionSetsCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { OrganizationUnavailableError } from '../../../functions/directory/directory.js';
import {
  createIdentityCenterDirectory,
  IncompleteListingError,
  type IdentityCenterDirectoryDeps,
} from '../../../functions/directory/identityCenter.js';
import { ConfigError } from '../../../functions/shared/errors.js';
import { awsError } from '../../fixtures/awsErrors.js';

const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const STORE = 'd-1234567890';
const psArn = (n: number) => `arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-${String(n).padStart(16, '0')}`;
const uid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const gid = (n: number) => `11111111-0000-4000-8000-${String(n).padStart(12, '0')}`;

const identityStore = new IdentitystoreClient({ region: 'us-east-1' });
const organizations = new OrganizationsClient({ region: 'us-east-1' });
const ssoAdmin = new SSOAdminClient({ region: 'us-east-1' });
const idMock = mockClient(identityStore);
const orgMock = mockClient(organizations);
const ssoMock = mockClient(ssoAdmin);

/** A clock the test moves by hand. */
const fakeClock = () => {
  let now = Date.parse('2026-12-01T00:00:00Z');
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
};

let clock = fakeClock();
const directory = (overrides: Partial<IdentityCenterDirectoryDeps> = {}) =>
  createIdentityCenterDirectory({
    identityStore,
    organizations,
    ssoAdmin,
    clock,
    instanceArn: INSTANCE,
    identityStoreId: STORE,
    // Unpaced here; the pacing of SSO Admin calls has its own test.
    ssoAdminCallsPerSecond: 1_000_000,
    ...overrides,
  });

/** A promise with its resolve exposed, to hold a mocked call in flight. */
const deferred = <T>() => {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
};

const aliceOutput = {
  UserId: uid(1),
  IdentityStoreId: STORE,
  UserName: 'alice',
  DisplayName: 'Alice Liddell',
  Emails: [
    { Value: 'alice.old@example.com', Primary: false },
    { Value: 'alice@example.com', Primary: true },
  ],
};

beforeEach(() => {
  idMock.reset();
  orgMock.reset();
  ssoMock.reset();
  clock = fakeClock();
});

describe('discovery of the instance and identity store', () => {
  it('pages through ListInstances once, and every later call reuses what it found', async () => {
    // Prepare
    ssoMock
      .on(ListInstancesCommand, { NextToken: undefined })
      .resolves({ Instances: [], NextToken: 'page-2' })
      .on(ListInstancesCommand, { NextToken: 'page-2' })
      .resolves({ Instances: [{ InstanceArn: INSTANCE, IdentityStoreId: STORE, Status: 'ACTIVE' }] });
    const dir = directory({ instanceArn: undefined, identityStoreId: undefined });

    // Act
    const [arn, store, again] = await Promise.all([dir.instanceArn(), dir.identityStoreId(), dir.instanceArn()]);

    // Assess
    expect([arn, store, again]).toEqual([INSTANCE, STORE, INSTANCE]);
    expect(ssoMock.commandCalls(ListInstancesCommand)).toHaveLength(2);
    expect(ssoMock.commandCalls(ListInstancesCommand)[0]?.args[0].input.MaxResults).toBe(100);
  });

  it('makes no call when both are configured', async () => {
    // Prepare
    const dir = directory();
    // Act
    const [arn, store] = await Promise.all([dir.instanceArn(), dir.identityStoreId()]);
    // Assess
    expect([arn, store]).toEqual([INSTANCE, STORE]);
    expect(ssoMock.calls()).toHaveLength(0);
  });

  it.each([
    ['no instance', []],
    [
      'two instances',
      [
        { InstanceArn: INSTANCE, IdentityStoreId: STORE },
        { InstanceArn: 'arn:aws:sso:::instance/ssoins-2222222222222222', IdentityStoreId: 'd-2222222222' },
      ],
    ],
  ])('refuses %s loudly, naming the variables to set', async (_case, Instances) => {
    // Prepare
    ssoMock.on(ListInstancesCommand).resolves({ Instances });
    const dir = directory({ instanceArn: undefined, identityStoreId: undefined });

    // Act
    const failure = dir.instanceArn();

    // Assess
    await expect(failure).rejects.toBeInstanceOf(ConfigError);
    await expect(dir.identityStoreId()).rejects.toThrow(/SSO_INSTANCE_ARN and IDENTITY_STORE_ID/);
  });

  it('picks the instance that the one configured value names, among several', async () => {
    // Prepare
    ssoMock.on(ListInstancesCommand).resolves({
      Instances: [
        { InstanceArn: 'arn:aws:sso:::instance/ssoins-2222222222222222', IdentityStoreId: 'd-2222222222' },
        { InstanceArn: INSTANCE, IdentityStoreId: STORE },
      ],
    });
    const dir = directory({ identityStoreId: undefined });

    // Act
    const store = await dir.identityStoreId();

    // Assess
    expect(store).toBe(STORE);
  });

  it('does not keep a failed discovery: the next call asks again', async () => {
    // Prepare
    ssoMock
      .on(ListInstancesCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({ Instances: [{ InstanceArn: INSTANCE, IdentityStoreId: STORE }] });
    const dir = directory({ instanceArn: undefined, identityStoreId: undefined });

    // Act
    const first = dir.instanceArn();
    await expect(first).rejects.toThrow('ThrottlingException');
    const second = await dir.instanceArn();

    // Assess
    expect(second).toBe(INSTANCE);
    expect(ssoMock.commandCalls(ListInstancesCommand)).toHaveLength(2);
  });
});

describe('people and groups', () => {
  it('finds a user by email with GetUserId then DescribeUser, naming them and picking the primary email', async () => {
    // Prepare
    idMock.on(GetUserIdCommand).resolves({ UserId: uid(1), IdentityStoreId: STORE });
    idMock.on(DescribeUserCommand, { UserId: uid(1) }).resolves(aliceOutput);
    const dir = directory();

    // Act
    const user = await dir.findUser('emails.value', 'alice@example.com');

    // Assess
    expect(user).toEqual({
      userId: uid(1),
      userName: 'alice',
      displayName: 'Alice Liddell',
      email: 'alice@example.com',
    });
    expect(idMock.commandCalls(GetUserIdCommand)[0]?.args[0].input).toEqual({
      IdentityStoreId: STORE,
      AlternateIdentifier: { UniqueAttribute: { AttributePath: 'emails.value', AttributeValue: 'alice@example.com' } },
    });
  });

  it('falls back to the formatted name, then the userName, when a user has no DisplayName', async () => {
    // Prepare
    idMock
      .on(DescribeUserCommand, { UserId: uid(2) })
      .resolves({
        UserId: uid(2),
        IdentityStoreId: STORE,
        UserName: 'bob',
        Name: { GivenName: 'Bob', FamilyName: 'Okafor' },
      })
      .on(DescribeUserCommand, { UserId: uid(3) })
      .resolves({ UserId: uid(3), IdentityStoreId: STORE, UserName: 'carol' });
    const dir = directory();

    // Act
    const [bob, carol] = await Promise.all([dir.describeUser(uid(2)), dir.describeUser(uid(3))]);

    // Assess
    expect(bob).toEqual({ userId: uid(2), userName: 'bob', displayName: 'Bob Okafor' });
    expect(carol).toEqual({ userId: uid(3), userName: 'carol', displayName: 'carol' });
  });

  it.each([
    ['findUser (GetUserId)', (d: ReturnType<typeof directory>) => d.findUser('userName', 'nobody')],
    ['describeUser', (d: ReturnType<typeof directory>) => d.describeUser(uid(9))],
    ['describeGroup', (d: ReturnType<typeof directory>) => d.describeGroup(gid(9))],
    ['findGroup (GetGroupId)', (d: ReturnType<typeof directory>) => d.findGroup('Nobody')],
  ])('answers undefined when %s meets ResourceNotFoundException', async (_case, lookUp) => {
    // Prepare
    idMock.onAnyCommand().rejects(awsError('ResourceNotFoundException'));
    const dir = directory();

    // Act
    const answer = await lookUp(dir);

    // Assess
    expect(answer).toBeUndefined();
  });

  it('lets any other error through, and does not cache it', async () => {
    // Prepare
    idMock
      .on(DescribeUserCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({ ...aliceOutput });
    const dir = directory();

    // Act
    await expect(dir.describeUser(uid(1))).rejects.toThrow('ThrottlingException');
    const user = await dir.describeUser(uid(1));

    // Assess
    expect(user?.displayName).toBe('Alice Liddell');
    expect(idMock.commandCalls(DescribeUserCommand)).toHaveLength(2);
  });

  it('finds a group by DisplayName with GetGroupId, and names it from DescribeGroup', async () => {
    // Prepare
    idMock.on(GetGroupIdCommand).resolves({ GroupId: gid(1), IdentityStoreId: STORE });
    idMock
      .on(DescribeGroupCommand, { GroupId: gid(1) })
      .resolves({ GroupId: gid(1), IdentityStoreId: STORE, DisplayName: 'Engineers' });
    const dir = directory();

    // Act
    const group = await dir.findGroup('Engineers');

    // Assess
    expect(group).toEqual({ groupId: gid(1), displayName: 'Engineers' });
    expect(idMock.commandCalls(GetGroupIdCommand)[0]?.args[0].input.AlternateIdentifier).toEqual({
      UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'Engineers' },
    });
  });

  it('checks membership with IsMemberInGroups in chunks of 100, every time (never cached)', async () => {
    // Prepare: 250 groups, the user in every seventh one
    const groupIds = Array.from({ length: 250 }, (_, i) => gid(i));
    idMock.on(IsMemberInGroupsCommand).callsFake((input: { GroupIds: string[] }) => ({
      Results: input.GroupIds.map((GroupId) => ({
        GroupId,
        MemberId: { UserId: uid(1) },
        MembershipExists: Number(GroupId.slice(-12)) % 7 === 0,
      })),
    }));
    const dir = directory();

    // Act
    const first = await dir.memberOf(uid(1), [...groupIds, gid(0)]);
    const second = await dir.memberOf(uid(1), groupIds);

    // Assess
    const sizes = idMock.commandCalls(IsMemberInGroupsCommand).map((c) => c.args[0].input.GroupIds?.length);
    expect(sizes).toEqual([100, 100, 50, 100, 100, 50]);
    expect([...first].sort()).toEqual(groupIds.filter((_, i) => i % 7 === 0).sort());
    expect(second).toEqual(first);
  });

  it('makes no call for an empty list of groups', async () => {
    // Prepare
    const dir = directory();
    // Act
    const member = await dir.memberOf(uid(1), []);
    // Assess
    expect(member.size).toBe(0);
    expect(idMock.calls()).toHaveLength(0);
  });

  it('lists a user’s groups over every page of ListGroupMembershipsForMember, named through DescribeGroup', async () => {
    // Prepare: three pages of 100, 100 and 5 groups
    idMock.on(ListGroupMembershipsForMemberCommand).callsFake((input: { NextToken?: string }) => {
      const page = Number(input.NextToken ?? '0');
      const count = page === 2 ? 5 : 100;
      return {
        GroupMemberships: Array.from({ length: count }, (_, i) => ({
          IdentityStoreId: STORE,
          GroupId: gid(page * 100 + i),
        })),
        ...(page < 2 ? { NextToken: String(page + 1) } : {}),
      };
    });
    idMock.on(DescribeGroupCommand).callsFake((input: { GroupId: string }) => ({
      GroupId: input.GroupId,
      DisplayName: `group ${Number(input.GroupId.slice(-12))}`,
    }));
    const dir = directory();

    // Act
    const groups = await dir.groupsOf(uid(1));

    // Assess
    expect(groups).toHaveLength(205);
    expect(groups[204]).toEqual({ groupId: gid(204), displayName: 'group 204' });
    const pages = idMock.commandCalls(ListGroupMembershipsForMemberCommand).map((c) => c.args[0].input);
    expect(pages.map((p) => [p.NextToken, p.MaxResults])).toEqual([
      [undefined, 100],
      ['1', 100],
      ['2', 100],
    ]);
  });

  it('lists a group’s members over every page, describing each user at most 8 at a time, skipping the deleted', async () => {
    // Prepare: 30 members on two pages; member 13 was deleted after the listing
    idMock.on(ListGroupMembershipsCommand).callsFake((input: { NextToken?: string }) => {
      const start = input.NextToken ? 20 : 0;
      return {
        GroupMemberships: Array.from({ length: start ? 10 : 20 }, (_, i) => ({ MemberId: { UserId: uid(start + i) } })),
        ...(start ? {} : { NextToken: 'next' }),
      };
    });
    let inFlight = 0;
    let mostInFlight = 0;
    idMock.on(DescribeUserCommand).callsFake(async (input: { UserId: string }) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      if (input.UserId === uid(13)) throw awsError('ResourceNotFoundException');
      return { UserId: input.UserId, UserName: `user${Number(input.UserId.slice(-12))}` };
    });
    const dir = directory();

    // Act
    const members = await dir.membersOf(gid(1));

    // Assess
    expect(members).toHaveLength(29);
    expect(members.map((m) => m.userName)).not.toContain('user13');
    expect(mostInFlight).toBe(8);
  });

  it('fails loudly rather than answer part of a listing whose NextToken never moves', async () => {
    // Prepare
    idMock.on(ListGroupMembershipsCommand).resolves({ GroupMemberships: [], NextToken: 'same' });
    const dir = directory();
    // Act
    const listing = dir.membersOf(gid(1));
    // Assess
    await expect(listing).rejects.toBeInstanceOf(IncompleteListingError);
  });
});

describe('caches', () => {
  it('keeps memberships and caller mappings for 60 s, descriptions for 5 minutes', async () => {
    // Prepare
    idMock.on(GetUserIdCommand).resolves({ UserId: uid(1) });
    idMock.on(DescribeUserCommand).resolves(aliceOutput);
    idMock
      .on(ListGroupMembershipsForMemberCommand)
      .resolves({ GroupMemberships: [{ IdentityStoreId: STORE, GroupId: gid(1) }] });
    idMock.on(DescribeGroupCommand).resolves({ GroupId: gid(1), DisplayName: 'Engineers' });
    const dir = directory();
    const lookUp = () => Promise.all([dir.findUser('emails.value', 'alice@example.com'), dir.groupsOf(uid(1))]);
    const counts = () => [
      idMock.commandCalls(GetUserIdCommand).length,
      idMock.commandCalls(DescribeUserCommand).length,
      idMock.commandCalls(ListGroupMembershipsForMemberCommand).length,
      idMock.commandCalls(DescribeGroupCommand).length,
    ];

    // Act + Assess: cold, then warm within the minute
    await lookUp();
    expect(counts()).toEqual([1, 1, 1, 1]);
    clock.advance(59_000);
    await lookUp();
    expect(counts()).toEqual([1, 1, 1, 1]);

    // A minute on: the mapping and the memberships are asked again, the descriptions are still served
    clock.advance(2_000);
    await lookUp();
    expect(counts()).toEqual([2, 1, 2, 1]);

    // Past five minutes: the descriptions too
    clock.advance(5 * 60_000);
    await lookUp();
    expect(counts()).toEqual([3, 2, 3, 2]);
  });

  it('honours TTLs given to the factory', async () => {
    // Prepare
    idMock.on(DescribeUserCommand).resolves(aliceOutput);
    const dir = directory({ ttl: { listingMs: 1_000 } });
    // Act
    await dir.describeUser(uid(1));
    clock.advance(1_001);
    await dir.describeUser(uid(1));
    // Assess
    expect(idMock.commandCalls(DescribeUserCommand)).toHaveLength(2);
  });

  it('shares one in-flight call among concurrent callers of the same key', async () => {
    // Prepare
    const held = deferred<typeof aliceOutput>();
    idMock.on(DescribeUserCommand).callsFake(() => held.promise);
    const dir = directory();

    // Act
    const callers = Array.from({ length: 5 }, () => dir.describeUser(uid(1)));
    held.resolve(aliceOutput);
    const users = await Promise.all(callers);

    // Assess
    expect(idMock.commandCalls(DescribeUserCommand)).toHaveLength(1);
    expect(new Set(users.map((u) => u?.displayName))).toEqual(new Set(['Alice Liddell']));
  });

  it('shares a failure with the callers already waiting, then forgets it', async () => {
    // Prepare
    ssoMock
      .on(ListPermissionSetsCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({ PermissionSets: [psArn(1)] });
    ssoMock
      .on(DescribePermissionSetCommand)
      .resolves({ PermissionSet: { Name: 'ReadOnly', PermissionSetArn: psArn(1) } });
    const dir = directory();

    // Act
    const waiting = await Promise.allSettled([dir.permissionSets(), dir.permissionSets()]);
    const after = await dir.permissionSets();

    // Assess
    expect(waiting.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(after).toEqual([{ arn: psArn(1), name: 'ReadOnly' }]);
    expect(ssoMock.commandCalls(ListPermissionSetsCommand)).toHaveLength(2);
  });

  it('keeps "no such user" for the membership TTL only, so a user created a moment later is found', async () => {
    // Prepare
    idMock
      .on(GetUserIdCommand)
      .rejectsOnce(awsError('ResourceNotFoundException'))
      .resolves({ UserId: uid(1) });
    idMock.on(DescribeUserCommand).resolves(aliceOutput);
    const dir = directory();

    // Act
    const before = await dir.findUser('userName', 'alice');
    const stillCached = await dir.findUser('userName', 'alice');
    clock.advance(60_001);
    const after = await dir.findUser('userName', 'alice');

    // Assess
    expect([before, stillCached]).toEqual([undefined, undefined]);
    expect(after?.userName).toBe('alice');
  });

  it('holds at most maxUsers users, dropping the least recently used', async () => {
    // Prepare
    idMock
      .on(DescribeUserCommand)
      .callsFake((input: { UserId: string }) => ({ UserId: input.UserId, UserName: input.UserId }));
    const dir = directory({ maxUsers: 3 });

    // Act: 1, 2, 3, touch 1, then 4 evicts 2 (the least recently used), then 1 and 2 again
    for (const n of [1, 2, 3, 1, 4, 1, 2]) await dir.describeUser(uid(n));

    // Assess
    const asked = idMock.commandCalls(DescribeUserCommand).map((c) => Number(c.args[0].input.UserId?.slice(-12)));
    expect(asked).toEqual([1, 2, 3, 4, 2]);
  });
});

describe('permission sets', () => {
  it('lists every page of ListPermissionSets and names each with DescribePermissionSet', async () => {
    // Prepare: 150 sets on two pages
    ssoMock
      .on(ListPermissionSetsCommand, { NextToken: undefined })
      .resolves({ PermissionSets: Array.from({ length: 100 }, (_, i) => psArn(i)), NextToken: 'p2' })
      .on(ListPermissionSetsCommand, { NextToken: 'p2' })
      .resolves({ PermissionSets: Array.from({ length: 50 }, (_, i) => psArn(100 + i)) });
    ssoMock.on(DescribePermissionSetCommand).callsFake((input: { PermissionSetArn: string }) => {
      const n = Number(input.PermissionSetArn.slice(-16));
      return {
        PermissionSet: {
          Name: `Set${n}`,
          PermissionSetArn: input.PermissionSetArn,
          Description: n === 1 ? 'one' : undefined,
        },
      };
    });
    const dir = directory();

    // Act
    const sets = await dir.permissionSets();
    await dir.permissionSets();

    // Assess
    expect(sets).toHaveLength(150);
    expect(sets[1]).toEqual({ arn: psArn(1), name: 'Set1', description: 'one' });
    expect(sets[149]).toEqual({ arn: psArn(149), name: 'Set149' });
    expect(ssoMock.commandCalls(ListPermissionSetsCommand).map((c) => c.args[0].input)).toEqual([
      { InstanceArn: INSTANCE, MaxResults: 100, NextToken: undefined },
      { InstanceArn: INSTANCE, MaxResults: 100, NextToken: 'p2' },
    ]);
    expect(ssoMock.commandCalls(DescribePermissionSetCommand)).toHaveLength(150);
  });
});

describe("pacing SSO Admin calls under Identity Center's rate limit", () => {
  it('starts at most ssoAdminCallsPerSecond calls in any second, however wide the fan-out', async () => {
    // Prepare: 1 listing + 11 descriptions = 12 calls at 10 a second: the last two must wait a second
    ssoMock.on(ListPermissionSetsCommand).callsFake(() => {
      starts.push(Date.now());
      return { PermissionSets: Array.from({ length: 11 }, (_, i) => psArn(i)) };
    });
    const starts: number[] = [];
    ssoMock.on(DescribePermissionSetCommand).callsFake((input: { PermissionSetArn: string }) => {
      starts.push(Date.now());
      return { PermissionSet: { Name: input.PermissionSetArn.slice(-4), PermissionSetArn: input.PermissionSetArn } };
    });
    const dir = directory({ ssoAdminCallsPerSecond: 10 });

    // Act
    const sets = await dir.permissionSets();

    // Assess
    expect(sets).toHaveLength(11);
    expect(starts).toHaveLength(12);
    const mostInASecond = Math.max(
      ...starts.map((at) => starts.filter((other) => other >= at && other < at + 1000).length),
    );
    expect(mostInASecond).toBeLessThanOrEqual(10);
    expect(Math.max(...starts) - Math.min(...starts)).toBeGreaterThanOrEqual(1000);
  });
});

describe('the organisation', () => {
  // r-root → ou-a → ou-b → ou-c → ou-d (4 levels), with ou-e beside ou-a; accounts at every depth.
  const tree: Record<string, { ous: string[]; accounts: string[] }> = {
    'r-root': { ous: ['ou-root-aaaaaaaa', 'ou-root-eeeeeeee'], accounts: ['100000000000'] },
    'ou-root-aaaaaaaa': { ous: ['ou-root-bbbbbbbb'], accounts: [] },
    'ou-root-bbbbbbbb': { ous: ['ou-root-cccccccc'], accounts: ['200000000000'] },
    'ou-root-cccccccc': { ous: ['ou-root-dddddddd'], accounts: [] },
    'ou-root-dddddddd': { ous: [], accounts: Array.from({ length: 45 }, (_, i) => String(300000000000 + i)) },
    'ou-root-eeeeeeee': { ous: [], accounts: ['400000000000'] },
  };
  const pageOf = <T>(items: T[], token: string | undefined) => {
    const start = Number(token ?? '0');
    const next = start + 20;
    return { page: items.slice(start, next), ...(next < items.length ? { NextToken: String(next) } : {}) };
  };
  const serveTree = () => {
    orgMock.on(ListRootsCommand).resolves({ Roots: [{ Id: 'r-root', Name: 'Root' }] });
    orgMock.on(ListOrganizationalUnitsForParentCommand).callsFake((input: { ParentId: string; NextToken?: string }) => {
      const { page, ...rest } = pageOf(tree[input.ParentId]?.ous ?? [], input.NextToken);
      return { OrganizationalUnits: page.map((Id) => ({ Id, Name: Id })), ...rest };
    });
    orgMock.on(ListAccountsForParentCommand).callsFake((input: { ParentId: string; NextToken?: string }) => {
      const { page, ...rest } = pageOf(tree[input.ParentId]?.accounts ?? [], input.NextToken);
      return { Accounts: page.map((Id) => ({ Id, Name: `acct-${Id}` })), ...rest };
    });
  };

  it('walks the OU tree breadth-first over every page, giving each account its ancestors up to the root', async () => {
    // Prepare
    serveTree();
    const dir = directory();

    // Act
    const org = await dir.organization();

    // Assess
    expect(org.rootId).toBe('r-root');
    expect([...org.ouIds].sort()).toEqual(
      Object.keys(tree)
        .filter((id) => id.startsWith('ou-'))
        .sort(),
    );
    expect(org.accounts.size).toBe(1 + 1 + 45 + 1);
    expect(org.accounts.get('100000000000')).toEqual({
      id: '100000000000',
      name: 'acct-100000000000',
      ancestors: ['r-root'],
    });
    expect(org.accounts.get('200000000000')?.ancestors).toEqual(['ou-root-bbbbbbbb', 'ou-root-aaaaaaaa', 'r-root']);
    expect(org.accounts.get('300000000044')).toEqual({
      id: '300000000044',
      name: 'acct-300000000044',
      ancestors: ['ou-root-dddddddd', 'ou-root-cccccccc', 'ou-root-bbbbbbbb', 'ou-root-aaaaaaaa', 'r-root'],
    });
    expect(org.accounts.get('400000000000')?.ancestors).toEqual(['ou-root-eeeeeeee', 'r-root']);
    // 45 accounts in pages of 20: three pages for ou-d, MaxResults at Organizations' maximum
    const ouD = orgMock
      .commandCalls(ListAccountsForParentCommand)
      .filter((c) => c.args[0].input.ParentId === 'ou-root-dddddddd')
      .map((c) => [c.args[0].input.NextToken, c.args[0].input.MaxResults]);
    expect(ouD).toEqual([
      [undefined, 20],
      ['20', 20],
      ['40', 20],
    ]);
  });

  it('serves the tree from the cache for 5 minutes', async () => {
    // Prepare
    serveTree();
    const dir = directory();
    await dir.organization();
    const callsCold = orgMock.calls().length;

    // Act
    clock.advance(299_000);
    await dir.organization();
    const callsWarm = orgMock.calls().length;
    clock.advance(2_000);
    await dir.organization();

    // Assess
    expect(callsWarm).toBe(callsCold);
    expect(orgMock.calls().length).toBe(2 * callsCold);
  });

  it.each(['AccessDeniedException', 'AWSOrganizationsNotInUseException'])(
    'throws OrganizationUnavailableError on %s, remembers it for a minute only',
    async (name) => {
      // Prepare
      orgMock.on(ListRootsCommand).rejectsOnce(awsError(name));
      serveTree();
      orgMock
        .on(ListRootsCommand)
        .rejectsOnce(awsError(name))
        .resolves({ Roots: [{ Id: 'r-root' }] });
      const dir = directory();

      // Act
      const first = await dir.organization().catch((error: unknown) => error);
      const second = await dir.organization().catch((error: unknown) => error);
      clock.advance(60_001);
      const later = await dir.organization();

      // Assess
      expect(first).toBeInstanceOf(OrganizationUnavailableError);
      expect(second).toBe(first);
      expect((first as Error).message).toContain(name);
      expect(later.accounts.size).toBe(48);
      expect(orgMock.commandCalls(ListRootsCommand)).toHaveLength(2);
    },
  );

  it('does not cache any other failure', async () => {
    // Prepare
    serveTree();
    orgMock
      .on(ListRootsCommand)
      .rejectsOnce(awsError('TooManyRequestsException'))
      .resolves({ Roots: [{ Id: 'r-root' }] });
    const dir = directory();

    // Act
    const first = await dir.organization().catch((error: unknown) => error);
    const second = await dir.organization();

    // Assess
    expect((first as Error).name).toBe('TooManyRequestsException');
    expect(second.accounts.size).toBe(48);
  });
});
