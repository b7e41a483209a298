// The Identity Center directory's users listing, against mocked SDK clients and a fake clock: the first look-up of a
// cold function takes the exact calls (GetUserId + DescribeUser, or the filtered ListUsers) without waiting for the
// listing, which is read once in the background; once held, a new caller costs no Identity Store call for their
// identity; a miss (a user created since) takes the exact calls; the listing stops at maxUsers; a failed listing is
// logged, never fails a look-up, and is tried again no sooner than 60 s later.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DescribeUserCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  ListGroupMembershipsCommand,
  ListUsersCommand,
  type ListUsersCommandInput,
} from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import {
  createIdentityCenterDirectory,
  type IdentityCenterDirectoryDeps,
  USER_LISTING_RETRY_MS,
} from '../../../functions/directory/identityCenter.js';
import { awsError } from '../../fixtures/awsErrors.js';

const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const STORE = 'd-1234567890';
const uid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
const listedUser = (n: number) => ({
  UserId: uid(n),
  UserName: `user${n}`,
  DisplayName: `User ${n}`,
  Emails: [{ Value: `user${n}@example.com`, Primary: true }, { Value: `u${n}@alias.example.com` }],
  IdentityStoreId: STORE,
});

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
    userListing: true,
    ...overrides,
  });

const isFiltered = (input: ListUsersCommandInput) => (input.Filters?.length ?? 0) > 0;
const listingCalls = () => idMock.commandCalls(ListUsersCommand).filter((c) => !isFiltered(c.args[0].input)).length;
const identityCalls = () =>
  idMock.commandCalls(GetUserIdCommand).length +
  idMock.commandCalls(DescribeUserCommand).length +
  idMock.commandCalls(ListUsersCommand).length;

/** ListUsers over `count` users, 100 a page; the filtered form (by UserName) answers as Identity Store does. */
const listUsers = (count: number) =>
  idMock.on(ListUsersCommand).callsFake((input: ListUsersCommandInput) => {
    const filter = input.Filters?.[0];
    if (filter) {
      const n = Number(filter.AttributeValue?.replace('user', ''));
      return { Users: n < count ? [listedUser(n)] : [] };
    }
    const start = Number(input.NextToken ?? '0');
    const end = Math.min(count, start + (input.MaxResults ?? 100));
    return {
      Users: Array.from({ length: end - start }, (_, i) => listedUser(start + i)),
      ...(end < count ? { NextToken: String(end) } : {}),
    };
  });
/** The exact calls: GetUserId by email and DescribeUser, for users 0…count-1 and one more (created since). */
const exactCalls = (count: number) => {
  idMock
    .on(GetUserIdCommand)
    .callsFake((input: { AlternateIdentifier?: { UniqueAttribute?: { AttributeValue?: unknown } } }) => {
      const value = String(input.AlternateIdentifier?.UniqueAttribute?.AttributeValue);
      const n = Number(/^user(\d+)@/.exec(value)?.[1] ?? Number.NaN);
      if (!(n <= count)) throw awsError('ResourceNotFoundException');
      return { UserId: uid(n), IdentityStoreId: STORE };
    });
  idMock
    .on(DescribeUserCommand)
    .callsFake((input: { UserId?: string }) => listedUser(Number(input.UserId?.slice(-12))));
};
/** Lets the background listing's pages (mocked, resolved) run to the end. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

beforeEach(() => {
  idMock.reset();
  clock = fakeClock();
});

describe('the users listing', () => {
  it('does not make the cold look-up wait for it: the exact calls answer while the listing hangs', async () => {
    // Prepare: a listing that never ends
    exactCalls(10);
    idMock.on(ListUsersCommand).callsFake(() => new Promise(() => {}));
    const dir = directory();
    // Act
    const found = await dir.findUser('emails.value', 'user3@example.com');
    // Assess
    expect(found).toEqual({ userId: uid(3), userName: 'user3', displayName: 'User 3', email: 'user3@example.com' });
    expect(idMock.commandCalls(GetUserIdCommand)).toHaveLength(1);
    expect(idMock.commandCalls(DescribeUserCommand)).toHaveLength(1);
    expect(listingCalls()).toBe(1);
  });

  it('is read once in the background, however many look-ups come before it is held', async () => {
    // Prepare: 250 users, 3 pages
    exactCalls(250);
    listUsers(250);
    const dir = directory();
    // Act: five cold look-ups at once, then the listing finishes
    await Promise.all([1, 2, 3, 4, 5].map((n) => dir.findUser('emails.value', `user${n}@example.com`)));
    await settle();
    // Assess
    expect(listingCalls()).toBe(3);
    expect(idMock.commandCalls(ListUsersCommand).map((c) => c.args[0].input.NextToken)).toEqual([
      undefined,
      '100',
      '200',
    ]);
  });

  it('answers a warm new caller by email, alias or userName, and their description, with no Identity Store call', async () => {
    // Prepare: one look-up has started the listing, which is now held
    exactCalls(250);
    listUsers(250);
    const dir = directory();
    await dir.findUser('emails.value', 'user1@example.com');
    await settle();
    const before = identityCalls();
    // Act
    const byEmail = await dir.findUser('emails.value', 'user200@example.com');
    const byAlias = await dir.findUser('emails.value', 'u201@alias.example.com');
    const byUserName = await dir.findUser('userName', 'user202');
    const described = await dir.describeUser(uid(203));
    // Assess
    expect(identityCalls() - before).toBe(0);
    expect(byEmail).toEqual({
      userId: uid(200),
      userName: 'user200',
      displayName: 'User 200',
      email: 'user200@example.com',
    });
    expect(byAlias?.userId).toBe(uid(201));
    expect(byUserName?.userId).toBe(uid(202));
    expect(described?.displayName).toBe('User 203');
  });

  it('names the members of a group (membersOf) from the listing, without a DescribeUser per member', async () => {
    // Prepare
    exactCalls(250);
    listUsers(250);
    idMock.on(ListGroupMembershipsCommand).resolves({
      GroupMemberships: [10, 11, 12].map((n) => ({ IdentityStoreId: STORE, MemberId: { UserId: uid(n) } })),
    });
    const dir = directory();
    await dir.findUser('emails.value', 'user1@example.com');
    await settle();
    const describedBefore = idMock.commandCalls(DescribeUserCommand).length;
    // Act
    const members = await dir.membersOf('group-id');
    // Assess
    expect(members.map((m) => m.displayName)).toEqual(['User 10', 'User 11', 'User 12']);
    expect(idMock.commandCalls(DescribeUserCommand).length - describedBefore).toBe(0);
  });

  it('takes the exact calls for a user the held listing lacks (created since), and keeps email matching exact', async () => {
    // Prepare: the listing holds users 0…249; user 250 was created after it was read
    exactCalls(250);
    listUsers(250);
    const dir = directory();
    await dir.findUser('emails.value', 'user1@example.com');
    await settle();
    idMock.resetHistory();
    // Act
    const created = await dir.findUser('emails.value', 'user250@example.com');
    const otherCase = await dir.findUser('emails.value', 'USER7@example.com');
    // Assess
    expect(created?.userId).toBe(uid(250));
    expect(otherCase).toBeUndefined();
    expect(idMock.commandCalls(GetUserIdCommand).map((c) => c.args[0].input.AlternateIdentifier)).toEqual([
      { UniqueAttribute: { AttributePath: 'emails.value', AttributeValue: 'user250@example.com' } },
      { UniqueAttribute: { AttributePath: 'emails.value', AttributeValue: 'USER7@example.com' } },
    ]);
    expect(listingCalls()).toBe(0);
  });

  it('stops at maxUsers: users past the bound take the exact calls', async () => {
    // Prepare: 500 users, a bound of 200
    exactCalls(500);
    listUsers(500);
    const dir = directory({ maxUsers: 200 });
    await dir.findUser('emails.value', 'user1@example.com');
    await settle();
    idMock.resetHistory();
    // Act
    const inside = await dir.findUser('emails.value', 'user199@example.com');
    const past = await dir.findUser('emails.value', 'user300@example.com');
    // Assess
    expect(inside?.userId).toBe(uid(199));
    expect(past?.userId).toBe(uid(300));
    expect(idMock.commandCalls(GetUserIdCommand)).toHaveLength(1);
    expect(listingCalls()).toBe(0);
  });

  it('on a failed listing answers with the exact calls and tries the listing again only after 60 s', async () => {
    // Prepare: ListUsers refused
    exactCalls(10);
    idMock.on(ListUsersCommand).rejects(awsError('AccessDeniedException'));
    const dir = directory();
    // Act
    const first = await dir.findUser('emails.value', 'user1@example.com');
    await settle();
    const second = await dir.findUser('emails.value', 'user2@example.com');
    await settle();
    clock.advance(USER_LISTING_RETRY_MS);
    const third = await dir.findUser('emails.value', 'user3@example.com');
    await settle();
    // Assess
    expect([first, second, third].map((u) => u?.userId)).toEqual([uid(1), uid(2), uid(3)]);
    expect(listingCalls()).toBe(2);
    expect(idMock.commandCalls(GetUserIdCommand)).toHaveLength(3);
  });

  it('is re-read in the background after 5 minutes while the held one still answers (stale-while-revalidate)', async () => {
    // Prepare
    exactCalls(250);
    listUsers(250);
    const dir = directory({ ttl: { listingStaleMs: 10 * 60_000 } });
    await dir.findUser('emails.value', 'user1@example.com');
    await settle();
    // Act: past the TTL the held listing still answers while one refresh runs
    clock.advance(5 * 60_000);
    const before = idMock.commandCalls(GetUserIdCommand).length;
    const stale = await dir.findUser('emails.value', 'user100@example.com');
    await settle();
    // Assess
    expect(stale?.userId).toBe(uid(100));
    expect(idMock.commandCalls(GetUserIdCommand).length).toBe(before);
    expect(listingCalls()).toBe(6);
  });

  it('is not used past its hard bound: the exact calls answer while a fresh listing is read', async () => {
    // Prepare: no stale serving (listingStaleMs 0), the listing held, then 5 minutes pass
    exactCalls(250);
    listUsers(250);
    const dir = directory();
    await dir.findUser('emails.value', 'user1@example.com');
    await settle();
    clock.advance(5 * 60_000);
    idMock.resetHistory();
    // Act
    const found = await dir.findUser('emails.value', 'user100@example.com');
    await settle();
    // Assess
    expect(found?.userId).toBe(uid(100));
    expect(idMock.commandCalls(GetUserIdCommand)).toHaveLength(1);
    expect(listingCalls()).toBe(3);
  });

  it('is off unless asked for: no ListUsers listing without userListing', async () => {
    // Prepare
    exactCalls(10);
    listUsers(10);
    const dir = directory({ userListing: false });
    // Act
    await dir.findUser('emails.value', 'user1@example.com');
    await settle();
    // Assess
    expect(listingCalls()).toBe(0);
  });
});
