// The stored shape of a request and the public shape the HTTP API returns.

export const REQUEST_STATUSES = [
  'PENDING_APPROVAL',
  'APPROVED',
  'COMPLETED',
  'DENIED',
  'EXPIRED',
  'FAILED',
  'ACTIVE',
  'REVOKED',
  'REVOKE_FAILED',
  /**
   * A creation was accepted by Identity Center but neither its success nor its absence could be verified: access may
   * be in place with no grant of ours recorded. Loud, and settled later by the reconciler (issue 13).
   */
  'OUTCOME_UNKNOWN',
] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/**
 * How far along its life a status is. A request only ever moves to a later stage (or, for a reconciler settling
 * OUTCOME_UNKNOWN, to another status of the same stage), so a copy of the status written late, such as a decider's
 * APPROVED landing after the workflow's COMPLETED, is recognised as stale by its stage and refused.
 */
export const STATUS_STAGE: Record<RequestStatus, number> = {
  PENDING_APPROVAL: 0,
  APPROVED: 1,
  COMPLETED: 2,
  DENIED: 2,
  EXPIRED: 2,
  FAILED: 2,
  ACTIVE: 2,
  OUTCOME_UNKNOWN: 2,
  REVOKED: 3,
  REVOKE_FAILED: 3,
};

export type Decision = 'approve' | 'deny';
/**
 * `system`: a rule with `approvalRequired: false` approved the request at once (the workflow records it).
 * `page`: a signed-in approver decided on the access page (`POST /requests/{id}/decision`, the JWT's identity).
 */
export type DecisionChannel = 'slack' | 'link' | 'page' | 'system';

/** How each channel reads after "via" on the pages; one table, so a new channel cannot show as another. */
export const DECISION_CHANNEL_WORDS: Record<DecisionChannel, string> = {
  slack: 'Slack',
  link: 'link',
  page: 'the access page',
  system: 'policy (no approval required)',
};

export interface Approval {
  approver: string;
  decision: Decision;
  at: string;
  via: DecisionChannel;
  comment?: string;
}

/** A name with the id it stands for. `name` is the id itself when the name could not be resolved at submit. */
export interface DisplayName {
  id: string;
  name: string;
}

/**
 * Names resolved once, at submit, and stored with the request (DESIGN.md, "Names everywhere"): what approvers,
 * auditors and the requester read. Later renames do not change what a request was shown as. Requests stored before
 * this existed have none; every reader falls back to the ids.
 */
export interface RequestDisplay {
  requester: DisplayName;
  /** sso:CreateAccountAssignment only. `userName` is set for a USER principal. */
  principal?: { type: 'USER' | 'GROUP'; id: string; name: string; userName?: string };
  permissionSet?: { arn: string; name: string; description?: string };
  account?: DisplayName;
}

/**
 * Where a request was made, when that changes how the requester is kept informed. A request made with Slack's
 * `/access` keeps one DM to the requester, updated in place as the request moves (DESIGN.md, "Slack, second stage").
 * Absent: made over HTTP (the API or the access page).
 */
export interface RequestOrigin {
  via: 'slack';
  /** The Slack user who submitted the modal: the requester's DM goes to them. */
  slackUserId: string;
}

/** Events are append-only; `detail` is stored as a JSON string because the state machine writes some. */
export interface StoredEvent {
  at: string;
  type: string;
  detail: string;
}

export interface RequestItem {
  pk: string;
  sk: string;
  kind: 'REQUEST';
  requestId: string;
  action: string;
  /** JSON of the validated action parameters. */
  parameters: string;
  requester: string;
  justification: string;
  summary: string;
  targetId: string;
  /** Names for the ids above, resolved at submit; absent on requests stored before names existed. */
  display?: RequestDisplay;
  /**
   * False when the matching rule sets `approvalRequired: false`: the workflow's approval step records `system`'s
   * approval and resumes at once, asking nobody. Absent means true, as for every request stored before it existed.
   */
  approvalRequired?: boolean;
  /**
   * The matching rule's `slackChannel`, stored at submit: the approval message is posted there once, instead of a DM to
   * each approver. Absent: DMs (or the outbox) as before.
   */
  slackChannel?: string;
  /** Absent for requests made over HTTP. */
  origin?: RequestOrigin;
  status: RequestStatus;
  /** Keys of byRequesterStatus, byTargetStatus and byActionStatus, rewritten with every status change. */
  requesterStatus: string;
  targetStatus: string;
  actionStatus: string;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  approvers: string[];
  minApprovals: number;
  approvalCount: number;
  /** approver → decision; the condition target that makes each approver decide at most once. */
  decisions: Record<string, Decision>;
  approvals: Approval[];
  events: StoredEvent[];
  outcome?: string;
  error?: { name: string; cause: string };
  /** Time-bound grants: how long, and (once ACTIVE) until when. */
  durationMinutes?: number;
  activeUntil?: string;
  /** Who ended a time-bound grant early. */
  revokeRequestedBy?: string;
}

/** An entry of the byApprover index. It copies the request's immutable fields so they can be filtered on. */
export interface ApproverItem {
  pk: string;
  sk: string;
  approver: string;
  requestId: string;
  createdAt: string;
  /** The request's filterable fields; `status` is copied on every status change (see syncApproverStatus). */
  ref: { action: string; targetId: string; requester: string; status: RequestStatus };
  /** Key of byApproverStatus, rewritten with `ref.status`. */
  approverStatus: string;
  /**
   * STATUS_STAGE of `ref.status`: a copy is only ever replaced by one of the same or a later stage. Absent on
   * entries written before the stage existed; those accept any copy.
   */
  statusStage?: number;
  /** Key of byApproverAction. */
  approverAction: string;
}

export interface RequestEvent {
  at: string;
  type: string;
  detail: unknown;
}

export interface RequestView {
  requestId: string;
  action: string;
  parameters: Record<string, string>;
  summary: string;
  targetId: string;
  display?: RequestDisplay;
  requester: string;
  justification: string;
  status: RequestStatus;
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  approvers: string[];
  minApprovals: number;
  approvals: Approval[];
  events: RequestEvent[];
  outcome?: unknown;
  error?: { name: string; message: string };
  durationMinutes?: number;
  activeUntil?: string;
  revokeRequestedBy?: string;
}
