// POST /requests/{requestId}/decision: a signed-in approver decides (the access page's Approve and Deny). The caller
// is the JWT's identity, never the body; the rules and answers are a link's (approvals/decide.ts, `via: 'page'`).
import { decideSignedIn } from './approvals/decide.js';
import { defaultNotifier } from './notifications/channels.js';
import { refreshApproverMessages } from './notifications/notify.js';
import { currentPolicy } from './policy/currentPolicy.js';
import { isAuditor } from './policy/policy.js';
import { toRequestView } from './requests/view.js';
import { sfnClient } from './shared/clients/sfn.js';
import { systemClock } from './shared/clock.js';
import { defaultRepository } from './shared/defaults.js';
import { callerIdentity, json, jsonBody, type HttpEvent } from './shared/http.js';
import { logger } from './shared/logger.js';
import { httpHandler } from './shared/middleware.js';
import { settleWithin } from './shared/settleWithin.js';

/** How long the answer waits for the messages to be redrawn; what is left is the outcome step's to redraw. */
const REFRESH_BUDGET_MS = 2000;

export const handler = httpHandler<HttpEvent>(async (event) => {
  const caller = callerIdentity(event);
  const policy = currentPolicy();
  const repository = defaultRepository();
  const result = await decideSignedIn(
    {
      requestId: event.pathParameters?.requestId ?? '',
      caller,
      auditor: isAuditor(policy, caller),
      body: jsonBody(event),
    },
    { repository, sfn: sfnClient(), clock: systemClock },
  );
  // As a link's decision does: every approver's message (and the channel's, and the requester's DM) shows it.
  // Best effort, like every message update: a recorded decision is never answered with an error because Slack (or a
  // read of where the messages are) failed; the workflow's outcome step rewrites the same messages.
  // Bounded too: the Slack client retries with 1 s and 2 s waits, and a hung Slack must not hold a recorded decision
  // past the function's timeout (the page would show it as not recorded).
  const refreshed = await settleWithin(
    refreshApproverMessages(
      result.item.requestId,
      { repository, notifier: await defaultNotifier(), people: policy.people ?? [] },
      { item: result.item },
    ).catch((error: unknown) => {
      logger.error("Refreshing the approvers' messages failed", {
        requestId: result.item.requestId,
        errorName: (error as Error).name,
      });
    }),
    REFRESH_BUDGET_MS,
  );
  if (!refreshed)
    logger.warn("Refreshing the approvers' messages is still running after its budget", {
      requestId: result.item.requestId,
    });
  return json(200, { decision: result.decision, approver: result.approver, request: toRequestView(result.item) });
});
