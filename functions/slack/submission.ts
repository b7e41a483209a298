// The `/access` modal submitted: a `view_submission` payload at the Interactivity URL (POST /slack/interactions, where
// Slack sends every interactive payload). It becomes the same body POST /requests takes, by name, and goes through
// the same submit code as the person the Slack user maps to. Slack reads the answer as the modal's fate ("View
// interactions payloads" and "Modals": https://docs.slack.dev/reference/interaction-payloads/view-interactions-payload,
// https://docs.slack.dev/surfaces/modals): an empty 200 closes it; `{ "response_action": "errors", "errors": {
// block_id: message } }` keeps it open with each message under its block. Every refusal of a signed, well-formed
// submission is such an answer, so the person sees it where they typed.
import type { RequestOrigin } from '../requests/model.js';
import type { SubmitInput, SubmitResponse } from '../requests/submitRequest.js';
import type { Clock } from '../shared/clock.js';
import { isDomainError, ValidationError, type ErrorDetail } from '../shared/errors.js';
import { logger } from '../shared/logger.js';
import { ACCESS_CALLBACK_ID, BLOCK, fitText, type ModalBlock } from './modal.js';
import { selectedValue } from './options.js';
import { inputState, invalid, isRecord, personOrUnmapped, readPayload, SLACK_ID } from './payload.js';
import { verifySlackSignature, type SignedSlackRequest } from './signature.js';
import { SSO_ASSIGNMENT_ACTION as SSO_ACTION } from '../actions/actionNames.js';

export interface ViewSubmission {
  slackUserId: string;
  /** Slack's id of the submitted view; the submit's idempotency key is made from it. */
  viewId: string;
  accountId?: string;
  permissionSetName?: string;
  durationMinutes?: number;
  justification?: string;
}

export { interactionType } from './payload.js';

/** A plain-text input's value, `view.state.values[block_id][action_id].value`. */
const typedValue = (view: unknown, blockId: string): string | undefined => {
  const value = inputState(view, blockId)?.value;
  return typeof value === 'string' ? value : undefined;
};

/** Reads a view_submission of the `/access` modal. Its fields' own problems are left to submit, which names them. */
export const parseViewSubmission = (rawBody: string): ViewSubmission => {
  const payload = readPayload(rawBody, 'view_submission');
  const user = payload.user;
  const slackUserId = isRecord(user) && typeof user.id === 'string' ? user.id : '';
  if (!SLACK_ID.test(slackUserId)) throw invalid('payload.user.id', 'must be a Slack user id');
  const view = payload.view;
  if (!isRecord(view)) throw invalid('payload.view', 'is required');
  if (view.callback_id !== ACCESS_CALLBACK_ID)
    throw invalid('payload.view.callback_id', `must be ${ACCESS_CALLBACK_ID}`);
  const viewId = typeof view.id === 'string' ? view.id : '';
  if (!SLACK_ID.test(viewId)) throw invalid('payload.view.id', 'must be a Slack view id');
  const accountId = selectedValue(view, BLOCK.account);
  const permissionSetName = selectedValue(view, BLOCK.permissionSet);
  const duration = selectedValue(view, BLOCK.duration);
  const justification = typedValue(view, BLOCK.justification);
  return {
    slackUserId,
    viewId,
    ...(accountId !== undefined ? { accountId } : {}),
    ...(permissionSetName !== undefined ? { permissionSetName } : {}),
    ...(duration !== undefined && /^\d{1,7}$/.test(duration) ? { durationMinutes: Number(duration) } : {}),
    ...(justification !== undefined ? { justification } : {}),
  };
};

/** The modal's answer: an empty 200 (closes it) or errors by block (keeps it open). */
export type SubmissionAnswer =
  | { kind: 'submitted'; requestId: string }
  | { kind: 'errors'; errors: Partial<Record<ModalBlock, string>> };

/** Which block a submit error's path belongs to; anything else goes to the block most likely to fix it. */
export const blockForPath = (path: string): ModalBlock => {
  if (path === 'parameters.TargetId') return BLOCK.account;
  if (path === 'parameters.PermissionSetName' || path === 'parameters.PermissionSetArn') return BLOCK.permissionSet;
  if (path === 'durationMinutes') return BLOCK.duration;
  if (path === 'justification') return BLOCK.justification;
  // Principal, instance and the rest are filled in by submit, never typed: the account is what the person changes.
  return BLOCK.account;
};

/** Which block a policy refusal belongs to: who may ask is about the account; an uncovered pair about the set. */
const blockForRefusal = (code: string): ModalBlock => (code === 'NoApprovalRule' ? BLOCK.permissionSet : BLOCK.account);

/** Slack shows an error under its block; a long one is cut, never dropped. */
const MAX_ERROR_CHARS = 300;
const cut = (text: string): string => fitText(text, MAX_ERROR_CHARS);

/** ValidationError details as Slack's errors, one message per block (several details on one block are joined). */
export const errorsFromDetails = (details: readonly ErrorDetail[]): Partial<Record<ModalBlock, string>> => {
  const byBlock = new Map<ModalBlock, string[]>();
  for (const detail of details) {
    const block = blockForPath(detail.path);
    const field = detail.path.replace(/^parameters\./, '');
    byBlock.set(block, [...(byBlock.get(block) ?? []), `${field} ${detail.message}`]);
  }
  return Object.fromEntries([...byBlock].map(([block, messages]) => [block, cut(messages.join('; '))]));
};

/** Body problems the modal itself can see before submit: a select left empty (Slack requires them, but says so too). */
const missing = (submission: ViewSubmission): Partial<Record<ModalBlock, string>> => ({
  ...(submission.accountId === undefined ? { [BLOCK.account]: 'Choose an account' } : {}),
  ...(submission.permissionSetName === undefined ? { [BLOCK.permissionSet]: 'Choose a permission set' } : {}),
  ...(submission.durationMinutes === undefined ? { [BLOCK.duration]: 'Choose a duration' } : {}),
});

export interface ViewSubmissionDeps {
  signingSecret: string;
  clock: Clock;
  /** The person this Slack user is (slack/identity.ts personForSlackUser); throws NotAnApproverError when unmapped. */
  identify: (slackUserId: string) => Promise<string>;
  /** The claims the policy's identity mapping reads, for this person (see claimsForPerson). */
  claimsFor: (person: string) => Record<string, unknown>;
  /** submitRequest with its dependencies bound: the same code as POST /requests. */
  submit: (input: SubmitInput) => Promise<SubmitResponse>;
}

/**
 * The claims a JWT of this person would carry for the policy's identity mapping: the mapped id stands in for the claim
 * the policy reads (by default `email`; a Slack user is mapped by `people[].id` or their Slack profile's email).
 */
export const claimsForPerson = (claim: string | undefined, person: string): Record<string, unknown> => ({
  [claim ?? 'email']: person,
});

const NOT_LINKED_HINT =
  'Nothing was requested. Ask an administrator to link your Slack account, or use the access page.';

/** Verifies, parses and submits one view_submission; every refusal of a signed, well-formed one is an errors answer. */
export const handleViewSubmission = async (
  request: SignedSlackRequest,
  deps: ViewSubmissionDeps,
): Promise<SubmissionAnswer> => {
  verifySlackSignature(request, deps.signingSecret, deps.clock.now().getTime());
  const submission = parseViewSubmission(request.rawBody);
  const person = await personOrUnmapped(deps.identify, submission.slackUserId, 'access request');
  if (typeof person !== 'string')
    return { kind: 'errors', errors: { [BLOCK.account]: cut(`${person.message}. ${NOT_LINKED_HINT}`) } };
  const empty = missing(submission);
  if (Object.keys(empty).length > 0) return { kind: 'errors', errors: empty };
  const origin: RequestOrigin = { via: 'slack', slackUserId: submission.slackUserId };
  try {
    const response = await deps.submit({
      body: {
        action: SSO_ACTION,
        parameters: { TargetId: submission.accountId, PermissionSetName: submission.permissionSetName },
        // Absent when the box was left empty: submit's own check then names `justification`.
        justification: submission.justification ?? '',
        durationMinutes: submission.durationMinutes,
      },
      requester: person,
      claims: deps.claimsFor(person),
      // The same view submitted twice (a retry, a double click) is one request.
      idempotencyKey: `slack-view-${submission.viewId}`,
      origin,
    });
    logger.info('Slack access request submitted', {
      requestId: response.requestId,
      slackUserId: submission.slackUserId,
    });
    return { kind: 'submitted', requestId: response.requestId };
  } catch (error) {
    if (error instanceof ValidationError && error.details)
      return { kind: 'errors', errors: errorsFromDetails(error.details) };
    if (isDomainError(error) && error.statusCode === 403)
      return { kind: 'errors', errors: { [blockForRefusal(error.code)]: cut(error.message) } };
    // The same view with a different body: the first submit went through (Slack may have given up waiting for it and
    // kept the form open), and the edited form is not a new request. Say so in words, not as an Idempotency-Key.
    if (isDomainError(error) && error.statusCode === 409)
      return {
        kind: 'errors',
        errors: {
          [BLOCK.justification]: cut(
            'This form was already submitted: that request stands (see your DM from the app). Close this form and use /access again to ask for something else.',
          ),
        },
      };
    throw error;
  }
};

/** Slack's answer body for errors (HTTP 200). */
export const errorsBody = (errors: Partial<Record<ModalBlock, string>>) => ({ response_action: 'errors', errors });
