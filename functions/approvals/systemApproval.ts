// The workflow's approval step for a rule with `approvalRequired: false` (DESIGN.md, "Policy, second stage"): the
// system approves the request at once, recorded like a person's decision (an approval by `system` and its decision
// event, so it is audited and shown), and the workflow goes on to provision it as after any approval. Nobody is
// asked; the requester still hears the outcome. It runs in the approval step itself, so the workflow has one path for
// both kinds of request and the execution is no longer than before.
import type { SFNClient } from '@aws-sdk/client-sfn';
import { notifyApprovers, type NotifyDeps } from '../notifications/notify.js';
import type { Approval, RequestItem } from '../requests/model.js';
import type { RequestRepository } from '../requests/repository.js';
import { storeTokenThenCheck } from '../requests/taskTokenHandoff.js';
import type { Clock } from '../shared/clock.js';

export const SYSTEM_APPROVER = 'system';
const SYSTEM_APPROVAL_COMMENT = 'The matching rule sets approvalRequired: false';

export interface SystemApprovalDeps {
  repository: Pick<RequestRepository, 'get' | 'recordDecision' | 'putTaskToken'>;
  sfn: SFNClient;
  clock: Clock;
}

/**
 * Records `system`'s approval and resumes the approval wait. A retried step finds the approval already written (the
 * condition refuses a second one) and only resumes the wait.
 */
export const approveAsSystem = async (
  input: { requestId: string; taskToken: string },
  item: RequestItem,
  deps: SystemApprovalDeps,
): Promise<void> => {
  if (item.status === 'PENDING_APPROVAL') {
    const approval: Approval = {
      approver: SYSTEM_APPROVER,
      decision: 'approve',
      at: deps.clock.now().toISOString(),
      via: 'system',
      comment: SYSTEM_APPROVAL_COMMENT,
    };
    await deps.repository.recordDecision({
      requestId: item.requestId,
      requester: item.requester,
      targetId: item.targetId,
      action: item.action,
      approval,
      seenApprovalCount: item.approvalCount,
      newStatus: 'APPROVED',
    });
  }
  // The hand-off's waiting side: the token is stored, then the request read again, and the wait resumed if approved.
  await storeTokenThenCheck(deps, input, (current) =>
    current.status === 'APPROVED' ? { output: { decision: 'approved', lastApprover: SYSTEM_APPROVER } } : undefined,
  );
};

/** The approval step: a request whose rule needs no approval is approved by `system`; any other asks its approvers. */
export const startApproval = async (
  input: { requestId: string; taskToken: string },
  deps: NotifyDeps & { sfn: SFNClient },
): Promise<void> => {
  const item = await deps.repository.get(input.requestId);
  if (item?.approvalRequired === false) await approveAsSystem(input, item, deps);
  else await notifyApprovers(input, deps);
};
