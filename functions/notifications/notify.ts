// Telling people: approvers get their signed links (only after the task token is stored), undecided
// approvers get one reminder, everyone's message is updated once something is decided, and the requester
// hears the outcome. One delivery failing never stops the others or the workflow.
import type { SFNClient } from '@aws-sdk/client-sfn';
import { signLink } from '../approvals/linkToken.js';
import type { Person } from '../policy/policy.js';
import type { Clock } from '../shared/clock.js';
import { ApproverStatusSyncError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import type { RequestItem } from '../requests/model.js';
import { event, type MessageRefs, type RequestRepository } from '../requests/repository.js';
import { storeTokenThenCheck } from '../requests/taskTokenHandoff.js';
import {
  approvalRequestMessage,
  channelApprovalMessage,
  channelReminderMessage,
  decisionStateMessage,
  outcomeMessage,
  outcomeUnknownAlarm,
  reminderMessage,
  requesterStatusMessage,
  revokeFailedAlarm,
  revokeOverdueAlarm,
  type Message,
} from './messages.js';
import type { Delivery, Notifier } from './notifier.js';

export interface NotifyDeps {
  repository: RequestRepository;
  notifier: Notifier;
  clock: Clock;
  linkSecret: string;
  publicBaseUrl: string;
  people: readonly Person[];
  auditors: readonly string[];
  /**
   * Where a recipient is in Slack beyond `people[].slackUserId` (slack/identity.ts: users.lookupByEmail when a bot
   * token is set). Without it, only people listed with their Slack id get Slack messages.
   */
  slackUserIdFor?: (recipient: string) => Promise<string | undefined>;
  /**
   * Slack alone, when a bot token is configured: a rule's channel and the DM of a requester who asked in Slack go
   * nowhere else. Without it, a request with `slackChannel` asks its approvers one by one, as before.
   */
  slack?: Notifier;
}

const slackUserId = (people: readonly Person[], id: string): string | undefined =>
  people.find((p) => p.id === id)?.slackUserId;

const loadRequest = async (repository: RequestRepository, requestId: string): Promise<RequestItem> => {
  const item = await repository.get(requestId);
  if (!item) throw new Error(`Request ${requestId} not found`);
  return item;
};

export const approvalLink = (
  deps: Pick<NotifyDeps, 'linkSecret' | 'publicBaseUrl'>,
  item: RequestItem,
  approver: string,
): string =>
  `${deps.publicBaseUrl}/approvals/${signLink({ requestId: item.requestId, approver, expiresAt: Date.parse(item.expiresAt) }, deps.linkSecret)}`;

/** Sends to each recipient independently; returns who was reached and who was not. */
const deliverAll = async (
  deps: NotifyDeps,
  item: RequestItem,
  recipients: readonly string[],
  build: (recipient: string) => { kind: Delivery['kind']; message: Message; approvalUrl?: string },
): Promise<{ sent: string[]; failed: Array<{ recipient: string; error: string }> }> => {
  const sent: string[] = [];
  const failed: Array<{ recipient: string; error: string }> = [];
  await Promise.all(
    recipients.map(async (recipient) => {
      const { kind, message, approvalUrl } = build(recipient);
      try {
        // A look-up that finds nobody gives no Slack id: that recipient gets no DM (the outbox, where there is one),
        // the failure is logged and recorded below, and everyone else is still sent theirs.
        const recipientSlackId = deps.slackUserIdFor
          ? await deps.slackUserIdFor(recipient)
          : slackUserId(deps.people, recipient);
        const ref = await deps.notifier.send({
          requestId: item.requestId,
          kind,
          recipient,
          slackUserId: recipientSlackId,
          approvalUrl,
          ...message,
        });
        if (kind === 'approval') await deps.repository.saveMessageRef(item.requestId, recipient, ref);
        sent.push(recipient);
      } catch (error) {
        logger.error('Notification failed', {
          requestId: item.requestId,
          recipient,
          kind,
          errorName: (error as Error).name,
        });
        failed.push({ recipient, error: (error as Error).name });
      }
    }),
  );
  return { sent, failed };
};

const recordEvent = async (
  deps: NotifyDeps,
  item: RequestItem,
  type: string,
  detail: Record<string, unknown>,
): Promise<void> => {
  await deps.repository.appendEvent(item.requestId, event(deps.clock.now().toISOString(), type, detail), [item.status]);
};

/** The access page, where a signed-in approver decides: what a shared channel links to instead of a signed link. */
const accessPageUrl = (deps: Pick<NotifyDeps, 'publicBaseUrl'>): string => `${deps.publicBaseUrl}/`;

/**
 * Posts the approval message once in the rule's channel and remembers where, so every decision and the outcome
 * redraw it in place. Returns the error's name when Slack refused it (a channel the bot is not in, or that does not
 * exist): the approvers are then asked one by one instead, so a wrong channel never leaves a request unseen.
 */
const askInChannel = async (
  deps: NotifyDeps & { slack: Notifier },
  item: RequestItem & { slackChannel: string },
): Promise<string | undefined> => {
  const pageUrl = accessPageUrl(deps);
  let ref: Awaited<ReturnType<Notifier['send']>>;
  try {
    ref = await deps.slack.send({
      requestId: item.requestId,
      kind: 'approval',
      recipient: `channel ${item.slackChannel}`,
      channel: item.slackChannel,
      ...channelApprovalMessage(item, pageUrl),
    });
  } catch (error) {
    logger.error('Posting the approval message in its channel failed; asking the approvers one by one', {
      requestId: item.requestId,
      channel: item.slackChannel,
      errorName: (error as Error).name,
    });
    return (error as Error).name;
  }
  // Posted is asked: a ref that cannot be saved only leaves the message without its updates (logged), as for a DM.
  await deps.repository.saveSharedMessageRef(item.requestId, 'channel', { ...ref, pageUrl }).catch((error: unknown) =>
    logger.error('Saving where the channel message is failed', {
      requestId: item.requestId,
      errorName: (error as Error).name,
    }),
  );
  return undefined;
};

/**
 * Posts the requester's own DM for a request made in Slack (`origin`), and remembers where, so it is redrawn as the
 * request moves. Only workflow steps post it (they run one at a time); deciders only redraw it. Returns whether it
 * was posted.
 */
const postRequesterMessage = async (deps: NotifyDeps, item: RequestItem): Promise<boolean> => {
  if (!item.origin || !deps.slack) return false;
  try {
    const ref = await deps.slack.send({
      requestId: item.requestId,
      kind: item.status === 'PENDING_APPROVAL' ? 'notice' : 'outcome',
      recipient: item.requester,
      slackUserId: item.origin.slackUserId,
      ...requesterStatusMessage(item),
    });
    // Posted is told: a ref that cannot be saved only leaves the DM without its redraws (logged), as for the channel's.
    await deps.repository.saveSharedMessageRef(item.requestId, 'requester', ref).catch((error: unknown) =>
      logger.error("Saving where the requester's message is failed", {
        requestId: item.requestId,
        errorName: (error as Error).name,
      }),
    );
    return true;
  } catch (error) {
    logger.error("The requester's Slack message failed", {
      requestId: item.requestId,
      errorName: (error as Error).name,
    });
    return false;
  }
};

export const notifyApprovers = async (
  input: { requestId: string; taskToken: string },
  deps: NotifyDeps,
): Promise<void> => {
  const item = await loadRequest(deps.repository, input.requestId);
  // The token is stored before any link goes out, so no approver can act before the workflow can resume.
  await deps.repository.putTaskToken(item.requestId, input.taskToken);
  await deps.repository.putApproverItems(item);
  const { slackChannel } = item;
  // The step is retried on Lambda errors: a message already posted by an earlier attempt is not posted again (its
  // buttons would stay live and never be redrawn), so what was saved is read first.
  const posted =
    (slackChannel || item.origin) && deps.slack ? await deps.repository.getMessageRefs(item.requestId) : undefined;
  const channelError =
    slackChannel && deps.slack
      ? posted?.channel
        ? undefined
        : await askInChannel({ ...deps, slack: deps.slack }, { ...item, slackChannel })
      : 'none';
  const requester =
    item.origin && deps.slack
      ? { requesterMessage: posted?.requester ? true : await postRequesterMessage(deps, item) }
      : {};
  if (channelError === undefined) {
    await recordEvent(deps, item, 'notified', { channel: slackChannel, approvers: item.approvers, ...requester });
    return;
  }
  const { sent, failed } = await deliverAll(deps, item, item.approvers, (approver) => {
    const approvalUrl = approvalLink(deps, item, approver);
    return { kind: 'approval', message: approvalRequestMessage(item, approvalUrl), approvalUrl };
  });
  await recordEvent(deps, item, 'notified', {
    approvers: sent,
    ...(failed.length ? { failed } : {}),
    ...(channelError !== 'none' ? { channelFailed: { channel: slackChannel, error: channelError } } : {}),
    ...requester,
  });
};

/**
 * The workflow waits again after a reminder, with a new task token. A decision that settled the request while the
 * token was being replaced may have gone to the old one, so this is the waiting side of the hand-off
 * (taskTokenHandoff.ts): store the new token, then resume the workflow ourselves if the request is already settled.
 */
export const remindApprovers = async (
  input: { requestId: string; taskToken: string },
  deps: NotifyDeps & { sfn: SFNClient },
): Promise<void> => {
  const { item, resumed } = await storeTokenThenCheck(deps, input, (current) => {
    if (current.status === 'APPROVED') return { output: { decision: 'approved' } };
    if (current.status === 'DENIED') return { error: 'Denied', cause: 'Denied before the reminder' };
    return undefined;
  });
  if (resumed) return;
  const undecided = item.approvers.filter((a) => !item.decisions[a]);
  // A request asked in a channel is reminded there, once, in the message's thread: the approvers are not asked one by
  // one, and the message itself already shows who has decided.
  const channelRef =
    item.slackChannel && deps.slack ? (await deps.repository.getMessageRefs(item.requestId)).channel : undefined;
  if (channelRef && deps.slack) {
    try {
      await deps.slack.send({
        requestId: item.requestId,
        kind: 'reminder',
        recipient: `channel ${channelRef.channel}`,
        channel: channelRef.channel,
        threadTs: channelRef.ts,
        ...channelReminderMessage(item),
      });
      await recordEvent(deps, item, 'reminded', { channel: channelRef.channel, approvers: undecided });
    } catch (error) {
      logger.error('Reminder in the channel failed', { requestId: item.requestId, errorName: (error as Error).name });
      await recordEvent(deps, item, 'reminded', {
        channel: channelRef.channel,
        approvers: [],
        failed: [{ recipient: `channel ${channelRef.channel}`, error: (error as Error).name }],
      });
    }
    return;
  }
  const { sent, failed } = await deliverAll(deps, item, undecided, (approver) => {
    const approvalUrl = approvalLink(deps, item, approver);
    return { kind: 'reminder', message: reminderMessage(item, approvalUrl), approvalUrl };
  });
  await recordEvent(deps, item, 'reminded', { approvers: sent, ...(failed.length ? { failed } : {}) });
};

export type { MessageRefs } from '../requests/repository.js';

/** Redraws one message in place; false (logged) when the update failed. */
const redraw = async (
  deps: Pick<NotifyDeps, 'notifier'>,
  ref: { channel: string; ts: string },
  delivery: Parameters<Notifier['update']>[1],
): Promise<boolean> => {
  try {
    await deps.notifier.update(ref, delivery);
    return true;
  } catch (error) {
    logger.error('Message update failed', {
      requestId: delivery.requestId,
      recipient: delivery.recipient,
      errorName: (error as Error).name,
    });
    return false;
  }
};

/**
 * Redraws every message of the request with its current state: each approver's DM (who decided, no dead buttons), the
 * channel's approval message, and the DM of a requester who asked in Slack. Returns whether the requester's DM was
 * redrawn (undefined when it has none).
 */
const redrawAll = async (
  deps: Pick<NotifyDeps, 'notifier' | 'people'>,
  item: RequestItem,
  refs: MessageRefs,
): Promise<boolean | undefined> => {
  const { requestId } = item;
  const message = decisionStateMessage(item);
  const { channel, requester } = refs;
  const [requesterRedrawn] = await Promise.all([
    requester
      ? redraw(deps, requester, {
          requestId,
          kind: 'update',
          recipient: item.requester,
          slackUserId: item.origin?.slackUserId,
          ...requesterStatusMessage(item),
        })
      : undefined,
    channel
      ? redraw(deps, channel, {
          requestId,
          kind: 'update',
          recipient: `channel ${channel.channel}`,
          channel: channel.channel,
          ...channelApprovalMessage(item, channel.pageUrl),
        })
      : undefined,
    ...[...refs].map(([recipient, ref]) =>
      redraw(deps, ref, {
        requestId,
        kind: 'update',
        recipient,
        slackUserId: slackUserId(deps.people, recipient),
        ...message,
      }),
    ),
  ]);
  return requesterRedrawn;
};

/**
 * Rewrites every approver's original message to show the current state and who decided, and with them the channel's
 * approval message and the requester's DM (redrawAll). A caller that already holds the request as written, or has
 * started reading where the messages are, passes them in `known`, so the rewrite waits on no read of its own.
 */
export const refreshApproverMessages = async (
  requestId: string,
  deps: Pick<NotifyDeps, 'repository' | 'notifier' | 'people'>,
  known: { item?: RequestItem; refs?: Promise<MessageRefs> } = {},
): Promise<void> => {
  const [item, refs] = await Promise.all([
    known.item ?? loadRequest(deps.repository, requestId),
    known.refs ?? deps.repository.getMessageRefs(requestId),
  ]);
  await redrawAll(deps, item, refs);
};

/**
 * Copies the status onto the approver entries, or throws ApproverStatusSyncError. It runs before anyone is told, so
 * the state machine can retry the whole step on that error until the copy is right without sending anything twice.
 */
const syncApproverStatusOrThrow = async (deps: NotifyDeps, item: RequestItem): Promise<void> => {
  try {
    await deps.repository.syncApproverStatus(item);
  } catch (error) {
    logger.error('Approver status copy failed; the step is retried', {
      requestId: item.requestId,
      status: item.status,
      errorName: (error as Error).name,
    });
    throw new ApproverStatusSyncError(`Could not copy status ${item.status} onto the approver entries`, {
      cause: error,
    });
  }
};

/** Statuses where access may be in place that nobody meant: everyone involved is told, not just the requester. */
const ALARMS: Partial<Record<RequestItem['status'], { build: (item: RequestItem) => Message; event: string }>> = {
  REVOKE_FAILED: { build: revokeFailedAlarm, event: 'revoke_failed_alarm' },
  OUTCOME_UNKNOWN: { build: outcomeUnknownAlarm, event: 'outcome_unknown_alarm' },
};

export const notifyOutcome = async (input: { requestId: string }, deps: NotifyDeps): Promise<void> => {
  const item = await loadRequest(deps.repository, input.requestId);
  await syncApproverStatusOrThrow(deps, item);
  const refs = await deps.repository.getMessageRefs(input.requestId);
  const requesterRedrawn = await redrawAll(deps, item, refs);
  // A requester who asked in Slack keeps one DM: it now shows the outcome (posted here if it never was, e.g. for a
  // request approved by policy at once). Should neither work, they hear it as everyone else does.
  const toldInTheirDm =
    item.origin && deps.slack ? requesterRedrawn === true || (await postRequesterMessage(deps, item)) : false;
  if (toldInTheirDm) {
    await recordEvent(deps, item, 'requester_notified', { status: item.status, via: 'requesterMessage' });
  } else {
    const { sent, failed } = await deliverAll(deps, item, [item.requester], () => ({
      kind: 'outcome',
      message: outcomeMessage(item),
    }));
    await recordEvent(deps, item, 'requester_notified', { status: item.status, ...(sent.length ? {} : { failed }) });
  }
  const loud = ALARMS[item.status];
  if (loud) {
    // Access possibly left in place must never be quiet: every approver and auditor is told, not just the requester.
    const alarmed = [...new Set([...item.approvers, ...deps.auditors])];
    const alarm = await deliverAll(deps, item, alarmed, () => ({ kind: 'notice', message: loud.build(item) }));
    await recordEvent(deps, item, loud.event, {
      notified: alarm.sent,
      ...(alarm.failed.length ? { failed: alarm.failed } : {}),
    });
  }
};

/**
 * A grant still in place more than 10 minutes (AWS time) past its end: the requester, every approver and every auditor
 * are told loudly, once (the caller writes the revoke_overdue event with a condition first), while the retries go on.
 */
export const notifyRevokeOverdue = async (
  input: { requestId: string; overdueMinutes: number },
  deps: NotifyDeps,
): Promise<{ sent: string[]; failed: Array<{ recipient: string; error: string }> }> => {
  const item = await loadRequest(deps.repository, input.requestId);
  const recipients = [...new Set([item.requester, ...item.approvers, ...deps.auditors])];
  const alarm = await deliverAll(deps, item, recipients, () => ({
    kind: 'notice',
    message: revokeOverdueAlarm(item, input.overdueMinutes),
  }));
  await recordEvent(deps, item, 'revoke_overdue_alarm', {
    notified: alarm.sent,
    ...(alarm.failed.length ? { failed: alarm.failed } : {}),
  });
  return alarm;
};

/**
 * The grant's wait stores its token like the approval did: the waiting side of the hand-off (taskTokenHandoff.ts).
 * An early revoke that arrived before the token was stored found none to resume, so we end the grant ourselves if
 * asked to.
 */
export const holdGrant = async (
  input: { requestId: string; taskToken: string },
  deps: Pick<NotifyDeps, 'repository'> & { sfn: SFNClient },
): Promise<void> => {
  await storeTokenThenCheck(deps, input, (item) =>
    item.revokeRequestedBy ? { output: { revokedBy: item.revokeRequestedBy } } : undefined,
  );
};
