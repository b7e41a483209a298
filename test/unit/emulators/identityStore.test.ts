// Identity Store emulator fidelity: the real IdentitystoreClient against the local endpoint, valid and invalid input.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  DescribeGroupCommand,
  DescribeUserCommand,
  GetGroupIdCommand,
  GetUserIdCommand,
  IdentitystoreClient,
  IsMemberInGroupsCommand,
  ListGroupMembershipsCommand,
  ListGroupMembershipsForMemberCommand,
  ListGroupsCommand,
  ListUsersCommand,
  ResourceNotFoundException,
  ValidationException,
} from '@aws-sdk/client-identitystore';
import { defaultFixtures, type IdentityStoreFixtures } from '../../../local/emulators/fixtures.js';
import { createIdentityStoreEmulator } from '../../../local/emulators/identityStore.js';
import { clientConfigFor, sdkFailure, serveEmulator, type EmulatorEndpoint } from '../../fixtures/awsEndpoint.js';

const STORE = defaultFixtures.identityStore.id;
const ALICE = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6';
const ENGINEERS = '1234567890-0a1b2c3d-1111-2222-3333-444455556666';
const AUDITORS = '66c236ca-2b61-4861-8138-01ccb98af7e1';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

let endpoint: EmulatorEndpoint;
let client: IdentitystoreClient;
// 130 users: more than one page even at MaxResults 100.
const MANY_USERS: IdentityStoreFixtures = {
  id: 'd-abcdef0123',
  users: Array.from({ length: 130 }, (_, i) => ({
    userId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    userName: `user${i}`,
    displayName: `User ${i}`,
    email: `user${i}@example.com`,
  })),
  groups: [],
};
let bigEndpoint: EmulatorEndpoint;
let big: IdentitystoreClient;

const clientFor = (url: string) => new IdentitystoreClient(clientConfigFor(url));

beforeAll(async () => {
  endpoint = await serveEmulator(createIdentityStoreEmulator({ fixtures: defaultFixtures.identityStore }));
  bigEndpoint = await serveEmulator(createIdentityStoreEmulator({ fixtures: MANY_USERS }));
  client = clientFor(endpoint.endpoint);
  big = clientFor(bigEndpoint.endpoint);
});

afterAll(async () => {
  client.destroy();
  big.destroy();
  await endpoint.close();
  await bigEndpoint.close();
});

describe('Identity Store emulator: users', () => {
  it.each([
    ['userName', 'alice'],
    ['emails.value', 'alice@example.com'],
  ])('GetUserId finds alice by %s', async (path, value) => {
    // Prepare
    const command = new GetUserIdCommand({
      IdentityStoreId: STORE,
      AlternateIdentifier: { UniqueAttribute: { AttributePath: path, AttributeValue: value } },
    });

    // Act
    const answer = await client.send(command);

    // Assess
    expect(answer).toMatchObject({ IdentityStoreId: STORE, UserId: ALICE });
  });

  it('GetUserId of nobody is ResourceNotFoundException with ResourceType USER', async () => {
    // Prepare
    const command = new GetUserIdCommand({
      IdentityStoreId: STORE,
      AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'mallory' } },
    });

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.ResourceType).toBe('USER');
  });

  it('GetUserId by an ExternalId finds nobody: the fixtures sync no external IdP', async () => {
    // Prepare
    const command = new GetUserIdCommand({
      IdentityStoreId: STORE,
      AlternateIdentifier: { ExternalId: { Issuer: 'https://idp.example.com', Id: 'alice' } },
    });

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.ResourceType).toBe('USER');
  });

  it.each([
    [
      'an IdentityStoreId off the pattern',
      {
        IdentityStoreId: 'd-XYZ',
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'alice' } },
      },
    ],
    ['no AlternateIdentifier', { IdentityStoreId: STORE }],
    ['an empty AlternateIdentifier', { IdentityStoreId: STORE, AlternateIdentifier: {} }],
    [
      'an attribute that is not unique',
      {
        IdentityStoreId: STORE,
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'Alice Liddell' } },
      },
    ],
    [
      'a value that is not a string',
      {
        IdentityStoreId: STORE,
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 42 } },
      },
    ],
    [
      'no AttributeValue',
      { IdentityStoreId: STORE, AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName' } } },
    ],
  ])('GetUserId with %s is ValidationException', async (_case, input) => {
    // Prepare
    const command = new GetUserIdCommand(input as never);

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
  });

  it('GetUserId in another identity store is ResourceNotFoundException with ResourceType IDENTITY_STORE', async () => {
    // Prepare
    const command = new GetUserIdCommand({
      IdentityStoreId: 'd-0000000000',
      AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'alice' } },
    });

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.ResourceType).toBe('IDENTITY_STORE');
  });

  it('DescribeUser answers the User shape', async () => {
    // Prepare
    const command = new DescribeUserCommand({ IdentityStoreId: STORE, UserId: ALICE });

    // Act
    const user = await client.send(command);

    // Assess
    expect(user).toMatchObject({
      IdentityStoreId: STORE,
      UserId: ALICE,
      UserName: 'alice',
      DisplayName: 'Alice Liddell',
      Name: { Formatted: 'Alice Liddell', GivenName: 'Alice', FamilyName: 'Liddell' },
      Emails: [{ Value: 'alice@example.com', Primary: true, Type: 'work' }],
    });
  });

  it('DescribeUser accepts an extension name and refuses one off the pattern', async () => {
    // Prepare
    const valid = new DescribeUserCommand({
      IdentityStoreId: STORE,
      UserId: ALICE,
      Extensions: ['aws:identitystore:enterprise'],
    });
    const invalid = new DescribeUserCommand({ IdentityStoreId: STORE, UserId: ALICE, Extensions: ['enterprise'] });

    // Act
    const user = await client.send(valid);
    const error = await sdkFailure(() => client.send(invalid));

    // Assess
    expect(user.UserName).toBe('alice');
    expect(error).toBeInstanceOf(ValidationException);
  });

  it('DescribeUser of an unknown id is ResourceNotFoundException naming USER and the id', async () => {
    // Prepare
    const command = new DescribeUserCommand({ IdentityStoreId: STORE, UserId: UNKNOWN_ID });

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toMatchObject({ ResourceType: 'USER', ResourceId: UNKNOWN_ID });
  });

  it.each([['alice'], [''], ['x'.repeat(48)], ['ABCDEF0123-f81d4fae-7dec-11d0-a765-00a0c91e6bf6']])(
    'DescribeUser with UserId %j is ValidationException',
    async (userId) => {
      // Prepare
      const command = new DescribeUserCommand({ IdentityStoreId: STORE, UserId: userId });

      // Act
      const error = await sdkFailure(() => client.send(command));

      // Assess
      expect(error).toBeInstanceOf(ValidationException);
    },
  );

  it('ListUsers pages through every user with NextToken', async () => {
    // Prepare
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;

    // Act
    do {
      const page = await big.send(
        new ListUsersCommand({ IdentityStoreId: MANY_USERS.id, MaxResults: 100, NextToken: token }),
      );
      seen.push(...(page.Users ?? []).map((user) => user.UserName ?? ''));
      token = page.NextToken;
      pages += 1;
    } while (token);

    // Assess
    expect(pages).toBe(2);
    expect(seen).toEqual(MANY_USERS.users.map((user) => user.userName));
  });

  it('ListUsers without MaxResults still pages, so a caller must follow NextToken', async () => {
    // Prepare
    const command = new ListUsersCommand({ IdentityStoreId: MANY_USERS.id });

    // Act
    const page = await big.send(command);

    // Assess
    expect(page.Users?.length).toBeLessThan(MANY_USERS.users.length);
    expect(page.NextToken).toEqual(expect.any(String));
  });

  it('ListUsers with the deprecated UserName filter finds one user', async () => {
    // Prepare
    const command = new ListUsersCommand({
      IdentityStoreId: STORE,
      Filters: [{ AttributePath: 'UserName', AttributeValue: 'bob' }],
    });

    // Act
    const page = await client.send(command);

    // Assess
    expect(page.Users?.map((user) => user.DisplayName)).toEqual(['Bob Okafor']);
  });

  it.each([
    ['MaxResults 0', { MaxResults: 0 }],
    ['MaxResults 101', { MaxResults: 101 }],
    ['a NextToken this store did not issue', { NextToken: 'bm90LWEtdG9rZW4=' }],
    ['a NextToken off the pattern', { NextToken: 'not a token!' }],
    [
      'a filter on an attribute ListUsers cannot filter',
      { Filters: [{ AttributePath: 'DisplayName', AttributeValue: 'Alice Liddell' }] },
    ],
    [
      'two filters',
      {
        Filters: [
          { AttributePath: 'UserName', AttributeValue: 'a' },
          { AttributePath: 'UserName', AttributeValue: 'b' },
        ],
      },
    ],
  ])('ListUsers with %s is ValidationException', async (_case, input) => {
    // Prepare
    const command = new ListUsersCommand({ IdentityStoreId: STORE, ...input });

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
  });
});

describe('Identity Store emulator: groups and memberships', () => {
  it('GetGroupId finds a group by displayName; DescribeGroup answers the Group shape', async () => {
    // Prepare
    const lookUp = new GetGroupIdCommand({
      IdentityStoreId: STORE,
      AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'Auditors' } },
    });

    // Act
    const { GroupId } = await client.send(lookUp);
    const group = await client.send(new DescribeGroupCommand({ IdentityStoreId: STORE, GroupId }));

    // Assess
    expect(GroupId).toBe(AUDITORS);
    expect(group).toMatchObject({ IdentityStoreId: STORE, GroupId: AUDITORS, DisplayName: 'Auditors' });
    expect(group.Description).toEqual(expect.any(String));
  });

  it('GetGroupId of an unknown name and DescribeGroup of an unknown id are ResourceNotFoundException GROUP', async () => {
    // Prepare
    const byName = new GetGroupIdCommand({
      IdentityStoreId: STORE,
      AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: 'Nobody' } },
    });
    const byId = new DescribeGroupCommand({ IdentityStoreId: STORE, GroupId: UNKNOWN_ID });

    // Act
    const errors = [await sdkFailure(() => client.send(byName)), await sdkFailure(() => client.send(byId))];

    // Assess
    for (const error of errors) {
      expect(error).toBeInstanceOf(ResourceNotFoundException);
      expect(error.ResourceType).toBe('GROUP');
    }
    expect(errors[1]?.ResourceId).toBe(UNKNOWN_ID);
  });

  it('GetGroupId by userName is ValidationException: groups have no such attribute', async () => {
    // Prepare
    const command = new GetGroupIdCommand({
      IdentityStoreId: STORE,
      AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'alice' } },
    });

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
  });

  it('ListGroups pages through every group, and its DisplayName filter finds one', async () => {
    // Prepare
    const names: string[] = [];
    let token: string | undefined;

    // Act
    do {
      const page = await client.send(
        new ListGroupsCommand({ IdentityStoreId: STORE, MaxResults: 1, NextToken: token }),
      );
      names.push(...(page.Groups ?? []).map((group) => group.DisplayName ?? ''));
      token = page.NextToken;
    } while (token);
    const filtered = await client.send(
      new ListGroupsCommand({
        IdentityStoreId: STORE,
        Filters: [{ AttributePath: 'DisplayName', AttributeValue: 'On-call' }],
      }),
    );

    // Assess
    expect(names).toEqual(['Engineers', 'Platform Approvers', 'Auditors', 'On-call']);
    expect(filtered.Groups?.map((group) => group.DisplayName)).toEqual(['On-call']);
  });

  it('ListGroupMemberships lists the members as MemberId.UserId with stable MembershipIds', async () => {
    // Prepare
    const command = new ListGroupMembershipsCommand({ IdentityStoreId: STORE, GroupId: ENGINEERS, MaxResults: 2 });

    // Act
    const first = await client.send(command);
    const second = await client.send(
      new ListGroupMembershipsCommand({ IdentityStoreId: STORE, GroupId: ENGINEERS, NextToken: first.NextToken }),
    );
    const again = await client.send(command);

    // Assess
    const members = [...(first.GroupMemberships ?? []), ...(second.GroupMemberships ?? [])];
    expect(members).toHaveLength(4);
    expect(members[0]).toMatchObject({ IdentityStoreId: STORE, GroupId: ENGINEERS, MemberId: { UserId: ALICE } });
    expect(members[0]?.MembershipId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(again.GroupMemberships?.[0]?.MembershipId).toBe(members[0]?.MembershipId);
    expect(second.NextToken).toBeUndefined();
  });

  it('ListGroupMemberships of an unknown group is ResourceNotFoundException GROUP', async () => {
    // Prepare
    const command = new ListGroupMembershipsCommand({ IdentityStoreId: STORE, GroupId: UNKNOWN_ID });

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error).toMatchObject({ ResourceType: 'GROUP', ResourceId: UNKNOWN_ID });
  });

  it('ListGroupMembershipsForMember lists the groups of alice', async () => {
    // Prepare
    const command = new ListGroupMembershipsForMemberCommand({ IdentityStoreId: STORE, MemberId: { UserId: ALICE } });

    // Act
    const page = await client.send(command);

    // Assess
    expect(page.GroupMemberships?.map((membership) => membership.GroupId)).toEqual([ENGINEERS]);
    expect(page.NextToken).toBeUndefined();
  });

  it('ListGroupMembershipsForMember of an unknown user is ResourceNotFoundException USER; no MemberId is ValidationException', async () => {
    // Prepare
    const unknown = new ListGroupMembershipsForMemberCommand({
      IdentityStoreId: STORE,
      MemberId: { UserId: UNKNOWN_ID },
    });
    const missing = new ListGroupMembershipsForMemberCommand({ IdentityStoreId: STORE } as never);

    // Act
    const notFound = await sdkFailure(() => client.send(unknown));
    const invalid = await sdkFailure(() => client.send(missing));

    // Assess
    expect(notFound).toBeInstanceOf(ResourceNotFoundException);
    expect(notFound.ResourceType).toBe('USER');
    expect(invalid).toBeInstanceOf(ValidationException);
  });

  it('IsMemberInGroups answers each group asked, in order, an unknown group as not a member', async () => {
    // Prepare
    const command = new IsMemberInGroupsCommand({
      IdentityStoreId: STORE,
      MemberId: { UserId: ALICE },
      GroupIds: [AUDITORS, ENGINEERS, UNKNOWN_ID],
    });

    // Act
    const { Results } = await client.send(command);

    // Assess
    expect(Results).toEqual([
      { GroupId: AUDITORS, MemberId: { UserId: ALICE }, MembershipExists: false },
      { GroupId: ENGINEERS, MemberId: { UserId: ALICE }, MembershipExists: true },
      { GroupId: UNKNOWN_ID, MemberId: { UserId: ALICE }, MembershipExists: false },
    ]);
  });

  it.each([
    ['no GroupIds', { MemberId: { UserId: ALICE }, GroupIds: [] }],
    ['101 GroupIds', { MemberId: { UserId: ALICE }, GroupIds: Array.from({ length: 101 }, () => ENGINEERS) }],
    ['a GroupId off the pattern', { MemberId: { UserId: ALICE }, GroupIds: ['Engineers'] }],
    ['a UserId off the pattern', { MemberId: { UserId: 'alice' }, GroupIds: [ENGINEERS] }],
  ])('IsMemberInGroups with %s is ValidationException', async (_case, input) => {
    // Prepare
    const command = new IsMemberInGroupsCommand({ IdentityStoreId: STORE, ...input });

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(ValidationException);
  });

  it('IsMemberInGroups for an unknown user is ResourceNotFoundException USER', async () => {
    // Prepare
    const command = new IsMemberInGroupsCommand({
      IdentityStoreId: STORE,
      MemberId: { UserId: UNKNOWN_ID },
      GroupIds: [ENGINEERS],
    });

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.ResourceType).toBe('USER');
  });
});
