// POST /slack/commands: Slack's `/access` slash command. It opens the request modal with views.open before it answers,
// because the command's trigger_id is what views.open needs and it lives 3 s (functions/slack/command.ts). The answer
// is an empty 200 once the modal is open, or a private (ephemeral) message to the person; a bad signature is a 401 and
// a malformed command a 400 naming the field, as for interactions.
import { defaultSlackIdentity, slackClient } from './notifications/channels.js';
import { currentPolicy } from './policy/currentPolicy.js';
import { ruleMaxDurationMinutes } from './policy/policy.js';
import { handleSlashCommand } from './slack/command.js';
import { accessModal } from './slack/modal.js';
import { systemClock } from './shared/clock.js';
import { json, type PublicHttpEvent } from './shared/http.js';
import { httpHandler } from './shared/middleware.js';
import { slackSigningSecret } from './shared/secrets.js';
import { SSO_ASSIGNMENT_ACTION as SSO_ACTION } from './actions/actionNames.js';
import { signedSlackRequest } from './slack/signature.js';

/** The longest grant any SSO rule allows: the duration select stops there, and submit checks the rule's own maximum. */
const largestMaxDuration = (): number => {
  const policy = currentPolicy();
  const maxima = policy.rules.filter((r) => r.action === SSO_ACTION).map((r) => ruleMaxDurationMinutes(policy, r));
  return maxima.length > 0 ? Math.max(...maxima) : 0;
};

export const handler = httpHandler<PublicHttpEvent>(async (event) => {
  const slack = await slackClient();
  const answer = await handleSlashCommand(signedSlackRequest(event), {
    signingSecret: await slackSigningSecret(),
    clock: systemClock,
    identify: (await defaultSlackIdentity()).personForSlackUser,
    modal: () => {
      const maxDurationMinutes = largestMaxDuration();
      return maxDurationMinutes > 0 ? accessModal({ maxDurationMinutes }) : undefined;
    },
    ...(slack ? { openView: (args, bound) => slack.views.open(args, bound) } : {}),
  });
  if (answer.kind === 'opened') return { statusCode: 200, headers: { 'cache-control': 'no-store' }, body: '' };
  // Slack shows `text` to the person who typed the command only.
  return json(200, { response_type: 'ephemeral', text: answer.text });
});
