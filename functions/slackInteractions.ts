// POST /slack/interactions: Slack's one Interactivity URL, for two payloads.
// - block_actions: an approver clicked Approve or Deny. Slack shows the clicker an error unless it gets a 2xx within
//   3 s, so the answer is an empty 200 as soon as the decision is recorded; refusals keep their contract status and
//   JSON body (no error page: the caller is Slack, not a browser).
// - view_submission of the `/access` modal: submitted through the same code as POST /requests, as the person the Slack
//   user maps to (functions/slack/submission.ts); an empty 200 closes the modal, `response_action: "errors"` (also
//   200) shows each problem under its block.
import { decideAs } from './approvals/decide.js';
import { defaultDirectory } from './directory/identityCenter.js';
import { defaultNotifier, defaultSlackIdentity, slackClient } from './notifications/channels.js';
import { refreshApproverMessages, type MessageRefs } from './notifications/notify.js';
import { checkedPolicy, currentPolicy } from './policy/currentPolicy.js';
import type { RequestItem } from './requests/model.js';
import { submitRequest } from './requests/submitRequest.js';
import { clickerNotice, handleSlackInteraction } from './slack/interaction.js';
import { claimsForPerson, errorsBody, handleViewSubmission, interactionType } from './slack/submission.js';
import { protonLookupClient } from './shared/clients/proton.js';
import { sfnClient } from './shared/clients/sfn.js';
import { randomId, systemClock } from './shared/clock.js';
import { config } from './shared/config.js';
import { defaultRepository } from './shared/defaults.js';
import { json, rawBody, type PublicHttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';
import { slackSigningSecret } from './shared/secrets.js';
import { signedSlackRequest } from './slack/signature.js';

/** A submitted `/access` modal: the answer is the modal's fate (closed, or kept open with errors by block). */
const viewSubmission = async (event: PublicHttpEvent) => {
  const directory = defaultDirectory();
  const answer = await handleViewSubmission(signedSlackRequest(event), {
    signingSecret: await slackSigningSecret(),
    clock: systemClock,
    identify: (await defaultSlackIdentity()).personForSlackUser,
    claimsFor: (person) => claimsForPerson(currentPolicy().identity?.claim, person),
    submit: async (input) =>
      submitRequest(input, {
        policy: await checkedPolicy(directory),
        clients: { proton: protonLookupClient },
        repository: defaultRepository(),
        sfn: sfnClient(),
        stateMachineArn: config.stateMachineArn(),
        clock: systemClock,
        newId: randomId,
        directory,
      }),
  });
  if (answer.kind === 'errors') return json(200, errorsBody(answer.errors));
  return { statusCode: 200, headers: { 'cache-control': 'no-store' }, body: '' };
};

export const handler = httpHandler<PublicHttpEvent>(async (event) => {
  // Only routes the payload: the view_submission path verifies the signature before it reads anything else.
  if (interactionType(rawBody(event)) === 'view_submission') return viewSubmission(event);
  const people = currentPolicy().people ?? [];
  const repository = defaultRepository();
  // The rewrite of the approvers' messages is still before the ack, so what it needs is read alongside the
  // decision: where the messages are, and the request as the decision wrote it.
  let decided: RequestItem | undefined;
  let refs: Promise<MessageRefs> | undefined;
  await handleSlackInteraction(signedSlackRequest(event), {
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
  });
  return { statusCode: 200, headers: { 'cache-control': 'no-store' }, body: '' };
});
