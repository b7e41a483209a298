// The supported actions. Everything that varies by action (schema, summary, policy keys, target) is
// looked up here, so the rest of the code never switches on an action name.
import { protonAcceptEnvironmentAccountConnection } from './protonAcceptEnvironmentAccountConnection.js';
import { ssoCreateAccountAssignment } from './ssoCreateAccountAssignment.js';
import type { ActionDefinition } from './types.js';
import { compileValidator, type Validator } from '../shared/validation.js';

const definitions: ReadonlyArray<ActionDefinition> = [
  protonAcceptEnvironmentAccountConnection,
  ssoCreateAccountAssignment,
];

export interface RegisteredAction {
  definition: ActionDefinition;
  validateParameters: Validator<Record<string, string>>;
}

const registry = new Map<string, RegisteredAction>(
  definitions.map((definition) => [
    definition.name,
    { definition, validateParameters: compileValidator<Record<string, string>>(definition.parameterSchema) },
  ]),
);

export const actionNames = (): string[] => [...registry.keys()];

export const findAction = (name: string): RegisteredAction | undefined => registry.get(name);
