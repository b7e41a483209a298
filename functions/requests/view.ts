// Turns a stored request into the contract's response shape. Whatever is stored as JSON text (because
// the state machine wrote it) is parsed back; secrets are never part of a request item to begin with.
import type { RequestEvent, RequestItem, RequestView } from './model.js';

const parseJson = (text: string | undefined): unknown => {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

// Lambda failures reach Step Functions with a JSON Cause ({errorType, errorMessage, trace}); people
// want the message, not the envelope.
export const errorMessage = (cause: string): string => {
  const parsed = parseJson(cause);
  if (parsed && typeof parsed === 'object' && 'errorMessage' in parsed)
    return String((parsed as { errorMessage: unknown }).errorMessage);
  return cause;
};

export const toRequestView = (item: RequestItem): RequestView => ({
  requestId: item.requestId,
  action: item.action,
  parameters: parseJson(item.parameters) as Record<string, string>,
  summary: item.summary,
  targetId: item.targetId,
  // The names resolved at submit; requests stored before names have none, and readers fall back to the ids.
  ...(item.display ? { display: item.display } : {}),
  requester: item.requester,
  justification: item.justification,
  status: item.status,
  createdAt: item.createdAt,
  updatedAt: item.updatedAt,
  expiresAt: item.expiresAt,
  approvers: item.approvers,
  minApprovals: item.minApprovals,
  approvals: item.approvals,
  events: item.events.map((e): RequestEvent => ({ at: e.at, type: e.type, detail: parseJson(e.detail) ?? {} })),
  ...(item.outcome !== undefined ? { outcome: parseJson(item.outcome) } : {}),
  ...(item.error ? { error: { name: item.error.name, message: errorMessage(item.error.cause) } } : {}),
  ...(item.durationMinutes !== undefined ? { durationMinutes: item.durationMinutes } : {}),
  ...(item.activeUntil !== undefined ? { activeUntil: item.activeUntil } : {}),
  ...(item.revokeRequestedBy !== undefined ? { revokeRequestedBy: item.revokeRequestedBy } : {}),
});

export const canRead = (
  item: Pick<RequestItem, 'requester' | 'approvers'>,
  identity: string,
  auditor: boolean,
): boolean => auditor || item.requester === identity || item.approvers.includes(identity);
