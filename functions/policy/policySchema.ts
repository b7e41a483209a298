// The approval policy document's shape as JSON Schema. scripts/generate-validators.ts compiles it ahead of time
// into policyValidator.generated.ts; policy.ts then checks what a schema cannot (actions, keys, reachability).
import type { JsonSchema } from '../shared/validation.js';

/** Step Functions accepts task timeouts up to a year; an approval window longer than that is a typo. */
const MAX_TIMEOUT_SECONDS = 31_536_000;

// Two seconds at least, so there is room for the reminder before the window closes.
const timeout = { type: 'integer', minimum: 2, maximum: MAX_TIMEOUT_SECONDS };
const reminder = { type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_SECONDS - 1 };
// A year, like the approval window: the grant's wait is a Step Functions task timeout too.
const duration = { type: 'integer', minimum: 1, maximum: MAX_TIMEOUT_SECONDS / 60 };

export const policySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: {
    approvalTimeoutSeconds: timeout,
    reminderAfterSeconds: reminder,
    maxDurationMinutes: duration,
    people: {
      type: 'array',
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['id'],
        properties: {
          id: { type: 'string', minLength: 1 },
          slackUserId: { type: 'string', pattern: '^[UW][A-Z0-9]+$' },
        },
      },
    },
    auditors: { type: 'array', items: { type: 'string', minLength: 1 } },
    rules: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['action', 'approvers'],
        properties: {
          action: { type: 'string' },
          match: {
            type: 'object',
            additionalProperties: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          },
          approvers: { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } },
          minApprovals: { type: 'integer', minimum: 1 },
          approvalTimeoutSeconds: timeout,
          reminderAfterSeconds: reminder,
          maxDurationMinutes: duration,
        },
      },
    },
  },
};
