// Step Functions task: ask approvers (kind "approval", holding the task token) or tell the requester the
// outcome (kind "outcome"). Never log the event: it carries the task token.
import { configuredNotifier } from './notifications/notifier.js';
import { notifyApprovers, notifyOutcome, type NotifyDeps } from './notifications/notify.js';
import { currentPolicy } from './policy/currentPolicy.js';
import { systemClock } from './shared/clock.js';
import { config } from './shared/config.js';
import { defaultRepository } from './shared/defaults.js';
import { taskHandler } from './shared/middleware.js';
import { linkSigningSecret } from './shared/secrets.js';

export type NotifyEvent = { kind: 'approval'; requestId: string; taskToken: string } | { kind: 'outcome'; requestId: string };

const deps = async (): Promise<NotifyDeps> => ({
  repository: defaultRepository(),
  notifier: configuredNotifier({ outboxFile: config.outboxFile() }),
  clock: systemClock,
  linkSecret: await linkSigningSecret(),
  publicBaseUrl: config.publicBaseUrl(),
  people: currentPolicy().people ?? [],
});

export const handler = taskHandler<NotifyEvent, { notified: true }>(async (event) => {
  if (event.kind === 'approval') await notifyApprovers(event, await deps());
  else await notifyOutcome(event, await deps());
  return { notified: true };
});
