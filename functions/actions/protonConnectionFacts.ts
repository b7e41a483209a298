// At submit: the environment account and environment name of a Proton environment account connection, which
// policy may match on and approvers see. AWS Proton reached end of support on 2026-10-07; the look-up stays.
import { GetEnvironmentAccountConnectionCommand } from '@aws-sdk/client-proton';
import { ValidationError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import type { ProtonAcceptParameters } from './protonAcceptEnvironmentAccountConnection.js';
import type { ActionClients } from './targetFacts.js';
import type { TargetFacts } from './types.js';

export const describeProtonConnection = async (
  p: ProtonAcceptParameters,
  clients: ActionClients,
): Promise<TargetFacts> => {
  try {
    const { environmentAccountConnection: c } = await clients
      .proton()
      .send(new GetEnvironmentAccountConnectionCommand({ id: p.id }));
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
};
