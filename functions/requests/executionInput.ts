// The workflow's input: the record its first state writes, the keys later states update, and the timing of
// the approval window. Built here once, for the submit Lambda and for the state machine tests alike.
import { marshall } from '@aws-sdk/util-dynamodb';
import type { ApprovalTiming } from '../policy/policy.js';
import { requestKey, statusIndexKeys } from './keys.js';
import type { RequestItem } from './model.js';

export interface ExecutionInput {
  requestId: string;
  action: string;
  parameters: Record<string, string>;
  approvalTimeoutSeconds: number;
  /** HeartbeatSeconds of the first wait: when it passes without a decision, undecided approvers are reminded. */
  reminderAfterSeconds: number;
  /** TimeoutSeconds of the wait after the reminder, so both waits together last exactly the window. */
  remainingAfterReminderSeconds: number;
  keys: Record<string, unknown>;
  /** Status-bearing index keys for the statuses the state machine itself writes. */
  statusKeys: Record<
    'COMPLETED' | 'FAILED' | 'EXPIRED' | 'ACTIVE' | 'REVOKED' | 'REVOKE_FAILED' | 'OUTCOME_UNKNOWN',
    ReturnType<typeof statusIndexKeys>
  >;
  /** How long the grant lasts; 0 for a permanent one. Above 0 routes the workflow to ACTIVE and revocation. */
  grantSeconds: number;
  item: Record<string, unknown>;
}

export const buildExecutionInput = (item: RequestItem, timing: ApprovalTiming): ExecutionInput => ({
  requestId: item.requestId,
  action: item.action,
  parameters: JSON.parse(item.parameters) as Record<string, string>,
  approvalTimeoutSeconds: timing.approvalTimeoutSeconds,
  reminderAfterSeconds: timing.reminderAfterSeconds,
  remainingAfterReminderSeconds: timing.approvalTimeoutSeconds - timing.reminderAfterSeconds,
  keys: marshall(requestKey(item.requestId)),
  statusKeys: {
    COMPLETED: statusIndexKeys(item, 'COMPLETED'),
    FAILED: statusIndexKeys(item, 'FAILED'),
    EXPIRED: statusIndexKeys(item, 'EXPIRED'),
    ACTIVE: statusIndexKeys(item, 'ACTIVE'),
    REVOKED: statusIndexKeys(item, 'REVOKED'),
    REVOKE_FAILED: statusIndexKeys(item, 'REVOKE_FAILED'),
    OUTCOME_UNKNOWN: statusIndexKeys(item, 'OUTCOME_UNKNOWN'),
  },
  grantSeconds: (item.durationMinutes ?? 0) * 60,
  item: marshall(item, { removeUndefinedValues: true }),
});
