// The production Directory: Identity Store for people and groups, SSO Admin for the instance and its permission sets,
// Organizations for accounts and OUs, each through an injectable SDK client, with caches per warm function.
//
// The caches are sized for DESIGN's budget ("a warm submit makes at most 3 Identity Center or Organizations calls",
// a warm GET /catalog at most 2): listings that change rarely (permission sets, the organisation, group names, user
// and group descriptions) live for minutes; what decides eligibility (memberships, the caller's user id) lives for
// about a minute; `memberOf` is never cached, because submit uses it to honour a membership removed a moment ago.
// README "Caches" explains each one and what a stale entry means.
import {
  DescribeGroupCommand,
  DescribeUserCommand,
  GetGroupIdCommand,
  GetUserIdCommand,
  type IdentitystoreClient,
  IsMemberInGroupsCommand,
  ListGroupMembershipsCommand,
  ListGroupMembershipsForMemberCommand,
  ListGroupsCommand,
  ListUsersCommand,
} from '@aws-sdk/client-identitystore';
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  type OrganizationsClient,
} from '@aws-sdk/client-organizations';
import {
  DescribePermissionSetCommand,
  ListInstancesCommand,
  ListPermissionSetsCommand,
  type SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { identityStoreClient } from '../shared/clients/identityStore.js';
import { lazy } from '../shared/clients/lazy.js';
import { organizationsClient } from '../shared/clients/organizations.js';
import { ssoAdminReadClient } from '../shared/clients/ssoAdmin.js';
import { type Clock, systemClock } from '../shared/clock.js';
import { documentClient } from '../shared/clients/dynamodb.js';
import { config } from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { mapBounded } from '../shared/mapBounded.js';
import {
  type Directory,
  type DirectoryAccount,
  type DirectoryGroup,
  type DirectoryUser,
  type NamedPermissionSet,
  OrganizationUnavailableError,
  type OrganizationTree,
  type UserAttribute,
} from './directory.js';
import { createPermissionSetNameStore, type PermissionSetNameStore } from './permissionSetNames.js';
import { type StaleWhileRevalidate, TtlCache } from './ttlCache.js';

/** How long each kind of answer is served from the cache, in ms. */
export interface DirectoryTtl {
  /** Permission sets, the organisation, group names, user and group descriptions: they change rarely. */
  listingMs: number;
  /** `groupsOf`, `membersOf` and the caller's user id (`findUser`), and "not found" answers. */
  membershipMs: number;
  /**
   * Each permission set's name and description, by ARN. Identity Center never changes a permission set's name, so
   * only the description can go stale; keeping them long means that re-listing every `listingMs` costs one
   * ListPermissionSets call, not a DescribePermissionSet per set, which Identity Center's 20 calls a second would pace.
   */
  permissionSetMs: number;
  /** How long "Organizations cannot be read" is remembered, so every submit does not ask again while access is missing. */
  unavailableMs: number;
  /**
   * How long past `listingMs` the organisation and the permission-set list are still served while one background
   * refresh re-reads them (stale-while-revalidate), so no request waits for the ~80 calls of an organisation walk. A
   * failed refresh keeps the old listing (logged); past this bound callers wait for a fresh read. 0 (the factory's
   * default) turns it off: the first caller past `listingMs` waits, and no work outlives a call, which is what tests
   * counting calls expect. `defaultDirectory()` sets 2 × `listingMs`: a listing is at most 3 × `listingMs` old.
   */
  listingStaleMs: number;
  /**
   * With a durable copy of permission-set names (`permissionSetNames`): how old a stored copy may be before the set is
   * described again. Names never change; this is how long a changed description may take to show.
   */
  permissionSetRefreshMs: number;
}

export const DEFAULT_DIRECTORY_TTL: DirectoryTtl = {
  listingMs: 5 * 60_000,
  membershipMs: 60_000,
  permissionSetMs: 60 * 60_000,
  unavailableMs: 60_000,
  listingStaleMs: 0,
  permissionSetRefreshMs: 24 * 60 * 60_000,
};

/** What a warm function in production waits for a listing at most: never, until it is 3 × listingMs old. */
export const PRODUCTION_LISTING_STALE_MS = 2 * DEFAULT_DIRECTORY_TTL.listingMs;
/** After a failed background refresh of a listing, the next one waits this long, so a failing service is not asked on every request. */
const LISTING_REFRESH_RETRY_MS = 30_000;
/** After a failed users listing, the next attempt waits this long; meanwhile every look-up takes the exact calls. */
export const USER_LISTING_RETRY_MS = 60_000;

export interface IdentityCenterDirectoryDeps {
  identityStore: IdentitystoreClient;
  organizations: OrganizationsClient;
  /** A client with the SDK's normal retries (ssoAdminReadClient), not the provisioning one with a single attempt. */
  ssoAdmin: SSOAdminClient;
  clock: Clock;
  /** SSO_INSTANCE_ARN; when it or identityStoreId is missing, both are discovered once with ListInstances. */
  instanceArn?: string;
  identityStoreId?: string;
  ttl?: Partial<DirectoryTtl>;
  /** The most users (and user-keyed answers) each cache holds; groups are held up to a tenth of it (at least 1,000). */
  maxUsers?: number;
  /** Calls in flight at once for a fan-out (DescribeUser per member, DescribePermissionSet per set). */
  concurrency?: number;
  /**
   * SSO Admin calls started per second, at most. Identity Center allows 20 per second across its APIs, shared with
   * provisioning (creations and their status polls), so the directory's reads keep under it instead of being throttled.
   */
  ssoAdminCallsPerSecond?: number;
  /**
   * The durable copy of permission-set names (permissionSetNames.ts). With it, a cold listing reads the stored names
   * with one BatchGetItem and describes only the sets it lacks or holds for longer than `permissionSetRefreshMs`;
   * without it, every set is described (and kept in memory for `permissionSetMs`).
   */
  permissionSetNames?: PermissionSetNameStore;
  /**
   * Keep a listing of every user (ListUsers, all pages, up to maxUsers), read in the background the first time a user
   * is looked up, so that a warm function names callers and approvers without GetUserId + DescribeUser each. Off by
   * default (tests counting calls expect none outliving a call); `defaultDirectory()` turns it on.
   */
  userListing?: boolean;
}

/**
 * A listing that did not end within its page budget, or whose NextToken stopped moving. It fails the look-up rather
 * than answer with part of the list as if it were all of it.
 */
export class IncompleteListingError extends Error {
  override readonly name = 'IncompleteListingError';
}

// Each API's largest page (MaxResults), from its model: Identity Store and SSO Admin 100, Organizations 20.
const IDENTITY_STORE_PAGE = 100;
const SSO_ADMIN_PAGE = 100;
const ORGANIZATIONS_PAGE = 20;
/** IsMemberInGroups takes at most 100 GroupIds per call (the model's GroupIds list, max 100). */
const IS_MEMBER_IN_GROUPS_MAX = 100;
/** Far above any real directory (100,000 items at 100 a page), yet finite: a service that pages forever fails loudly. */
const MAX_PAGES = 1_000;
const DEFAULT_MAX_USERS = 10_000;
const DEFAULT_CONCURRENCY = 8;
// Three quarters of Identity Center's 20 requests per second: a cold permission-set listing must not starve the
// provisioning calls that share the quota (README "Identity Center directory").
const DEFAULT_SSO_ADMIN_CALLS_PER_SECOND = 15;
// Organizations throttles at a few requests per second per account; each parent takes two listing calls at once.
const ORGANIZATION_PARENTS_AT_ONCE = 4;

const ORGANIZATIONS_UNAVAILABLE = new Set(['AccessDeniedException', 'AWSOrganizationsNotInUseException']);

const errorName = (error: unknown): string | undefined =>
  error instanceof Error
    ? error.name
    : typeof error === 'object' && error !== null
      ? String((error as { name?: unknown }).name)
      : undefined;

/** The answer for a resource that does not exist: undefined rather than an error. */
const unlessNotFound = async <T>(call: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await call();
  } catch (error) {
    if (errorName(error) === 'ResourceNotFoundException') return undefined;
    throw error;
  }
};

interface Page<T> {
  items: T[] | undefined;
  nextToken: string | undefined;
}

/** Every item of a paged listing, in order. */
const allPages = async <T>(
  what: string,
  fetchPage: (nextToken: string | undefined) => Promise<Page<T>>,
): Promise<T[]> => {
  const items: T[] = [];
  let nextToken: string | undefined;
  for (let pages = 0; pages < MAX_PAGES; pages++) {
    const page = await fetchPage(nextToken);
    items.push(...(page.items ?? []));
    if (!page.nextToken) return items;
    if (page.nextToken === nextToken)
      throw new IncompleteListingError(
        `${what}: the service returned the same NextToken twice; the listing is incomplete`,
      );
    nextToken = page.nextToken;
  }
  throw new IncompleteListingError(`${what}: more than ${MAX_PAGES} pages; refusing to answer with part of the list`);
};

/**
 * Starts at most `perSecond` calls in any one-second window, measured when each call actually starts (as a service
 * counts them), so a stalled event loop cannot release a burst that breaks the limit. Real time, not the injected
 * clock: the service's limit is in real seconds.
 */
const rateLimiter = (perSecond: number) => {
  const started: number[] = [];
  return async <T>(call: () => Promise<T>): Promise<T> => {
    for (;;) {
      const now = Date.now();
      while (started.length > 0 && (started[0] as number) <= now - 1000) started.shift();
      if (started.length < perSecond) {
        started.push(now);
        return call();
      }
      await new Promise((resolve) => setTimeout(resolve, (started[0] as number) + 1000 - now));
    }
  };
};

/** A ListUsers answer that cannot be trusted as filtered: ask GetUserId instead. */
const NOT_ANSWERED = Symbol('not answered');

const isDefined = <T>(value: T | undefined): value is T => value !== undefined;

interface UserShape {
  UserId?: string;
  UserName?: string;
  DisplayName?: string;
  Name?: { Formatted?: string; GivenName?: string; FamilyName?: string };
  Emails?: { Value?: string; Primary?: boolean }[];
}

/** What people recognise a user by; DisplayName is optional in Identity Store, so fall back to the name, then userName. */
const toDirectoryUser = (userId: string, user: UserShape): DirectoryUser => {
  const userName = user.UserName ?? userId;
  const fullName = [user.Name?.GivenName, user.Name?.FamilyName].filter(Boolean).join(' ');
  const email = (user.Emails?.find((e) => e.Primary) ?? user.Emails?.[0])?.Value;
  return {
    userId,
    userName,
    displayName: user.DisplayName || user.Name?.Formatted || fullName || userName,
    ...(email ? { email } : {}),
  };
};

interface Instance {
  instanceArn: string;
  identityStoreId: string;
}

/**
 * Every group of the identity store by name and by id, from one ListGroups listing. `complete` is false when the
 * listing stopped at its bound (maxGroups) or could not be read: a name or id missing from it is then no answer at all,
 * and even from a complete one it only means "not there when the listing was read", so both fall back to GetGroupId /
 * DescribeGroup, which is how a group created since is still found.
 */
interface GroupListing {
  byName: ReadonlyMap<string, DirectoryGroup>;
  byId: ReadonlyMap<string, DirectoryGroup>;
}

/**
 * Every user of the identity store (up to maxUsers) by userName, by each of their email values and by id, from one
 * ListUsers listing. Keys are exact, as the claim arrives: the docs do not say whether GetUserId compares case, so a
 * spelling the listing does not hold is asked with GetUserId, never guessed. A miss always falls back to the exact
 * calls: the user may have been created since, or lie past the bound.
 */
interface UserListing {
  byUserName: ReadonlyMap<string, DirectoryUser>;
  byEmail: ReadonlyMap<string, DirectoryUser>;
  byId: ReadonlyMap<string, DirectoryUser>;
}

export const createIdentityCenterDirectory = (deps: IdentityCenterDirectoryDeps): Directory => {
  const { identityStore, organizations, ssoAdmin, clock } = deps;
  const ttl: DirectoryTtl = { ...DEFAULT_DIRECTORY_TTL, ...deps.ttl };
  const maxUsers = deps.maxUsers ?? DEFAULT_MAX_USERS;
  const maxGroups = Math.max(1_000, Math.floor(maxUsers / 10));
  const concurrency = deps.concurrency ?? DEFAULT_CONCURRENCY;
  const paced = rateLimiter(deps.ssoAdminCallsPerSecond ?? DEFAULT_SSO_ADMIN_CALLS_PER_SECOND);
  const sso = { send: <T>(send: () => Promise<T>): Promise<T> => paced(send) };
  // "Not found" is an answer worth keeping, but only briefly: the user or group may be created a moment later.
  const unlessMissing =
    <V>(ms: number) =>
    (value: V | undefined): number =>
      value === undefined ? ttl.membershipMs : ms;

  const users = new TtlCache<string, DirectoryUser | undefined>({
    clock,
    ttlMs: unlessMissing(ttl.listingMs),
    maxEntries: maxUsers,
  });
  const groups = new TtlCache<string, DirectoryGroup | undefined>({
    clock,
    ttlMs: unlessMissing(ttl.listingMs),
    maxEntries: maxGroups,
  });
  const groupsByName = new TtlCache<string, DirectoryGroup | undefined>({
    clock,
    ttlMs: unlessMissing(ttl.listingMs),
    maxEntries: maxGroups,
  });
  const callers = new TtlCache<string, string | undefined>({ clock, ttlMs: ttl.membershipMs, maxEntries: maxUsers });
  const groupsOfUser = new TtlCache<string, DirectoryGroup[]>({ clock, ttlMs: ttl.membershipMs, maxEntries: maxUsers });
  const membersOfGroup = new TtlCache<string, DirectoryUser[]>({
    clock,
    ttlMs: ttl.membershipMs,
    maxEntries: maxGroups,
  });
  // A permission set deleted since (undefined) is not remembered at all: a new one cannot take its ARN.
  const describedSets = new TtlCache<string, NamedPermissionSet | undefined>({
    clock,
    ttlMs: (value) => (value === undefined ? 0 : ttl.permissionSetMs),
    maxEntries: maxGroups,
  });
  // The whole listings, served stale while one background refresh runs when ttl.listingStaleMs is set.
  const staleListing = <K extends string, V>(
    maxStaleMs: (value: V) => number,
  ): StaleWhileRevalidate<K, V> | undefined =>
    ttl.listingStaleMs > 0
      ? {
          maxStaleMs,
          retryAfterMs: Math.min(LISTING_REFRESH_RETRY_MS, ttl.listingMs),
          onRefreshError: (error, key) =>
            logger.warn('Refreshing a directory listing failed; serving the previous one', {
              listing: key,
              error: errorName(error),
            }),
        }
      : undefined;
  const listings = new TtlCache<'permissionSets', NamedPermissionSet[]>({
    clock,
    ttlMs: ttl.listingMs,
    maxEntries: 1,
    staleWhileRevalidate: staleListing(() => ttl.listingStaleMs),
  });
  const organizationCache = new TtlCache<'organization', OrganizationTree | OrganizationUnavailableError>({
    clock,
    ttlMs: (value) => (value instanceof OrganizationUnavailableError ? ttl.unavailableMs : ttl.listingMs),
    maxEntries: 1,
    // "Organizations cannot be read" is not served stale: access granted since should take effect on the next call.
    staleWhileRevalidate: staleListing((value) =>
      value instanceof OrganizationUnavailableError ? 0 : ttl.listingStaleMs,
    ),
  });

  // Every group, named, from one ListGroups listing (3 calls for 300 groups) instead of a GetGroupId and a DescribeGroup
  // per name: what makes the policy check of dozens of group names, and a caller's group names, cheap.
  const groupListing = new TtlCache<'groups', GroupListing>({
    clock,
    // A listing that could not be read (empty) is retried after unavailableMs, not on every look-up.
    ttlMs: (value) => (value.byId.size === 0 ? ttl.unavailableMs : ttl.listingMs),
    maxEntries: 1,
    staleWhileRevalidate: staleListing(() => ttl.listingStaleMs),
  });

  // Discovery happens once per container; a failed attempt is forgotten so the next call tries again.
  let discovery: Promise<Instance> | undefined;
  const instance = (): Promise<Instance> => {
    const { instanceArn, identityStoreId } = deps;
    if (instanceArn && identityStoreId) return Promise.resolve({ instanceArn, identityStoreId });
    discovery ??= discover(instanceArn, identityStoreId).catch((error: unknown) => {
      discovery = undefined;
      throw error;
    });
    return discovery;
  };

  const discover = async (instanceArn?: string, identityStoreId?: string): Promise<Instance> => {
    const listed = await allPages('ListInstances', async (NextToken) => {
      const output = await sso.send(() =>
        ssoAdmin.send(new ListInstancesCommand({ MaxResults: SSO_ADMIN_PAGE, NextToken })),
      );
      return { items: output.Instances, nextToken: output.NextToken };
    });
    // When one of the two is configured, it picks the instance; otherwise there must be exactly one to pick.
    const candidates = listed.filter(
      (i) =>
        i.InstanceArn &&
        i.IdentityStoreId &&
        (i.Status === undefined || i.Status === 'ACTIVE') &&
        (instanceArn === undefined || i.InstanceArn === instanceArn) &&
        (identityStoreId === undefined || i.IdentityStoreId === identityStoreId),
    );
    const [only, ...others] = candidates;
    if (only === undefined || others.length > 0) {
      const found = candidates.length === 0 ? 'no matching active instance' : `${candidates.length} instances`;
      throw new ConfigError(
        `Identity Center discovery with ListInstances found ${found}; set SSO_INSTANCE_ARN and IDENTITY_STORE_ID`,
      );
    }
    return { instanceArn: only.InstanceArn as string, identityStoreId: only.IdentityStoreId as string };
  };

  const storeId = async (): Promise<string> => (await instance()).identityStoreId;

  // The users listing is never waited for: a look-up uses it only once it is held, and otherwise takes the exact calls
  // while one background read fills it (50 pages at 5,000 users must not be on a cold function's first request).
  let heldUsers: { listing: UserListing; readAt: number } | undefined;
  let readingUsers: Promise<void> | undefined;
  let nextUserListingAt = Number.NEGATIVE_INFINITY;

  const readUserListing = async (): Promise<UserListing> => {
    const IdentityStoreId = await storeId();
    const byUserName = new Map<string, DirectoryUser>();
    const byEmail = new Map<string, DirectoryUser>();
    const byId = new Map<string, DirectoryUser>();
    let nextToken: string | undefined;
    // Bounded like the other user caches: past maxUsers the listing indexes what it holds and the rest take the exact calls.
    for (let pages = 0; pages < Math.ceil(maxUsers / IDENTITY_STORE_PAGE); pages++) {
      const output = await identityStore.send(
        new ListUsersCommand({ IdentityStoreId, MaxResults: IDENTITY_STORE_PAGE, NextToken: nextToken }),
      );
      for (const listed of output?.Users ?? []) {
        if (!listed.UserId || byId.size >= maxUsers) continue;
        const user = toDirectoryUser(listed.UserId, listed);
        byId.set(user.userId, user);
        if (listed.UserName) byUserName.set(listed.UserName, user);
        for (const email of listed.Emails ?? []) if (email.Value) byEmail.set(email.Value, user);
      }
      if (!output?.NextToken || output.NextToken === nextToken) break;
      nextToken = output.NextToken;
    }
    return { byUserName, byEmail, byId };
  };

  /** The users listing if one is held and young enough; starts (or restarts) one background read when due. */
  const listedUsers = (): UserListing | undefined => {
    if (!deps.userListing) return undefined;
    const now = clock.now().getTime();
    const age = heldUsers === undefined ? Number.POSITIVE_INFINITY : now - heldUsers.readAt;
    if (age >= ttl.listingMs && readingUsers === undefined && now >= nextUserListingAt) {
      readingUsers = readUserListing().then(
        (listing) => {
          heldUsers = { listing, readAt: clock.now().getTime() };
          readingUsers = undefined;
        },
        (error: unknown) => {
          // Never a request's failure: look-ups keep taking the exact calls, and the listing is tried again later.
          nextUserListingAt = clock.now().getTime() + USER_LISTING_RETRY_MS;
          readingUsers = undefined;
          logger.warn('Listing the users failed; looking users up one by one', { error: errorName(error) });
        },
      );
    }
    return age < ttl.listingMs + ttl.listingStaleMs ? heldUsers?.listing : undefined;
  };

  const describeUser = async (userId: string): Promise<DirectoryUser | undefined> =>
    listedUsers()?.byId.get(userId) ?? describeUserById(userId);

  /** DescribeUser: for an id the users listing does not hold (or before it is held). */
  const describeUserById = (userId: string): Promise<DirectoryUser | undefined> =>
    users.get(userId, async () => {
      const IdentityStoreId = await storeId();
      const user = await unlessNotFound(() =>
        identityStore.send(new DescribeUserCommand({ IdentityStoreId, UserId: userId })),
      );
      return user && toDirectoryUser(userId, user);
    });

  const readGroupListing = async (): Promise<GroupListing> => {
    const byName = new Map<string, DirectoryGroup>();
    const byId = new Map<string, DirectoryGroup>();
    try {
      const IdentityStoreId = await storeId();
      let nextToken: string | undefined;
      // Bounded like the other group caches: past maxGroups the rest is found one by one, through the fallbacks.
      for (let pages = 0; pages < Math.ceil(maxGroups / IDENTITY_STORE_PAGE); pages++) {
        const output = await identityStore.send(
          new ListGroupsCommand({ IdentityStoreId, MaxResults: IDENTITY_STORE_PAGE, NextToken: nextToken }),
        );
        for (const listed of output?.Groups ?? []) {
          if (!listed.GroupId) continue;
          const group = { groupId: listed.GroupId, displayName: listed.DisplayName ?? listed.GroupId };
          byId.set(group.groupId, group);
          if (listed.DisplayName) byName.set(listed.DisplayName, group);
        }
        if (!output?.NextToken || output.NextToken === nextToken) break;
        nextToken = output.NextToken;
      }
    } catch (error) {
      // The listing is an optimisation: without it (e.g. identitystore:ListGroups not granted, or throttled) every
      // look-up takes the per-group calls, as before it existed.
      logger.warn('Listing the groups failed; looking groups up one by one', { error: errorName(error) });
      return { byName: new Map(), byId: new Map() };
    }
    return { byName, byId };
  };
  const listedGroups = (): Promise<GroupListing> => groupListing.get('groups', readGroupListing);

  const describeGroup = async (groupId: string): Promise<DirectoryGroup | undefined> =>
    (await listedGroups()).byId.get(groupId) ?? describeGroupById(groupId);

  /** DescribeGroup: for an id the listing does not hold (a group created since it was read). */
  const describeGroupById = (groupId: string): Promise<DirectoryGroup | undefined> =>
    groups.get(groupId, async () => {
      const IdentityStoreId = await storeId();
      const group = await unlessNotFound(() =>
        identityStore.send(new DescribeGroupCommand({ IdentityStoreId, GroupId: groupId })),
      );
      return group && { groupId, displayName: group.DisplayName ?? groupId };
    });

  /**
   * One ListUsers call filtered on UserName returns the whole user, where GetUserId needs a DescribeUser after it; the
   * user is put in the description cache as DescribeUser would. AWS documents this filter as deprecated in favour of
   * GetUserId, so an answer that does not look filtered (no Users list, more than one user, or a user with another
   * UserName) is NOT_ANSWERED and the caller asks GetUserId. There is no such filter for emails.value (ListUsers'
   * only filter attribute is UserName), so an email claim keeps GetUserId + DescribeUser.
   */
  const userByUserName = async (
    IdentityStoreId: string,
    userName: string,
  ): Promise<DirectoryUser | undefined | typeof NOT_ANSWERED> => {
    const output = await unlessNotFound(() =>
      identityStore.send(
        new ListUsersCommand({
          IdentityStoreId,
          Filters: [{ AttributePath: 'UserName', AttributeValue: userName }],
          MaxResults: IDENTITY_STORE_PAGE,
        }),
      ),
    );
    const found = output?.Users;
    if (found === undefined || output?.NextToken || found.length > 1) return NOT_ANSWERED;
    const [user] = found;
    if (user === undefined) return undefined;
    if (!user.UserId || user.UserName?.toLowerCase() !== userName.toLowerCase()) return NOT_ANSWERED;
    const directoryUser = toDirectoryUser(user.UserId, user);
    await users.get(user.UserId, async () => directoryUser);
    return directoryUser;
  };

  const findUser = async (attribute: UserAttribute, value: string): Promise<DirectoryUser | undefined> => {
    const listing = listedUsers();
    const listed = (attribute === 'userName' ? listing?.byUserName : listing?.byEmail)?.get(value);
    if (listed !== undefined) return listed;
    // A newline cannot be part of an attribute path, so the key is unambiguous.
    const userId = await callers.get(`${attribute}\n${value}`, async () => {
      const IdentityStoreId = await storeId();
      if (attribute === 'userName') {
        const listed = await userByUserName(IdentityStoreId, value);
        if (listed !== NOT_ANSWERED) return listed?.userId;
      }
      const output = await unlessNotFound(() =>
        identityStore.send(
          new GetUserIdCommand({
            IdentityStoreId,
            AlternateIdentifier: { UniqueAttribute: { AttributePath: attribute, AttributeValue: value } },
          }),
        ),
      );
      return output?.UserId;
    });
    return userId === undefined ? undefined : describeUser(userId);
  };

  const findGroup = async (displayName: string): Promise<DirectoryGroup | undefined> =>
    (await listedGroups()).byName.get(displayName) ?? findGroupByName(displayName);

  /** GetGroupId: for a name the listing does not hold (a group created or renamed since it was read). */
  const findGroupByName = (displayName: string): Promise<DirectoryGroup | undefined> =>
    groupsByName.get(displayName, async () => {
      const IdentityStoreId = await storeId();
      const output = await unlessNotFound(() =>
        identityStore.send(
          new GetGroupIdCommand({
            IdentityStoreId,
            AlternateIdentifier: { UniqueAttribute: { AttributePath: 'displayName', AttributeValue: displayName } },
          }),
        ),
      );
      // The group's own spelling of its name, through the description cache that groupsOf shares.
      return output?.GroupId === undefined ? undefined : describeGroup(output.GroupId);
    });

  const memberOf = async (userId: string, groupIds: readonly string[]): Promise<ReadonlySet<string>> => {
    const unique = [...new Set(groupIds)];
    if (unique.length === 0) return new Set();
    const IdentityStoreId = await storeId();
    const chunks: string[][] = [];
    for (let start = 0; start < unique.length; start += IS_MEMBER_IN_GROUPS_MAX)
      chunks.push(unique.slice(start, start + IS_MEMBER_IN_GROUPS_MAX));
    const answers = await mapBounded(chunks, concurrency, (GroupIds) =>
      identityStore.send(new IsMemberInGroupsCommand({ IdentityStoreId, MemberId: { UserId: userId }, GroupIds })),
    );
    return new Set(
      answers.flatMap((a) => a.Results ?? []).flatMap((r) => (r.MembershipExists && r.GroupId ? [r.GroupId] : [])),
    );
  };

  const groupsOf = (userId: string): Promise<DirectoryGroup[]> =>
    groupsOfUser.get(userId, async () => {
      const IdentityStoreId = await storeId();
      const memberships = await allPages('ListGroupMembershipsForMember', async (NextToken) => {
        const output = await identityStore.send(
          new ListGroupMembershipsForMemberCommand({
            IdentityStoreId,
            MemberId: { UserId: userId },
            MaxResults: IDENTITY_STORE_PAGE,
            NextToken,
          }),
        );
        return { items: output.GroupMemberships, nextToken: output.NextToken };
      });
      const groupIds = [...new Set(memberships.flatMap((m) => (m.GroupId ? [m.GroupId] : [])))];
      // A group deleted between the two calls is simply not there.
      return (await mapBounded(groupIds, concurrency, describeGroup)).filter(isDefined);
    });

  const membersOf = (groupId: string): Promise<DirectoryUser[]> =>
    membersOfGroup.get(groupId, async () => {
      const IdentityStoreId = await storeId();
      const memberships = await allPages('ListGroupMemberships', async (NextToken) => {
        const output = await identityStore.send(
          new ListGroupMembershipsCommand({
            IdentityStoreId,
            GroupId: groupId,
            MaxResults: IDENTITY_STORE_PAGE,
            NextToken,
          }),
        );
        return { items: output.GroupMemberships, nextToken: output.NextToken };
      });
      // Only users: the MemberId union may name other kinds of member in future, and they cannot approve.
      const userIds = [...new Set(memberships.flatMap((m) => (m.MemberId?.UserId ? [m.MemberId.UserId] : [])))];
      return (await mapBounded(userIds, concurrency, describeUser)).filter(isDefined);
    });

  const permissionSets = (): Promise<NamedPermissionSet[]> =>
    listings.get('permissionSets', async () => {
      const { instanceArn: InstanceArn } = await instance();
      const arns = await allPages('ListPermissionSets', async (NextToken) => {
        const output = await sso.send(() =>
          ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn, MaxResults: SSO_ADMIN_PAGE, NextToken })),
        );
        return { items: output.PermissionSets, nextToken: output.NextToken };
      });
      return (await namePermissionSets(InstanceArn, arns)).filter(isDefined);
    });

  const describePermissionSet = async (
    InstanceArn: string,
    PermissionSetArn: string,
  ): Promise<NamedPermissionSet | undefined> => {
    const output = await unlessNotFound(() =>
      sso.send(() => ssoAdmin.send(new DescribePermissionSetCommand({ InstanceArn, PermissionSetArn }))),
    );
    const set = output?.PermissionSet;
    if (set === undefined) return undefined; // deleted between the two calls
    const named: NamedPermissionSet = { arn: PermissionSetArn, name: set.Name ?? PermissionSetArn };
    if (set.Description) named.description = set.Description;
    return named;
  };

  /** Each listed ARN's name, in order (undefined: deleted since it was listed). ListPermissionSets decides which exist. */
  const namePermissionSets = async (
    InstanceArn: string,
    arns: readonly string[],
  ): Promise<(NamedPermissionSet | undefined)[]> => {
    const store = deps.permissionSetNames;
    if (store === undefined)
      return mapBounded(arns, concurrency, (arn) =>
        describedSets.get(arn, () => describePermissionSet(InstanceArn, arn)),
      );
    const stored = await store.read(arns);
    const now = clock.now().getTime();
    const toDescribe = arns.filter((arn) => {
      const copy = stored.get(arn);
      return copy === undefined || now - copy.describedAt >= ttl.permissionSetRefreshMs;
    });
    const described = await mapBounded(toDescribe, concurrency, async (arn) => {
      const copy = stored.get(arn);
      if (copy === undefined) return describePermissionSet(InstanceArn, arn);
      try {
        return await describePermissionSet(InstanceArn, arn);
      } catch (error) {
        // Only the description can have changed since the stored copy was made, so it is still worth showing.
        logger.warn('Refreshing a stored permission-set description failed; using the stored copy', {
          permissionSetArn: arn,
          error: errorName(error),
        });
        return copy.set;
      }
    });
    const fresh = new Map(toDescribe.map((arn, index) => [arn, described[index]]));
    await store.write(
      toDescribe.flatMap((arn, index) => {
        const set = described[index];
        // A set whose refresh failed kept its old copy: not re-stored as if it had just been described.
        return set !== undefined && set !== stored.get(arn)?.set ? [set] : [];
      }),
    );
    return arns.map((arn) => (fresh.has(arn) ? fresh.get(arn) : stored.get(arn)?.set));
  };

  const readOrganization = async (): Promise<OrganizationTree> => {
    const roots = await allPages('ListRoots', async (NextToken) => {
      const output = await organizations.send(new ListRootsCommand({ MaxResults: ORGANIZATIONS_PAGE, NextToken }));
      return { items: output.Roots, nextToken: output.NextToken };
    });
    const rootId = roots[0]?.Id;
    if (rootId === undefined) throw new IncompleteListingError('ListRoots returned no root');

    // Each OU's chain of ancestors: itself, its parent, …, the root. An account's ancestors are its parent's chain.
    const chains = new Map<string, string[]>([[rootId, [rootId]]]);
    const ouIds = new Set<string>();
    const accounts = new Map<string, DirectoryAccount>();
    // Breadth-first, one level at a time, the parents of a level read in parallel (bounded).
    let level = [rootId];
    while (level.length > 0) {
      const children = await mapBounded(level, ORGANIZATION_PARENTS_AT_ONCE, async (ParentId) => {
        const [ous, accountsHere] = await Promise.all([
          allPages(`ListOrganizationalUnitsForParent ${ParentId}`, async (NextToken) => {
            const output = await organizations.send(
              new ListOrganizationalUnitsForParentCommand({ ParentId, MaxResults: ORGANIZATIONS_PAGE, NextToken }),
            );
            return { items: output.OrganizationalUnits, nextToken: output.NextToken };
          }),
          allPages(`ListAccountsForParent ${ParentId}`, async (NextToken) => {
            const output = await organizations.send(
              new ListAccountsForParentCommand({ ParentId, MaxResults: ORGANIZATIONS_PAGE, NextToken }),
            );
            return { items: output.Accounts, nextToken: output.NextToken };
          }),
        ]);
        const chain = chains.get(ParentId) ?? [ParentId];
        for (const account of accountsHere) {
          if (account.Id)
            accounts.set(account.Id, { id: account.Id, name: account.Name ?? account.Id, ancestors: chain });
        }
        const ouChildren = ous.flatMap((ou) => (ou.Id ? [ou.Id] : []));
        for (const ouId of ouChildren) {
          ouIds.add(ouId);
          chains.set(ouId, [ouId, ...chain]);
        }
        return ouChildren;
      });
      level = children.flat();
    }
    return { rootId, ouIds, accounts };
  };

  const organization = async (): Promise<OrganizationTree> => {
    const tree = await organizationCache.get('organization', async () => {
      try {
        return await readOrganization();
      } catch (error) {
        const name = errorName(error);
        // Missing access is a state of the deployment, not a passing failure: it is remembered briefly (unavailableMs)
        // so that every submit does not pay a refused call; any other error is not cached at all.
        if (name !== undefined && ORGANIZATIONS_UNAVAILABLE.has(name)) {
          return new OrganizationUnavailableError(
            `The organisation cannot be read (${name}); account ids stand in for names and OU rules cannot match`,
            { cause: error },
          );
        }
        throw error;
      }
    });
    if (tree instanceof OrganizationUnavailableError) throw tree;
    return tree;
  };

  return {
    instanceArn: async () => (await instance()).instanceArn,
    identityStoreId: storeId,
    findUser,
    describeUser,
    describeGroup,
    findGroup,
    memberOf,
    groupsOf,
    membersOf,
    permissionSets,
    organization,
  };
};

/** The production directory: one per warm function, made on first use from the environment (functions/shared/config). */
export const defaultDirectory: () => Directory = lazy(() =>
  createIdentityCenterDirectory({
    identityStore: identityStoreClient(),
    organizations: organizationsClient(),
    ssoAdmin: ssoAdminReadClient(),
    clock: systemClock,
    instanceArn: config.ssoInstanceArn(),
    identityStoreId: config.identityStoreId(),
    ttl: { listingStaleMs: PRODUCTION_LISTING_STALE_MS },
    userListing: true,
    permissionSetNames: createPermissionSetNameStore({
      db: documentClient(),
      tableName: config.tableName(),
      clock: systemClock,
    }),
  }),
);
