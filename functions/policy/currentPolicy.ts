// The deployed policy, loaded from POLICY_FILE once per container. A broken policy throws here, during the
// first invocation, with a message naming the rule.
import type { Directory } from '../directory/directory.js';
import { config } from '../shared/config.js';
import { checkPolicyAgainstDirectory } from './directoryCheck.js';
import { loadPolicyFile, type Policy } from './policy.js';

let loaded: Policy | undefined;
let checked: Promise<Policy> | undefined;

/** The policy as the file gives it, for functions whose answers do not depend on the directory. */
export const currentPolicy = (): Policy => (loaded ??= loadPolicyFile(config.policyFile()));

/**
 * The policy once checked against the directory (groups, OUs and permission sets exist, no rule is unreachable), for
 * functions whose answers depend on it (submit, catalog). Checked once per container; a failed check is not kept,
 * so a directory that was briefly unreachable is asked again, and a broken policy fails every invocation loudly.
 */
export const checkedPolicy = (directory: Directory): Promise<Policy> => {
  checked ??= (async () => {
    const policy = currentPolicy();
    await checkPolicyAgainstDirectory(policy, directory, `policy file ${config.policyFile()}`);
    return policy;
  })().catch((error: unknown) => {
    checked = undefined;
    throw error;
  });
  return checked;
};
