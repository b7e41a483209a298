// The supported actions, by name. Everything that varies by action (schema, summary, policy keys, target) is
// looked up here, so the rest of the code never switches on an action name. Nothing here calls AWS: facts that
// need a look-up are in targetFacts.ts, which only submit bundles.
import { actionDefinitions } from './definitions.js';
import { parameterValidators } from './parameterValidators.generated.js';
import type { ActionDefinition } from './types.js';
import { toValidator, type Validator } from '../shared/validation.js';

export interface RegisteredAction {
  definition: ActionDefinition;
  validateParameters: Validator<Record<string, string>>;
}

const registry = new Map<string, RegisteredAction>(
  actionDefinitions.map((definition) => {
    const validate = parameterValidators[definition.name];
    // An action added without regenerating the validators must not start with its parameters unchecked.
    if (!validate)
      throw new Error(`No generated parameter validator for ${definition.name}: run npm run generate:validators`);
    return [definition.name, { definition, validateParameters: toValidator<Record<string, string>>(validate) }];
  }),
);

export const actionNames = (): string[] => [...registry.keys()];

export const findAction = (name: string): RegisteredAction | undefined => registry.get(name);
