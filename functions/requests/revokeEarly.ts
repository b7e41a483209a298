// Ending a time-bound grant before its time. The workflow is parked on the grant's task token while ACTIVE;
// resuming it is all it takes, because the workflow then revokes with the same overlap rules as at the
// scheduled end. The claim is a conditional write, so concurrent or repeated calls resume it at most once.
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { isAuditor, type Policy } from '../policy/policy.js';
import type { Clock } from '../shared/clock.js';
import { NotFoundError, RevokeConflictError } from '../shared/errors.js';
import type { RequestItem } from './model.js';
import type { RequestRepository } from './repository.js';
import { canRead, toRequestView } from './view.js';

// The grant's wait has already ended (its timer fired, or another resume got there first): it is ending anyway.
const CLOSED_TASK_ERRORS = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

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

/**
 * Resumes the grant's wait. The stored token is replaced when the workflow enters a new wait, so a closed
 * token is re-read once: a different one means ours was stale and the new one is the grant's.
 */
const endGrant = async (
  deps: Pick<RevokeEarlyDeps, 'repository' | 'sfn'>,
  requestId: string,
  by: string,
): Promise<void> => {
  let taskToken = await deps.repository.getTaskToken(requestId);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (!taskToken) throw new Error(`No task token stored for request ${requestId}`);
    try {
      await deps.sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify({ revokedBy: by }) }));
      return;
    } catch (error) {
      if (!CLOSED_TASK_ERRORS.has((error as Error).name)) throw error;
      const current = await deps.repository.getTaskToken(requestId);
      if (current === taskToken) return;
      taskToken = current;
    }
  }
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
    await endGrant(deps, item.requestId, input.caller);
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
