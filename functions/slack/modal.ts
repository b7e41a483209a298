// The `/access` modal: account and permission set (external selects fed by POST /slack/options), duration and
// justification. One module owns its ids, so the command that opens it, the options route that fills it and the
// view_submission that reads it cannot drift apart. Everything people read in it is `plain_text`: no formatting is
// wanted, and plain text needs no escaping (DESIGN.md, "Output contexts").
import type { ModalViewArg } from '../notifications/slackWebApi.js';
import { MAX_JUSTIFICATION_LENGTH } from '../requests/submitSchemas.js';

/** The view's callback_id: view_submission payloads carrying it are access requests. */
export const ACCESS_CALLBACK_ID = 'access_request';

/** Block ids, which are also the keys of `response_action: "errors"`; each block's one element uses the same action_id. */
export const BLOCK = {
  account: 'account',
  permissionSet: 'permission_set',
  duration: 'duration',
  justification: 'justification',
} as const;
export type ModalBlock = (typeof BLOCK)[keyof typeof BLOCK];

/**
 * Slack's limits on a modal view ("Modal views" reference, https://docs.slack.dev/reference/views/modal-views): title,
 * submit and close text at most 24 characters, at most 100 blocks, private_metadata at most 3,000 characters,
 * callback_id at most 255. An input block's label is at most 2,000 characters and a placeholder at most 150 (Block Kit
 * reference, "Input block" and the select and plain-text input elements).
 */
export const MODAL_LIMITS = {
  titleChars: 24,
  buttonChars: 24,
  blocks: 100,
  privateMetadataChars: 3000,
  callbackIdChars: 255,
  labelChars: 2000,
  placeholderChars: 150,
} as const;

/**
 * The durations offered, in minutes: steps a person would pick, up to the largest `maxDurationMinutes` in policy. The
 * list is the same for everyone (building each caller's catalog before views.open would spend the trigger's 3 s on
 * directory look-ups); submit checks the choice against the matching rule, exactly as for POST /requests, and a
 * duration over the rule's maximum comes back as an error on the duration block.
 */
export const DURATION_STEPS_MINUTES = [15, 30, 60, 90, 120, 240, 480, 720, 1440, 2880, 10080] as const;

/** The duration steps up to `maxMinutes`; a maximum between steps is offered too, so it is always reachable. */
export const durationChoices = (maxMinutes: number): number[] => {
  const steps = DURATION_STEPS_MINUTES.filter((m) => m <= maxMinutes);
  return steps.includes(maxMinutes as (typeof DURATION_STEPS_MINUTES)[number]) || maxMinutes < 1
    ? steps
    : [...steps, maxMinutes];
};

/** "90 minutes", "2 hours", "1 day", "7 days": how a duration reads in the select. */
export const durationLabel = (minutes: number): string => {
  const unit = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  if (minutes % 1440 === 0) return unit(minutes / 1440, 'day');
  if (minutes % 60 === 0) return unit(minutes / 60, 'hour');
  return unit(minutes, 'minute');
};

const plain = (text: string) => ({ type: 'plain_text' as const, text });

export interface AccessModalInput {
  /** The largest maxDurationMinutes in policy (the duration select stops there). */
  maxDurationMinutes: number;
}

/** The modal views.open sends. */
export const accessModal = ({ maxDurationMinutes }: AccessModalInput): ModalViewArg => {
  const durations = durationChoices(maxDurationMinutes);
  const defaultDuration = durations.includes(60) ? 60 : durations[0];
  const durationOption = (minutes: number) => ({ text: plain(durationLabel(minutes)), value: String(minutes) });
  return {
    type: 'modal',
    callback_id: ACCESS_CALLBACK_ID,
    title: plain('Request AWS access'),
    submit: plain('Ask for approval'),
    close: plain('Cancel'),
    blocks: [
      {
        type: 'input',
        block_id: BLOCK.account,
        label: plain('Account'),
        element: {
          type: 'external_select',
          action_id: BLOCK.account,
          placeholder: plain('Type an account name or id'),
          // Slack asks for options once this many characters are typed; 0 lists the first ones on open.
          min_query_length: 0,
        },
      },
      {
        type: 'input',
        block_id: BLOCK.permissionSet,
        label: plain('Permission set'),
        hint: plain('Only the permission sets you may ask for on the chosen account are offered.'),
        element: {
          type: 'external_select',
          action_id: BLOCK.permissionSet,
          placeholder: plain('Type a permission set name'),
          min_query_length: 0,
        },
      },
      {
        type: 'input',
        block_id: BLOCK.duration,
        label: plain('For how long'),
        hint: plain('Access ends by itself when this time is up.'),
        element: {
          type: 'static_select',
          action_id: BLOCK.duration,
          placeholder: plain('Choose a duration'),
          options: durations.map(durationOption),
          ...(defaultDuration !== undefined ? { initial_option: durationOption(defaultDuration) } : {}),
        },
      },
      {
        type: 'input',
        block_id: BLOCK.justification,
        label: plain('Why do you need it?'),
        hint: plain('Approvers read this; a ticket or incident number helps.'),
        element: {
          type: 'plain_text_input',
          action_id: BLOCK.justification,
          multiline: true,
          max_length: MAX_JUSTIFICATION_LENGTH,
          placeholder: plain('e.g. INC-123: restart the payment workers'),
        },
      },
    ],
  };
};

/** Every way `view` breaks Slack's modal limits (empty when it keeps them); the unit tests hold accessModal to it. */
export const modalLimitProblems = (view: ModalViewArg): string[] => {
  const problems: string[] = [];
  const chars = (text: string | undefined) => [...(text ?? '')].length;
  if (chars(view.title.text) > MODAL_LIMITS.titleChars) problems.push('title is over 24 characters');
  if (chars(view.submit?.text) > MODAL_LIMITS.buttonChars) problems.push('submit is over 24 characters');
  if (chars(view.close?.text) > MODAL_LIMITS.buttonChars) problems.push('close is over 24 characters');
  if (view.blocks.length > MODAL_LIMITS.blocks) problems.push('more than 100 blocks');
  if (chars(view.private_metadata) > MODAL_LIMITS.privateMetadataChars)
    problems.push('private_metadata is over 3000 characters');
  if (chars(view.callback_id) > MODAL_LIMITS.callbackIdChars) problems.push('callback_id is over 255 characters');
  // Slack refuses a modal with input blocks and no submit button.
  const hasInput = view.blocks.some((b) => (b as { type?: string }).type === 'input');
  if (hasInput && !view.submit) problems.push('input blocks without a submit button');
  for (const block of view.blocks as Array<{
    label?: { text: string };
    element?: { placeholder?: { text: string } };
  }>) {
    if (chars(block.label?.text) > MODAL_LIMITS.labelChars) problems.push('a label is over 2000 characters');
    if (chars(block.element?.placeholder?.text) > MODAL_LIMITS.placeholderChars)
      problems.push('a placeholder is over 150 characters');
  }
  return problems;
};

/** Text cut to Slack's limit for its field, counted in characters (not UTF-16 units), with an ellipsis when cut. */
export const fitText = (text: string, max: number): string => {
  const chars = [...text];
  return chars.length <= max ? text : `${chars.slice(0, max - 1).join('')}…`;
};
