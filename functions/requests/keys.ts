// Every key shape in the table is built here and nowhere else (the state machine receives its keys
// in the execution input rather than rebuilding them).
import { createHash } from 'node:crypto';

export interface TableKey {
  pk: string;
  sk: string;
}

export const requestKey = (requestId: string): TableKey => ({ pk: `REQUEST#${requestId}`, sk: 'REQUEST' });

/** The task token lives in its own item so that reading a request can never return it. */
export const taskTokenKey = (requestId: string): TableKey => ({ pk: `REQUEST#${requestId}`, sk: 'TASK_TOKEN' });

/** Where each recipient's message was posted, so it can be updated once the request is decided. */
export const messagesKey = (requestId: string): TableKey => ({ pk: `REQUEST#${requestId}`, sk: 'MESSAGES' });

/**
 * The ledger of our grants of one Identity Center assignment (instance, permission set, principal, account),
 * which decides who may delete it when a time-bound grant ends.
 */
export const assignmentKey = (a: {
  InstanceArn: string;
  PermissionSetArn: string;
  PrincipalId: string;
  TargetId: string;
}): TableKey => ({
  pk: `ASSIGNMENT#${createHash('sha256').update([a.InstanceArn, a.PermissionSetArn, a.PrincipalId, a.TargetId].join('\n')).digest('hex')}`,
  sk: 'ASSIGNMENT',
});

/** The Identity Center operations that hold an admission slot while Identity Center works on them. */
export type OperationKind = 'creation' | 'deletion';

/**
 * Admission slots for Identity Center assignment creations or deletions, one partition per instance and kind (the
 * quota is per instance), one item per slot, so taking a slot is one conditional write on one item.
 */
export const operationSlotsPartition = (kind: OperationKind, instanceArn: string): string =>
  `${kind.toUpperCase()}_SLOTS#${instanceArn}`;
export const operationSlotKey = (kind: OperationKind, instanceArn: string, slot: number): TableKey => ({
  pk: operationSlotsPartition(kind, instanceArn),
  sk: `SLOT#${String(slot).padStart(3, '0')}`,
});

/**
 * Executions waiting for a creation or deletion slot (provisioning/operationSlots.ts), one partition per instance and
 * kind, next to the slots themselves. The sort key starts with the execution's start time (epoch ms, zero-padded), so
 * a Query in key order reads the longest-waiting first; with the request id it is the same on every call for one
 * execution, so queueing again overwrites its own entry.
 */
export const slotWaitersPartition = (kind: OperationKind, instanceArn: string): string =>
  `${kind.toUpperCase()}_SLOT_WAITERS#${instanceArn}`;
export const slotWaiterKey = (
  kind: OperationKind,
  instanceArn: string,
  joinedAtMs: number,
  requestId: string,
): TableKey => ({
  pk: slotWaitersPartition(kind, instanceArn),
  sk: `WAITER#${String(joinedAtMs).padStart(15, '0')}#${requestId}`,
});

/**
 * The shared Identity Center call budget of one instance (provisioning/identityCenterBudget.ts): one item, so every
 * function and execution reserves its calls from the same next-free send time. No `kind`: never in the byTime index.
 */
export const identityCenterBudgetKey = (instanceArn: string): TableKey => ({
  pk: `IDENTITY_CENTER_BUDGET#${instanceArn}`,
  sk: 'BUDGET',
});

/** Scoped to the caller, so two people can never collide on (or probe) each other's keys. */
export const idempotencyKey = (requester: string, key: string): TableKey => ({
  pk: `IDEMPOTENCY#${createHash('sha256').update(`${requester}\n${key}`).digest('hex')}`,
  sk: 'IDEMPOTENCY',
});

/** One per (request, approver): what the byApprover index is made of. */
export const approverKey = (requestId: string, approver: string): TableKey => ({
  pk: `REQUEST#${requestId}`,
  sk: `APPROVER#${approver}`,
});

/**
 * The durable copy of one permission set's name and description (functions/directory/permissionSetNames.ts). A
 * permission set's ARN never changes and names its instance too, so it is the whole key. The item has no `kind`, so the
 * byTime index never holds it.
 */
export const permissionSetNameKey = (permissionSetArn: string): TableKey => ({
  pk: `PERMISSION_SET#${permissionSetArn}`,
  sk: 'NAME',
});

/** Request items carry `kind`, so the byTime index holds every request and nothing else. */
export const REQUEST_KIND = 'REQUEST';

/**
 * Composite keys of the `by<X>Status` indexes: one dimension's requests in one status. Status changes, so
 * every status write sets these too (the state machine gets the values precomputed in its input).
 */
const composite = (value: string, second: string): string => `${value}#${second}`;
export const requesterStatusKey = composite;
export const targetStatusKey = composite;
export const approverStatusKey = composite;
export const actionStatusKey = composite;
/** byApproverAction's key; an action never changes, so it is written once with the approver entry. */
export const approverActionKey = composite;

/** The request item's status-bearing index attributes for a status. */
export const statusIndexKeys = (item: { requester: string; targetId: string; action: string }, status: string) => ({
  requesterStatus: requesterStatusKey(item.requester, status),
  targetStatus: targetStatusKey(item.targetId, status),
  actionStatus: actionStatusKey(item.action, status),
});

/** Indexes, named for the access pattern they serve, with the attribute each is keyed on. All sort by createdAt. */
export const indexes = {
  byRequesterStatus: 'requesterStatus',
  byApproverStatus: 'approverStatus',
  byTargetStatus: 'targetStatus',
  byApproverAction: 'approverAction',
  byActionStatus: 'actionStatus',
  byRequester: 'requester',
  byApprover: 'approver',
  byTarget: 'targetId',
  byStatus: 'status',
  byAction: 'action',
  byTime: 'kind',
} as const;
export type IndexName = keyof typeof indexes;
