// A click on an Approve or Deny button in Slack. Slack waits only 3 seconds for our answer and shows the
// clicker an error after that, so everything that is not the decision itself (rewriting the approvers'
// messages, telling a refused clicker why) runs on a time budget and never changes the answer.
import type { DecideResult, decideAs } from '../approvals/decide.js';
import type { Notifier } from '../notifications/notifier.js';
import { noticeMessage } from '../notifications/messages.js';
import type { SlackApi } from '../notifications/slackNotifier.js';
import type { Person } from '../policy/policy.js';
import type { Decision } from '../requests/model.js';
import type { Clock } from '../shared/clock.js';
import { isDomainError, NotAnApproverError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { settleWithin } from '../shared/settleWithin.js';
import { invalid, isRecord, readPayload } from './payload.js';
import { verifySlackSignature, type SignedSlackRequest } from './signature.js';

/** Leaves room within Slack's 3 s for the decision itself and the network on both sides. */
export const FOLLOW_UP_BUDGET_MS = 1500;
/**
 * When the answer must be on its way, counted from API Gateway's receipt of the request, so a cold start or a
 * slow decision shrinks the follow-up budget instead of pushing the ack past Slack's 3 s.
 */
export const ACK_DEADLINE_MS = 2500;
// Request ids are UUIDs; the bound keeps an arbitrary value out of DynamoDB keys and log lines.
const REQUEST_ID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;
/** The refusals a clicker is told about privately: they clicked a button they may not, or no longer can, use. */
const REFUSAL_STATUSES = new Set([403, 409, 410]);

export interface SlackClick {
  requestId: string;
  decision: Decision;
  slackUserId: string;
  /** Where the button was; a private reply goes there (or to the user's DM when absent). */
  channelId?: string;
}

export type SlackInteraction = { kind: 'decision'; click: SlackClick } | { kind: 'ignored'; slackUserId?: string };

/** Reads the `payload` field of Slack's form-encoded interaction body. */
export const parseInteraction = (rawBody: string): SlackInteraction => {
  const payload = readPayload(rawBody, 'block_actions');
  const user = payload.user;
  const slackUserId = isRecord(user) && typeof user.id === 'string' && user.id !== '' ? user.id : undefined;
  if (!slackUserId) throw invalid('payload.user.id', 'is required');
  const actions = payload.actions;
  const action: unknown = Array.isArray(actions) ? actions[0] : undefined;
  if (!isRecord(action)) throw invalid('payload.actions', 'must list the clicked action');
  // The "Open approval page" button is a link; Slack still reports its click, which needs only an ack.
  if (action.action_id === 'open') return { kind: 'ignored', slackUserId };
  if (action.action_id !== 'approve' && action.action_id !== 'deny') {
    throw invalid('payload.actions[0].action_id', 'must be one of: approve, deny, open');
  }
  if (typeof action.value !== 'string' || !REQUEST_ID_PATTERN.test(action.value)) {
    throw invalid('payload.actions[0].value', 'must be a request id');
  }
  const channel = payload.channel;
  const channelId = isRecord(channel) && typeof channel.id === 'string' && channel.id !== '' ? channel.id : undefined;
  return {
    kind: 'decision',
    click: { requestId: action.value, decision: action.action_id, slackUserId, ...(channelId ? { channelId } : {}) },
  };
};

/** The approver id policy gives this Slack user; only people listed with their Slack id can decide from Slack. */
export const approverForSlackUser = (people: readonly Person[], slackUserId: string): string => {
  const matches = people.filter((p) => p.slackUserId === slackUserId);
  const [person] = matches;
  if (!person) throw new NotAnApproverError('Your Slack account is not linked to anyone in the approval policy');
  // A Slack id listed twice would let one person decide as someone else; refuse rather than guess.
  if (matches.length > 1)
    throw new NotAnApproverError('Your Slack account is linked to more than one person in the approval policy');
  return person.id;
};

// Moved to shared: the signed-in decision route bounds its message refresh the same way.
export { settleWithin } from '../shared/settleWithin.js';

/** `text` is plain text: it quotes error messages, which can quote what people typed. It is escaped on the way out. */
export type TellClicker = (click: SlackClick & { approver?: string }, text: string) => Promise<void>;

/**
 * A private reply to a clicker: an ephemeral message where they clicked when a Slack client is configured
 * (only they see it, and it needs no stored message), else a `notice` delivery (the local outbox). Both carry
 * the same escaped mrkdwn from noticeMessage: chat.postEphemeral's `text` is mrkdwn too.
 */
export const clickerNotice =
  (deps: { slack: () => Promise<SlackApi | undefined>; notifier: () => Promise<Notifier> }): TellClicker =>
  async (click, text) => {
    const notice = noticeMessage(text);
    const slack = await deps.slack();
    if (slack) {
      await slack.chat.postEphemeral({
        channel: click.channelId ?? click.slackUserId,
        user: click.slackUserId,
        text: notice.text,
      });
      return;
    }
    const notifier = await deps.notifier();
    await notifier.send({
      requestId: click.requestId,
      kind: 'notice',
      recipient: click.approver ?? click.slackUserId,
      slackUserId: click.slackUserId,
      ...notice,
    });
  };

export interface SlackInteractionDeps {
  signingSecret: string;
  clock: Clock;
  people: readonly Person[];
  /**
   * Maps a Slack user to a person beyond `people[].slackUserId` (slack/identity.ts: users.info and the profile email,
   * when a bot token is set). Without it, only people listed with their Slack id can decide from Slack.
   */
  identify?: (slackUserId: string) => Promise<string>;
  /** decideAs with its dependencies bound. */
  decide: (input: Parameters<typeof decideAs>[0]) => Promise<DecideResult>;
  /** Rewrites every approver's message to show who decided, which is what removes the dead buttons. */
  refreshMessages: (requestId: string) => Promise<void>;
  tellClicker: TellClicker;
  budgetMs?: number;
}

export type SlackInteractionResult = { kind: 'ignored' } | { kind: 'decided'; result: DecideResult };

/**
 * Verifies, parses and decides one Slack interaction. Refusals are rethrown unchanged (they are the answer);
 * the follow-ups around them are best effort and bounded by the budget.
 */
export const handleSlackInteraction = async (
  /** `receivedAtMs`: when API Gateway received the request (requestContext.timeEpoch). */
  request: SignedSlackRequest & { receivedAtMs?: number },
  deps: SlackInteractionDeps,
): Promise<SlackInteractionResult> => {
  const receivedAtMs = request.receivedAtMs ?? deps.clock.now().getTime();
  verifySlackSignature(request, deps.signingSecret, deps.clock.now().getTime());
  const interaction = parseInteraction(request.rawBody);
  if (interaction.kind === 'ignored') return { kind: 'ignored' };
  const { click } = interaction;
  const budget = (): number =>
    Math.max(
      0,
      Math.min(deps.budgetMs ?? FOLLOW_UP_BUDGET_MS, receivedAtMs + ACK_DEADLINE_MS - deps.clock.now().getTime()),
    );
  let approver: string | undefined;
  try {
    approver = deps.identify
      ? await deps.identify(click.slackUserId)
      : approverForSlackUser(deps.people, click.slackUserId);
    const result = await deps.decide({ requestId: click.requestId, approver, decision: click.decision, via: 'slack' });
    logger.info('Slack decision recorded', {
      requestId: click.requestId,
      slackUserId: click.slackUserId,
      decision: result.decision,
      settled: result.settled,
    });
    // If the budget runs out, the workflow's outcome step rewrites the same messages once the request settles.
    const refreshed = await settleWithin(
      deps.refreshMessages(click.requestId).catch((error: unknown) => {
        logger.error('Refreshing Slack messages failed', {
          requestId: click.requestId,
          errorName: (error as Error).name,
        });
      }),
      budget(),
    );
    if (!refreshed)
      logger.warn('Refreshing Slack messages is still running after the ack budget', { requestId: click.requestId });
    return { kind: 'decided', result };
  } catch (error) {
    if (isDomainError(error) && REFUSAL_STATUSES.has(error.statusCode)) {
      logger.info('Slack click refused', {
        requestId: click.requestId,
        slackUserId: click.slackUserId,
        errorName: error.name,
      });
      const text = `Your ${click.decision} on request ${click.requestId} was not recorded: ${error.message}`;
      await settleWithin(
        deps.tellClicker({ ...click, ...(approver ? { approver } : {}) }, text).catch((noticeError: unknown) => {
          logger.error('Telling a Slack user about a refused click failed', {
            requestId: click.requestId,
            slackUserId: click.slackUserId,
            errorName: (noticeError as Error).name,
          });
        }),
        budget(),
      );
    }
    throw error;
  }
};
