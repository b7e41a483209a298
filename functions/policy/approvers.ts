// Who decides: a rule's approver entries with each `group:<DisplayName>` expanded to its members' identity values
// (the value a member signs in with, by the policy's identity mapping), so that a link, a Slack click or a signed-in
// decision by a member is recognised as the approver stored with the request.
import type { Directory, DirectoryUser } from '../directory/directory.js';
import { groupName, type Policy, type PolicyRule } from './policy.js';

/** The identity value a user is known by in requests and decisions: the mapped attribute, as their JWT claim holds it. */
export const identityValue = (policy: Policy, user: DirectoryUser): string | undefined =>
  (policy.identity?.userAttribute ?? 'emails.value') === 'userName' ? user.userName : user.email;

/** The rule's approvers, groups expanded, deduplicated in policy order; members with no identity value are left out. */
export const expandApprovers = async (policy: Policy, rule: PolicyRule, directory: Directory): Promise<string[]> => {
  const expanded = new Set<string>();
  for (const entry of rule.approvers) {
    const name = groupName(entry);
    if (name === undefined) {
      expanded.add(entry);
      continue;
    }
    const group = await directory.findGroup(name);
    // The directory check refuses a policy naming a missing group; one deleted since then simply approves nothing.
    if (!group) continue;
    for (const member of await directory.membersOf(group.groupId)) {
      const value = identityValue(policy, member);
      if (value !== undefined) expanded.add(value);
    }
  }
  return [...expanded];
};
