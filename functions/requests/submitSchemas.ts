// The shapes of a submitted request's body and its Idempotency-Key header, as JSON Schema.
// scripts/generate-validators.ts compiles them ahead of time into submitValidators.generated.ts.
import { actionDefinitions } from '../actions/definitions.js';
import { submittedParameterSchema } from '../actions/parameterCompletion.js';
import type { JsonSchema } from '../shared/validation.js';

export const MAX_JUSTIFICATION_LENGTH = 1024;

export const submitBodySchema: JsonSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['action', 'parameters', 'justification'],
  properties: {
    action: { type: 'string', enum: actionDefinitions.map((d) => d.name) },
    parameters: { type: 'object' },
    justification: { type: 'string', minLength: 1, maxLength: MAX_JUSTIFICATION_LENGTH, pattern: '\\S' },
    durationMinutes: { type: 'integer', minimum: 1 },
  },
};

export const idempotencyKeySchema: JsonSchema = {
  type: 'string',
  minLength: 1,
  maxLength: 255,
  pattern: '^[\\x21-\\x7E]+$',
};

/**
 * Each action's `parameters` as a body may give them: by name, with what submit fills in left out
 * (parameterCompletion.ts). The completed parameters are then checked against the action's own AWS schema.
 */
export const submittedParameterSchemas: Readonly<Record<string, JsonSchema>> = Object.fromEntries(
  actionDefinitions.map((d) => [d.name, submittedParameterSchema(d.name, d.parameterSchema)]),
);
