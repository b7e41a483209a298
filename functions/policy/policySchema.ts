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
// People ids and `group:<DisplayName>` entries; policy.ts checks that a group entry names a group.
const peopleAndGroups = { type: 'array', minItems: 1, uniqueItems: true, items: { type: 'string', minLength: 1 } };

export const policySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['rules'],
  properties: {
    identity: {
      type: 'object',
      additionalProperties: false,
      properties: {
        claim: { type: 'string', minLength: 1 },
        userAttribute: { type: 'string', enum: ['emails.value', 'userName'] },
      },
    },
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
    // The reconciler's watch list (functions/reconciliation/unmanaged.ts); policy.ts refuses an account watched twice.
    reconcile: {
      type: 'object',
      additionalProperties: false,
      properties: {
        watch: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            required: ['accounts'],
            properties: {
              // AWS account ids: 12 digits (the SSO Admin model's AccountId).
              accounts: {
                type: 'array',
                minItems: 1,
                uniqueItems: true,
                items: { type: 'string', pattern: '^\\d{12}$' },
              },
              removeUnmanaged: { type: 'boolean' },
            },
          },
        },
      },
    },
    rules: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        additionalProperties: false,
        // approvers may be left out only when approvalRequired is false; policy.ts says so naming the rule.
        required: ['action'],
        properties: {
          action: { type: 'string' },
          requesters: peopleAndGroups,
          principals: { type: 'string', enum: ['self', 'self-or-groups', 'any'] },
          approvalRequired: { type: 'boolean' },
          match: {
            type: 'object',
            additionalProperties: { type: 'array', minItems: 1, items: { type: 'string', minLength: 1 } },
          },
          // May be empty (or absent) only when approvalRequired is false; policy.ts refuses it otherwise, naming the rule.
          approvers: { ...peopleAndGroups, minItems: 0 },
          minApprovals: { type: 'integer', minimum: 1 },
          approvalTimeoutSeconds: timeout,
          reminderAfterSeconds: reminder,
          maxDurationMinutes: duration,
          // A Slack conversation id: "a unique-to-the-team ID that begins with a single letter prefix: either C, G, or
          // D" (docs.slack.dev/apis/web-api/using-the-conversations-api). D is a direct message, not a place to ask a
          // group, so a rule's channel is a public (C) or private (G) one; a shared private channel may move from G to
          // C, which this accepts as well.
          slackChannel: { type: 'string', pattern: '^[CG][A-Z0-9]{8,}$' },
        },
      },
    },
  },
};
