// The contract every supported AWS action implements. Adding an action means adding one module that
// exports an ActionDefinition and listing it in registry.ts.
import type { JsonSchema } from '../shared/validation.js';

export interface ActionDefinition<P extends Record<string, string> = Record<string, string>> {
  /** IAM-style action name, e.g. `sso:CreateAccountAssignment`. */
  readonly name: string;
  /** JSON Schema for `parameters`, carrying every constraint of the AWS API reference. */
  readonly parameterSchema: JsonSchema;
  /** Request parameters that approval policy rules may match on. */
  readonly policyKeys: readonly string[];
  /** What approvers read: one line naming the change. */
  summarize(parameters: P): string;
  /** The resource the change is about, for audit queries by target. */
  targetId(parameters: P): string;
  /** Whether the grant can be taken back automatically (time-bound access). */
  readonly revocable: boolean;
}
