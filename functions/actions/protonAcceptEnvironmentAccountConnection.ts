// proton:AcceptEnvironmentAccountConnection — constraints from the AWS Proton API reference.
// AWS Proton reached end of support on 2026-10-07; the action stays fully supported here.
import type { ActionDefinition } from './types.js';

export interface ProtonAcceptParameters extends Record<string, string> {
  id: string;
}

export const protonAcceptEnvironmentAccountConnection: ActionDefinition<ProtonAcceptParameters> = {
  name: 'proton:AcceptEnvironmentAccountConnection',
  parameterSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['id'],
    properties: {
      // The reference gives lowercase hex only; uppercase ids are rejected as AWS would.
      id: { type: 'string', pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' },
    },
  },
  // environmentAccountId and environmentName are facts looked up at submit (protonConnectionFacts.ts).
  policyKeys: ['id', 'environmentAccountId', 'environmentName'],
  summarize: (p, facts) =>
    `Accept AWS Proton environment account connection ${p.id}` +
    (facts.environmentName || facts.environmentAccountId
      ? ` (environment ${facts.environmentName ?? 'unknown'}, account ${facts.environmentAccountId ?? 'unknown'})`
      : ''),
  targetId: (p) => p.id,
  revocable: false,
};
