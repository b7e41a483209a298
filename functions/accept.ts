// Step Functions task: one attempt at proton:AcceptEnvironmentAccountConnection.
import type { ProtonAcceptParameters } from './actions/protonAcceptEnvironmentAccountConnection.js';
import { acceptConnection, type AcceptResult } from './provisioning/acceptConnection.js';
import { protonClient } from './shared/clients/proton.js';
import { systemClock } from './shared/clock.js';
import { defaultRepository } from './shared/defaults.js';
import { taskHandler } from './shared/middleware.js';

export const handler = taskHandler<{ requestId: string; parameters: ProtonAcceptParameters }, AcceptResult>((event) =>
  acceptConnection(event, { repository: defaultRepository(), clock: systemClock, proton: protonClient() }),
);
