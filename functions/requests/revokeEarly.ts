// Ending a time-bound grant before its time. The workflow is parked on the grant's task token while ACTIVE;
// resuming it is all it takes, because the workflow then revokes with the same overlap rules as at the
// scheduled end. The claim is a conditional write, so concurrent or repeated calls resume it at most once.
import type { SFNClient } from '@aws-sdk/client-sfn';
import { isAuditor, type Policy } from '../policy/policy.js';
import type { Clock } from '../shared/clock.js';
import { NotFoundError, RevokeConflictError } from '../shared/errors.js';
import type { RequestItem } from './model.js';
import type { RequestRepository } from './repository.js';
import { resumeWithStoredToken } from './taskTokenHandoff.js';
import { canRead, toRequestView } from './view.js';

export interface RevokeEarlyDeps {
  repository: Pick<RequestRepository, 'get' | 'getTaskToken' | 'markRevokeRequested' | 'withdrawRevokeRequest'>;
  sfn: SFNClient;
  clock: Clock;
  policy: Policy;
}

export interface RevokeEarlyResult {
  requestId: string;
  status: 'ACTIVE';
  revokeRequestedBy: string;
  message: 'Revocation started';
}

/** The requester, the request's approvers and auditors: the same people who may read it. */
export const mayRevoke = (
  item: Pick<RequestItem, 'requester' | 'approvers'>,
  identity: string,
  policy: Policy,
): boolean => canRead(item, identity, isAuditor(policy, identity));

const conflict = (item: RequestItem): RevokeConflictError => {
  const request = toRequestView(item);
  if (item.revokeRequestedBy !== undefined) {
    return new RevokeConflictError(
      `Revocation was already requested by ${item.revokeRequestedBy}; the request is ${item.status}`,
      request,
      [{ path: 'revokeRequestedBy', message: `already set to ${item.revokeRequestedBy}` }],
    );
  }
  return new RevokeConflictError(`Only an ACTIVE grant can be revoked; this request is ${item.status}`, request, [
    { path: 'status', message: `is ${item.status}, not ACTIVE` },
  ]);
};

export const revokeEarly = async (
  input: { requestId: string; caller: string },
  deps: RevokeEarlyDeps,
): Promise<RevokeEarlyResult> => {
  const item = await deps.repository.get(input.requestId);
  // Like GET: someone who may not act on a request learns nothing about it, not even that it exists.
  if (!item || !mayRevoke(item, input.caller, deps.policy))
    throw new NotFoundError(`Request ${input.requestId} not found`);
  if (item.status !== 'ACTIVE' || item.revokeRequestedBy !== undefined) throw conflict(item);
  const claimed = await deps.repository.markRevokeRequested(
    item.requestId,
    input.caller,
    deps.clock.now().toISOString(),
  );
  if (!claimed) {
    // Lost a race (another revoke, or the grant ended meanwhile): report the state that won.
    throw conflict((await deps.repository.get(item.requestId)) ?? item);
  }
  try {
    // The deciding side of the hand-off (taskTokenHandoff.ts). A closed wait needs nothing more: its timer fired,
    // or the grant's wait read our claim when it stored its token, so the grant is ending anyway.
    await resumeWithStoredToken(deps, item.requestId, { output: { revokedBy: input.caller } });
  } catch (error) {
    // The workflow never heard of it: without this the claim would answer every retry with 409 while the
    // grant runs on to its scheduled end. The caller gets the error and may simply call again.
    await deps.repository.withdrawRevokeRequest(
      item.requestId,
      input.caller,
      deps.clock.now().toISOString(),
      (error as Error).name,
    );
    throw error;
  }
  return {
    requestId: item.requestId,
    status: 'ACTIVE',
    revokeRequestedBy: input.caller,
    message: 'Revocation started',
  };
};
