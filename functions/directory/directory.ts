// The Identity Center directory as the rest of the code sees it: people, groups, permission sets by name and the
// organisation's accounts and OUs. One implementation (identityCenter.ts) reads Identity Store, SSO Admin and
// Organizations through injectable SDK clients and caches per warm function; tests may pass their own.

/** An Identity Center user, with what people recognise them by. */
export interface DirectoryUser {
  userId: string;
  userName: string;
  displayName: string;
  /** The primary email (or the first one), when the user has any. */
  email?: string;
}

export interface DirectoryGroup {
  groupId: string;
  displayName: string;
}

export interface NamedPermissionSet {
  arn: string;
  /** Identity Center never changes a permission set's name, so policy may match on it. */
  name: string;
  description?: string;
}

export interface DirectoryAccount {
  id: string;
  name: string;
  /** The account's parent OU first, then each OU above it, ending with the root id (`r-…`). */
  ancestors: string[];
}

/** The whole organisation, read once and cached: it is what OU rules and account names are resolved against. */
export interface OrganizationTree {
  rootId: string;
  /** Every OU id, for the policy loader's "does this OU exist" check. */
  ouIds: ReadonlySet<string>;
  accounts: ReadonlyMap<string, DirectoryAccount>;
}

/** Which unique user attribute a caller's claim is matched against (GetUserId's AlternateIdentifier). */
export type UserAttribute = 'emails.value' | 'userName';

export interface Directory {
  /** SSO_INSTANCE_ARN, or discovered once with ListInstances when it is unset. */
  instanceArn(): Promise<string>;
  /** IDENTITY_STORE_ID, or discovered once with ListInstances when it is unset. */
  identityStoreId(): Promise<string>;
  /** GetUserId by a unique attribute, then DescribeUser; undefined when no user has that value. */
  findUser(attribute: UserAttribute, value: string): Promise<DirectoryUser | undefined>;
  /** DescribeUser; undefined when the user does not exist. */
  describeUser(userId: string): Promise<DirectoryUser | undefined>;
  /** DescribeGroup; undefined when the group does not exist. */
  describeGroup(groupId: string): Promise<DirectoryGroup | undefined>;
  /** GetGroupId by DisplayName; undefined when no group has that name. */
  findGroup(displayName: string): Promise<DirectoryGroup | undefined>;
  /**
   * The ids among `groupIds` that the user is a member of (IsMemberInGroups, up to 100 ids per call). Never served
   * from a cache: this is the check that makes a submit honour a membership removed a moment ago.
   */
  memberOf(userId: string, groupIds: readonly string[]): Promise<ReadonlySet<string>>;
  /** Every group the user belongs to (ListGroupMembershipsForMember, all pages, then the groups' names). */
  groupsOf(userId: string): Promise<DirectoryGroup[]>;
  /** Every member of the group that is a user (ListGroupMemberships, all pages, then DescribeUser). */
  membersOf(groupId: string): Promise<DirectoryUser[]>;
  /** Every permission set of the instance, named (ListPermissionSets, all pages, then DescribePermissionSet). */
  permissionSets(): Promise<NamedPermissionSet[]>;
  /** The organisation (ListRoots, ListOrganizationalUnitsForParent and ListAccountsForParent, all pages). */
  organization(): Promise<OrganizationTree>;
}

/**
 * The organisation cannot be read: Organizations access is missing (AccessDeniedException) or the account is in no
 * organisation (AWSOrganizationsNotInUseException). Callers that only want names let the account id stand in (DESIGN
 * "Names everywhere"); callers that need OUs (an OrganizationalUnit rule) cannot match. It lives here, beside the
 * interface, so any Directory, including a test's in-memory one, can throw it without the AWS implementation.
 */
export class OrganizationUnavailableError extends Error {
  override readonly name = 'OrganizationUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
