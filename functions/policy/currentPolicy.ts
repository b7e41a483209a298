// The deployed policy, loaded from POLICY_FILE once per container. A broken policy throws here, during the
// first invocation, with a message naming the rule.
import { config } from '../shared/config.js';
import { loadPolicyFile, type Policy } from './policy.js';

let loaded: Policy | undefined;

export const currentPolicy = (): Policy => (loaded ??= loadPolicyFile(config.policyFile()));
