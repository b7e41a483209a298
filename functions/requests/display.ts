// The display snapshot (DESIGN.md, "Names everywhere"): the names of a request's requester, principal, permission set
// and account, resolved once at submit and stored with it, so approvers and auditors read names and a later rename
// does not change what a request was shown as. Only the principal must resolve (a grant to nobody is refused); any
// other name that cannot be looked up is replaced by its id and the request goes on.
import type { Directory, NamedPermissionSet, OrganizationTree } from '../directory/directory.js';
import { protonAcceptEnvironmentAccountConnection } from '../actions/protonAcceptEnvironmentAccountConnection.js';
import { ssoCreateAccountAssignment } from '../actions/ssoCreateAccountAssignment.js';
import type { ResolvedCaller } from '../policy/eligibility.js';
import { ValidationError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import type { DisplayName, RequestDisplay } from './model.js';

export interface DisplayInput {
  action: string;
  /** The completed, validated parameters. */
  parameters: Readonly<Record<string, string>>;
  /** Facts looked up about the target (targetFacts.ts). */
  facts: Readonly<Record<string, string>>;
  caller: ResolvedCaller;
}

/** What a look-up that may fail gives: its value, or undefined after a warning naming what was lost (no secrets). */
const orIdsStandIn = async <T>(what: string, lookUp: () => Promise<T>): Promise<T | undefined> => {
  try {
    return await lookUp();
  } catch (error) {
    logger.warn('A name could not be resolved at submit; its id stands in', {
      lookUp: what,
      errorName: (error as Error).name,
    });
    return undefined;
  }
};

const requesterName = (caller: ResolvedCaller): DisplayName => ({
  id: caller.id,
  name: caller.user?.displayName || caller.id,
});

const accountName = (organization: OrganizationTree | undefined, accountId: string): DisplayName => ({
  id: accountId,
  name: organization?.accounts.get(accountId)?.name || accountId,
});

const principalName = async (
  directory: Directory,
  caller: ResolvedCaller,
  type: string,
  id: string,
): Promise<NonNullable<RequestDisplay['principal']>> => {
  if (type === 'GROUP') {
    const group = await directory.describeGroup(id);
    if (!group)
      throw new ValidationError([{ path: 'parameters.PrincipalId', message: 'no Identity Center group has this id' }]);
    return { type: 'GROUP', id, name: group.displayName || id };
  }
  // Asking for oneself is the common case, and resolving the caller already described their user.
  const user = caller.user?.userId === id ? caller.user : await directory.describeUser(id);
  if (!user)
    throw new ValidationError([{ path: 'parameters.PrincipalId', message: 'no Identity Center user has this id' }]);
  return { type: 'USER', id, name: user.displayName || user.userName || id, userName: user.userName };
};

const permissionSetName = (
  sets: readonly NamedPermissionSet[] | undefined,
  arn: string,
): NonNullable<RequestDisplay['permissionSet']> => {
  const found = sets?.find((set) => set.arn === arn);
  if (!found) return { arn, name: arn.split('/').pop() || arn };
  return { arn, name: found.name, ...(found.description ? { description: found.description } : {}) };
};

type DisplayBuilder = (input: DisplayInput, directory: Directory) => Promise<RequestDisplay>;

// Keyed by action like targetFacts.ts. The directory caches its listings, so on a warm function these look-ups cost
// no AWS call beyond the principal's DescribeUser or DescribeGroup when someone else is named.
const builders = new Map<string, DisplayBuilder>([
  [
    ssoCreateAccountAssignment.name,
    async ({ parameters: p, caller }, directory) => {
      const [principal, sets, organization] = await Promise.all([
        principalName(directory, caller, p.PrincipalType ?? 'USER', p.PrincipalId ?? ''),
        orIdsStandIn('permissionSets', () => directory.permissionSets()),
        orIdsStandIn('organization', () => directory.organization()),
      ]);
      return {
        requester: requesterName(caller),
        principal,
        permissionSet: permissionSetName(sets, p.PermissionSetArn ?? ''),
        account: accountName(organization, p.TargetId ?? ''),
      };
    },
  ],
  [
    protonAcceptEnvironmentAccountConnection.name,
    async ({ facts, caller }, directory) => {
      // The environment's account is a fact of the connection; naming it costs nothing once the tree is cached.
      const accountId = facts.environmentAccountId;
      const organization = accountId ? await orIdsStandIn('organization', () => directory.organization()) : undefined;
      return {
        requester: requesterName(caller),
        ...(accountId ? { account: accountName(organization, accountId) } : {}),
      };
    },
  ],
]);

/** The snapshot for a validated request. Throws ValidationError naming `parameters.PrincipalId` for no such principal. */
export const buildDisplay = async (input: DisplayInput, directory: Directory): Promise<RequestDisplay> =>
  (await builders.get(input.action)?.(input, directory)) ?? { requester: requesterName(input.caller) };
