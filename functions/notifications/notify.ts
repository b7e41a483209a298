// Telling people: approvers get their signed links (after the task token is safely stored), and the
// requester hears the outcome. One approver's delivery failing never stops the others or the workflow.
import { signLink } from '../approvals/linkToken.js';
import type { Person } from '../policy/policy.js';
import type { Clock } from '../shared/clock.js';
import { logger } from '../shared/logger.js';
import type { RequestItem } from '../requests/model.js';
import { event, type RequestRepository } from '../requests/repository.js';
import { approvalRequestMessage, outcomeMessage } from './messages.js';
import type { Notifier } from './notifier.js';

export interface NotifyDeps {
  repository: RequestRepository;
  notifier: Notifier;
  clock: Clock;
  linkSecret: string;
  publicBaseUrl: string;
  people: readonly Person[];
}

const channelFor = (people: readonly Person[], id: string): string => people.find((p) => p.id === id)?.slackUserId ?? 'outbox';

const loadRequest = async (deps: NotifyDeps, requestId: string): Promise<RequestItem> => {
  const item = await deps.repository.get(requestId);
  if (!item) throw new Error(`Request ${requestId} not found`);
  return item;
};

export const approvalLink = (deps: Pick<NotifyDeps, 'linkSecret' | 'publicBaseUrl'>, item: RequestItem, approver: string): string =>
  `${deps.publicBaseUrl}/approvals/${signLink({ requestId: item.requestId, approver, expiresAt: Date.parse(item.expiresAt) }, deps.linkSecret)}`;

export const notifyApprovers = async (input: { requestId: string; taskToken: string }, deps: NotifyDeps): Promise<void> => {
  const item = await loadRequest(deps, input.requestId);
  // The token is stored before any link goes out, so no approver can act before the workflow can resume.
  await deps.repository.putTaskToken(item.requestId, input.taskToken);
  const sent: string[] = [];
  const failed: Array<{ approver: string; error: string }> = [];
  for (const approver of item.approvers) {
    const approvalUrl = approvalLink(deps, item, approver);
    try {
      await deps.notifier.send({
        requestId: item.requestId,
        kind: 'approval',
        recipient: approver,
        channel: channelFor(deps.people, approver),
        approvalUrl,
        ...approvalRequestMessage(item, approvalUrl),
      });
      sent.push(approver);
    } catch (error) {
      logger.error('Approver notification failed', { requestId: item.requestId, approver, errorName: (error as Error).name });
      failed.push({ approver, error: (error as Error).name });
    }
  }
  await deps.repository.appendEvent(item.requestId, event(deps.clock.now().toISOString(), 'notified', { approvers: sent, ...(failed.length ? { failed } : {}) }), ['PENDING_APPROVAL']);
};

export const notifyOutcome = async (input: { requestId: string }, deps: NotifyDeps): Promise<void> => {
  const item = await loadRequest(deps, input.requestId);
  await deps.notifier.send({
    requestId: item.requestId,
    kind: 'outcome',
    recipient: item.requester,
    channel: channelFor(deps.people, item.requester),
    ...outcomeMessage(item),
  });
  await deps.repository.appendEvent(item.requestId, event(deps.clock.now().toISOString(), 'requester_notified', { status: item.status }), [item.status]);
};
