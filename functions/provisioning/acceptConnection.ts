// proton:AcceptEnvironmentAccountConnection, one attempt.
import {
  AcceptEnvironmentAccountConnectionCommand,
  GetEnvironmentAccountConnectionCommand,
  type EnvironmentAccountConnection,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import type { ProtonAcceptParameters } from '../actions/protonAcceptEnvironmentAccountConnection.js';
import { attempt, type ProvisioningDeps } from './attempts.js';

export interface AcceptResult {
  status: string;
  connection: Record<string, unknown>;
}

const summary = (c: EnvironmentAccountConnection | undefined): Record<string, unknown> => ({
  id: c?.id,
  arn: c?.arn,
  status: c?.status,
  environmentName: c?.environmentName,
  environmentAccountId: c?.environmentAccountId,
  roleArn: c?.roleArn,
});

export const acceptConnection = async (
  input: { requestId: string; parameters: ProtonAcceptParameters },
  deps: ProvisioningDeps & { proton: ProtonClient },
): Promise<AcceptResult> => {
  try {
    const { environmentAccountConnection } = await attempt(
      deps,
      input.requestId,
      'AcceptEnvironmentAccountConnection',
      () => deps.proton.send(new AcceptEnvironmentAccountConnectionCommand({ id: input.parameters.id })),
      (r) => ({ status: r.environmentAccountConnection?.status }),
    );
    return {
      status: environmentAccountConnection?.status ?? 'CONNECTED',
      connection: summary(environmentAccountConnection),
    };
  } catch (error) {
    // A retry after an accept whose response was lost meets a Conflict on a connection that is already
    // CONNECTED: that is success, not something to retry until the budget runs out.
    if ((error as Error).name !== 'ConflictException') throw error;
    const { environmentAccountConnection } = await deps.proton.send(
      new GetEnvironmentAccountConnectionCommand({ id: input.parameters.id }),
    );
    if (environmentAccountConnection?.status !== 'CONNECTED') throw error;
    return { status: 'CONNECTED', connection: summary(environmentAccountConnection) };
  }
};
