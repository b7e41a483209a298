// Property-based bad input against the real local stack: generated bodies, headers, query strings, ids, link
// tokens and Slack signatures on every route of serverless.yml. Every one must be refused with a 4xx that carries
// the contract's error body (or API Gateway's own answer where the gateway refuses it before any handler runs),
// never a 5xx; and none may write an item, start an execution, or touch the one pending request.
//
// Cases run in batches of eight at a time; each batch is one fast-check run, so a failure shrinks to the
// smallest batch (and values) that still fails. Fixed seed: the same cases every time.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { loadServerlessConfig } from '../../local/serverlessConfig.js';
import { PROTON_CONNECTION_IDS, ssoRequest, startHarness, type Harness } from '../e2e/harness.js';

const SEED = 42;
const BATCH = 8;
const MAX_BODY_BYTES = 32 * 1024;
const ALICE = 'alice@example.com';
const SSO_ACTION = 'sso:CreateAccountAssignment';
const PROTON_ACTION = 'proton:AcceptEnvironmentAccountConnection';
const ACTIONS = [SSO_ACTION, PROTON_ACTION];
const POLICY_ACCOUNTS = ['111111111111', '222222222222'];
const MAX_DURATION_MINUTES = 480;
const JWT_ISSUER = 'access-approvals-local';
const JWT_AUDIENCE = 'access-approvals';
const STATUSES = [
  'PENDING_APPROVAL',
  'APPROVED',
  'COMPLETED',
  'DENIED',
  'EXPIRED',
  'FAILED',
  'ACTIVE',
  'REVOKED',
  'REVOKE_FAILED',
];
const SLACK_USERS = { alice: 'U0ALICE', bob: 'U0BOB', carol: 'U0CAROL' };

// The reference constraints (../shared/reference), written here rather than imported, so the oracle that decides
// "this value is invalid" is not the code under test.
const SSO_RULES: Record<string, { min?: number; max?: number; pattern?: RegExp; enum?: string[] }> = {
  InstanceArn: { min: 10, max: 1224, pattern: /^arn:aws:sso:::instance\/(sso)?ins-[a-zA-Z0-9-.]{16}$/ },
  PermissionSetArn: {
    min: 10,
    max: 1224,
    pattern: /^arn:aws:sso:::permissionSet\/(sso)?ins-[a-zA-Z0-9-.]{16}\/ps-[a-zA-Z0-9-./]{16}$/,
  },
  PrincipalId: {
    min: 1,
    max: 47,
    pattern: /^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$/,
  },
  PrincipalType: { enum: ['USER', 'GROUP'] },
  TargetId: { pattern: /^\d{12}$/ },
  TargetType: { enum: ['AWS_ACCOUNT'] },
};
const PROTON_RULES: typeof SSO_RULES = {
  id: { pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/ },
};

/** What a refusal must look like. */
type Expectation =
  | { kind: 'contract'; statuses: readonly number[] }
  | { kind: 'html'; statuses: readonly number[] }
  /** API Gateway's JWT authorizer refuses before any handler: its own body, as in production. */
  | { kind: 'gateway401' };

interface Sent {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

interface Case {
  route: string;
  family: string;
  /** Built just before sending, so timestamps and signatures are current. */
  request: () => Sent;
  expect: Expectation;
}

// The contract's code for each status (functions/shared/errors.ts, ../shared/DESIGN.md).
const CODES: Record<number, string[]> = {
  400: ['ValidationError'],
  401: ['Unauthorized', 'InvalidSignature'],
  403: ['NoApprovalRule', 'Forbidden', 'InvalidLink', 'NotAnApprover'],
  404: ['NotFound'],
  409: ['RevokeConflict', 'AlreadyDecided', 'IdempotencyConflict'],
  410: ['LinkExpired', 'NotPending'],
  413: ['PayloadTooLarge'],
};

// ---------------------------------------------------------------------------------------------------------
// Context filled in once the stack runs.

let h: Harness;
const ctx = {
  alice: '',
  bob: '',
  /** An auditor (config/policy.local.json), for GET /reconciliation/findings, which only auditors may call. */
  dana: '',
  eve: '',
  jwtKey: Buffer.alloc(0),
  linkSecret: '',
  slackSecret: '',
  seedId: '',
  /** Bob's real link token for the pending request. */
  bobToken: '',
};
let baseline = { items: 0, executions: 0, seed: undefined as Record<string, unknown> | undefined };
const tally = new Map<string, number>();
/** Cases per route, family and answer; printed with BAD_INPUT_REPORT=1. */
const families = new Map<string, number>();

// ---------------------------------------------------------------------------------------------------------
// Small helpers.

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const bytes = (text: string): number => Buffer.byteLength(text, 'utf8');
const short = (text: string, max = 160): string =>
  text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text;
const isJson = (text: string): boolean => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
/** Text that can travel in a URL (encodeURIComponent refuses lone surrogates). */
const urlSafe = (text: string): boolean => {
  try {
    encodeURIComponent(text);
    return true;
  } catch {
    return false;
  }
};
/** An own property even for `__proto__`, as JSON.parse would create it. */
const put = (target: Record<string, unknown>, key: string, value: unknown): void => {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
};
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const b64url = (value: unknown): string =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const hmac = (algorithm: string, key: Buffer | string, data: string): Buffer =>
  createHmac(algorithm, key).update(data).digest();

/** A compact JWS signed with HS256/384/512, or unsigned for alg "none"; written here so any claim can be forged. */
const jwt = (
  payload: Record<string, unknown>,
  key: Buffer,
  alg: 'HS256' | 'HS384' | 'HS512' | 'none' = 'HS256',
): string => {
  const signingInput = `${b64url({ alg, typ: 'JWT' })}.${b64url(payload)}`;
  if (alg === 'none') return `${signingInput}.`;
  return `${signingInput}.${hmac(`sha${alg.slice(2)}`, key, signingInput).toString('base64url')}`;
};
const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const goodClaims = (): Record<string, unknown> => ({
  sub: 'alice',
  email: ALICE,
  iss: JWT_ISSUER,
  aud: JWT_AUDIENCE,
  iat: nowSeconds(),
  exp: nowSeconds() + 3600,
});

/** An approval link token as functions/approvals/linkToken.ts documents it: payload.HMAC-SHA256(payload). */
const linkToken = (payload: string, secret: string): string =>
  `${payload}.${hmac('sha256', secret, payload).toString('base64url')}`;
const slackSign = (secret: string, timestamp: string, body: string): string =>
  `v0=${hmac('sha256', secret, `v0:${timestamp}:${body}`).toString('hex')}`;

const violatesRule = (rules: typeof SSO_RULES, field: string, value: unknown): boolean => {
  const rule = rules[field];
  if (!rule) return true;
  if (typeof value !== 'string') return true;
  if (rule.min !== undefined && [...value].length < rule.min) return true;
  if (rule.max !== undefined && [...value].length > rule.max) return true;
  if (rule.pattern && !rule.pattern.test(value)) return true;
  if (rule.enum && !rule.enum.includes(value)) return true;
  return false;
};

// ---------------------------------------------------------------------------------------------------------
// Checking one answer.

const contractProblem = (body: unknown, status: number, allowRequest: boolean): string | undefined => {
  if (!isRecord(body)) return 'body is not a JSON object';
  const extra = Object.keys(body).filter((k) => k !== 'error' && !(allowRequest && k === 'request'));
  if (extra.length > 0) return `unexpected top-level keys ${extra.join(', ')}`;
  const { error } = body;
  if (!isRecord(error)) return 'no error object';
  const unknown = Object.keys(error).filter((k) => !['code', 'message', 'details'].includes(k));
  if (unknown.length > 0) return `unexpected error keys ${unknown.join(', ')}`;
  if (typeof error.code !== 'string' || !(CODES[status] ?? []).includes(error.code))
    return `code ${JSON.stringify(error.code)} is not a ${status} code`;
  if (typeof error.message !== 'string' || error.message === '') return 'no message';
  if (error.details !== undefined) {
    if (!Array.isArray(error.details) || error.details.length === 0) return 'details is not a non-empty list';
    if (!error.details.every((d) => isRecord(d) && typeof d.path === 'string' && typeof d.message === 'string'))
      return 'a detail is not {path, message}';
  }
  if (error.code === 'ValidationError' && error.details === undefined) return 'ValidationError without details';
  return undefined;
};

const problemWith = (c: Case, res: Awaited<ReturnType<Harness['call']>>): string | undefined => {
  const contentType = res.headers.get('content-type') ?? '';
  if (res.status >= 500) return `got a ${res.status}`;
  if (res.status < 400) return `got ${res.status}, not a 4xx`;
  switch (c.expect.kind) {
    case 'gateway401':
      if (res.status !== 401) return `expected the authorizer's 401, got ${res.status}`;
      if (JSON.stringify(res.body) !== JSON.stringify({ message: 'Unauthorized' }))
        return "body is not API Gateway's {message: Unauthorized}";
      return undefined;
    case 'contract':
      if (!c.expect.statuses.includes(res.status)) return `expected ${c.expect.statuses.join('/')}, got ${res.status}`;
      if (!contentType.startsWith('application/json')) return `content-type ${contentType}`;
      return contractProblem(res.body, res.status, res.status === 409);
    case 'html':
      if (!c.expect.statuses.includes(res.status)) return `expected ${c.expect.statuses.join('/')}, got ${res.status}`;
      if (!contentType.startsWith('text/html')) return `content-type ${contentType}`;
      if (!/^<!doctype html>/i.test(res.text)) return 'not an HTML page';
      return undefined;
  }
};

const counts = async () => ({ items: await h.itemCount(), executions: await h.executionCount() });

/** Headers for a report: the test users' own tokens by name, anything else shortened. */
const shownHeaders = (headers: Record<string, string>): string => {
  const names = new Map(
    [ctx.alice, ctx.bob, ctx.eve].map((t, i) => [`Bearer ${t}`, `Bearer <${['alice', 'bob', 'eve'][i]}>`]),
  );
  return short(
    JSON.stringify(Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, names.get(v) ?? short(v, 80)]))),
    300,
  );
};
const describeSent = (s: Sent): string =>
  `${s.method} ${short(s.path, 120)} headers=${shownHeaders(s.headers)}${s.body !== undefined ? ` body=${short(JSON.stringify(s.body), 200)}` : ''}`;

/** One fast-check run: a batch sent concurrently, every answer checked, and nothing written meanwhile. */
const runBatch = async (cases: Case[]): Promise<void> => {
  const before = await counts();
  const outcomes = await Promise.all(
    cases.map(async (c) => {
      const sent = c.request();
      const res = await h.call(sent.method, sent.path, {
        headers: sent.headers,
        ...(sent.body !== undefined ? { rawBody: sent.body } : {}),
      });
      tally.set(c.route, (tally.get(c.route) ?? 0) + 1);
      const family = `${c.route} [${c.family.replace(/, body refused with \d+$/, '')}] → ${res.status}`;
      families.set(family, (families.get(family) ?? 0) + 1);
      const problem = problemWith(c, res);
      return problem
        ? `${c.route} [${c.family}] ${problem}\n    sent ${describeSent(sent)}\n    got ${res.status} ${short(res.text, 300)}`
        : undefined;
    }),
  );
  const problems = outcomes.filter((p): p is string => p !== undefined);
  if (problems.length > 0) throw new Error(problems.join('\n'));
  const after = await counts();
  if (after.items !== before.items || after.executions !== before.executions) {
    throw new Error(
      `a batch wrote: items ${before.items}→${after.items}, executions ${before.executions}→${after.executions}: ${cases.map((c) => `${c.route} [${c.family}]`).join('; ')}`,
    );
  }
};

const holds = (arbitrary: fc.Arbitrary<Case>, runs: number): Promise<void> =>
  fc.assert(fc.asyncProperty(fc.array(arbitrary, { minLength: BATCH, maxLength: BATCH }), runBatch), {
    seed: SEED,
    numRuns: runs,
  });

/** Labels a case for fast-check's counterexample report. */
const labelled = (c: Case): Case =>
  Object.assign(c, { [fc.toStringMethod]: () => `${c.route} [${c.family}] ${describeSent(c.request())}` });

// ---------------------------------------------------------------------------------------------------------
// Generic arbitraries.

const ascii = (min = 0, max = 40) => fc.string({ unit: 'grapheme-ascii', minLength: min, maxLength: max });
const unicode = (min = 0, max = 40) => fc.string({ unit: 'grapheme', minLength: min, maxLength: max });
const anyCodePoints = (min = 0, max = 40) => fc.string({ unit: 'binary', minLength: min, maxLength: max });
const anyText = (min = 0, max = 40) => fc.oneof(ascii(min, max), unicode(min, max), anyCodePoints(min, max));
/** A long string without generating every character: a short unit repeated to the length. */
const longText = (min: number, max: number) =>
  fc
    .tuple(ascii(1, 8), fc.integer({ min, max }))
    .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));
const token = (min = 1, max = 20) =>
  fc.string({
    unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_'),
    minLength: min,
    maxLength: max,
  });
const notAString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(ascii(1, 6), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
);
const notAnObject = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
);
const notAnInteger = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.double({ noDefaultInfinity: true, noNaN: true }).filter((n) => !Number.isInteger(n)),
  fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 2 }),
  fc.constant({ minutes: 60 }),
);
/** Small edits of a valid value: a character inserted, deleted or replaced, case changed, or whitespace added. */
const edits = (valid: string) =>
  fc.oneof(
    fc
      .tuple(fc.nat(), unicode(1, 3))
      .map(([i, s]) => valid.slice(0, i % (valid.length + 1)) + s + valid.slice(i % (valid.length + 1))),
    fc.nat().map((i) => valid.slice(0, i % valid.length) + valid.slice((i % valid.length) + 1)),
    fc
      .tuple(fc.nat(), ascii(1, 1))
      .map(([i, s]) => valid.slice(0, i % valid.length) + s + valid.slice((i % valid.length) + 1)),
    fc.constantFrom(valid.toUpperCase(), valid.toLowerCase(), `${valid}${valid}`, ''),
    fc
      .tuple(fc.constantFrom(' ', '\t', '\n', '\u00a0', '\u200b', '\u0000'), fc.boolean())
      .map(([ws, before]) => (before ? ws + valid : valid + ws)),
  );
const contentType = fc.option(
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'APPLICATION/JSON',
    'text/plain',
    'text/html',
    'application/x-www-form-urlencoded',
    'application/octet-stream',
    'application/xml',
    'multipart/form-data; boundary=x',
    'image/png',
    'application/vnd.api+json',
    'application/json-patch+json',
  ),
  { nil: undefined },
);

// ---------------------------------------------------------------------------------------------------------
// Authorization headers that API Gateway's JWT authorizer must refuse (or, signed but without an identity,
// that the handler must refuse).

type AuthSpec = { family: string; header: () => string | undefined; expect: Expectation };

const gatewayRefusals = (): fc.Arbitrary<AuthSpec> => {
  const refuse = (family: string, header: () => string | undefined): AuthSpec => ({
    family,
    header,
    expect: { kind: 'gateway401' },
  });
  return fc.oneof(
    fc.constant(refuse('no Authorization', () => undefined)),
    ascii(0, 60).map((s) => refuse('random Authorization', () => s)),
    fc
      .tuple(fc.constantFrom('Bearer ', 'Bearer', 'bearer ', 'Basic ', 'Token ', 'JWT ', ''), token(0, 80))
      .map(([scheme, t]) => refuse('garbage token', () => `${scheme}${t}`)),
    fc
      .uint8Array({ minLength: 8, maxLength: 32 })
      .map((key) => refuse('JWT signed with another key', () => `Bearer ${jwt(goodClaims(), Buffer.from(key))}`)),
    fc
      .integer({ min: 1, max: 10_000_000 })
      .map((ago) =>
        refuse('expired JWT', () => `Bearer ${jwt({ ...goodClaims(), exp: nowSeconds() - ago }, ctx.jwtKey)}`),
      ),
    fc
      .integer({ min: 120, max: 10_000_000 })
      .map((ahead) =>
        refuse('JWT not valid yet', () => `Bearer ${jwt({ ...goodClaims(), nbf: nowSeconds() + ahead }, ctx.jwtKey)}`),
      ),
    ascii(0, 30)
      .filter((iss) => iss !== JWT_ISSUER)
      .map((iss) => refuse('JWT from another issuer', () => `Bearer ${jwt({ ...goodClaims(), iss }, ctx.jwtKey)}`)),
    fc
      .oneof(ascii(0, 30), fc.array(ascii(1, 10), { maxLength: 3 }))
      .filter((aud) => aud !== JWT_AUDIENCE && !(Array.isArray(aud) && aud.includes(JWT_AUDIENCE)))
      .map((aud) => refuse('JWT for another audience', () => `Bearer ${jwt({ ...goodClaims(), aud }, ctx.jwtKey)}`)),
    fc.constant(
      refuse('JWT without exp', () => {
        const { exp: _exp, ...claims } = goodClaims();
        return `Bearer ${jwt(claims, ctx.jwtKey)}`;
      }),
    ),
    fc
      .constantFrom('none', 'HS384', 'HS512')
      .map((alg) =>
        refuse(
          `JWT with alg ${alg}`,
          () => `Bearer ${jwt(goodClaims(), ctx.jwtKey, alg as 'none' | 'HS384' | 'HS512')}`,
        ),
      ),
    fc.tuple(fc.nat(), token(1, 1)).map(([i, ch]) =>
      refuse('JWT with an altered payload', () => {
        const [head = '', payload = '', signature = ''] = jwt(goodClaims(), ctx.jwtKey).split('.');
        const at = i % payload.length;
        const swapped = payload[at] === ch ? (ch === 'A' ? 'B' : 'A') : ch;
        return `Bearer ${head}.${payload.slice(0, at)}${swapped}${payload.slice(at + 1)}.${signature}`;
      }),
    ),
    fc
      .constantFrom('Token', 'Bearer x', 'JWT', 'Basic')
      .map((scheme) =>
        refuse('a valid JWT behind the wrong scheme', () => `${scheme} ${jwt(goodClaims(), ctx.jwtKey)}`),
      ),
    fc.constant(refuse('two tokens', () => `Bearer ${ctx.alice} ${ctx.alice}`)),
  );
};

/** Correctly signed, but naming nobody: the handler answers 401 with the contract body. */
const noIdentity = (): fc.Arbitrary<AuthSpec> => {
  const blank = fc.stringOf(fc.constantFrom(' ', '\t', '\u00a0', '\u3000'), { maxLength: 4 });
  return fc
    .record({ email: fc.option(blank, { nil: undefined }), sub: fc.option(blank, { nil: undefined }) })
    .map(({ email, sub }) => ({
      family: 'signed JWT without an identity',
      header: () => {
        const { email: _e, sub: _s, ...claims } = goodClaims();
        return `Bearer ${jwt({ ...claims, ...(email !== undefined ? { email } : {}), ...(sub !== undefined ? { sub } : {}) }, ctx.jwtKey)}`;
      },
      expect: { kind: 'contract', statuses: [401] } as Expectation,
    }));
};

const badAuth = () => fc.oneof({ weight: 4, arbitrary: gatewayRefusals() }, { weight: 1, arbitrary: noIdentity() });

// ---------------------------------------------------------------------------------------------------------
// POST /requests

type Body = Record<string, unknown>;

const validSso = fc
  .record({
    TargetId: fc.constantFrom(...POLICY_ACCOUNTS),
    durationMinutes: fc.option(fc.integer({ min: 1, max: MAX_DURATION_MINUTES }), { nil: undefined }),
    justification: unicode(1, 40).filter((j) => /\S/u.test(j)),
  })
  .map(
    ({ TargetId, durationMinutes, justification }): Body => ({
      ...ssoRequest({ TargetId }),
      justification,
      ...(durationMinutes !== undefined ? { durationMinutes } : {}),
    }),
  );
const validProton = fc
  .constantFrom(...PROTON_CONNECTION_IDS)
  .map((id): Body => ({ action: PROTON_ACTION, parameters: { id }, justification: 'new environment' }));
const validBody = fc.oneof(validSso, validProton);

const paramNames = (body: Body): string[] => Object.keys(body.action === SSO_ACTION ? SSO_RULES : PROTON_RULES);
const rulesOf = (body: Body) => (body.action === SSO_ACTION ? SSO_RULES : PROTON_RULES);
const params = (body: Body): Record<string, unknown> => body.parameters as Record<string, unknown>;

type BodyCase = { family: string; raw: string; statuses: number[] };
const bodyCase = (family: string, raw: string, statuses: number[] = [400]): BodyCase => ({
  family,
  raw,
  statuses: bytes(raw) > MAX_BODY_BYTES ? [413] : statuses,
});
const asJson =
  (family: string, statuses?: number[]) =>
  (body: unknown): BodyCase =>
    bodyCase(family, JSON.stringify(body), statuses);

const wrongTypes = validBody.chain((body) =>
  fc
    .constantFrom(
      'action',
      'parameters',
      'justification',
      'durationMinutes',
      ...paramNames(body).map((p) => `parameters.${p}`),
    )
    .chain((path) =>
      (path === 'parameters' ? notAnObject : path === 'durationMinutes' ? notAnInteger : notAString).map((value) => {
        const next = clone(body);
        if (path.startsWith('parameters.')) params(next)[path.slice('parameters.'.length)] = value;
        else next[path] = value;
        return asJson(`wrong type at ${path}`)(next);
      }),
    ),
);

const missingFields = validBody.chain((body) =>
  fc
    .subarray(['action', 'parameters', 'justification', ...paramNames(body).map((p) => `parameters.${p}`)], {
      minLength: 1,
    })
    .map((paths) => {
      const next = clone(body);
      for (const path of paths) {
        if (path.startsWith('parameters.')) {
          if (isRecord(next.parameters)) delete params(next)[path.slice('parameters.'.length)];
        } else delete next[path];
      }
      return asJson(`missing ${paths.join(', ')}`)(next);
    }),
);

const extraKey = fc.oneof(
  ascii(1, 20),
  unicode(1, 10),
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'Action',
    'ACTION',
    'parameters ',
    'requester',
    'requestId',
    'status',
    'approvers',
    'InstanceArn',
    'id',
    '',
  ),
);
const extraFields = validBody.chain((body) =>
  fc
    .tuple(
      fc.constantFrom('top level', 'parameters'),
      fc.uniqueArray(fc.tuple(extraKey, fc.jsonValue({ maxDepth: 2 })), {
        minLength: 1,
        maxLength: 3,
        selector: ([k]) => k,
      }),
    )
    .map(([where, fields]) => {
      const next = clone(body);
      const target = where === 'top level' ? next : params(next);
      const known =
        where === 'top level' ? ['action', 'parameters', 'justification', 'durationMinutes'] : paramNames(body);
      const added = fields.filter(([key]) => !known.includes(key));
      // Every key may have been a known one; then a key no schema has stands in.
      for (const [key, value] of added.length > 0 ? added : [['unexpected', 1] as const]) put(target, key, value);
      return asJson(`unknown field at ${where}`)(next);
    }),
);

const invalidParameterValue = (rules: typeof SSO_RULES, field: string, valid: string) =>
  fc
    .oneof(anyText(0, 60), edits(valid), longText(1_200, 3_000), fc.constantFrom('', ' ', 'null', '*', `${valid}\n`))
    .filter((value) => violatesRule(rules, field, value));
const badParameterValues = validBody.chain((body) =>
  fc.constantFrom(...paramNames(body)).chain((field) =>
    invalidParameterValue(rulesOf(body), field, String(params(body)[field])).map((value) => {
      const next = clone(body);
      params(next)[field] = value;
      return asJson(`invalid parameters.${field}`)(next);
    }),
  ),
);

const badJustifications = fc
  .tuple(
    validBody,
    fc.oneof(
      fc.constant(''),
      fc.stringOf(fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2003', '\u3000', '\ufeff', '\u2028'), {
        minLength: 1,
        maxLength: 20,
      }),
      longText(1_025, 4_000),
    ),
  )
  .map(([body, justification]) => asJson('invalid justification')({ ...body, justification }));

const badActions = fc
  .tuple(
    validBody,
    fc
      .oneof(
        anyText(0, 40),
        fc.constantFrom(
          'SSO:CreateAccountAssignment',
          'sso:createaccountassignment',
          `${SSO_ACTION} `,
          ` ${PROTON_ACTION}`,
          'sso:*',
          '*',
          'iam:CreateUser',
          'sso:DeleteAccountAssignment',
          'proton:RejectEnvironmentAccountConnection',
        ),
      )
      .filter((a) => !ACTIONS.includes(a)),
  )
  .map(([body, action]) => asJson('unknown action')({ ...body, action }));

const badDurations = fc.oneof(
  fc
    .tuple(
      validSso,
      fc.oneof(
        fc.integer({ max: 0 }),
        fc.integer({ min: MAX_DURATION_MINUTES + 1 }),
        fc.constantFrom(1e21, Number.MAX_SAFE_INTEGER, -0.5, 0.5, 60.5),
      ),
    )
    .map(([body, durationMinutes]) => asJson('durationMinutes out of range')({ ...body, durationMinutes })),
  fc
    .tuple(validProton, fc.integer({ min: 1, max: MAX_DURATION_MINUTES }))
    .map(([body, durationMinutes]) =>
      asJson('durationMinutes on an action that cannot be revoked')({ ...body, durationMinutes }),
    ),
);

const nonJson = fc
  .oneof(
    anyText(0, 80),
    validBody.chain((body) => {
      const text = JSON.stringify(body);
      return fc.integer({ min: 0, max: text.length - 1 }).map((i) => text.slice(0, i));
    }),
    fc.tuple(validBody, ascii(1, 10)).map(([body, tail]) => `${JSON.stringify(body)}${tail}`),
    validBody.map((body) => `\ufeff${JSON.stringify(body)}`),
    validBody.map((body) => JSON.stringify(body).replace(/"/g, "'")),
    validBody.map((body) =>
      new URLSearchParams({ action: String(body.action), justification: String(body.justification) }).toString(),
    ),
  )
  .filter((text) => !isJson(text))
  .map((text) => bodyCase('not JSON', text));

const nonObjectJson = fc
  .oneof(
    notAnObject,
    validBody.map((body) => [body]),
  )
  .map((value) => bodyCase('JSON that is not an object', JSON.stringify(value)));

const hugeBodies = fc
  .tuple(
    validBody,
    fc.constantFrom('justification', 'extra', 'parameter', 'not JSON'),
    longText(MAX_BODY_BYTES + 1, 2 * MAX_BODY_BYTES),
  )
  .map(([body, where, filler]) => {
    if (where === 'not JSON') return bodyCase('over 32 KiB', filler);
    const next = clone(body);
    if (where === 'justification') next.justification = filler;
    else if (where === 'extra') next.padding = filler;
    else params(next)[paramNames(body)[0]!] = filler;
    return bodyCase('over 32 KiB', JSON.stringify(next));
  });

const noPolicyRule = fc
  .string({ unit: fc.constantFrom(...'0123456789'), minLength: 12, maxLength: 12 })
  .filter((account) => !POLICY_ACCOUNTS.includes(account))
  .map((TargetId) => asJson('no policy rule for the account', [403])(ssoRequest({ TargetId })));

const unknownConnection = fc
  .uuid()
  .map((id) => id.toLowerCase())
  .filter((id) => !PROTON_CONNECTION_IDS.includes(id))
  .map((id) =>
    asJson('no such Proton connection')({
      action: PROTON_ACTION,
      parameters: { id },
      justification: 'new environment',
    }),
  );

const badBodies: fc.Arbitrary<BodyCase> = fc.oneof(
  { weight: 3, arbitrary: wrongTypes },
  { weight: 2, arbitrary: missingFields },
  { weight: 2, arbitrary: extraFields },
  { weight: 4, arbitrary: badParameterValues },
  { weight: 1, arbitrary: badJustifications },
  { weight: 1, arbitrary: badActions },
  { weight: 1, arbitrary: badDurations },
  { weight: 2, arbitrary: nonJson },
  { weight: 1, arbitrary: nonObjectJson },
  { weight: 1, arbitrary: hugeBodies },
  { weight: 1, arbitrary: noPolicyRule },
  { weight: 1, arbitrary: unknownConnection },
);

/** Idempotency-Key values the contract refuses; leading or trailing whitespace would be trimmed by HTTP, so it is inside. */
const badIdempotencyKey = fc.oneof(
  fc.constant(''),
  fc.string({ unit: fc.constantFrom(...'abcdefXYZ0123456789!~-_.:'), minLength: 256, maxLength: 400 }),
  fc.tuple(token(), fc.constantFrom(' ', '\t', '  '), token()).map(([a, ws, b]) => `${a}${ws}${b}`),
  fc
    .tuple(token(), fc.integer({ min: 0x80, max: 0xff }), token())
    .map(([a, code, b]) => `${a}${String.fromCharCode(code)}${b}`),
);

const postRequests = (): fc.Arbitrary<Case> =>
  fc.oneof(
    {
      weight: 6,
      arbitrary: fc.tuple(badBodies, contentType, fc.option(token(1, 40), { nil: undefined })).map(([b, type, key]) =>
        labelled({
          route: 'POST /requests',
          family: b.family,
          request: () => ({
            method: 'POST',
            path: '/requests',
            headers: {
              authorization: `Bearer ${ctx.alice}`,
              ...(type ? { 'content-type': type } : {}),
              ...(key ? { 'idempotency-key': key } : {}),
            },
            body: b.raw,
          }),
          expect: { kind: 'contract', statuses: b.statuses },
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(validBody, badIdempotencyKey).map(([body, key]) =>
        labelled({
          route: 'POST /requests',
          family: 'valid body, invalid Idempotency-Key',
          request: () => ({
            method: 'POST',
            path: '/requests',
            headers: {
              authorization: `Bearer ${ctx.alice}`,
              'content-type': 'application/json',
              'idempotency-key': key,
            },
            body: JSON.stringify(body),
          }),
          expect: { kind: 'contract', statuses: [400] },
        }),
      ),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(validBody, badAuth(), contentType).map(([body, auth, type]) =>
        labelled({
          route: 'POST /requests',
          family: `valid body, ${auth.family}`,
          request: () => {
            const header = auth.header();
            return {
              method: 'POST',
              path: '/requests',
              headers: {
                ...(header !== undefined ? { authorization: header } : {}),
                ...(type ? { 'content-type': type } : {}),
              },
              body: JSON.stringify(body),
            };
          },
          expect: auth.expect,
        }),
      ),
    },
  );

// ---------------------------------------------------------------------------------------------------------
// GET /requests

const isoTime = fc
  .date({ min: new Date('2020-01-01T00:00:00Z'), max: new Date('2030-12-31T23:59:59Z'), noInvalidDate: true })
  .map((d) => d.toISOString());
const badTime = fc.oneof(
  anyText(1, 40),
  longText(41, 80),
  isoTime.map((t) => t.replace('Z', '')),
  isoTime.map((t) => t.replace('Z', '+01:00')),
  isoTime.map((t) => t.slice(0, 10)),
  isoTime.map((t) => t.replace('T', ' ')),
  isoTime.map((t) => String(Date.parse(t))),
  // Dates that do not exist, and hours past the end of the day.
  fc.constantFrom(
    '2026-02-30T10:00:00Z',
    '2026-02-29T00:00Z',
    '2026-04-31T10:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-00-10T00:00:00Z',
    '2026-01-01T24:00:00Z',
    '2026-01-01T23:60:00Z',
    '2026-01-01T10:00:60Z',
  ),
);
const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
/** Well-formed UTC times of instants that do not exist: the 30th of February, the 31st of April, 24:00. */
const impossibleTime = fc
  .record({
    y: fc.integer({ min: 2000, max: 2099 }),
    mo: fc.integer({ min: 1, max: 12 }),
    d: fc.integer({ min: 28, max: 31 }),
    hh: fc.constantFrom(0, 9, 23, 24),
    mi: fc.integer({ min: 0, max: 59 }),
    seconds: fc.boolean(),
  })
  .filter(({ y, mo, d, hh }) => d > new Date(Date.UTC(y, mo, 0)).getUTCDate() || hh === 24)
  .map(
    ({ y, mo, d, hh, mi, seconds }) =>
      `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(hh)}:${pad(mi)}${seconds ? ':00' : ''}Z`,
  );
const lengthOk = (max: number) => (s: string) => s.length >= 1 && s.length <= max;
const validQueryParts = fc.record(
  {
    status: fc.constantFrom(...STATUSES),
    action: fc.constantFrom(...ACTIONS),
    targetId: unicode(1, 30).filter(lengthOk(256)),
    approver: unicode(1, 30).filter(lengthOk(256)),
    limit: fc.integer({ min: 1, max: 200 }).map(String),
    format: fc.constant('json'),
    range: fc.tuple(isoTime, isoTime).map(([a, b]) => (a <= b ? [a, b] : [b, a])),
  },
  { requiredKeys: [] },
);
type QueryParts = Record<string, string | string[] | undefined>;
const toQuery = (parts: QueryParts, requester?: string): URLSearchParams => {
  const query = new URLSearchParams();
  if (requester !== undefined) query.append('requester', requester);
  for (const [key, value] of Object.entries(parts)) {
    if (value === undefined) continue;
    if (key === 'range') {
      const [from = '', to = ''] = value as string[];
      query.append('from', from);
      query.append('to', to);
    } else query.append(key, value as string);
  }
  return query;
};
/** One thing wrong with an otherwise valid query of alice's own requests. */
const queryFault = fc.oneof(
  fc
    .tuple(
      anyText(1, 12).filter(
        (k) =>
          ![
            'requester',
            'status',
            'action',
            'targetId',
            'approver',
            'from',
            'to',
            'limit',
            'cursor',
            'format',
          ].includes(k),
      ),
      anyText(0, 20),
    )
    .map(([key, value]) => ({ family: 'unknown parameter', key, value })),
  fc
    .constantFrom('Status', 'REQUESTER', 'page', 'offset', 'sort', 'q')
    .map((key) => ({ family: 'unknown parameter', key, value: 'x' })),
  anyText(0, 30)
    .filter((s) => !STATUSES.includes(s))
    .map((value) => ({ family: 'unknown status', key: 'status', value })),
  fc
    .constantFrom('pending_approval', 'PENDING', 'PENDING_APPROVAL,DENIED', ' COMPLETED')
    .map((value) => ({ family: 'unknown status', key: 'status', value })),
  anyText(0, 30)
    .filter((s) => !ACTIONS.includes(s))
    .map((value) => ({ family: 'unknown action', key: 'action', value })),
  fc.tuple(fc.constantFrom('from', 'to'), badTime).map(([key, value]) => ({ family: `bad ${key}`, key, value })),
  fc
    .tuple(fc.constantFrom('from', 'to'), impossibleTime)
    .map(([key, value]) => ({ family: `${key} that does not exist`, key, value })),
  fc
    .oneof(
      fc.constantFrom('0', '201', '-1', '1.5', '1e2', '0x10', ' 5', '5 ', '+5', '', 'abc', '99999999999999999999', '٥'),
      fc.integer({ min: 201 }).map(String),
      fc.integer({ max: 0 }).map(String),
    )
    .map((value) => ({ family: 'bad limit', key: 'limit', value })),
  anyText(0, 10)
    .filter((s) => s !== 'csv' && s !== 'json')
    .map((value) => ({ family: 'bad format', key: 'format', value })),
  fc
    .constantFrom('targetId', 'approver', 'status', 'action', 'from', 'to', 'requester')
    .map((key) => ({ family: 'empty value', key, value: '' })),
  fc
    .tuple(fc.constantFrom('targetId', 'approver'), longText(257, 600))
    .map(([key, value]) => ({ family: 'value too long', key, value })),
  fc
    .oneof(
      anyText(1, 60),
      fc.tuple(token(1, 60), token(1, 50)).map(([a, b]) => `${a}.${b}`),
      longText(4_097, 5_000),
    )
    .map((value) => ({ family: 'forged cursor', key: 'cursor', value })),
);

const getRequests = (): fc.Arbitrary<Case> => {
  const route = 'GET /requests';
  const send = (query: string, authorization: string | undefined, accept?: string) => (): Sent => ({
    method: 'GET',
    path: query === '' ? '/requests' : `/requests?${query}`,
    headers: { ...(authorization !== undefined ? { authorization } : {}), ...(accept ? { accept } : {}) },
  });
  const accept = fc.option(fc.constantFrom('application/json', 'text/csv', '*/*'), { nil: undefined });
  return fc.oneof(
    {
      weight: 5,
      arbitrary: fc.tuple(validQueryParts, queryFault, accept).map(([parts, fault, acceptHeader]) => {
        const query = toQuery(parts, fault.key === 'requester' ? undefined : ALICE);
        query.delete(fault.key);
        query.append(fault.key, fault.value);
        return labelled({
          route,
          family: fault.family,
          request: send(query.toString(), `Bearer ${ctx.alice}`, acceptHeader),
          expect: { kind: 'contract', statuses: [400] },
        });
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(validQueryParts, isoTime, isoTime)
        .filter(([, a, b]) => a !== b)
        .map(([parts, a, b]) => {
          const query = toQuery({ ...parts, range: a > b ? [a, b] : [b, a] }, ALICE);
          return labelled({
            route,
            family: 'from after to',
            request: send(query.toString(), `Bearer ${ctx.alice}`),
            expect: { kind: 'contract', statuses: [400] },
          });
        }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          validQueryParts,
          fc.option(
            unicode(1, 40).filter((r) => r !== ALICE && lengthOk(256)(r)),
            { nil: undefined },
          ),
          accept,
        )
        .map(([parts, requester, acceptHeader]) =>
          labelled({
            route,
            family: "someone else's requests",
            request: send(toQuery(parts, requester).toString(), `Bearer ${ctx.alice}`, acceptHeader),
            expect: { kind: 'contract', statuses: [403] },
          }),
        ),
    },
    {
      weight: 1,
      arbitrary: anyText(0, 60)
        .filter(urlSafe)
        .map((raw) =>
          // A raw query string, however it parses: either something is wrong with it or alice did not name herself.
          labelled({
            route,
            family: 'raw query string',
            request: send(encodeURI(raw).replace(/#/g, '%23'), `Bearer ${ctx.alice}`),
            expect: { kind: 'contract', statuses: [400, 403] },
          }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(validQueryParts, badAuth()).map(([parts, auth]) =>
        labelled({
          route,
          family: auth.family,
          request: () => send(toQuery(parts, ALICE).toString(), auth.header())(),
          expect: auth.expect,
        }),
      ),
    },
  );
};

// ---------------------------------------------------------------------------------------------------------
// GET /catalog: its only input is the caller's token (a query string is ignored), so what can be refused is
// Authorization.

const getCatalog = (): fc.Arbitrary<Case> =>
  fc.tuple(badAuth(), fc.option(anyText(0, 40).filter(urlSafe), { nil: undefined })).map(([auth, query]) =>
    labelled({
      route: 'GET /catalog',
      family: auth.family,
      request: (): Sent => {
        const header = auth.header();
        return {
          method: 'GET',
          path: `/catalog${query ? `?${encodeURIComponent(query)}` : ''}`,
          headers: header !== undefined ? { authorization: header } : ({} as Record<string, string>),
        };
      },
      expect: auth.expect,
    }),
  );

// ---------------------------------------------------------------------------------------------------------
// GET /requests/{requestId} and POST /requests/{requestId}/revoke

/** Ids of no request: anything that fits in a path segment, except the dot segments a URL resolves away. */
const unknownId = (): fc.Arbitrary<string> =>
  fc
    .oneof(
      anyText(1, 40),
      fc.uuid(),
      longText(129, 400),
      fc.constantFrom(
        'REQUEST',
        'REQUEST#x',
        'TASK_TOKEN',
        '*',
        '%',
        '%00',
        'null',
        'undefined',
        '__proto__',
        'constructor',
        '../requests',
        '?',
        '#',
        ' ',
      ),
      // Near misses of the real request's id (built after the stack started).
      edits(ctx.seedId),
    )
    .filter((id) => id !== '' && id !== '.' && id !== '..' && id !== ctx.seedId && urlSafe(id));

const byId = (route: 'GET /requests/{requestId}' | 'POST /requests/{requestId}/revoke'): fc.Arbitrary<Case> => {
  const method = route.startsWith('GET') ? 'GET' : 'POST';
  const pathOf = (id: string) => `/requests/${encodeURIComponent(id)}${method === 'POST' ? '/revoke' : ''}`;
  const body = fc.option(
    fc.oneof(
      anyText(0, 60),
      fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v)),
    ),
    { nil: undefined },
  );
  const send = (id: () => string, authorization: () => string | undefined, raw?: string, type?: string) => (): Sent => {
    const auth = authorization();
    return {
      method,
      path: pathOf(id()),
      headers: { ...(auth !== undefined ? { authorization: auth } : {}), ...(type ? { 'content-type': type } : {}) },
      ...(method === 'POST' && raw !== undefined ? { body: raw } : {}),
    };
  };
  const arbitraries = [
    {
      weight: 5,
      arbitrary: fc
        .tuple(unknownId(), fc.constantFrom('alice', 'bob', 'eve'), body, contentType)
        .map(([id, who, raw, type]) =>
          labelled({
            route,
            family: 'no such request',
            request: send(
              () => id,
              () => `Bearer ${ctx[who as 'alice' | 'bob' | 'eve']}`,
              raw,
              type,
            ),
            expect: { kind: 'contract', statuses: [404] },
          }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(body, contentType).map(([raw, type]) =>
        labelled({
          route,
          family: 'a stranger asks about a real request',
          request: send(
            () => ctx.seedId,
            () => `Bearer ${ctx.eve}`,
            raw,
            type,
          ),
          expect: { kind: 'contract', statuses: [404] },
        }),
      ),
    },
    {
      weight: 2,
      arbitrary: badAuth().map((auth) =>
        labelled({ route, family: auth.family, request: send(() => ctx.seedId, auth.header), expect: auth.expect }),
      ),
    },
  ];
  if (method === 'POST') {
    // The requester and an approver may revoke, but only an ACTIVE grant: a pending request is a conflict.
    arbitraries.push({
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom('alice', 'bob'), body, contentType).map(([who, raw, type]) =>
        labelled({
          route,
          family: 'revoking a request that is not ACTIVE',
          request: send(
            () => ctx.seedId,
            () => `Bearer ${ctx[who as 'alice' | 'bob']}`,
            raw,
            type,
          ),
          expect: { kind: 'contract', statuses: [409] },
        }),
      ),
    });
  }
  return fc.oneof(...arbitraries);
};

// ---------------------------------------------------------------------------------------------------------
// GET and POST /approvals/{linkToken}

type TokenCase = { family: string; token: () => string; statuses: number[] };

const signedClaims = (claims: unknown): string => linkToken(b64url(claims), ctx.linkSecret);
const dayFromNow = () => Date.now() + 86_400_000;
const base64urlChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

const badTokens = (): fc.Arbitrary<TokenCase> =>
  fc.oneof(
    anyText(1, 60)
      .filter((t) => urlSafe(t) && t !== '.' && t !== '..')
      .map((t) => ({ family: 'random token', token: () => t, statuses: [403] })),
    fc
      .tuple(token(1, 80), token(1, 50))
      .map(([a, b]) => ({ family: 'unsigned token', token: () => `${a}.${b}`, statuses: [403] })),
    fc
      .array(token(0, 20), { minLength: 3, maxLength: 5 })
      .map((parts) => ({ family: 'too many parts', token: () => parts.join('.'), statuses: [403] })),
    longText(2_049, 3_000).map((t) => ({ family: 'over 2048 characters', token: () => t, statuses: [403] })),
    fc.tuple(fc.nat(), fc.constantFrom(...base64urlChars)).map(([i, ch]) => ({
      family: "bob's link with its payload altered",
      token: () => {
        const [payload = '', signature = ''] = ctx.bobToken.split('.');
        const at = i % payload.length;
        const swapped = payload[at] === ch ? (ch === 'a' ? 'b' : 'a') : ch;
        return `${payload.slice(0, at)}${swapped}${payload.slice(at + 1)}.${signature}`;
      },
      statuses: [403],
    })),
    // Not the last character: its low bits are padding, so some substitutions there decode to the same MAC.
    fc.tuple(fc.nat(), fc.constantFrom(...base64urlChars)).map(([i, ch]) => ({
      family: "bob's link with its signature altered",
      token: () => {
        const [payload = '', signature = ''] = ctx.bobToken.split('.');
        const at = i % (signature.length - 1);
        const swapped = signature[at] === ch ? (ch === 'a' ? 'b' : 'a') : ch;
        return `${payload}.${signature.slice(0, at)}${swapped}${signature.slice(at + 1)}`;
      },
      statuses: [403],
    })),
    fc.nat().map((i) => ({
      family: "bob's link cut short",
      token: () => ctx.bobToken.slice(0, 1 + (i % (ctx.bobToken.length - 1))),
      statuses: [403],
    })),
    token(0, 10).map((tail) => ({
      family: "bob's link with a third part",
      token: () => `${ctx.bobToken}.${tail}`,
      statuses: [403],
    })),
    fc.uuid().map((r) => ({
      family: 'signed link to no request',
      token: () => signedClaims({ r, a: 'bob@example.com', e: dayFromNow() }),
      statuses: [403],
    })),
    fc
      .oneof(
        fc.constantFrom(
          'alice@example.com',
          'eve@example.com',
          'dana@example.com',
          'BOB@example.com',
          'bob@example.com ',
          '',
        ),
        unicode(0, 20),
      )
      .filter((a) => a !== 'bob@example.com' && a !== 'carol@example.com')
      .map((a) => ({
        family: 'signed link for someone who is not an approver',
        token: () => signedClaims({ r: ctx.seedId, a, e: dayFromNow() }),
        statuses: [403],
      })),
    fc.integer({ min: 0, max: 10 ** 12 }).map((ago) => ({
      family: 'expired link',
      token: () => signedClaims({ r: ctx.seedId, a: 'bob@example.com', e: Date.now() - ago }),
      statuses: [410],
    })),
    fc
      .oneof(
        fc.record({ r: notAString, a: fc.constant('bob@example.com'), e: fc.constant(dayFromNow()) }),
        fc.record({ r: fc.constant('x'), a: notAString, e: fc.constant(dayFromNow()) }),
        fc.record({
          r: fc.constant('x'),
          a: fc.constant('bob@example.com'),
          e: fc.oneof(fc.string(), fc.boolean(), fc.constant(null)),
        }),
        notAnObject,
      )
      .map((claims) => ({
        family: 'signed link with malformed claims',
        token: () => signedClaims(claims),
        statuses: [403],
      })),
    anyText(0, 30)
      .filter((t) => !isJson(t))
      .map((t) => ({
        family: 'signed link whose payload is not JSON',
        token: () => linkToken(Buffer.from(t).toString('base64url'), ctx.linkSecret),
        statuses: [403],
      })),
  );

const acceptOnly = (accept: string | undefined): Record<string, string> => (accept === undefined ? {} : { accept });
const acceptHeader = fc.constantFrom<string | undefined>(
  'application/json',
  'application/json, text/html',
  undefined,
  'text/html',
  '*/*',
);
const expectFor = (accept: string | undefined, statuses: number[]): Expectation =>
  (accept ?? '').includes('application/json') ? { kind: 'contract', statuses } : { kind: 'html', statuses };
const tokenPath = (t: string) => `/approvals/${encodeURIComponent(t)}`;

const getApprovals = (): fc.Arbitrary<Case> =>
  fc
    .tuple(
      badTokens(),
      acceptHeader,
      fc.option(fc.constantFrom('?decision=approve', '?decision=deny', '?x=1'), { nil: '' }),
    )
    .map(([t, accept, query]) =>
      labelled({
        route: 'GET /approvals/{linkToken}',
        family: t.family,
        request: () => ({ method: 'GET', path: `${tokenPath(t.token())}${query}`, headers: acceptOnly(accept) }),
        expect: expectFor(accept, t.statuses),
      }),
    );

/** How functions/shared/http.ts and approvals/decide.ts read a decision body, to know which bodies are invalid. */
const bodyVerdict = (type: string | undefined, raw: string): 413 | 400 | 'valid' => {
  if (bytes(raw) > MAX_BODY_BYTES) return 413;
  let form: Record<string, unknown>;
  if ((type ?? '').includes('application/json')) {
    if (!isJson(raw)) return 400;
    const parsed = JSON.parse(raw) as unknown;
    if (!isRecord(parsed)) return 400;
    form = parsed;
  } else form = Object.fromEntries(new URLSearchParams(raw));
  const { decision, comment } = form;
  if (decision !== 'approve' && decision !== 'deny') return 400;
  if (comment !== undefined && (typeof comment !== 'string' || comment.length > 1024)) return 400;
  return 'valid';
};

const decisionValue = fc.oneof(
  fc.constantFrom('approve', 'deny'),
  fc.constantFrom('APPROVE', 'Approve', 'approve ', 'approved', 'yes', 'true', '1', '', 'deny\u0000'),
  anyText(0, 20),
);
const commentValue = fc.oneof(anyText(0, 40), longText(1_025, 3_000));
const decisionBodies = fc.oneof(
  fc
    .tuple(
      fc.option(decisionValue, { nil: undefined }),
      fc.option(commentValue, { nil: undefined }),
      fc.dictionary(token(1, 8), anyText(0, 10).filter(urlSafe), { maxKeys: 2 }),
      fc.constantFrom<string | undefined>(
        'application/x-www-form-urlencoded',
        undefined,
        'text/plain',
        'APPLICATION/JSON',
      ),
    )
    .map(([decision, comment, extra, type]) => {
      const form = new URLSearchParams(extra);
      if (decision !== undefined) form.set('decision', decision);
      if (comment !== undefined && urlSafe(comment)) form.set('comment', comment);
      return { type, raw: form.toString() };
    }),
  fc
    .record(
      { decision: fc.oneof(decisionValue, notAString), comment: fc.oneof(commentValue, notAString) },
      { requiredKeys: [] },
    )
    .map((form) => ({ type: 'application/json' as string | undefined, raw: JSON.stringify(form) })),
  notAnObject.map((value) => ({ type: 'application/json' as string | undefined, raw: JSON.stringify(value) })),
  anyText(0, 60).map((raw) => ({ type: 'application/json' as string | undefined, raw })),
  fc.tuple(anyText(0, 60), contentType).map(([raw, type]) => ({ type, raw })),
  longText(MAX_BODY_BYTES + 1, 2 * MAX_BODY_BYTES).map((filler) => ({
    type: 'application/x-www-form-urlencoded' as string | undefined,
    raw: `decision=approve&comment=${filler}`,
  })),
);

/** Bodies that decide, so a bad token is what gets refused. */
const decidingBodies = fc.oneof(
  fc
    .tuple(
      fc.constantFrom('approve', 'deny'),
      fc.option(unicode(0, 40), { nil: undefined }),
      fc.constantFrom<string | undefined>('application/x-www-form-urlencoded', undefined),
    )
    .map(([decision, comment, type]) => ({
      type,
      raw: new URLSearchParams({ decision, ...(comment !== undefined ? { comment } : {}) }).toString(),
    })),
  fc
    .tuple(fc.constantFrom('approve', 'deny'), fc.option(unicode(0, 40), { nil: undefined }))
    .map(([decision, comment]) => ({
      type: 'application/json' as string | undefined,
      raw: JSON.stringify({ decision, comment }),
    })),
);

const postApprovals = (): fc.Arbitrary<Case> => {
  const route = 'POST /approvals/{linkToken}';
  const make = (t: TokenCase, body: { type: string | undefined; raw: string }, accept: string | undefined): Case => {
    const verdict = bodyVerdict(body.type, body.raw);
    return labelled({
      route,
      family: `${t.family}, ${verdict === 'valid' ? 'valid decision' : `body refused with ${verdict}`}`,
      request: () => ({
        method: 'POST',
        path: tokenPath(t.token()),
        headers: { ...(body.type ? { 'content-type': body.type } : {}), ...(accept ? { accept } : {}) },
        body: body.raw,
      }),
      expect: expectFor(accept, verdict === 'valid' ? t.statuses : [verdict]),
    });
  };
  const bobsRealLink: TokenCase = { family: "bob's real link", token: () => ctx.bobToken, statuses: [] };
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.tuple(badTokens(), decidingBodies, acceptHeader).map(([t, body, accept]) => make(t, body, accept)),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(badTokens(), decisionBodies, acceptHeader).map(([t, body, accept]) => make(t, body, accept)),
    },
    // The real link with a body that does not decide: refused, and the request stays as it was.
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          decisionBodies.filter((b) => bodyVerdict(b.type, b.raw) !== 'valid'),
          acceptHeader,
        )
        .map(([body, accept]) => make(bobsRealLink, body, accept)),
    },
  );
};

// ---------------------------------------------------------------------------------------------------------
// POST /requests/{requestId}/decision: a signed-in approver's decision. The body is JSON whatever the content type;
// it is checked before the request is read, so a bad body gets 400 (or 413) on any id.

/** How functions/approvals/decide.ts (parseDecisionBody) reads a signed-in decision's body. */
const signedInVerdict = (raw: string): 413 | 400 | 'valid' => {
  if (bytes(raw) > MAX_BODY_BYTES) return 413;
  if (!isJson(raw)) return 400;
  const parsed = JSON.parse(raw) as unknown;
  if (!isRecord(parsed)) return 400;
  if (Object.keys(parsed).some((k) => k !== 'decision' && k !== 'comment')) return 400;
  const { decision, comment } = parsed;
  if (decision !== 'approve' && decision !== 'deny') return 400;
  if (comment !== undefined && (typeof comment !== 'string' || comment.length > 1024)) return 400;
  return 'valid';
};

const signedInBodies = fc.oneof(
  fc
    .record(
      {
        decision: fc.oneof(decisionValue, notAString),
        comment: fc.oneof(commentValue, notAString),
        approver: fc.constantFrom('bob@example.com', 'carol@example.com'),
        via: fc.constantFrom('page', 'slack', 'link', 'system'),
      },
      { requiredKeys: [] },
    )
    .map((form) => JSON.stringify(form)),
  fc.dictionary(token(1, 8), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }).map((form) => JSON.stringify(form)),
  notAnObject.map((value) => JSON.stringify(value)),
  anyText(0, 60),
  fc.constantFrom('decision=approve', 'decision=deny&comment=ok', ''),
  longText(MAX_BODY_BYTES + 1, 2 * MAX_BODY_BYTES).map((filler) =>
    JSON.stringify({ decision: 'approve', comment: filler }),
  ),
);
const decidingJson = fc
  .tuple(fc.constantFrom('approve', 'deny'), fc.option(unicode(0, 40), { nil: undefined }))
  .map(([decision, comment]) => JSON.stringify({ decision, ...(comment !== undefined ? { comment } : {}) }));

const postDecision = (): fc.Arbitrary<Case> => {
  const route = 'POST /requests/{requestId}/decision';
  const make = (
    family: string,
    id: () => string,
    authorization: () => string | undefined,
    raw: string,
    type: string | undefined,
    expect: Expectation,
  ): Case =>
    labelled({
      route,
      family,
      request: (): Sent => {
        const auth = authorization();
        return {
          method: 'POST',
          path: `/requests/${encodeURIComponent(id())}/decision`,
          headers: {
            ...(auth !== undefined ? { authorization: auth } : {}),
            ...(type ? { 'content-type': type } : {}),
          },
          body: raw,
        };
      },
      expect,
    });
  const bearer = (who: 'alice' | 'bob' | 'eve') => () => `Bearer ${ctx[who]}`;
  const refusedBody = (raw: string): Expectation => ({
    kind: 'contract',
    statuses: [signedInVerdict(raw) === 413 ? 413 : 400],
  });
  return fc.oneof(
    // An approver's bodies that do not decide, on the real pending request: refused, and it stays as it was.
    {
      weight: 4,
      arbitrary: fc
        .tuple(
          signedInBodies.filter((raw) => signedInVerdict(raw) !== 'valid'),
          contentType,
        )
        .map(([raw, type]) =>
          make(
            `bob's bad body, refused with ${signedInVerdict(raw)}`,
            () => ctx.seedId,
            bearer('bob'),
            raw,
            type,
            refusedBody(raw),
          ),
        ),
    },
    // Ids of no request: 404 for a body that decides, else the body's refusal.
    {
      weight: 3,
      arbitrary: fc
        .tuple(
          unknownId(),
          fc.constantFrom<'alice' | 'bob' | 'eve'>('alice', 'bob', 'eve'),
          fc.oneof(decidingJson, signedInBodies),
          contentType,
        )
        .map(([id, who, raw, type]) =>
          make(
            signedInVerdict(raw) === 'valid'
              ? 'no such request'
              : `no such request, body refused with ${signedInVerdict(raw)}`,
            () => id,
            bearer(who),
            raw,
            type,
            signedInVerdict(raw) === 'valid' ? { kind: 'contract', statuses: [404] } : refusedBody(raw),
          ),
        ),
    },
    // Someone who may not read the request learns nothing about it; the requester may not decide it.
    {
      weight: 2,
      arbitrary: fc
        .tuple(fc.constantFrom<'alice' | 'eve'>('alice', 'eve'), decidingJson, contentType)
        .map(([who, raw, type]) =>
          make(
            who === 'eve' ? 'a stranger decides a real request' : 'the requester decides her own request',
            () => ctx.seedId,
            bearer(who),
            raw,
            type,
            { kind: 'contract', statuses: [who === 'eve' ? 404 : 403] },
          ),
        ),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(badAuth(), decidingJson)
        .map(([auth, raw]) => make(auth.family, () => ctx.seedId, auth.header, raw, 'application/json', auth.expect)),
    },
  );
};

// ---------------------------------------------------------------------------------------------------------
// POST /slack/interactions

const click = (user: string, requestId: string, actionId = 'approve'): Record<string, unknown> => ({
  type: 'block_actions',
  user: { id: user },
  actions: [{ action_id: actionId, value: requestId }],
  channel: { id: 'D0123' },
});
const formOf = (payload: unknown): string =>
  `payload=${encodeURIComponent(typeof payload === 'string' ? payload : JSON.stringify(payload))}`;
const someRequestId = fc.uuid().filter((id) => id !== ctx.seedId);

type SlackSigning = { family: string; headers: (body: string) => Record<string, string> };
const badSignatures: fc.Arbitrary<SlackSigning> = fc.oneof(
  fc.constant({ family: 'unsigned', headers: () => ({}) }),
  fc.constant({
    family: 'timestamp without signature',
    headers: () => ({ 'x-slack-request-timestamp': String(nowSeconds()) }),
  }),
  fc.constant({
    family: 'signature without timestamp',
    headers: (body: string) => ({ 'x-slack-signature': slackSign(ctx.slackSecret, String(nowSeconds()), body) }),
  }),
  ascii(0, 80).map((signature) => ({
    family: 'random signature',
    headers: () => ({ 'x-slack-request-timestamp': String(nowSeconds()), 'x-slack-signature': signature }),
  })),
  fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }).map((hex) => ({
    family: 'well-formed wrong signature',
    headers: () => ({ 'x-slack-request-timestamp': String(nowSeconds()), 'x-slack-signature': `v0=${hex}` }),
  })),
  fc.uint8Array({ minLength: 8, maxLength: 32 }).map((key) => ({
    family: 'signed with another secret',
    headers: (body: string) => {
      const ts = String(nowSeconds());
      return {
        'x-slack-request-timestamp': ts,
        'x-slack-signature': slackSign(Buffer.from(key).toString('hex'), ts, body),
      };
    },
  })),
  fc.tuple(fc.integer({ min: 301, max: 10 ** 9 }), fc.boolean()).map(([skew, past]) => ({
    family: past ? 'replayed (old timestamp)' : 'timestamp from the future',
    headers: (body: string) => {
      const ts = String(nowSeconds() + (past ? -skew : skew));
      return { 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSign(ctx.slackSecret, ts, body) };
    },
  })),
  fc
    .oneof(
      fc.constantFrom('', 'abc', '1e9', '-1', '1.5', '0x10', '9999999999999'),
      ascii(1, 14).filter((t) => !/^\d{1,12}$/.test(t.trim())),
    )
    .map((ts) => ({
      family: 'malformed timestamp',
      headers: (body: string) => ({
        'x-slack-request-timestamp': ts,
        'x-slack-signature': slackSign(ctx.slackSecret, ts, body),
      }),
    })),
  ascii(1, 10).map((tail) => ({
    family: 'signature over another body',
    headers: (body: string) => {
      const ts = String(nowSeconds());
      return { 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSign(ctx.slackSecret, ts, `${body}${tail}`) };
    },
  })),
  fc.constantFrom('upper', 'v1').map((variant) => ({
    family: `signature ${variant === 'upper' ? 'in upper case' : 'with another version'}`,
    headers: (body: string) => {
      const ts = String(nowSeconds());
      const good = slackSign(ctx.slackSecret, ts, body);
      return {
        'x-slack-request-timestamp': ts,
        'x-slack-signature': variant === 'upper' ? `v0=${good.slice(3).toUpperCase()}` : good.replace('v0=', 'v1='),
      };
    },
  })),
);
const signedNow: SlackSigning = {
  family: 'signed',
  headers: (body: string) => {
    const ts = String(nowSeconds());
    return { 'x-slack-request-timestamp': ts, 'x-slack-signature': slackSign(ctx.slackSecret, ts, body) };
  },
};

/** Payloads that break exactly one of Slack's block_actions fields. */
const badPayloads: fc.Arbitrary<{ family: string; body: string }> = fc.oneof(
  fc
    .dictionary(
      token(1, 8).filter((k) => k !== 'payload'),
      anyText(0, 20).filter(urlSafe),
      { maxKeys: 3 },
    )
    .map((form) => ({ family: 'no payload field', body: new URLSearchParams(form).toString() })),
  anyText(0, 40)
    .filter((t) => !isJson(t) && urlSafe(t))
    .map((t) => ({ family: 'payload is not JSON', body: formOf(t) })),
  notAnObject.map((v) => ({ family: 'payload is not an object', body: formOf(JSON.stringify(v)) })),
  fc
    .tuple(
      someRequestId,
      fc.oneof(anyText(0, 20), notAString).filter((t) => t !== 'block_actions'),
    )
    .map(([id, type]) => ({ family: 'not block_actions', body: formOf({ ...click('U0BOB', id), type }) })),
  fc
    .tuple(
      someRequestId,
      fc.oneof(
        fc.constant(undefined),
        notAString,
        fc.record({ id: fc.oneof(notAString, fc.constant('')) }, { requiredKeys: [] }),
      ),
    )
    .map(([id, user]) => ({ family: 'no user id', body: formOf({ ...click('U0BOB', id), user }) })),
  fc
    .tuple(
      someRequestId,
      fc.oneof(
        fc.constant(undefined),
        fc.constant([]),
        notAnObject.filter((v) => !Array.isArray(v) || !isRecord(v[0])),
      ),
    )
    .map(([id, actions]) => ({ family: 'no clicked action', body: formOf({ ...click('U0BOB', id), actions }) })),
  fc
    .tuple(
      someRequestId,
      fc.oneof(anyText(0, 20), notAString).filter((a) => a !== 'approve' && a !== 'deny' && a !== 'open'),
    )
    .map(([id, actionId]) => ({ family: 'unknown action_id', body: formOf(click('U0BOB', id, actionId as string)) })),
  fc
    .oneof(
      notAString,
      anyText(0, 40).filter((v) => !/^[A-Za-z0-9_-]{1,128}$/.test(v)),
      longText(129, 300),
    )
    .map((value) => ({
      family: 'value is not a request id',
      body: formOf({ ...click('U0BOB', 'x'), actions: [{ action_id: 'deny', value }] }),
    })),
);

const postSlack = (): fc.Arbitrary<Case> => {
  const route = 'POST /slack/interactions';
  const make = (
    family: string,
    body: string,
    signing: SlackSigning,
    statuses: number[],
    type: string | undefined = 'application/x-www-form-urlencoded',
  ): Case =>
    labelled({
      route,
      family,
      request: () => ({
        method: 'POST',
        path: '/slack/interactions',
        headers: { ...(type ? { 'content-type': type } : {}), ...signing.headers(body) },
        body,
      }),
      expect: { kind: 'contract', statuses: bytes(body) > MAX_BODY_BYTES ? [413] : statuses },
    });
  const anyBody = fc.oneof(
    fc
      .tuple(fc.constantFrom(...Object.values(SLACK_USERS)), fc.constant(null))
      .map(([user]) => formOf(click(user, ctx.seedId || 'seed'))),
    badPayloads.map((p) => p.body),
    anyText(0, 80),
    longText(MAX_BODY_BYTES + 1, 2 * MAX_BODY_BYTES),
  );
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(anyBody, badSignatures, contentType)
        .map(([body, signing, type]) => make(signing.family, body, signing, [401], type)),
    },
    { weight: 3, arbitrary: badPayloads.map((p) => make(`signed, ${p.family}`, p.body, signedNow, [400])) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          token(1, 12)
            .map((u) => `U${u}`)
            .filter((u) => !Object.values(SLACK_USERS).includes(u)),
          fc.constantFrom('approve', 'deny'),
          fc.boolean(),
        )
        .map(([user, decision, seed]) =>
          labelled({
            route,
            family: 'signed click by a Slack user the policy does not know',
            request: () => {
              const body = formOf(click(user, seed ? ctx.seedId : 'no-such-request', decision));
              return {
                method: 'POST',
                path: '/slack/interactions',
                headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedNow.headers(body) },
                body,
              };
            },
            expect: { kind: 'contract', statuses: [403] },
          }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          fc.constantFrom(SLACK_USERS.bob, SLACK_USERS.carol, SLACK_USERS.alice),
          someRequestId,
          fc.constantFrom('approve', 'deny'),
        )
        .map(([user, id, decision]) =>
          labelled({
            route,
            family: 'signed click on a request that does not exist',
            request: () => {
              const body = formOf(click(user, id, decision));
              return {
                method: 'POST',
                path: '/slack/interactions',
                headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedNow.headers(body) },
                body,
              };
            },
            expect: { kind: 'contract', statuses: [404] },
          }),
        ),
    },
    {
      weight: 1,
      arbitrary: fc.constantFrom('approve', 'deny').map((decision) =>
        labelled({
          route,
          family: 'signed click by the requester on her own request',
          request: () => {
            const body = formOf(click(SLACK_USERS.alice, ctx.seedId, decision));
            return {
              method: 'POST',
              path: '/slack/interactions',
              headers: { 'content-type': 'application/x-www-form-urlencoded', ...signedNow.headers(body) },
              body,
            };
          },
          expect: { kind: 'contract', statuses: [403] },
        }),
      ),
    },
  );
};

// ---------------------------------------------------------------------------------------------------------
// POST /slack/commands and POST /slack/options (Slack's `/access` command and its modal's options)

/** Slack's slash command form with one field replaced (`undefined`: left out). */
const commandForm = (fields: Record<string, string | undefined> = {}): string => {
  const form: Record<string, string | undefined> = {
    command: '/access',
    user_id: SLACK_USERS.alice,
    trigger_id: '123.456.abcdef',
    channel_id: 'C0GENERAL',
    text: '',
    ...fields,
  };
  return new URLSearchParams(
    Object.entries(form).filter((entry): entry is [string, string] => entry[1] !== undefined),
  ).toString();
};
const notSlackId = anyText(0, 40).filter((v) => urlSafe(v) && !/^[A-Z0-9]{2,32}$/.test(v));
/** Commands that break exactly one field Slack always sends well-formed. */
const badCommands: fc.Arbitrary<{ family: string; body: string }> = fc.oneof(
  fc
    .oneof(
      fc.constant(undefined),
      anyText(0, 20).filter((c) => urlSafe(c) && c !== '/access'),
    )
    .map((command) => ({ family: 'not the /access command', body: commandForm({ command }) })),
  fc
    .oneof(fc.constant(undefined), notSlackId)
    .map((user) => ({ family: 'no Slack user id', body: commandForm({ user_id: user }) })),
  fc
    .oneof(
      fc.constant(undefined),
      anyText(0, 40).filter((t) => urlSafe(t) && !/^[A-Za-z0-9._-]{1,255}$/.test(t)),
      longText(256, 400),
    )
    .map((trigger) => ({ family: 'no trigger id', body: commandForm({ trigger_id: trigger }) })),
  fc
    .dictionary(
      token(1, 8).filter((k) => !['command', 'user_id', 'trigger_id'].includes(k)),
      anyText(0, 20).filter(urlSafe),
      { maxKeys: 3 },
    )
    .map((form) => ({ family: 'a form without the command', body: new URLSearchParams(form).toString() })),
);

const postSlackCommands = (): fc.Arbitrary<Case> => {
  const route = 'POST /slack/commands';
  const make = (family: string, body: string, signing: SlackSigning, statuses: number[], type?: string): Case =>
    labelled({
      route,
      family,
      request: () => ({
        method: 'POST',
        path: '/slack/commands',
        headers: { ...(type ? { 'content-type': type } : {}), ...signing.headers(body) },
        body,
      }),
      expect: { kind: 'contract', statuses: bytes(body) > MAX_BODY_BYTES ? [413] : statuses },
    });
  const anyBody = fc.oneof(
    fc.constantFrom(...Object.values(SLACK_USERS)).map((user) => commandForm({ user_id: user })),
    badCommands.map((c) => c.body),
    anyText(0, 80),
    longText(MAX_BODY_BYTES + 1, 2 * MAX_BODY_BYTES),
  );
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(anyBody, badSignatures, contentType)
        .map(([body, signing, type]) => make(signing.family, body, signing, [401], type ?? undefined)),
    },
    {
      weight: 3,
      arbitrary: badCommands.map((c) =>
        make(`signed, ${c.family}`, c.body, signedNow, [400], 'application/x-www-form-urlencoded'),
      ),
    },
  );
};

const suggestionOf = (overrides: Record<string, unknown> = {}): Record<string, unknown> => ({
  type: 'block_suggestion',
  user: { id: SLACK_USERS.alice },
  action_id: 'account',
  block_id: 'account',
  value: 'pay',
  view: { id: 'V0MODAL01', callback_id: 'access_request', state: { values: {} } },
  ...overrides,
});
/** block_suggestion payloads that break exactly one field. */
const badSuggestions: fc.Arbitrary<{ family: string; body: string }> = fc.oneof(
  fc
    .dictionary(
      token(1, 8).filter((k) => k !== 'payload'),
      anyText(0, 20).filter(urlSafe),
      { maxKeys: 3 },
    )
    .map((form) => ({ family: 'no payload field', body: new URLSearchParams(form).toString() })),
  anyText(0, 40)
    .filter((t) => !isJson(t) && urlSafe(t))
    .map((t) => ({ family: 'payload is not JSON', body: formOf(t) })),
  notAnObject.map((v) => ({ family: 'payload is not an object', body: formOf(JSON.stringify(v)) })),
  fc
    .oneof(anyText(0, 20), notAString)
    .filter((t) => t !== 'block_suggestion')
    .map((type) => ({ family: 'not block_suggestion', body: formOf(suggestionOf({ type })) })),
  fc
    .oneof(
      fc.constant(undefined),
      notAString,
      fc.record({ id: fc.oneof(notAString, notSlackId) }, { requiredKeys: [] }),
    )
    .map((user) => ({ family: 'no Slack user id', body: formOf(suggestionOf({ user })) })),
  fc
    .oneof(anyText(0, 20), notAString)
    .filter((b) => b !== 'account' && b !== 'permission_set')
    .map((block) => ({
      family: 'another block',
      body: formOf(suggestionOf({ block_id: block, action_id: block })),
    })),
  fc
    .oneof(anyText(0, 20), notAString)
    .filter((a) => a !== 'account')
    .map((action) => ({ family: 'action_id not its block', body: formOf(suggestionOf({ action_id: action })) })),
  fc
    .oneof(
      notAString.filter((v) => v !== null),
      longText(151, 400),
    )
    .map((value) => ({ family: 'typed value that is not short text', body: formOf(suggestionOf({ value })) })),
);

const postSlackOptions = (): fc.Arbitrary<Case> => {
  const route = 'POST /slack/options';
  const make = (family: string, body: string, signing: SlackSigning, statuses: number[], type?: string): Case =>
    labelled({
      route,
      family,
      request: () => ({
        method: 'POST',
        path: '/slack/options',
        headers: { ...(type ? { 'content-type': type } : {}), ...signing.headers(body) },
        body,
      }),
      expect: { kind: 'contract', statuses: bytes(body) > MAX_BODY_BYTES ? [413] : statuses },
    });
  const anyBody = fc.oneof(
    fc.constantFrom(...Object.values(SLACK_USERS)).map((user) => formOf(suggestionOf({ user: { id: user } }))),
    badSuggestions.map((p) => p.body),
    anyText(0, 80),
    longText(MAX_BODY_BYTES + 1, 2 * MAX_BODY_BYTES),
  );
  return fc.oneof(
    {
      weight: 4,
      arbitrary: fc
        .tuple(anyBody, badSignatures, contentType)
        .map(([body, signing, type]) => make(signing.family, body, signing, [401], type ?? undefined)),
    },
    {
      weight: 3,
      arbitrary: badSuggestions.map((p) =>
        make(`signed, ${p.family}`, p.body, signedNow, [400], 'application/x-www-form-urlencoded'),
      ),
    },
  );
};

// ---------------------------------------------------------------------------------------------------------
// GET /reconciliation/findings: auditors only; an auditor's bad query gets 400 naming the parameter.

const FINDING_PARAMETERS = ['accountId', 'status', 'from', 'to', 'limit', 'cursor'];
const findingFault = fc.oneof(
  fc
    .tuple(
      anyText(1, 12).filter((k) => !FINDING_PARAMETERS.includes(k)),
      anyText(0, 20),
    )
    .map(([key, value]) => ({ family: 'unknown parameter', key, value })),
  anyText(0, 20)
    .filter((v) => !/^\d{12}$/.test(v))
    .map((value) => ({ family: 'account id not 12 digits', key: 'accountId', value })),
  anyText(0, 20)
    .filter((v) => !['REPORTED', 'REMOVED', 'GONE'].includes(v))
    .map((value) => ({ family: 'unknown finding status', key: 'status', value })),
  fc.tuple(fc.constantFrom('from', 'to'), badTime).map(([key, value]) => ({ family: `bad ${key}`, key, value })),
  fc
    .constantFrom('0', '201', '-1', '1.5', '', 'abc', ' 5')
    .map((value) => ({ family: 'bad limit', key: 'limit', value })),
  fc.oneof(anyText(1, 60), longText(4_097, 5_000)).map((value) => ({ family: 'forged cursor', key: 'cursor', value })),
);

const getFindings = (): fc.Arbitrary<Case> => {
  const route = 'GET /reconciliation/findings';
  const send = (query: string, authorization: string | undefined) => (): Sent => ({
    method: 'GET',
    path: query === '' ? '/reconciliation/findings' : `/reconciliation/findings?${query}`,
    headers: authorization !== undefined ? { authorization } : {},
  });
  return fc.oneof(
    {
      weight: 4,
      arbitrary: findingFault.map((fault) =>
        labelled({
          route,
          family: fault.family,
          request: send(new URLSearchParams([[fault.key, fault.value]]).toString(), `Bearer ${ctx.dana}`),
          expect: { kind: 'contract', statuses: [400] },
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: fc.option(findingFault, { nil: undefined }).map((fault) =>
        labelled({
          route,
          family: 'not an auditor',
          request: send(fault ? new URLSearchParams([[fault.key, fault.value]]).toString() : '', `Bearer ${ctx.alice}`),
          expect: { kind: 'contract', statuses: [403] },
        }),
      ),
    },
    {
      weight: 1,
      arbitrary: badAuth().map((auth) =>
        labelled({ route, family: auth.family, request: () => send('', auth.header())(), expect: auth.expect }),
      ),
    },
  );
};

// ---------------------------------------------------------------------------------------------------------

beforeAll(async () => {
  // Real time: the pending request must not reach its reminder or expiry while the cases run.
  h = await startHarness({ timeScale: 1 });
  ctx.alice = await h.token(ALICE);
  ctx.bob = await h.token('bob@example.com');
  ctx.dana = await h.token('dana@example.com');
  ctx.eve = await h.token('eve@example.com');
  const secrets = JSON.parse(readFileSync(join(h.stack.dataDir, 'secrets.json'), 'utf8')) as {
    linkSigningSecret: string;
    slackSigningSecret: string;
    jwtSigningKey: string;
  };
  ctx.jwtKey = Buffer.from(secrets.jwtSigningKey, 'base64url');
  ctx.linkSecret = secrets.linkSigningSecret;
  ctx.slackSecret = secrets.slackSigningSecret;
  // One real pending request, so links, revokes and reads have something real to be refused on.
  const submitted = await h.call('POST', '/requests', { token: ctx.alice, body: ssoRequest() });
  expect(submitted.status).toBe(202);
  ctx.seedId = (submitted.body as { requestId: string }).requestId;
  const links = await h.waitForLinks(ctx.seedId, 2);
  ctx.bobToken = links.get('bob@example.com')!.replace('/approvals/', '');
  await h.waitForEvent(ctx.seedId, 'notified');
  // Settled: the same counts twice in a row.
  let previous = await counts();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const current = await counts();
    if (current.items === previous.items && current.executions === previous.executions) break;
    previous = current;
  }
  baseline = { ...previous, seed: await h.readItem(ctx.seedId) };
});

afterAll(async () => {
  await h.close();
});

describe('generated bad input on every route: a 4xx with the contract error body, never a 5xx, nothing written', () => {
  it('POST /requests: bodies, content types, Idempotency-Key and Authorization', async () => {
    await holds(postRequests(), 60);
  });

  it('GET /requests: query strings and Authorization', async () => {
    await holds(getRequests(), 20);
  });

  it('GET /catalog: Authorization', async () => {
    await holds(getCatalog(), 8);
  });

  it('GET /requests/{requestId}: ids and Authorization', async () => {
    await holds(byId('GET /requests/{requestId}'), 12);
  });

  it('POST /requests/{requestId}/revoke: ids, bodies and Authorization', async () => {
    await holds(byId('POST /requests/{requestId}/revoke'), 12);
  });

  it('GET /approvals/{linkToken}: forged, altered, expired and foreign link tokens', async () => {
    await holds(getApprovals(), 16);
  });

  it('POST /approvals/{linkToken}: bad tokens with any body, and the real link with bodies that do not decide', async () => {
    await holds(postApprovals(), 20);
  });

  it('POST /requests/{requestId}/decision: ids, bodies and Authorization', async () => {
    await holds(postDecision(), 16);
  });

  it('POST /slack/interactions: signatures, timestamps and payloads', async () => {
    await holds(postSlack(), 20);
  });

  it('POST /slack/commands: signatures, timestamps and command forms', async () => {
    await holds(postSlackCommands(), 12);
  });

  it('POST /slack/options: signatures, timestamps and block_suggestion payloads', async () => {
    await holds(postSlackOptions(), 12);
  });

  it('GET /reconciliation/findings: query strings, a caller who is not an auditor, and Authorization', async () => {
    await holds(getFindings(), 12);
  });

  it('GET /audit: the static page answers any query string with itself, never a 5xx', async () => {
    // Prepare
    const queries = fc.sample(fc.tuple(anyText(0, 80).filter(urlSafe), acceptHeader), { seed: SEED, numRuns: 40 });
    // Act
    const answers = [];
    for (let i = 0; i < queries.length; i += BATCH) {
      answers.push(
        ...(await Promise.all(
          queries
            .slice(i, i + BATCH)
            .map(([q, accept]) =>
              h.call('GET', `/audit?${encodeURI(q).replace(/#/g, '%23')}`, { headers: acceptOnly(accept) }),
            ),
        )),
      );
    }
    tally.set('GET /audit', answers.length);
    // Assess
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(answers.every((a) => (a.headers.get('content-type') ?? '').startsWith('text/html'))).toBe(true);
  });

  it('GET /: the static access page answers any query string with itself, never a 5xx', async () => {
    // Prepare
    const queries = fc.sample(fc.tuple(anyText(0, 80).filter(urlSafe), acceptHeader), { seed: SEED, numRuns: 40 });
    // Act
    const answers = [];
    for (let i = 0; i < queries.length; i += BATCH) {
      answers.push(
        ...(await Promise.all(
          queries
            .slice(i, i + BATCH)
            .map(([q, accept]) =>
              h.call('GET', `/?${encodeURI(q).replace(/#/g, '%23')}`, { headers: acceptOnly(accept) }),
            ),
        )),
      );
    }
    tally.set('GET /', answers.length);
    // Assess
    expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
    expect(answers.every((a) => (a.headers.get('content-type') ?? '').startsWith('text/html'))).toBe(true);
  });

  it('covered every route with at least 1,000 refused cases, and nothing was written, started or changed', async () => {
    // Prepare
    const routes = loadServerlessConfig().routes.map((r) => `${r.method} ${r.path}`);
    // Act
    const after = await counts();
    const seed = await h.readItem(ctx.seedId);
    // Assess
    expect(routes.filter((r) => !tally.has(r))).toEqual([]);
    // The static pages answer every case with themselves: they are covered, but none of their answers is a refusal.
    const refused = [...tally]
      .filter(([route]) => route !== 'GET /audit' && route !== 'GET /')
      .reduce((sum, [, n]) => sum + n, 0);
    expect(refused).toBeGreaterThanOrEqual(1_000);
    expect(after).toEqual({ items: baseline.items, executions: baseline.executions });
    expect(seed).toEqual(baseline.seed);
    expect((seed?.status as { S?: string } | undefined)?.S).toBe('PENDING_APPROVAL');
    if (process.env.BAD_INPUT_REPORT)
      console.log(
        [...families]
          .sort()
          .map(([family, n]) => `${String(n).padStart(4)}  ${family}`)
          .join('\n'),
      );
    console.log(`bad input: ${refused} refused cases; per route ${JSON.stringify(Object.fromEntries(tally))}`);
  });
});
