// What every interactive Slack request shares: a form-encoded body whose `payload` field is a JSON object
// (block_actions, view_submission, block_suggestion), the ids Slack puts in it, and the state of a modal's inputs.
// One reader, so each route refuses a malformed payload with the same error naming the field.
import { isDomainError, ValidationError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

export const invalid = (path: string, message: string): ValidationError => new ValidationError([{ path, message }]);

// Slack's ids: upper-case letters and digits (users U… or W…, channels C…, D…, G…, teams T…, views V…). Bounded so an
// arbitrary value never reaches a log line or a Slack call.
export const SLACK_ID = /^[A-Z0-9]{2,32}$/;

/** The `payload` field as a JSON object of the given `type`, or a ValidationError naming what is wrong. */
export const readPayload = (rawBody: string, type: string): Record<string, unknown> => {
  const text = new URLSearchParams(rawBody).get('payload');
  if (text === null) throw invalid('payload', 'is required');
  let payload: unknown;
  try {
    payload = JSON.parse(text);
  } catch {
    throw invalid('payload', 'must be JSON');
  }
  if (!isRecord(payload)) throw invalid('payload', 'must be a JSON object');
  if (payload.type !== type) throw invalid('payload.type', `must be ${type}`);
  return payload;
};

/** The payload's `type`, read without checking anything else, to route it; undefined when it has none. */
export const interactionType = (rawBody: string): string | undefined => {
  try {
    const payload: unknown = JSON.parse(new URLSearchParams(rawBody).get('payload') ?? '');
    return isRecord(payload) && typeof payload.type === 'string' ? payload.type : undefined;
  } catch {
    return undefined;
  }
};

/**
 * One input's state in a modal, `view.state.values[block_id][action_id]`. The `/access` modal gives each input the
 * same id as its block.
 */
export const inputState = (view: unknown, blockId: string): Record<string, unknown> | undefined => {
  if (!isRecord(view) || !isRecord(view.state) || !isRecord(view.state.values)) return undefined;
  const block = view.state.values[blockId];
  const element = isRecord(block) ? block[blockId] : undefined;
  return isRecord(element) ? element : undefined;
};

/** What an unmapped Slack user's request is answered with, once the refusal is logged: each route says it its way. */
export type Unmapped = { unmapped: true; message: string };

/**
 * The person this Slack user is, or `{ unmapped }` when the mapping says nobody (its 403: NotAnApproverError). Logged
 * once here, with `what` naming the route, so commands, options and submissions refuse an unmapped user alike; any
 * other failure (Slack or the directory down) is thrown, and answered as the error it is.
 */
export const personOrUnmapped = async (
  identify: (slackUserId: string) => Promise<string>,
  slackUserId: string,
  what: string,
): Promise<string | Unmapped> => {
  try {
    return await identify(slackUserId);
  } catch (error) {
    if (!isDomainError(error) || error.statusCode !== 403) throw error;
    logger.info(`Slack ${what} refused: the Slack user maps to nobody`, { slackUserId, errorName: error.name });
    return { unmapped: true, message: error.message };
  }
};
