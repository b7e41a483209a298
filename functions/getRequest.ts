// GET /requests/{requestId}
import { currentPolicy } from './policy/currentPolicy.js';
import { isAuditor } from './policy/policy.js';
import { canRead, toRequestView } from './requests/view.js';
import { defaultRepository } from './shared/defaults.js';
import { NotFoundError } from './shared/errors.js';
import { callerIdentity, json, type HttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';

export const handler = httpHandler<HttpEvent>(async (event) => {
  const identity = callerIdentity(event);
  const requestId = event.pathParameters?.requestId ?? '';
  const item = requestId.length <= 128 ? await defaultRepository().get(requestId) : undefined;
  // Someone who may not read a request learns nothing about it, not even that it exists.
  if (!item || !canRead(item, identity, isAuditor(currentPolicy(), identity))) {
    throw new NotFoundError(`Request ${requestId} not found`);
  }
  return json(200, toRequestView(item));
});
