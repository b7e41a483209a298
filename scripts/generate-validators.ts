// Compiles every JSON Schema the functions validate against into ajv's standalone code, ahead of time, so that no
// function bundles ajv (about 120 KB minified with fast-uri) or compiles a schema during its cold start (about
// 70 ms). `npm run generate:validators` writes the modules; test/unit/validation/generatedValidators.test.ts
// fails while a committed module differs from what the current schemas give.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Ajv } from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';
import { actionDefinitions } from '../functions/actions/definitions.js';
import { policySchema } from '../functions/policy/policySchema.js';
import {
  idempotencyKeySchema,
  submitBodySchema,
  submittedParameterSchemas,
} from '../functions/requests/submitSchemas.js';
import type { JsonSchema } from '../functions/shared/validation.js';

export const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The options the functions validated with when they compiled schemas at start-up: every error, strict schemas. */
export const AJV_OPTIONS = { allErrors: true, strict: true } as const;

export interface GeneratedModule {
  /** Relative to the project root. */
  path: string;
  source: string;
}

interface ModulePlan {
  path: string;
  /** Where the schemas come from, for the header. */
  from: string;
  /** Export name → schema. */
  schemas: Record<string, JsonSchema>;
  /** Extra typed exports after the validators. */
  trailer?: string;
}

const require = createRequire(import.meta.url);

// The standalone code refers to a few of ajv's run-time helpers with require(), which an ES module cannot call.
// Each is a self-contained function, so its own source goes into the module instead, and ajv stays a dev tool.
const inlineRuntime = (code: string): string => {
  const inlined = code.replace(
    /const (\w+) = require\("(ajv\/dist\/runtime\/\w+)"\)\.default;/g,
    (_line, name: string, module: string) => {
      const helper = (require(module) as { default: unknown }).default;
      if (typeof helper !== 'function') throw new Error(`${module} has no default function to inline`);
      return `const ${name} = ${String(helper)};`;
    },
  );
  const left = /require\([^)]*\)/.exec(inlined);
  if (left)
    throw new Error(`Generated validator code still calls ${left[0]}; teach generate-validators.ts to inline it`);
  return inlined;
};

const actionExportName = (action: string, suffix = 'Parameters'): string =>
  `validate${action
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('')}${suffix}`;

const SUBMITTED = 'SubmittedParameters';

const plans = (): ModulePlan[] => [
  {
    path: 'functions/policy/policyValidator.generated.ts',
    from: 'functions/policy/policySchema.ts',
    schemas: { validatePolicy: policySchema },
  },
  {
    path: 'functions/requests/submitValidators.generated.ts',
    from: 'functions/requests/submitSchemas.ts',
    schemas: {
      validateSubmitBody: submitBodySchema,
      validateIdempotencyKeyHeader: idempotencyKeySchema,
      ...Object.fromEntries(
        Object.entries(submittedParameterSchemas).map(([action, schema]) => [
          actionExportName(action, SUBMITTED),
          schema,
        ]),
      ),
    },
    trailer: [
      '',
      "/** Each action's parameters as a submitted body may give them (by name, defaults left out), by action name. */",
      'export const submittedParameterValidators: Readonly<Record<string, CompiledSchema>> = {',
      ...Object.keys(submittedParameterSchemas).map(
        (action) => `  ${JSON.stringify(action)}: ${actionExportName(action, SUBMITTED)},`,
      ),
      '};',
    ].join('\n'),
  },
  {
    path: 'functions/actions/parameterValidators.generated.ts',
    from: 'the actions listed in functions/actions/definitions.ts',
    schemas: Object.fromEntries(actionDefinitions.map((d) => [actionExportName(d.name), d.parameterSchema])),
    trailer: [
      '',
      "/** Each action's parameter validator, by action name. */",
      'export const parameterValidators: Readonly<Record<string, CompiledSchema>> = {',
      ...actionDefinitions.map((d) => `  ${JSON.stringify(d.name)}: ${actionExportName(d.name)},`),
      '};',
    ].join('\n'),
  },
];

const generate = (plan: ModulePlan): GeneratedModule => {
  const ajv = new Ajv({ ...AJV_OPTIONS, code: { source: true, esm: true, lines: true } });
  for (const [name, schema] of Object.entries(plan.schemas)) ajv.addSchema(schema, name);
  const refs = Object.fromEntries(Object.keys(plan.schemas).map((name) => [name, name]));
  const code = inlineRuntime(standaloneCode(ajv, refs))
    .replace(/^"use strict";\n?/, '')
    // ajv's exports, typed, so nothing untyped crosses the module boundary.
    .replace(/^export const (\w+) = (\w+);$/gm, 'export const $1: CompiledSchema = $2;');
  const validationModule = relative(dirname(plan.path), 'functions/shared/validation.js');
  const header = [
    "// @ts-nocheck: ajv's standalone code is plain JavaScript; its exports are typed.",
    '// Generated by scripts/generate-validators.ts (`npm run generate:validators`). Do not edit: change the schemas',
    `// in ${plan.from} and regenerate.`,
    '// test/unit/validation/generatedValidators.test.ts fails while this file differs from what they give.',
    `import type { CompiledSchema } from '${validationModule.startsWith('.') ? validationModule : `./${validationModule}`}';`,
    '',
  ].join('\n');
  return { path: plan.path, source: `${header}${code.trimEnd()}\n${plan.trailer ? `${plan.trailer}\n` : ''}` };
};

/** Every generated module, as it should read now. */
export const generatedValidatorModules = (): GeneratedModule[] => plans().map(generate);

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  for (const module of generatedValidatorModules()) {
    writeFileSync(join(projectRoot, module.path), module.source);
    console.log(`wrote ${module.path}`);
  }
}
