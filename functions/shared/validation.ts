// JSON Schema validation with errors turned into `{ path, message }` details that name the offending field the
// way a caller wrote it, e.g. `parameters.TargetId`. The validators themselves are ajv's standalone code,
// generated ahead of time (scripts/generate-validators.ts), so no function bundles ajv or compiles a schema at
// start-up.
import type { ErrorObject } from 'ajv';
import type { ErrorDetail } from './errors.js';

export type JsonSchema = Record<string, unknown>;

/** What ajv's standalone code exports for a schema: a predicate that leaves its errors on itself. */
export type CompiledSchema = ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

export type Validator<T> = (
  value: unknown,
  basePath?: string,
) => { ok: true; value: T } | { ok: false; details: ErrorDetail[] };

const joinPath = (base: string, pointer: string): string => {
  const parts = pointer
    .split('/')
    .filter(Boolean)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  return [base, ...parts].filter(Boolean).join('.') || '(body)';
};

const describe = (error: ErrorObject, base: string): ErrorDetail => {
  const at = joinPath(base, error.instancePath);
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'required':
      return { path: joinPath(at === '(body)' ? base : at, String(params.missingProperty)), message: 'is required' };
    case 'additionalProperties':
      return {
        path: joinPath(at === '(body)' ? base : at, String(params.additionalProperty)),
        message: 'is not a known field',
      };
    case 'pattern':
      return { path: at, message: `must match the pattern ${String(params.pattern)}` };
    case 'minLength':
      return { path: at, message: `must be at least ${String(params.limit)} characters long` };
    case 'maxLength':
      return { path: at, message: `must be at most ${String(params.limit)} characters long` };
    case 'enum':
      return { path: at, message: `must be one of: ${(params.allowedValues as unknown[]).join(', ')}` };
    case 'type':
      return { path: at, message: `must be ${String(params.type)}` };
    default:
      return { path: at, message: error.message ?? 'is invalid' };
  }
};

/** Wraps a generated validator so callers get the typed value or the details, never ajv's error objects. */
export const toValidator = <T>(validate: CompiledSchema): Validator<T> => {
  return (value, basePath = '') => {
    if (validate(value)) return { ok: true, value: value as T };
    return { ok: false, details: (validate.errors ?? []).map((e) => describe(e, basePath)) };
  };
};
