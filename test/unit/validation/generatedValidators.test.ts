// The functions validate with ajv standalone code generated ahead of time (scripts/generate-validators.ts). These
// cases prove that the committed modules are exactly what the current schemas give, and that the generated code
// decides and reports like ajv compiling the same schema at run time, as the functions did before.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { Ajv } from 'ajv';
import { parameterValidators } from '../../../functions/actions/parameterValidators.generated.js';
import { actionDefinitions } from '../../../functions/actions/definitions.js';
import { validatePolicy } from '../../../functions/policy/policyValidator.generated.js';
import { policySchema } from '../../../functions/policy/policySchema.js';
import { idempotencyKeySchema, submitBodySchema } from '../../../functions/requests/submitSchemas.js';
import {
  validateIdempotencyKeyHeader,
  validateSubmitBody,
} from '../../../functions/requests/submitValidators.generated.js';
import type { CompiledSchema, JsonSchema } from '../../../functions/shared/validation.js';
import { AJV_OPTIONS, generatedValidatorModules, projectRoot } from '../../../scripts/generate-validators.js';
import { SSO_PARAMETERS } from '../../fixtures/requests.js';

describe('generated validator modules', () => {
  it.each(generatedValidatorModules().map((m) => [m.path, m.source]))(
    '%s is what the current schemas give',
    (path, expected) => {
      // Act
      const committed = readFileSync(join(projectRoot, path), 'utf8');
      // Assess: a difference means a schema changed without `npm run generate:validators`.
      expect(committed).toBe(expected);
    },
  );

  it('has a parameter validator for every action and for nothing else', () => {
    // Assess
    expect(Object.keys(parameterValidators).sort()).toEqual(actionDefinitions.map((d) => d.name).sort());
  });
});

// A surrogate pair is one character to JSON Schema's length keywords (ajv's ucs2length, inlined in the modules).
const EMOJI = '\u{1F600}';
const longString = (n: number): string => 'x'.repeat(n);

const samples: Array<[string, CompiledSchema, JsonSchema, unknown[]]> = [
  [
    'policy',
    validatePolicy,
    policySchema,
    [
      { rules: [{ action: 'sso:CreateAccountAssignment', approvers: ['bob'] }] },
      { rules: [] },
      {},
      { rules: [{ action: 'x', approvers: ['a', 'a'], minApprovals: 0, match: { TargetId: [] } }], extra: 1 },
      {
        approvalTimeoutSeconds: 1,
        reminderAfterSeconds: 31_536_000,
        maxDurationMinutes: 1.5,
        rules: [{ action: 1, approvers: [''] }],
      },
      {
        people: [{ id: '' }, { id: 'bob', slackUserId: 'u123' }, { slackUserId: 'U1' }],
        auditors: ['', 3],
        rules: [{ action: 'a', approvers: [EMOJI] }],
      },
      [],
      null,
    ],
  ],
  [
    'submit body',
    validateSubmitBody,
    submitBodySchema,
    [
      { action: 'sso:CreateAccountAssignment', parameters: {}, justification: 'on call' },
      { action: 'nope', parameters: [], justification: '   ', durationMinutes: 0 },
      { action: 'sso:CreateAccountAssignment', parameters: {}, justification: EMOJI.repeat(1024) },
      { action: 'sso:CreateAccountAssignment', parameters: {}, justification: EMOJI.repeat(1025) },
      { justification: longString(1025), other: true },
      'text',
    ],
  ],
  [
    'Idempotency-Key',
    validateIdempotencyKeyHeader,
    idempotencyKeySchema,
    ['key-1', '', 'has space', longString(255), longString(256), EMOJI, 7],
  ],
  ...actionDefinitions.map((d): [string, CompiledSchema, JsonSchema, unknown[]] => [
    `${d.name} parameters`,
    parameterValidators[d.name]!,
    d.parameterSchema,
    [
      SSO_PARAMETERS,
      { ...SSO_PARAMETERS, PrincipalType: 'ROLE', TargetId: '1', InstanceArn: EMOJI.repeat(6) },
      { id: '3f1c1a52-6a7b-4c1e-9d35-0b6f5c2a9e10' },
      { id: '3F1C1A52-6A7B-4C1E-9D35-0B6F5C2A9E10', name: 'x' },
      {},
      null,
    ],
  ]),
];

describe('generated validators decide like ajv at run time', () => {
  it.each(samples)('%s', (_name, generated, schema, values) => {
    // Prepare
    const compiled = new Ajv(AJV_OPTIONS).compile(schema);
    for (const value of values) {
      // Act
      const expected = { valid: compiled(value), errors: compiled.errors ?? null };
      const actual = { valid: generated(value), errors: generated.errors ?? null };
      // Assess
      expect(actual).toEqual(expected);
    }
  });
});
