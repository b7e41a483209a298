// An approver's decision. First writer wins through a conditional write on the request item; only the
// writer whose decision settles the request (the Nth approval, or any deny) resumes the workflow, so
// concurrent clicks produce exactly one SendTaskSuccess or SendTaskFailure.
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { Clock } from '../shared/clock.js';
import { logger } from '../shared/logger.js';
import {
  AlreadyDecidedError,
  InvalidLinkError,
  NotAnApproverError,
  NotFoundError,
  NotPendingError,
  ValidationError,
  type ErrorDetail,
} from '../shared/errors.js';
import type { Approval, Decision, DecisionChannel, RequestItem, RequestStatus } from '../requests/model.js';
import type { RequestRepository } from '../requests/repository.js';
import { resumeWithStoredToken, type TaskResult } from '../requests/taskTokenHandoff.js';
import { canRead } from '../requests/view.js';
import { verifyLink, type LinkClaims } from './linkToken.js';

export const MAX_COMMENT_LENGTH = 1024;
// Each lost race means another approver's decision landed; with quorum sizes of a handful this settles fast.
const MAX_ATTEMPTS = 25;

export interface DecideDeps {
  repository: RequestRepository;
  sfn: SFNClient;
  clock: Clock;
  linkSecret: string;
}

export interface DecideResult {
  item: RequestItem;
  decision: Decision;
  approver: string;
  /** Whether this decision settled the request and resumed the workflow. */
  settled: boolean;
}

export const parseDecision = (decision: unknown, comment: unknown): { decision: Decision; comment?: string } => {
  const details = [];
  if (decision !== 'approve' && decision !== 'deny')
    details.push({ path: 'decision', message: 'must be one of: approve, deny' });
  if (comment !== undefined && (typeof comment !== 'string' || comment.length > MAX_COMMENT_LENGTH)) {
    details.push({ path: 'comment', message: `must be text of at most ${MAX_COMMENT_LENGTH} characters` });
  }
  if (details.length > 0) throw new ValidationError(details);
  const trimmed = typeof comment === 'string' ? comment.trim() : '';
  return { decision: decision as Decision, ...(trimmed ? { comment: trimmed } : {}) };
};

/** The request behind a link, after the checks every link use shares: signature, expiry, and approver. */
export const openLink = async (
  linkToken: string,
  deps: Pick<DecideDeps, 'repository' | 'clock' | 'linkSecret'>,
): Promise<{ claims: LinkClaims; item: RequestItem }> => {
  const claims = verifyLink(linkToken, deps.linkSecret, deps.clock.now().getTime());
  const item = await deps.repository.get(claims.requestId);
  if (!item) throw new InvalidLinkError('This approval link is not valid');
  assertMayDecide(item, claims.approver);
  return { claims, item };
};

export const assertMayDecide = (item: Pick<RequestItem, 'requester' | 'approvers'>, approver: string): void => {
  if (approver === item.requester) throw new NotAnApproverError('You cannot approve your own request');
  if (!item.approvers.includes(approver)) throw new NotAnApproverError('You are not an approver of this request');
};

/** Why a decision cannot be taken now, or undefined if it can. */
export const decisionBlocker = (item: RequestItem, approver: string): Error | undefined => {
  if (item.decisions[approver]) return new AlreadyDecidedError(`You already decided: ${item.decisions[approver]}`);
  if (item.status !== 'PENDING_APPROVAL')
    return new NotPendingError(`This request is no longer pending (${item.status})`);
  return undefined;
};

const settledStatus = (item: RequestItem, decision: Decision): RequestStatus | undefined => {
  if (decision === 'deny') return 'DENIED';
  return item.approvalCount + 1 >= item.minApprovals ? 'APPROVED' : undefined;
};

/** What the approval wait is resumed with: the workflow's Catch on `Denied` ends a denied request. */
const taskResult = (decision: Decision, approver: string): TaskResult =>
  decision === 'approve'
    ? { output: { decision: 'approved', lastApprover: approver } }
    : { error: 'Denied', cause: `Denied by ${approver}` };

/** Resumes the approval wait (taskTokenHandoff.ts); a wait that has closed means the window closed first. */
const resumeApprovalWait = async (
  deps: Pick<DecideDeps, 'repository' | 'sfn'>,
  requestId: string,
  result: TaskResult,
  storedToken: Promise<string | undefined> | undefined,
): Promise<void> => {
  const outcome = await resumeWithStoredToken(deps, requestId, result, storedToken);
  if (outcome === 'closed') throw new NotPendingError('The approval window has closed');
};

/**
 * A decision by a known approver, however they were identified (a signed link, Slack's user id, or the JWT). A caller
 * that has just read the request passes it as `known`, so the first attempt needs no second read; a stale copy only
 * costs a lost conditional write and a fresh read, like any race.
 */
export const decideAs = async (
  input: { requestId: string; approver: string; decision: unknown; comment?: unknown; via: DecisionChannel },
  deps: Omit<DecideDeps, 'linkSecret'>,
  known?: RequestItem,
): Promise<DecideResult> => {
  const { decision, comment } = parseDecision(input.decision, input.comment);
  let item = known?.requestId === input.requestId ? known : await deps.repository.get(input.requestId);
  if (!item) throw new NotFoundError(`Request ${input.requestId} not found`);
  const { approver } = input;
  assertMayDecide(item, approver);
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt += 1) {
    const blocker = decisionBlocker(item, approver);
    if (blocker) throw blocker;
    const newStatus = settledStatus(item, decision);
    const approval: Approval = {
      approver,
      decision,
      at: deps.clock.now().toISOString(),
      via: input.via,
      ...(comment ? { comment } : {}),
    };
    // Slack drops an ack after 3 s, so the reads the winner needs go alongside the write: the task token when this
    // decision would settle the request (reading it is harmless if the write loses), and the request as written.
    const storedToken = newStatus ? deps.repository.getTaskToken(item.requestId) : undefined;
    storedToken?.catch(() => undefined);
    const written = await deps.repository.recordDecision({
      requestId: item.requestId,
      requester: item.requester,
      targetId: item.targetId,
      action: item.action,
      approval,
      seenApprovalCount: item.approvalCount,
      newStatus,
    });
    if (written) {
      if (newStatus) {
        // The byApprover copies of the status trail the request item either way; updating them while the workflow
        // resumes costs the answer no extra round trip. A failed copy must not turn a recorded decision into an
        // error: NotifyOutcome, which every path to an end status runs and retries until it succeeds, rewrites it.
        await Promise.all([
          resumeApprovalWait(deps, item.requestId, taskResult(decision, approver), storedToken),
          deps.repository.syncApproverStatus(written).catch((error: unknown) => {
            logger.warn('Approver status copy not written; NotifyOutcome repairs it', {
              requestId: written.requestId,
              errorName: (error as Error).name,
            });
          }),
        ]);
      }
      return { item: written, decision, approver, settled: newStatus !== undefined };
    }
    const fresh = await deps.repository.get(item.requestId);
    if (!fresh) throw new Error(`Request ${item.requestId} disappeared`);
    item = fresh;
  }
  throw new Error(`Could not record decision on ${item.requestId} after ${MAX_ATTEMPTS} attempts`);
};

/** A decision through a signed approval link: the link names the approver. */
export const decideByLink = async (
  input: { linkToken: string; decision: unknown; comment?: unknown },
  deps: DecideDeps,
): Promise<DecideResult> => {
  parseDecision(input.decision, input.comment);
  const { claims } = await openLink(input.linkToken, deps);
  return decideAs(
    {
      requestId: claims.requestId,
      approver: claims.approver,
      decision: input.decision,
      comment: input.comment,
      via: 'link',
    },
    deps,
  );
};

/** The fields of `POST /requests/{requestId}/decision`'s body; anything else is refused, naming it. */
const DECISION_BODY_FIELDS = new Set(['decision', 'comment']);

/** Checks a signed-in decision's JSON body: an object holding `decision` and an optional `comment`, nothing else. */
export const parseDecisionBody = (body: unknown): { decision: Decision; comment?: string } => {
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new ValidationError([{ path: '(body)', message: 'must be a JSON object' }]);
  const fields = body as Record<string, unknown>;
  // One answer lists every problem of the body: the known fields' first, then each unknown one.
  const details: ErrorDetail[] = [];
  let parsed: { decision: Decision; comment?: string } | undefined;
  try {
    parsed = parseDecision(fields.decision, fields.comment);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    details.push(...(error.details ?? []));
  }
  for (const name of Object.keys(fields))
    if (!DECISION_BODY_FIELDS.has(name))
      details.push({ path: name, message: 'is not a known field (decision, comment)' });
  if (details.length > 0 || !parsed) throw new ValidationError(details);
  return parsed;
};

// Request ids are UUIDs; the bound keeps an arbitrary path segment out of DynamoDB keys, as the other id routes do.
const MAX_REQUEST_ID_LENGTH = 128;

/**
 * A decision by a signed-in approver (`POST /requests/{requestId}/decision`): the caller is the JWT's identity, and the
 * rules and answers are a link's (decideAs, `via: 'page'`). Someone who may not read the request (not its requester,
 * an approver or an auditor) learns nothing about it, not even that it exists: 404, as `GET /requests/{id}` answers.
 */
export const decideSignedIn = async (
  input: { requestId: string; caller: string; auditor: boolean; body: unknown },
  deps: Omit<DecideDeps, 'linkSecret'>,
): Promise<DecideResult> => {
  const { decision, comment } = parseDecisionBody(input.body);
  const item = input.requestId.length <= MAX_REQUEST_ID_LENGTH ? await deps.repository.get(input.requestId) : undefined;
  if (!item || !canRead(item, input.caller, input.auditor))
    throw new NotFoundError(`Request ${input.requestId} not found`);
  return decideAs({ requestId: item.requestId, approver: input.caller, decision, comment, via: 'page' }, deps, item);
};
