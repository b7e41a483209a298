// What the audit page reads from GET /requests and GET /requests/{id} (the API's request view), typed loosely:
// the page shows what is there and tolerates what is not (requests stored before a field existed, for one).

export interface NamedRef {
  id?: string;
  name?: string;
  type?: string;
  userName?: string;
}

export interface PermissionSetRef {
  arn?: string;
  name?: string;
  description?: string;
}

/** The names a request was shown under at submit (DESIGN.md, "Names everywhere"). */
export interface DisplaySnapshot {
  requester?: NamedRef;
  principal?: NamedRef;
  permissionSet?: PermissionSetRef;
  account?: NamedRef;
}

export interface ApprovalView {
  approver: string;
  decision: string;
  at?: string;
  via?: string;
  comment?: string;
}

export interface EventView {
  at?: string;
  type?: string;
  detail?: unknown;
}

export interface RequestView {
  requestId: string;
  action: string;
  requester: string;
  status: string;
  summary?: string;
  justification?: string;
  createdAt?: string;
  updatedAt?: string;
  expiresAt?: string;
  targetId?: string;
  parameters?: Record<string, unknown>;
  approvers?: string[];
  approvals?: ApprovalView[];
  minApprovals?: number;
  events?: EventView[];
  outcome?: unknown;
  error?: { name?: string; message?: string };
  display?: DisplaySnapshot;
}

export interface RequestPage {
  items?: RequestView[];
  nextCursor?: string;
}

/** What the server hands the audit page (functions/audit/page.ts). */
export interface AuditPageData {
  /** Which parameter names each action's target, from the action registry. */
  targetParameters: Record<string, string>;
}
