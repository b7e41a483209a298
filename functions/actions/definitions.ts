// The supported actions, in the order callers see them. Adding an action means adding its module here (and its
// look-up, if it has one, in targetFacts.ts), then `npm run generate:validators`.
import { protonAcceptEnvironmentAccountConnection } from './protonAcceptEnvironmentAccountConnection.js';
import { ssoCreateAccountAssignment } from './ssoCreateAccountAssignment.js';
import type { ActionDefinition } from './types.js';

export const actionDefinitions: ReadonlyArray<ActionDefinition> = [
  protonAcceptEnvironmentAccountConnection,
  ssoCreateAccountAssignment,
];
