// The contract every supported AWS action implements. Adding an action means adding one module that exports an
// ActionDefinition and listing it in definitions.ts. Definitions are data and pure functions: any AWS look-up
// about the target belongs in targetFacts.ts, so that the functions reading policy never bundle an SDK client.
import type { RequestDisplay } from '../requests/model.js';
import type { JsonSchema } from '../shared/validation.js';

/** What is known about a request beyond its parameters, e.g. a Proton connection's environment. */
export type TargetFacts = Record<string, string>;

export interface ActionDefinition<P extends Record<string, string> = Record<string, string>> {
  /** IAM-style action name, e.g. `sso:CreateAccountAssignment`. */
  readonly name: string;
  /** JSON Schema for `parameters`, carrying every constraint of the AWS API reference. */
  readonly parameterSchema: JsonSchema;
  /** Request parameters, and facts from the action's target look-up (targetFacts.ts), that policy rules may match on. */
  readonly policyKeys: readonly string[];
  /**
   * What approvers read: one line naming the change, in the names of `display` where the request has them (resolved
   * at submit), else in ids.
   */
  summarize(parameters: P, facts: TargetFacts, display?: RequestDisplay): string;
  /** The resource the change is about, for audit queries by target. */
  targetId(parameters: P): string;
  /** Whether the grant can be taken back automatically (time-bound access). */
  readonly revocable: boolean;
}
