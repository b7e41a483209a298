import { AwsServiceError } from './types.js';

/** One member's constraints, transcribed from the AWS API reference. */
export type FieldRule =
  | {
      type: 'string';
      required?: boolean;
      minLength?: number;
      maxLength?: number;
      pattern?: string;
      enum?: readonly string[];
    }
  | { type: 'integer' | 'number'; required?: boolean; min?: number; max?: number }
  | { type: 'list'; required?: boolean; maxItems?: number; items: FieldRule }
  | { type: 'structure'; required?: boolean; members: InputRules };

export type InputRules = Readonly<Record<string, FieldRule>>;

type ValueOf<R> = R extends { type: 'string'; enum: readonly (infer E)[] }
  ? E
  : R extends { type: 'string' }
    ? string
    : R extends { type: 'integer' | 'number' }
      ? number
      : R extends { type: 'list'; items: infer I }
        ? ValueOf<I>[]
        : R extends { type: 'structure'; members: infer M extends InputRules }
          ? Input<M>
          : never;

type RequiredKeys<M> = { [K in keyof M]: M[K] extends { required: true } ? K : never }[keyof M];

/** The value shape that `rules` accept (declare rules `as const` so `required` and enums stay literal). */
export type Input<M extends InputRules> = { [K in RequiredKeys<M>]: ValueOf<M[K]> } & {
  [K in Exclude<keyof M, RequiredKeys<M>>]?: ValueOf<M[K]>;
};

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const compiled = new Map<string, RegExp>();
// The reference writes some patterns anchored and some not; AWS matches every one against the whole value.
const wholeMatch = (pattern: string): RegExp => {
  let regex = compiled.get(pattern);
  if (!regex) {
    regex = new RegExp(`^(?:${pattern})$`);
    compiled.set(pattern, regex);
  }
  return regex;
};

const describe = (value: unknown): string => (typeof value === 'string' ? `'${value}'` : JSON.stringify(value));

const fieldViolations = (path: string, value: unknown, rule: FieldRule): string[] => {
  if (value === undefined || value === null) {
    return rule.required ? [`Value null at '${path}' failed to satisfy constraint: Member must not be null`] : [];
  }
  const fail = (constraint: string): string =>
    `Value ${describe(value)} at '${path}' failed to satisfy constraint: Member ${constraint}`;
  const found: string[] = [];
  switch (rule.type) {
    case 'string':
      if (typeof value !== 'string') return [fail('must be a string')];
      if (rule.minLength !== undefined && value.length < rule.minLength) {
        found.push(fail(`must have length greater than or equal to ${rule.minLength}`));
      }
      if (rule.maxLength !== undefined && value.length > rule.maxLength) {
        found.push(fail(`must have length less than or equal to ${rule.maxLength}`));
      }
      if (rule.pattern !== undefined && !wholeMatch(rule.pattern).test(value)) {
        found.push(fail(`must satisfy regular expression pattern: ${rule.pattern}`));
      }
      if (rule.enum && !rule.enum.includes(value))
        found.push(fail(`must satisfy enum value set: [${rule.enum.join(', ')}]`));
      return found;
    case 'integer':
    case 'number':
      if (typeof value !== 'number' || (rule.type === 'integer' && !Number.isInteger(value))) {
        return [fail(`must be ${rule.type === 'integer' ? 'an integer' : 'a number'}`)];
      }
      if (rule.min !== undefined && value < rule.min)
        found.push(fail(`must have value greater than or equal to ${rule.min}`));
      if (rule.max !== undefined && value > rule.max)
        found.push(fail(`must have value less than or equal to ${rule.max}`));
      return found;
    case 'list':
      if (!Array.isArray(value)) return [fail('must be a list')];
      if (rule.maxItems !== undefined && value.length > rule.maxItems) {
        found.push(fail(`must have length less than or equal to ${rule.maxItems}`));
      }
      return [
        ...found,
        ...value.flatMap((item, i) => fieldViolations(`${path}[${i}]`, item, { ...rule.items, required: true })),
      ];
    case 'structure':
      return isRecord(value) ? findViolations(value, rule.members, `${path}.`) : [fail('must be an object')];
  }
};

/** Every constraint `value` breaks, one readable line each; unknown members count as broken. */
export const findViolations = (value: Record<string, unknown>, rules: InputRules, prefix = ''): string[] => [
  ...Object.keys(value)
    .filter((key) => !Object.hasOwn(rules, key))
    .map((key) => `'${prefix}${key}' is not a known field`),
  ...Object.entries(rules).flatMap(([key, rule]) => fieldViolations(`${prefix}${key}`, value[key], rule)),
];

/** Checks a request body as the service would, throwing one ValidationException that lists every violation. */
export const validateInput = <M extends InputRules>(input: unknown, rules: M): Input<M> => {
  const body = input ?? {};
  const problems = isRecord(body) ? findViolations(body, rules) : ['the request body must be a JSON object'];
  if (problems.length > 0) {
    const count = `${problems.length} validation error${problems.length === 1 ? '' : 's'} detected`;
    throw new AwsServiceError('ValidationException', `${count}: ${problems.join('; ')}`);
  }
  return body as Input<M>;
};

// AWS documents no default page size; a small one makes callers that ignore the next token fail in local tests.
const DEFAULT_PAGE_SIZE = 20;

/** One page of `items` plus the token for the next; a token this emulator did not issue is a ValidationException. */
export const paginate = <T>(
  items: T[],
  pageSize = DEFAULT_PAGE_SIZE,
  token?: string,
): { page: T[]; nextToken?: string } => {
  const start = token === undefined ? 0 : Number(Buffer.from(token, 'base64').toString('utf8'));
  if (!Number.isSafeInteger(start) || start < 0)
    throw new AwsServiceError('ValidationException', 'Invalid pagination token');
  const end = start + pageSize;
  const nextToken = end < items.length ? Buffer.from(String(end)).toString('base64') : undefined;
  return { page: items.slice(start, end), ...(nextToken ? { nextToken } : {}) };
};
