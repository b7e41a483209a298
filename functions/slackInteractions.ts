// POST /slack/interactions: an approver clicked Approve or Deny in Slack. Slack shows the clicker an error
// unless it gets a 2xx within 3 s, so the answer is an empty 200 as soon as the decision is recorded; refusals
// keep their contract status and JSON body (no error page: the caller is Slack, not a browser).
import { decideAs } from './approvals/decide.js';
import { defaultNotifier, defaultSlackIdentity, slackClient } from './notifications/channels.js';
import { refreshApproverMessages, type MessageRefs } from './notifications/notify.js';
import { currentPolicy } from './policy/currentPolicy.js';
import type { RequestItem } from './requests/model.js';
import { clickerNotice, handleSlackInteraction } from './slack/interaction.js';
import { sfnClient } from './shared/clients/sfn.js';
import { systemClock } from './shared/clock.js';
import { defaultRepository } from './shared/defaults.js';
import { rawBody, type PublicHttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';
import { slackSigningSecret } from './shared/secrets.js';

export const handler = httpHandler<PublicHttpEvent>(async (event) => {
  const people = currentPolicy().people ?? [];
  const repository = defaultRepository();
  // The rewrite of the approvers' messages is still before the ack, so what it needs is read alongside the
  // decision: where the messages are, and the request as the decision wrote it.
  let decided: RequestItem | undefined;
  let refs: Promise<MessageRefs> | undefined;
  await handleSlackInteraction(
    // API Gateway (payload 2.0) lower-cases header names; the body must be the bytes Slack signed.
    {
      signature: event.headers['x-slack-signature'],
      timestamp: event.headers['x-slack-request-timestamp'],
      rawBody: rawBody(event),
      receivedAtMs: event.requestContext.timeEpoch,
    },
    {
      signingSecret: await slackSigningSecret(),
      clock: systemClock,
      people,
      identify: (await defaultSlackIdentity()).personForSlackUser,
      decide: async (input) => {
        refs = repository.getMessageRefs(input.requestId);
        // Awaited only by a decision that is recorded; a refused one leaves the read unobserved.
        refs.catch(() => undefined);
        const result = await decideAs(input, { repository, sfn: sfnClient(), clock: systemClock });
        decided = result.item;
        return result;
      },
      refreshMessages: async (requestId) =>
        refreshApproverMessages(
          requestId,
          { repository, notifier: await defaultNotifier(), people },
          { item: decided?.requestId === requestId ? decided : undefined, refs },
        ),
      tellClicker: clickerNotice({ slack: slackClient, notifier: defaultNotifier }),
    },
  );
  return { statusCode: 200, headers: { 'cache-control': 'no-store' }, body: '' };
});
