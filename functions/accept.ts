// Step Functions task: one attempt at proton:AcceptEnvironmentAccountConnection, or, with `verifyAfter`, the look-up
// that settles an accept whose outcome is unknown.
import type { ProtonAcceptParameters } from './actions/protonAcceptEnvironmentAccountConnection.js';
import { acceptConnection, verifyAcceptance, type AcceptResult } from './provisioning/acceptConnection.js';
import { protonClient } from './shared/clients/proton.js';
import { systemClock } from './shared/clock.js';
import { defaultRepository } from './shared/defaults.js';
import { taskHandler } from './shared/middleware.js';

export const handler = taskHandler<
  { requestId: string; parameters: ProtonAcceptParameters; verifyAfter?: string },
  AcceptResult
>((event) => {
  const deps = { repository: defaultRepository(), clock: systemClock, proton: protonClient() };
  return event.verifyAfter === undefined
    ? acceptConnection(event, deps)
    : verifyAcceptance({ requestId: event.requestId, parameters: event.parameters, after: event.verifyAfter }, deps);
});
