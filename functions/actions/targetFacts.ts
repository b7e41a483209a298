// Facts about a request's target that take an AWS call, looked up at submit time. They are kept apart from the
// action definitions so that every other function (reading policy, showing or listing requests) bundles no SDK
// client for them. A fact that cannot be looked up is left out; a rule that needs it then does not match.
import type { ProtonClient } from '@aws-sdk/client-proton';
import { describeProtonConnection } from './protonConnectionFacts.js';
import {
  protonAcceptEnvironmentAccountConnection,
  type ProtonAcceptParameters,
} from './protonAcceptEnvironmentAccountConnection.js';
import type { TargetFacts } from './types.js';

/** Clients an action may use to look up facts about its target at submit time. */
export interface ActionClients {
  proton: () => ProtonClient;
}

type Lookup = (parameters: Record<string, string>, clients: ActionClients) => Promise<TargetFacts>;

// Parameters reach a look-up only after its action's schema accepted them, which is what the casts rely on.
const lookups = new Map<string, Lookup>([
  [
    protonAcceptEnvironmentAccountConnection.name,
    (p, clients) => describeProtonConnection(p as ProtonAcceptParameters, clients),
  ],
]);

/** The facts for one validated request; actions with no look-up have none. */
export const describeTarget = async (
  action: string,
  parameters: Record<string, string>,
  clients: ActionClients,
): Promise<TargetFacts> => (await lookups.get(action)?.(parameters, clients)) ?? {};
