// POST /requests
import { currentPolicy } from './policy/currentPolicy.js';
import { submitRequest } from './requests/submitRequest.js';
import { protonLookupClient } from './shared/clients/proton.js';
import { sfnClient } from './shared/clients/sfn.js';
import { randomId, systemClock } from './shared/clock.js';
import { config } from './shared/config.js';
import { defaultRepository } from './shared/defaults.js';
import { callerIdentity, json, jsonBody, type HttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';

export const handler = httpHandler<HttpEvent>(async (event) => {
  const requester = callerIdentity(event);
  const response = await submitRequest(
    { body: jsonBody(event), requester, idempotencyKey: event.headers['idempotency-key'] },
    {
      policy: currentPolicy(),
      clients: { proton: protonLookupClient },
      repository: defaultRepository(),
      sfn: sfnClient(),
      stateMachineArn: config.stateMachineArn(),
      clock: systemClock,
      newId: randomId,
    },
  );
  return json(202, response, { location: `/requests/${response.requestId}` });
});
