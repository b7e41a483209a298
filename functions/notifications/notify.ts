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
import { event, type RequestRepository } from '../requests/repository.js';
import { storeTokenThenCheck } from '../requests/taskTokenHandoff.js';
import {
  approvalRequestMessage,
  decisionStateMessage,
  outcomeMessage,
  outcomeUnknownAlarm,
  reminderMessage,
  revokeFailedAlarm,
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

export const notifyApprovers = async (
  input: { requestId: string; taskToken: string },
  deps: NotifyDeps,
): Promise<void> => {
  const item = await loadRequest(deps.repository, input.requestId);
  // The token is stored before any link goes out, so no approver can act before the workflow can resume.
  await deps.repository.putTaskToken(item.requestId, input.taskToken);
  await deps.repository.putApproverItems(item);
  const { sent, failed } = await deliverAll(deps, item, item.approvers, (approver) => {
    const approvalUrl = approvalLink(deps, item, approver);
    return { kind: 'approval', message: approvalRequestMessage(item, approvalUrl), approvalUrl };
  });
  await recordEvent(deps, item, 'notified', { approvers: sent, ...(failed.length ? { failed } : {}) });
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
  const { sent, failed } = await deliverAll(deps, item, undecided, (approver) => {
    const approvalUrl = approvalLink(deps, item, approver);
    return { kind: 'reminder', message: reminderMessage(item, approvalUrl), approvalUrl };
  });
  await recordEvent(deps, item, 'reminded', { approvers: sent, ...(failed.length ? { failed } : {}) });
};

export type MessageRefs = Awaited<ReturnType<RequestRepository['getMessageRefs']>>;

/**
 * Rewrites every approver's original message to show the current state and who decided. A caller that already
 * holds the request as written, or has started reading where the messages are, passes them in `known`, so the
 * rewrite waits on no read of its own.
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
  const message = decisionStateMessage(item);
  await Promise.all(
    [...refs].map(async ([recipient, ref]) => {
      try {
        await deps.notifier.update(ref, {
          requestId,
          kind: 'update',
          recipient,
          slackUserId: slackUserId(deps.people, recipient),
          ...message,
        });
      } catch (error) {
        logger.error('Message update failed', { requestId, recipient, errorName: (error as Error).name });
      }
    }),
  );
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
  await refreshApproverMessages(input.requestId, deps, { item });
  const { sent, failed } = await deliverAll(deps, item, [item.requester], () => ({
    kind: 'outcome',
    message: outcomeMessage(item),
  }));
  await recordEvent(deps, item, 'requester_notified', { status: item.status, ...(sent.length ? {} : { failed }) });
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
