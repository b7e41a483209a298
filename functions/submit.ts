// POST /requests
import { defaultDirectory } from './directory/identityCenter.js';
import { checkedPolicy } from './policy/currentPolicy.js';
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
  const directory = defaultDirectory();
  const response = await submitRequest(
    {
      body: jsonBody(event),
      requester,
      // The policy's identity mapping reads a claim (email by default) to find the caller's Identity Center user.
      claims: event.requestContext.authorizer?.jwt?.claims ?? {},
      idempotencyKey: event.headers['idempotency-key'],
    },
    {
      policy: await checkedPolicy(directory),
      clients: { proton: protonLookupClient },
      repository: defaultRepository(),
      sfn: sfnClient(),
      stateMachineArn: config.stateMachineArn(),
      clock: systemClock,
      newId: randomId,
      directory,
    },
  );
  return json(202, response, { location: `/requests/${response.requestId}` });
});
