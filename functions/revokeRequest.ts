// POST /requests/{requestId}/revoke: end an ACTIVE time-bound grant now.
import { currentPolicy } from './policy/currentPolicy.js';
import { revokeEarly } from './requests/revokeEarly.js';
import { sfnClient } from './shared/clients/sfn.js';
import { systemClock } from './shared/clock.js';
import { defaultRepository } from './shared/defaults.js';
import { NotFoundError, RevokeConflictError } from './shared/errors.js';
import { callerIdentity, errorBody, json, type HttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';

export const handler = httpHandler<HttpEvent>(async (event) => {
  const caller = callerIdentity(event);
  const requestId = event.pathParameters?.requestId ?? '';
  if (requestId.length > 128) throw new NotFoundError(`Request ${requestId} not found`);
  try {
    const result = await revokeEarly(
      { requestId, caller },
      { repository: defaultRepository(), sfn: sfnClient(), clock: systemClock, policy: currentPolicy() },
    );
    return json(202, result);
  } catch (error) {
    // The conflict answers with the request's current state, which the shared error body has no room for.
    if (error instanceof RevokeConflictError) return json(409, { ...errorBody(error), request: error.request });
    throw error;
  }
});
