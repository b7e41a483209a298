// The page scenario's policy over the catalog benchmark's generated directory (bench/catalog/fixture.ts): one person
// whose catalog lists every account of the organisation with every permission set, so the page's first render has
// the whole 600-account catalog to fill its pickers with. The catalog scenario's own policy spreads people over
// narrower rules; this one is the page's worst case, not a typical caller.
import type { Policy } from '../../functions/policy/policy.js';
import type { GeneratedCatalog } from '../catalog/fixture.js';

export interface PagePolicy {
  policy: Policy;
  /** The signed-in person: the one requester of the rule, and no approver of it. */
  caller: { email: string; userName: string };
  /** What the caller's catalog must list: every account, every permission set. */
  expected: { accounts: number; permissionSets: number };
}

export const pagePolicy = (generated: GeneratedCatalog): PagePolicy => {
  const { identityStore, organizations, sso } = generated.fixtures;
  const approverGroup = generated.approverGroups[0];
  const approvers = new Set(identityStore.groups.find((g) => g.displayName === approverGroup)?.members ?? []);
  if (!approverGroup || approvers.size === 0)
    throw new Error('the generated directory has no approver group with members');
  // The first user who cannot be one of the rule's approvers: the requester is never their own approver.
  const user = identityStore.users.find((u) => !approvers.has(u.userName));
  if (!user) throw new Error('every generated user is an approver');
  const policy: Policy = {
    identity: { claim: 'email', userAttribute: 'emails.value' },
    approvalTimeoutSeconds: 86_400,
    rules: [
      {
        action: 'sso:CreateAccountAssignment',
        requesters: [user.email],
        // The root: every account, at any depth. No PermissionSetName: every permission set.
        match: { OrganizationalUnit: [organizations.rootId] },
        principals: 'self',
        approvers: [`group:${approverGroup}`],
        minApprovals: 1,
        maxDurationMinutes: 480,
      },
    ],
  };
  return {
    policy,
    caller: { email: user.email, userName: user.userName },
    expected: { accounts: organizations.accounts.length, permissionSets: sso.permissionSets.length },
  };
};
