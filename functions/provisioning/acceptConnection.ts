// proton:AcceptEnvironmentAccountConnection, one attempt.
import {
  AcceptEnvironmentAccountConnectionCommand,
  GetEnvironmentAccountConnectionCommand,
  type EnvironmentAccountConnection,
  type ProtonClient,
} from '@aws-sdk/client-proton';
import type { ProtonAcceptParameters } from '../actions/protonAcceptEnvironmentAccountConnection.js';
import { event } from '../requests/repository.js';
import { ConnectionNotAcceptedError } from '../shared/errors.js';
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

/**
 * Once an accept may have taken effect unseen (its last attempt failed with InternalServerException, a timeout or a
 * Lambda fault), the request may only end COMPLETED because the connection is CONNECTED, or FAILED because Proton
 * verifiably shows it is not. Errors on the look-up are thrown as they are, for the state machine to retry; when
 * those run out the request is OUTCOME_UNKNOWN. The event is written, not best effort: it is why the request ended.
 */
export const verifyAcceptance = async (
  input: { requestId: string; parameters: ProtonAcceptParameters; after: string },
  deps: ProvisioningDeps & { proton: ProtonClient },
): Promise<AcceptResult> => {
  const { environmentAccountConnection: connection } = await deps.proton.send(
    new GetEnvironmentAccountConnectionCommand({ id: input.parameters.id }),
  );
  const status = connection?.status ?? 'UNKNOWN';
  const accepted = status === 'CONNECTED';
  await deps.repository.appendEvent(
    input.requestId,
    event(
      deps.clock.now().toISOString(),
      accepted ? 'connection_verified_accepted' : 'connection_verified_not_accepted',
      {
        after: input.after,
        status,
      },
    ),
    ['APPROVED'],
  );
  if (!accepted)
    throw new ConnectionNotAcceptedError(
      `After ${input.after}, connection ${input.parameters.id} is ${status}: the accept did not take effect`,
    );
  return { status, connection: summary(connection) };
};
