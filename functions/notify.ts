// Step Functions task: ask approvers ("approval", holding the task token; a rule with approvalRequired false is
// approved by `system` instead), remind the undecided
// ("reminder", holding the new token), or tell everyone the outcome ("outcome"). Never log the event:
// it carries the task token.
import { startApproval } from './approvals/systemApproval.js';
import { defaultNotifier, defaultSlackIdentity, defaultSlackNotifier } from './notifications/channels.js';
import { holdGrant, notifyOutcome, remindApprovers, type NotifyDeps } from './notifications/notify.js';
import { currentPolicy } from './policy/currentPolicy.js';
import { sfnClient } from './shared/clients/sfn.js';
import { systemClock } from './shared/clock.js';
import { config } from './shared/config.js';
import { defaultRepository } from './shared/defaults.js';
import { taskHandler } from './shared/middleware.js';
import { linkSigningSecret } from './shared/secrets.js';

export type NotifyEvent =
  | { kind: 'approval' | 'reminder' | 'grant'; requestId: string; taskToken: string }
  | { kind: 'outcome'; requestId: string };

const deps = async (): Promise<NotifyDeps> => {
  const slack = await defaultSlackNotifier();
  return {
    repository: defaultRepository(),
    notifier: await defaultNotifier(),
    clock: systemClock,
    linkSecret: await linkSigningSecret(),
    publicBaseUrl: config.publicBaseUrl(),
    people: currentPolicy().people ?? [],
    auditors: currentPolicy().auditors ?? [],
    slackUserIdFor: (await defaultSlackIdentity()).slackUserIdFor,
    ...(slack ? { slack } : {}),
  };
};

export const handler = taskHandler<NotifyEvent, { notified: true }>(async (event) => {
  if (event.kind === 'approval') await startApproval(event, { ...(await deps()), sfn: sfnClient() });
  else if (event.kind === 'reminder') await remindApprovers(event, { ...(await deps()), sfn: sfnClient() });
  else if (event.kind === 'grant') await holdGrant(event, { repository: defaultRepository(), sfn: sfnClient() });
  else await notifyOutcome(event, await deps());
  return { notified: true };
});
