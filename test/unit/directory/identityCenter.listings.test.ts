// The Identity Center directory's group listing and user look-up by UserName, against mocked SDK clients: one
// ListGroups listing serves findGroup, describeGroup and groupsOf's names (call counts), a group created after the
// listing is still found through GetGroupId / DescribeGroup, a listing that cannot be read falls back, and a userName
// caller costs one filtered ListUsers (emails.value keeps GetUserId + DescribeUser).
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeGroupCommand,
  DescribeUserCommand,
  GetGroupIdCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  ListGroupMembershipsForMemberCommand,
  ListGroupsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import {
  createIdentityCenterDirectory,
  type IdentityCenterDirectoryDeps,
} from '../../../functions/directory/identityCenter.js';
import { awsError } from '../../fixtures/awsErrors.js';

const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const STORE = 'd-1234567890';
const uid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const gid = (n: number) => `11111111-0000-4000-8000-${String(n).padStart(12, '0')}`;

const identityStore = new IdentitystoreClient({ region: 'us-east-1' });
const idMock = mockClient(identityStore);

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
    organizations: new OrganizationsClient({ region: 'us-east-1' }),
    ssoAdmin: new SSOAdminClient({ region: 'us-east-1' }),
    clock,
    instanceArn: INSTANCE,
    identityStoreId: STORE,
    ...overrides,
  });

/** ListGroups over `count` groups named "group <n>", 100 a page. */
const listGroups = (count: number) =>
  idMock.on(ListGroupsCommand).callsFake((input: { NextToken?: string; MaxResults?: number }) => {
    const start = Number(input.NextToken ?? '0');
    const end = Math.min(count, start + (input.MaxResults ?? 100));
    return {
      Groups: Array.from({ length: end - start }, (_, i) => ({
        GroupId: gid(start + i),
        DisplayName: `group ${start + i}`,
        IdentityStoreId: STORE,
      })),
      ...(end < count ? { NextToken: String(end) } : {}),
    };
  });

const calls = (command: Parameters<typeof idMock.commandCalls>[0]) => idMock.commandCalls(command).length;

beforeEach(() => {
  idMock.reset();
  clock = fakeClock();
});

describe('groups from one ListGroups listing', () => {
  it('finds 65 groups by name with the 3 pages of one listing, no GetGroupId or DescribeGroup', async () => {
    // Prepare: 300 groups, as in the catalog bench
    listGroups(300);
    const dir = directory();

    // Act: all at once, as the policy check asks
    const found = await Promise.all(Array.from({ length: 65 }, (_, i) => dir.findGroup(`group ${i * 4}`)));

    // Assess
    expect(found[64]).toEqual({ groupId: gid(256), displayName: 'group 256' });
    expect(idMock.commandCalls(ListGroupsCommand).map((c) => c.args[0].input.MaxResults)).toEqual([100, 100, 100]);
    expect(calls(GetGroupIdCommand)).toBe(0);
    expect(calls(DescribeGroupCommand)).toBe(0);
  });

  it('names a caller’s groups from the listing: groupsOf costs one ListGroupMembershipsForMember when warm', async () => {
    // Prepare
    listGroups(300);
    idMock.on(ListGroupMembershipsForMemberCommand).resolves({
      GroupMemberships: [5, 17, 250].map((n) => ({ IdentityStoreId: STORE, GroupId: gid(n) })),
    });
    const dir = directory();
    await dir.findGroup('group 1');
    idMock.resetHistory();

    // Act
    const groups = await dir.groupsOf(uid(1));

    // Assess
    expect(groups.map((g) => g.displayName)).toEqual(['group 5', 'group 17', 'group 250']);
    expect(idMock.calls()).toHaveLength(1);
    expect(await dir.describeGroup(gid(17))).toEqual({ groupId: gid(17), displayName: 'group 17' });
    expect(idMock.calls()).toHaveLength(1);
  });

  it('still finds a group created after the listing was read, through GetGroupId then DescribeGroup', async () => {
    // Prepare: the listing holds 3 groups; "Late" is created afterwards
    listGroups(3);
    idMock.on(GetGroupIdCommand).resolves({ GroupId: gid(900), IdentityStoreId: STORE });
    idMock.on(DescribeGroupCommand, { GroupId: gid(900) }).resolves({ GroupId: gid(900), DisplayName: 'Late' });
    const dir = directory();
    await dir.findGroup('group 0');

    // Act
    const late = await dir.findGroup('Late');
    const byId = await dir.describeGroup(gid(900));

    // Assess
    expect(late).toEqual({ groupId: gid(900), displayName: 'Late' });
    expect(byId).toEqual(late);
    expect(calls(ListGroupsCommand)).toBe(1);
    expect(calls(GetGroupIdCommand)).toBe(1);
    expect(calls(DescribeGroupCommand)).toBe(1);
  });

  it('answers undefined for a name neither the listing nor GetGroupId knows', async () => {
    // Prepare
    listGroups(3);
    idMock.on(GetGroupIdCommand).rejects(awsError('ResourceNotFoundException'));
    const dir = directory();

    // Act
    const missing = await dir.findGroup('Nobody');

    // Assess
    expect(missing).toBeUndefined();
    expect(calls(GetGroupIdCommand)).toBe(1);
  });

  it('re-reads the listing after 5 minutes, so a renamed group is found by its new name from the listing', async () => {
    // Prepare
    let renamed = false;
    idMock.on(ListGroupsCommand).callsFake(() => ({
      Groups: [{ GroupId: gid(1), DisplayName: renamed ? 'Platform Approvers' : 'Approvers' }],
    }));
    const dir = directory();
    await dir.findGroup('Approvers');

    // Act
    renamed = true;
    clock.advance(5 * 60_000 + 1);
    const found = await dir.findGroup('Platform Approvers');

    // Assess
    expect(found).toEqual({ groupId: gid(1), displayName: 'Platform Approvers' });
    expect(calls(ListGroupsCommand)).toBe(2);
    expect(calls(GetGroupIdCommand)).toBe(0);
  });

  it('falls back to GetGroupId when ListGroups is refused, and does not retry the listing for a minute', async () => {
    // Prepare
    idMock.on(ListGroupsCommand).rejects(awsError('AccessDeniedException'));
    idMock.on(GetGroupIdCommand).resolves({ GroupId: gid(1), IdentityStoreId: STORE });
    idMock.on(DescribeGroupCommand).resolves({ GroupId: gid(1), DisplayName: 'Engineers' });
    const dir = directory();

    // Act
    const first = await dir.findGroup('Engineers');
    await dir.describeGroup(gid(2));
    clock.advance(60_001);
    await dir.findGroup('Auditors');

    // Assess
    expect(first).toEqual({ groupId: gid(1), displayName: 'Engineers' });
    expect(calls(ListGroupsCommand)).toBe(2);
  });

  it('stops the listing at its bound (maxGroups) and finds the rest one by one', async () => {
    // Prepare: 1,500 groups, a bound of 1,000 (the default for 10,000 users)
    listGroups(1_500);
    idMock.on(GetGroupIdCommand).resolves({ GroupId: gid(1_200), IdentityStoreId: STORE });
    idMock.on(DescribeGroupCommand).resolves({ GroupId: gid(1_200), DisplayName: 'group 1200' });
    const dir = directory();

    // Act
    const listed = await dir.findGroup('group 999');
    const beyond = await dir.findGroup('group 1200');

    // Assess
    expect(listed?.groupId).toBe(gid(999));
    expect(beyond?.groupId).toBe(gid(1_200));
    expect(calls(ListGroupsCommand)).toBe(10);
    expect(calls(GetGroupIdCommand)).toBe(1);
  });
});

describe('findUser by userName: one filtered ListUsers', () => {
  const alice = {
    UserId: uid(1),
    IdentityStoreId: STORE,
    UserName: 'alice',
    DisplayName: 'Alice Liddell',
    Emails: [{ Value: 'alice@example.com', Primary: true }],
  };

  it('gets the whole user in one call, and describeUser is then served from the cache', async () => {
    // Prepare
    idMock.on(ListUsersCommand).resolves({ Users: [alice] });
    const dir = directory();

    // Act
    const user = await dir.findUser('userName', 'alice');
    const described = await dir.describeUser(uid(1));

    // Assess
    expect(user).toEqual({
      userId: uid(1),
      userName: 'alice',
      displayName: 'Alice Liddell',
      email: 'alice@example.com',
    });
    expect(described).toEqual(user);
    expect(idMock.commandCalls(ListUsersCommand)[0]?.args[0].input.Filters).toEqual([
      { AttributePath: 'UserName', AttributeValue: 'alice' },
    ]);
    expect(idMock.calls()).toHaveLength(1);
  });

  it('answers undefined when the filtered listing is empty, without GetUserId', async () => {
    // Prepare
    idMock.on(ListUsersCommand).resolves({ Users: [] });
    const dir = directory();
    // Act
    const user = await dir.findUser('userName', 'nobody');
    // Assess
    expect(user).toBeUndefined();
    expect(calls(GetUserIdCommand)).toBe(0);
  });

  it('falls back to GetUserId + DescribeUser when the answer does not look filtered (deprecated filter ignored)', async () => {
    // Prepare: the service returns other users, as if the filter were gone
    idMock.on(ListUsersCommand).resolves({
      Users: [
        { ...alice, UserId: uid(2), UserName: 'bob' },
        { ...alice, UserId: uid(3), UserName: 'carol' },
      ],
      NextToken: 'more',
    });
    idMock.on(GetUserIdCommand).resolves({ UserId: uid(1), IdentityStoreId: STORE });
    idMock.on(DescribeUserCommand).resolves(alice);
    const dir = directory();

    // Act
    const user = await dir.findUser('userName', 'alice');

    // Assess
    expect(user?.userId).toBe(uid(1));
    expect([calls(ListUsersCommand), calls(GetUserIdCommand), calls(DescribeUserCommand)]).toEqual([1, 1, 1]);
  });

  it('keeps GetUserId + DescribeUser for emails.value, which ListUsers cannot filter on', async () => {
    // Prepare
    idMock.on(GetUserIdCommand).resolves({ UserId: uid(1), IdentityStoreId: STORE });
    idMock.on(DescribeUserCommand).resolves(alice);
    const dir = directory();
    // Act
    const user = await dir.findUser('emails.value', 'alice@example.com');
    // Assess
    expect(user?.userName).toBe('alice');
    expect(calls(ListUsersCommand)).toBe(0);
    expect([calls(GetUserIdCommand), calls(DescribeUserCommand)]).toEqual([1, 1]);
  });
});
