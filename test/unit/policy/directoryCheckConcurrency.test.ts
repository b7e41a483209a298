// The policy's directory check on a cold function: the group look-ups, the organisation and the permission sets are
// read together, not one after another, and group look-ups overlap at most 8 at a time; the answer is unchanged.
import { describe, expect, it } from '@jest/globals';
import { type Directory, OrganizationUnavailableError } from '../../../functions/directory/directory.js';
import { checkPolicyAgainstDirectory } from '../../../functions/policy/directoryCheck.js';
import { parsePolicy } from '../../../functions/policy/policy.js';
import { memoryDirectory } from '../../fixtures/memoryDirectory.js';

const SSO = 'sso:CreateAccountAssignment';

/** Wraps each look-up so that it takes `ms`, recording how many are in flight and when each started. */
const slowed = (inner: Directory, ms: number) => {
  const started: Record<string, number[]> = {};
  let inFlight = 0;
  let mostInFlight = 0;
  const t0 = performance.now();
  const slow =
    <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      started[name] = [...(started[name] ?? []), performance.now() - t0];
      if (name === 'findGroup') {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
      }
      await new Promise((resolve) => setTimeout(resolve, ms));
      if (name === 'findGroup') inFlight--;
      return fn(...args);
    };
  const directory: Directory = {
    ...inner,
    findGroup: slow('findGroup', inner.findGroup),
    organization: slow('organization', inner.organization),
    permissionSets: slow('permissionSets', inner.permissionSets),
  };
  return { directory, started, mostInFlight: () => mostInFlight };
};

describe('checkPolicyAgainstDirectory, concurrency', () => {
  it('reads the organisation and permission sets while it looks the groups up, 8 groups at a time', async () => {
    // Prepare: 20 requester groups (3 exist), an OU rule and a PermissionSetName rule; each look-up takes 20 ms
    const base = memoryDirectory();
    const names = ['Engineers', 'Auditors', 'On-call', ...Array.from({ length: 17 }, (_, i) => `Missing ${i}`)];
    const policy = parsePolicy({
      rules: [
        {
          action: SSO,
          requesters: names.map((n) => `group:${n}`),
          match: { OrganizationalUnit: ['ou-ab12-22222222'], PermissionSetName: ['ReadOnly'] },
          approvers: ['bob@example.com'],
        },
      ],
    });
    const { directory, started, mostInFlight } = slowed(base, 20);

    // Act
    const checked = checkPolicyAgainstDirectory(policy, directory);

    // Assess: the same answer as ever (the missing groups, named), and the shape of the calls
    await expect(checked).rejects.toThrow(/requesters group "Missing 0" does not exist in Identity Center/);
    await expect(checked).rejects.toThrow(/requesters group "Missing 16" does not exist/);
    expect(started.findGroup).toHaveLength(20);
    expect(mostInFlight()).toBe(8);
    // Both listings started before the second round of group look-ups, i.e. alongside the first
    const secondRound = (started.findGroup ?? [])[8] as number;
    expect(started.organization?.[0]).toBeLessThan(secondRound);
    expect(started.permissionSets?.[0]).toBeLessThan(secondRound);
  });

  it('still refuses an OU policy when the organisation cannot be read, with the same message', async () => {
    // Prepare
    const base = memoryDirectory();
    const directory: Directory = {
      ...base,
      organization: async () => {
        throw new OrganizationUnavailableError('AccessDeniedException');
      },
    };
    const policy = parsePolicy({
      rules: [{ action: SSO, match: { OrganizationalUnit: ['ou-ab12-22222222'] }, approvers: ['group:Engineers'] }],
    });
    // Act
    const checked = checkPolicyAgainstDirectory(policy, directory, 'policy file p.json');
    // Assess
    await expect(checked).rejects.toThrow(
      'Invalid policy file p.json: OrganizationalUnit rules need the organisation, which cannot be read (AccessDeniedException)',
    );
  });
});
