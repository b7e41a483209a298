// Identity Store (AWSIdentityStore.*), read-only: the people and groups of LOCAL_FIXTURES.identityStore, answered
// with the shapes, validation and error names of the 2020-06-15 API model.
import { createHash } from 'node:crypto';
import { DIRECTORY_RESOURCE_ID_PATTERN, IDENTITY_STORE_ID_PATTERN, type IdentityStoreFixtures } from './fixtures.js';
import { AwsServiceError, runOperation, type EmulatorResponse, type ServiceEmulator } from './types.js';
import { isRecord, paginate, validateInput } from './validation.js';

const identityStoreId = {
  type: 'string',
  required: true,
  minLength: 1,
  maxLength: 36,
  pattern: IDENTITY_STORE_ID_PATTERN,
} as const;
const resourceId = { type: 'string', minLength: 1, maxLength: 47, pattern: DIRECTORY_RESOURCE_ID_PATTERN } as const;
const maxResults = { type: 'integer', min: 1, max: 100 } as const;
const nextToken = { type: 'string', minLength: 1, maxLength: 65535, pattern: '[-a-zA-Z0-9+=/:_]*' } as const;
// The model's patterns for these use Unicode classes (\p{L}…) that the shared validator does not compile; the lengths
// are checked here and an unsupported path is refused by name below.
const attributePath = { type: 'string', required: true, minLength: 1, maxLength: 255 } as const;
const externalIdPart = { type: 'string', required: true, minLength: 1, maxLength: 256 } as const;
// No fixture user carries extension attributes, so a valid extension name is accepted and adds nothing.
const extensions = {
  type: 'list',
  maxItems: 10,
  items: { type: 'string', minLength: 1, maxLength: 50, pattern: 'aws:identitystore:[a-z]{1,20}' },
} as const;
const filters = {
  type: 'list',
  maxItems: 1,
  items: {
    type: 'structure',
    members: {
      AttributePath: attributePath,
      AttributeValue: { type: 'string', required: true, minLength: 1, maxLength: 1024 },
    },
  },
} as const;
// AttributeValue is a Document: any JSON value. Its type is checked against the path in `findByAttribute`.
const alternateIdentifier = {
  type: 'structure',
  required: true,
  members: {
    ExternalId: { type: 'structure', members: { Issuer: externalIdPart, Id: externalIdPart } },
    UniqueAttribute: { type: 'structure', members: { AttributePath: attributePath } },
  },
} as const;
const memberId = { type: 'structure', required: true, members: { UserId: { ...resourceId, required: true } } } as const;

const rules = {
  getUserId: { IdentityStoreId: identityStoreId, AlternateIdentifier: alternateIdentifier },
  getGroupId: { IdentityStoreId: identityStoreId, AlternateIdentifier: alternateIdentifier },
  describeUser: { IdentityStoreId: identityStoreId, UserId: { ...resourceId, required: true }, Extensions: extensions },
  describeGroup: { IdentityStoreId: identityStoreId, GroupId: { ...resourceId, required: true } },
  listUsers: {
    IdentityStoreId: identityStoreId,
    Extensions: extensions,
    MaxResults: maxResults,
    NextToken: nextToken,
    Filters: filters,
  },
  listGroups: { IdentityStoreId: identityStoreId, MaxResults: maxResults, NextToken: nextToken, Filters: filters },
  listGroupMemberships: {
    IdentityStoreId: identityStoreId,
    GroupId: { ...resourceId, required: true },
    MaxResults: maxResults,
    NextToken: nextToken,
  },
  listGroupMembershipsForMember: {
    IdentityStoreId: identityStoreId,
    MemberId: memberId,
    MaxResults: maxResults,
    NextToken: nextToken,
  },
  isMemberInGroups: {
    IdentityStoreId: identityStoreId,
    MemberId: memberId,
    GroupIds: { type: 'list', required: true, maxItems: 100, items: resourceId },
  },
} as const;

type User = IdentityStoreFixtures['users'][number];
type Group = IdentityStoreFixtures['groups'][number];
type ResourceType = 'USER' | 'GROUP' | 'IDENTITY_STORE';

/** The request without UniqueAttribute.AttributeValue, a Document the shared rules cannot describe; `resolve` checks it. */
const withoutDocument = (input: unknown): unknown => {
  if (!isRecord(input) || !isRecord(input.AlternateIdentifier)) return input;
  const identifier = input.AlternateIdentifier;
  if (!isRecord(identifier.UniqueAttribute)) return input;
  const { AttributeValue: _document, ...unique } = identifier.UniqueAttribute;
  return { ...input, AlternateIdentifier: { ...identifier, UniqueAttribute: unique } };
};

const notFound = (resourceType: ResourceType, resourceId: string | undefined, message: string) =>
  new AwsServiceError('ResourceNotFoundException', message, 400, {
    ResourceType: resourceType,
    ...(resourceId === undefined ? {} : { ResourceId: resourceId }),
  });

const invalid = (message: string) => new AwsServiceError('ValidationException', message);

// A membership id must be stable across calls and restarts and match the ResourceId pattern: a UUID-shaped hash.
const membershipId = (groupId: string, userId: string): string => {
  const hex = createHash('sha256').update(`${groupId}/${userId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
};

// The model's minimum is 1; an empty list passes the shared list rule, so it is refused here as AWS does.
const requireItems = (list: unknown[], path: string): void => {
  if (list.length === 0)
    throw invalid(
      `1 validation error detected: Value '[]' at '${path}' failed to satisfy constraint: Member must have length greater than or equal to 1`,
    );
};

export const createIdentityStoreEmulator = (options: { fixtures: IdentityStoreFixtures }): ServiceEmulator => {
  const { fixtures } = options;
  const usersByName = new Map(fixtures.users.map((user) => [user.userName, user]));
  const usersById = new Map(fixtures.users.map((user) => [user.userId, user]));
  const groupsById = new Map(fixtures.groups.map((group) => [group.groupId, group]));
  // The first user with an email answers for it, as a scan in fixture order would.
  const usersByEmail = new Map<string, User>();
  for (const user of fixtures.users) if (!usersByEmail.has(user.email)) usersByEmail.set(user.email, user);
  // Indexed once: at the benchmark's scale (5,000 users, 300 groups) scanning every group's member list on each
  // membership call costs the one-thread stack a noticeable share of a warm request.
  const memberNames = new Map(fixtures.groups.map((group) => [group.groupId, new Set(group.members)]));
  const groupsOfUser = new Map<string, Group[]>();
  for (const group of fixtures.groups)
    for (const userName of new Set(group.members))
      groupsOfUser.set(userName, [...(groupsOfUser.get(userName) ?? []), group]);
  const memberIds = (group: Group): string[] =>
    group.members.flatMap((userName) => {
      const user = usersByName.get(userName);
      return user ? [user.userId] : [];
    });

  const inThisStore = (id: string): void => {
    if (id !== fixtures.id) throw notFound('IDENTITY_STORE', undefined, `Identity store ${id} not found`);
  };

  const userOf = (user: User) => {
    const [givenName = user.displayName, ...family] = user.displayName.split(' ');
    return {
      IdentityStoreId: fixtures.id,
      UserId: user.userId,
      UserName: user.userName,
      DisplayName: user.displayName,
      Name: {
        Formatted: user.displayName,
        GivenName: givenName,
        ...(family.length > 0 ? { FamilyName: family.join(' ') } : {}),
      },
      Emails: [{ Value: user.email, Type: 'work', Primary: true }],
    };
  };
  const groupOf = (group: Group) => ({
    IdentityStoreId: fixtures.id,
    GroupId: group.groupId,
    DisplayName: group.displayName,
    ...(group.description === undefined ? {} : { Description: group.description }),
  });
  const membershipOf = (group: Group, userId: string) => ({
    IdentityStoreId: fixtures.id,
    MembershipId: membershipId(group.groupId, userId),
    GroupId: group.groupId,
    MemberId: { UserId: userId },
  });

  const findUser = (userId: string): User => {
    const user = usersById.get(userId);
    if (!user) throw notFound('USER', userId, `USER not found: ${userId}`);
    return user;
  };
  const findGroup = (groupId: string): Group => {
    const group = groupsById.get(groupId);
    if (!group) throw notFound('GROUP', groupId, `GROUP not found: ${groupId}`);
    return group;
  };

  /**
   * Resolves a GetUserId/GetGroupId AlternateIdentifier. It is a union: exactly one member. Attribute paths are
   * matched without regard to case, as Identity Store's SCIM attribute names are.
   */
  const resolve = <T>(
    input: unknown,
    kind: 'USER' | 'GROUP',
    byAttribute: Record<string, (value: string) => T | undefined>,
  ): T => {
    const identifier = isRecord(input) && isRecord(input.AlternateIdentifier) ? input.AlternateIdentifier : {};
    const given = Object.keys(identifier).filter((key) => identifier[key] !== undefined && identifier[key] !== null);
    if (given.length !== 1) {
      throw invalid('AlternateIdentifier must have exactly one of ExternalId or UniqueAttribute');
    }
    if (isRecord(identifier.ExternalId)) {
      // The fixtures hold no identities synced from an external IdP, so no external id can match.
      throw notFound(kind, undefined, `${kind} not found for the given ExternalId`);
    }
    const unique = isRecord(identifier.UniqueAttribute) ? identifier.UniqueAttribute : {};
    const path = String(unique.AttributePath);
    const value = unique.AttributeValue;
    const lookUp = Object.entries(byAttribute).find(([known]) => known.toLowerCase() === path.toLowerCase())?.[1];
    if (!lookUp) {
      throw invalid(
        `AttributePath '${path}' is not a unique attribute of a ${kind}; use ${Object.keys(byAttribute).join(' or ')}`,
      );
    }
    if (value === undefined || value === null) {
      throw invalid(
        "1 validation error detected: Value null at 'alternateIdentifier.uniqueAttribute.attributeValue' failed to satisfy constraint: Member must not be null",
      );
    }
    if (typeof value !== 'string' || value.length === 0) {
      throw invalid(`AttributeValue for '${path}' must be a non-empty string`);
    }
    const found = lookUp(value);
    if (found === undefined) throw notFound(kind, undefined, `${kind} not found for ${path} '${value}'`);
    return found;
  };

  /** The deprecated ListUsers/ListGroups filter: one exact match on the single attribute each allows. */
  const filtered = <T>(
    items: T[],
    given: Array<{ AttributePath: string; AttributeValue: string }> | undefined,
    allowed: string,
    attributeOf: (item: T) => string,
  ): T[] => {
    const [filter] = given ?? [];
    if (!filter) return items;
    if (filter.AttributePath.toLowerCase() !== allowed.toLowerCase())
      throw invalid(`Filter AttributePath '${filter.AttributePath}' is not supported; use ${allowed}`);
    return items.filter((item) => attributeOf(item) === filter.AttributeValue);
  };

  const operations: Record<string, (input: unknown) => object> = {
    GetUserId: (input) => {
      const request = validateInput(withoutDocument(input), rules.getUserId);
      inThisStore(request.IdentityStoreId);
      const user = resolve(input, 'USER', {
        userName: (value) => usersByName.get(value),
        'emails.value': (value) => usersByEmail.get(value),
      });
      return { IdentityStoreId: fixtures.id, UserId: user.userId };
    },
    GetGroupId: (input) => {
      const request = validateInput(withoutDocument(input), rules.getGroupId);
      inThisStore(request.IdentityStoreId);
      const group = resolve(input, 'GROUP', {
        displayName: (value) => fixtures.groups.find((candidate) => candidate.displayName === value),
      });
      return { IdentityStoreId: fixtures.id, GroupId: group.groupId };
    },
    DescribeUser: (input) => {
      const request = validateInput(input, rules.describeUser);
      inThisStore(request.IdentityStoreId);
      if (request.Extensions) requireItems(request.Extensions, 'extensions');
      return userOf(findUser(request.UserId));
    },
    DescribeGroup: (input) => {
      const request = validateInput(input, rules.describeGroup);
      inThisStore(request.IdentityStoreId);
      return groupOf(findGroup(request.GroupId));
    },
    ListUsers: (input) => {
      const request = validateInput(input, rules.listUsers);
      inThisStore(request.IdentityStoreId);
      if (request.Extensions) requireItems(request.Extensions, 'extensions');
      const users = filtered(fixtures.users, request.Filters, 'UserName', (user) => user.userName);
      const { page, nextToken: next } = paginate(users, request.MaxResults, request.NextToken);
      return { Users: page.map(userOf), ...(next ? { NextToken: next } : {}) };
    },
    ListGroups: (input) => {
      const request = validateInput(input, rules.listGroups);
      inThisStore(request.IdentityStoreId);
      const groups = filtered(fixtures.groups, request.Filters, 'DisplayName', (group) => group.displayName);
      const { page, nextToken: next } = paginate(groups, request.MaxResults, request.NextToken);
      return { Groups: page.map(groupOf), ...(next ? { NextToken: next } : {}) };
    },
    ListGroupMemberships: (input) => {
      const request = validateInput(input, rules.listGroupMemberships);
      inThisStore(request.IdentityStoreId);
      const group = findGroup(request.GroupId);
      const memberships = memberIds(group).map((userId) => membershipOf(group, userId));
      const { page, nextToken: next } = paginate(memberships, request.MaxResults, request.NextToken);
      return { GroupMemberships: page, ...(next ? { NextToken: next } : {}) };
    },
    ListGroupMembershipsForMember: (input) => {
      const request = validateInput(input, rules.listGroupMembershipsForMember);
      inThisStore(request.IdentityStoreId);
      const user = findUser(request.MemberId.UserId);
      const memberships = (groupsOfUser.get(user.userName) ?? []).map((group) => membershipOf(group, user.userId));
      const { page, nextToken: next } = paginate(memberships, request.MaxResults, request.NextToken);
      return { GroupMemberships: page, ...(next ? { NextToken: next } : {}) };
    },
    IsMemberInGroups: (input) => {
      const request = validateInput(input, rules.isMemberInGroups);
      inThisStore(request.IdentityStoreId);
      requireItems(request.GroupIds, 'groupIds');
      const user = findUser(request.MemberId.UserId);
      // A group id that names no group is answered as "not a member", one result per id asked, in order.
      const results = request.GroupIds.map((groupId) => ({
        GroupId: groupId,
        MemberId: { UserId: user.userId },
        MembershipExists: memberNames.get(groupId)?.has(user.userName) ?? false,
      }));
      return { Results: results };
    },
  };

  return {
    targetPrefix: 'AWSIdentityStore',
    serviceName: 'identitystore',
    contentType: 'application/x-amz-json-1.1',
    handle: (operation: string, input: unknown): Promise<EmulatorResponse> =>
      runOperation(operations, operation, (run) => run(input)),
  };
};
