// The contract every supported AWS action implements. Adding an action means adding one module that
// exports an ActionDefinition and listing it in registry.ts.
import type { ProtonClient } from '@aws-sdk/client-proton';
import type { JsonSchema } from '../shared/validation.js';

/** Clients an action may use to look up facts about its target at submit time. */
export interface ActionClients {
  proton: () => ProtonClient;
}

/** What is known about a request beyond its parameters, e.g. a Proton connection's environment. */
export type TargetFacts = Record<string, string>;

export interface ActionDefinition<P extends Record<string, string> = Record<string, string>> {
  /** IAM-style action name, e.g. `sso:CreateAccountAssignment`. */
  readonly name: string;
  /** JSON Schema for `parameters`, carrying every constraint of the AWS API reference. */
  readonly parameterSchema: JsonSchema;
  /** Request parameters, and facts from `describeTarget`, that approval policy rules may match on. */
  readonly policyKeys: readonly string[];
  /**
   * Looks up facts about the target that policy may match on and approvers should see. A fact that
   * cannot be looked up is left out; a rule that needs it then does not match.
   */
  describeTarget?(parameters: P, clients: ActionClients): Promise<TargetFacts>;
  /** What approvers read: one line naming the change. */
  summarize(parameters: P, facts: TargetFacts): string;
  /** The resource the change is about, for audit queries by target. */
  targetId(parameters: P): string;
  /** Whether the grant can be taken back automatically (time-bound access). */
  readonly revocable: boolean;
}
