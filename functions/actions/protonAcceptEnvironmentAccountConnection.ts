// proton:AcceptEnvironmentAccountConnection — constraints from the AWS Proton API reference.
// AWS Proton reached end of support on 2026-10-07; the action stays fully supported here.
import { GetEnvironmentAccountConnectionCommand } from '@aws-sdk/client-proton';
import { ValidationError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import type { ActionDefinition, TargetFacts } from './types.js';

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
  policyKeys: ['id', 'environmentAccountId', 'environmentName'],
  async describeTarget(p, clients): Promise<TargetFacts> {
    try {
      const { environmentAccountConnection: c } = await clients.proton().send(new GetEnvironmentAccountConnectionCommand({ id: p.id }));
      return {
        ...(c?.environmentAccountId ? { environmentAccountId: c.environmentAccountId } : {}),
        ...(c?.environmentName ? { environmentName: c.environmentName } : {}),
      };
    } catch (error) {
      // A connection that does not exist can never be accepted: say so now rather than after approval.
      if ((error as Error).name === 'ResourceNotFoundException') {
        throw new ValidationError([{ path: 'parameters.id', message: 'no environment account connection has this id' }]);
      }
      logger.warn('Could not look up the environment account connection', { errorName: (error as Error).name });
      return {};
    }
  },
  summarize: (p, facts) =>
    `Accept AWS Proton environment account connection ${p.id}` +
    (facts.environmentName || facts.environmentAccountId
      ? ` (environment ${facts.environmentName ?? 'unknown'}, account ${facts.environmentAccountId ?? 'unknown'})`
      : ''),
  targetId: (p) => p.id,
  revocable: false,
};
