// The `/access` slash command (POST /slack/commands). Slack posts the command form-encoded and signed like every
// interaction, and shows the person "failed with the error" unless a 2xx comes back within 3,000 ms ("Implementing
// slash commands", https://docs.slack.dev/interactivity/implementing-slash-commands). Its `trigger_id` opens a modal
// with views.open, and only for 3 s after Slack sent it ("Modals", https://docs.slack.dev/surfaces/modals). So: verify,
// map the Slack user to a person, open the modal, and only then answer with an empty 200. A person who cannot be
// mapped is told so in the answer itself, `response_type: "ephemeral"` (only they see it), and nothing is opened or
// written.
import type { CallBound, ModalViewArg } from '../notifications/slackWebApi.js';
import type { Clock } from '../shared/clock.js';
import { logger } from '../shared/logger.js';
import { invalid, personOrUnmapped, SLACK_ID } from './payload.js';
import { verifySlackSignature, type SignedSlackRequest } from './signature.js';

/** The one command this route serves; the app manifest registers it (README, "Slack app setup"). */
export const ACCESS_COMMAND = '/access';

/**
 * views.open must have answered before this, counted from API Gateway's receipt of the command: the ack still has
 * to cross the network within Slack's 3 s, and the trigger itself dies 3 s after Slack sent it. The same figure as
 * interactions' ACK_DEADLINE_MS (interaction.ts), for the same reason; not imported, so this function's bundle does not
 * carry the decision code.
 */
export const OPEN_DEADLINE_MS = 2500;

// Slack documents trigger ids as "12345.98765.abcd2358fdea"; only the shape and a bound are checked here.
const TRIGGER_ID = /^[A-Za-z0-9._-]{1,255}$/;

export interface SlashCommand {
  command: string;
  slackUserId: string;
  triggerId: string;
  /** What was typed after the command; `/access` takes no arguments, so it is kept only for the log. */
  text: string;
  channelId?: string;
}

/** Reads Slack's form-encoded slash command. Only `/access` is served: any other command is a 400 naming `command`. */
export const parseSlashCommand = (rawBody: string): SlashCommand => {
  const form = new URLSearchParams(rawBody);
  const command = form.get('command');
  if (command === null || command === '') throw invalid('command', 'is required');
  if (command !== ACCESS_COMMAND) throw invalid('command', `must be ${ACCESS_COMMAND}`);
  const slackUserId = form.get('user_id') ?? '';
  if (!SLACK_ID.test(slackUserId)) throw invalid('user_id', 'must be a Slack user id');
  const triggerId = form.get('trigger_id') ?? '';
  if (!TRIGGER_ID.test(triggerId)) throw invalid('trigger_id', 'must be a Slack trigger id');
  const channelId = form.get('channel_id') ?? '';
  return {
    command,
    slackUserId,
    triggerId,
    text: form.get('text') ?? '',
    ...(SLACK_ID.test(channelId) ? { channelId } : {}),
  };
};

/** What the command answers: nothing (the modal is open), or a private message to the person who typed it. */
export type CommandAnswer = { kind: 'opened' } | { kind: 'ephemeral'; text: string };

export interface SlashCommandDeps {
  signingSecret: string;
  clock: Clock;
  /** The person this Slack user is (slack/identity.ts personForSlackUser); throws NotAnApproverError when unmapped. */
  identify: (slackUserId: string) => Promise<string>;
  /** The modal for this person. */
  /** The request modal, or undefined when policy has nothing a modal could ask for (no Identity Center rule). */
  modal: () => ModalViewArg | undefined;
  /** views.open, bounded by the deadline; undefined when no bot token is configured. */
  openView?: (args: { trigger_id: string; view: ModalViewArg }, bound: CallBound) => Promise<unknown>;
}

const NO_SLACK_CLIENT = 'Access requests from Slack are not set up here (no bot token). Use the access page instead.';
// A modal with an empty duration select is refused by views.open every time; saying why beats "try again" forever.
const NOTHING_TO_REQUEST =
  'No access can be requested from Slack here: the approval policy has no Identity Center rule. Nothing was requested.';
const COULD_NOT_OPEN = 'The access request form could not be opened just now. Please try `/access` again.';

/** Verifies, parses, maps the person and opens the modal; refusals of a signed, well-formed command are ephemeral. */
export const handleSlashCommand = async (
  /** `receivedAtMs`: when API Gateway received the request (requestContext.timeEpoch). */
  request: SignedSlackRequest & { receivedAtMs?: number },
  deps: SlashCommandDeps,
): Promise<CommandAnswer> => {
  const receivedAtMs = request.receivedAtMs ?? deps.clock.now().getTime();
  verifySlackSignature(request, deps.signingSecret, deps.clock.now().getTime());
  const command = parseSlashCommand(request.rawBody);
  // The mapping's wording for "nobody" is what the person hears, privately.
  const person = await personOrUnmapped(deps.identify, command.slackUserId, '/access');
  if (typeof person !== 'string') return { kind: 'ephemeral', text: `${person.message}. Nothing was requested.` };
  if (!deps.openView) return { kind: 'ephemeral', text: NO_SLACK_CLIENT };
  const view = deps.modal();
  if (!view) return { kind: 'ephemeral', text: NOTHING_TO_REQUEST };
  try {
    await deps.openView({ trigger_id: command.triggerId, view }, { deadlineMs: receivedAtMs + OPEN_DEADLINE_MS });
  } catch (error) {
    // expired_trigger_id, a slow Slack or a refused view: the person can only try again, and is told so.
    logger.error('views.open failed for /access', {
      slackUserId: command.slackUserId,
      errorName: (error as Error).name,
      ...(typeof (error as { error?: unknown }).error === 'string'
        ? { slackError: (error as { error: string }).error }
        : {}),
    });
    return { kind: 'ephemeral', text: COULD_NOT_OPEN };
  }
  logger.info('Slack /access opened the request modal', { slackUserId: command.slackUserId, person });
  return { kind: 'opened' };
};
