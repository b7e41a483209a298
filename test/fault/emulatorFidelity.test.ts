// The emulators must reject what AWS rejects. Every constraint of the two API reference pages the project
// relies on (sso-admin CreateAccountAssignment, proton AcceptEnvironmentAccountConnection) is transcribed
// below, independently of the emulators' own rule tables, and each is broken once through the real SDK clients
// (maxAttempts: 1) against the emulator behind the real local AWS endpoint. A valid request for a resource that
// does not exist must give ResourceNotFoundException instead.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  CreateAccountAssignmentCommand,
  ResourceNotFoundException as SsoResourceNotFoundException,
  SSOAdminClient,
  ValidationException as SsoValidationException,
  type CreateAccountAssignmentCommandInput,
} from '@aws-sdk/client-sso-admin';
import {
  AcceptEnvironmentAccountConnectionCommand,
  ProtonClient,
  ResourceNotFoundException as ProtonResourceNotFoundException,
  ValidationException as ProtonValidationException,
} from '@aws-sdk/client-proton';
import { defaultFixtures } from '../../local/emulators/fixtures.js';
import { createProtonEmulator } from '../../local/emulators/proton.js';
import { createSsoAdminEmulator } from '../../local/emulators/ssoAdmin.js';
import { serveEmulator, type EmulatorEndpoint } from '../fixtures/awsEndpoint.js';

/** One member's constraints exactly as the reference page states them. */
interface ReferenceField {
  required: boolean;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: readonly string[];
}

// /work/shared/reference/sso-admin-CreateAccountAssignment.txt
const SSO_CREATE_ACCOUNT_ASSIGNMENT: Record<string, ReferenceField> = {
  InstanceArn: {
    required: true,
    minLength: 10,
    maxLength: 1224,
    pattern: 'arn:aws:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}',
  },
  PermissionSetArn: {
    required: true,
    minLength: 10,
    maxLength: 1224,
    pattern: 'arn:aws:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}',
  },
  PrincipalId: {
    required: true,
    minLength: 1,
    maxLength: 47,
    pattern: '^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$',
  },
  PrincipalType: { required: true, enum: ['USER', 'GROUP'] },
  TargetId: { required: true, pattern: '\\d{12}' },
  TargetType: { required: true, enum: ['AWS_ACCOUNT'] },
};

// /work/shared/reference/proton-AcceptEnvironmentAccountConnection.txt
const PROTON_ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION: Record<string, ReferenceField> = {
  id: { required: true, pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' },
};

const INSTANCE = defaultFixtures.sso.instanceArn;
const PERMISSION_SET = defaultFixtures.sso.permissionSets[0]!;
const USER = defaultFixtures.sso.principals[0]!.id;
const CONNECTION = defaultFixtures.proton.connections[0]!.id;

const VALID_ASSIGNMENT: CreateAccountAssignmentCommandInput = {
  InstanceArn: INSTANCE,
  PermissionSetArn: PERMISSION_SET,
  PrincipalId: USER,
  PrincipalType: 'USER',
  TargetId: '111111111111',
  TargetType: 'AWS_ACCOUNT',
};

// Values that keep within the length limits and break only the pattern (checked below), one per way to break it.
const PATTERN_BREAKERS: Record<string, string[]> = {
  InstanceArn: [
    'arn:aws:sso:::instance/ssoins-111',
    `${INSTANCE}1`,
    `x${INSTANCE}`,
    'arn:aws:sso:::instance/ssoins-11111111_1111111',
    'arn:aws:sso:::instance/ins-11111111111111',
  ],
  PermissionSetArn: [
    'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-1',
    INSTANCE,
    `${PERMISSION_SET}1`,
    'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-11111111111111_1',
  ],
  PrincipalId: [
    'not-a-guid',
    'ABCDEF7890-0a1b2c3d-1111-2222-3333-444455556666',
    `${USER}0`,
    'f81d4fae7dec11d0a765 00a0c91e6bf6',
    'g81d4fae-7dec-11d0-a765-00a0c91e6bf6',
  ],
  TargetId: ['11111111111', '1111111111111', '11111111111a', ' 111111111111', '١١١١١١١١١١١١'],
  id: [
    CONNECTION.toUpperCase(),
    `${CONNECTION}0`,
    CONNECTION.slice(1),
    CONNECTION.replace(/-/g, ''),
    `{${CONNECTION}}`,
    '',
  ],
};
const ENUM_BREAKERS = ['ROLE', 'user', 'AWS_ACCOUNT ', '', 'ORGANIZATIONAL_UNIT'];

const wholeMatch = (pattern: string): RegExp => new RegExp(`^(?:${pattern})$`);

/** Test titles: long values are shown by their start and length. */
const show = (value: unknown): string =>
  value === undefined
    ? '(absent)'
    : typeof value === 'string' && value.length > 60
      ? `${JSON.stringify(value.slice(0, 40))}… (${value.length} chars)`
      : JSON.stringify(value);

interface Case {
  field: string;
  constraint: 'required' | 'minLength' | 'maxLength' | 'pattern' | 'enum' | 'unknown field';
  value: unknown;
  /** What the message must say, in AWS's words for the constraint. */
  message: RegExp;
}

/** Every constraint of a reference table, broken once (patterns and enums several times). */
const casesFor = (reference: Record<string, ReferenceField>, valid: Record<string, unknown>): Case[] => {
  const cases: Case[] = [];
  for (const [field, rule] of Object.entries(reference)) {
    if (rule.required)
      cases.push({ field, constraint: 'required', value: undefined, message: /Member must not be null/ });
    if (rule.minLength !== undefined && rule.minLength > 0) {
      cases.push({
        field,
        constraint: 'minLength',
        value: String(valid[field]).slice(0, rule.minLength - 1),
        message: new RegExp(`length greater than or equal to ${rule.minLength}`),
      });
    }
    if (rule.maxLength !== undefined) {
      const base = String(valid[field]);
      cases.push({
        field,
        constraint: 'maxLength',
        value: base + '1'.repeat(rule.maxLength + 1 - base.length),
        message: new RegExp(`length less than or equal to ${rule.maxLength}`),
      });
    }
    if (rule.pattern !== undefined) {
      for (const value of PATTERN_BREAKERS[field] ?? [])
        cases.push({ field, constraint: 'pattern', value, message: /must satisfy regular expression pattern/ });
    }
    if (rule.enum !== undefined) {
      for (const value of ENUM_BREAKERS.filter((v) => !rule.enum!.includes(v))) {
        cases.push({
          field,
          constraint: 'enum',
          value,
          message: new RegExp(`enum value set: \\[${rule.enum.join(', ')}\\]`),
        });
      }
    }
  }
  cases.push({ field: 'Unexpected', constraint: 'unknown field', value: 'x', message: /not a known field/ });
  return cases;
};

const SSO_CASES = casesFor(SSO_CREATE_ACCOUNT_ASSIGNMENT, VALID_ASSIGNMENT as unknown as Record<string, unknown>);
const PROTON_CASES = casesFor(PROTON_ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION, { id: CONNECTION });

/**
 * The SDK serializes only modelled members, so a field it does not know can only be sent by rewriting the
 * serialized body; that is done in the build step, before the request is signed.
 */
const withExtraMember = <C extends { middlewareStack: { add: (...args: never[]) => unknown } }>(
  command: C,
  name: string,
  value: unknown,
): C => {
  (command.middlewareStack as unknown as { add: (mw: unknown, options: unknown) => void }).add(
    (next: (args: { request: { body: unknown; headers: Record<string, string> } }) => Promise<unknown>) =>
      async (args: { request: { body: unknown; headers: Record<string, string> } }) => {
        // Recent SDKs hand the serialized JSON over as bytes.
        const { body: raw } = args.request;
        const text =
          raw instanceof Uint8Array
            ? Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength).toString('utf8')
            : String(raw);
        const body = JSON.parse(text) as Record<string, unknown>;
        args.request.body = JSON.stringify({ ...body, [name]: value });
        if (args.request.headers['content-length'] !== undefined)
          args.request.headers['content-length'] = String(Buffer.byteLength(args.request.body as string));
        return next(args);
      },
    { step: 'build', name: 'addUnmodelledMember' },
  );
  return command;
};

type SdkError = Error & { $fault?: string; $metadata: { httpStatusCode?: number } };

const failure = async (send: () => Promise<unknown>): Promise<SdkError> => {
  try {
    await send();
  } catch (error) {
    return error as SdkError;
  }
  throw new Error('the call succeeded');
};

let ssoEndpoint: EmulatorEndpoint;
let protonEndpoint: EmulatorEndpoint;
let sso: SSOAdminClient;
let proton: ProtonClient;

beforeAll(async () => {
  // A tiny time scale shrinks the 20-calls-per-second window, so this table never meets the rate limit.
  ssoEndpoint = await serveEmulator(createSsoAdminEmulator({ fixtures: defaultFixtures.sso, timeScale: 0.001 }));
  protonEndpoint = await serveEmulator(createProtonEmulator({ fixtures: defaultFixtures.proton }));
  const client = (endpoint: string) => ({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  sso = new SSOAdminClient(client(ssoEndpoint.endpoint));
  proton = new ProtonClient(client(protonEndpoint.endpoint));
});

afterAll(async () => {
  sso.destroy();
  proton.destroy();
  await ssoEndpoint.close();
  await protonEndpoint.close();
});

describe('the constraint table itself', () => {
  it.each([
    ...SSO_CASES.map(
      (c) => ['sso-admin', c.field, show(c.value), c.constraint, c, SSO_CREATE_ACCOUNT_ASSIGNMENT] as const,
    ),
    ...PROTON_CASES.map(
      (c) => ['proton', c.field, show(c.value), c.constraint, c, PROTON_ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION] as const,
    ),
  ])('%s %s = %s breaks only its %s constraint', (_service, _field, _shown, _constraint, testCase, reference) => {
    // Prepare
    const rule = reference[testCase.field];
    const value = testCase.value;
    // Act
    const length = typeof value === 'string' ? value.length : undefined;
    // Assess
    if (testCase.constraint === 'unknown field') {
      expect(rule).toBeUndefined();
      return;
    }
    expect(rule).toBeDefined();
    if (testCase.constraint === 'required') expect(value).toBeUndefined();
    if (testCase.constraint === 'minLength') expect(length).toBe(rule!.minLength! - 1);
    if (testCase.constraint === 'maxLength') expect(length).toBe(rule!.maxLength! + 1);
    if (testCase.constraint === 'pattern') {
      expect(wholeMatch(rule!.pattern!).test(value as string)).toBe(false);
      if (rule!.minLength !== undefined && (value as string).length > 0)
        expect(length).toBeGreaterThanOrEqual(rule!.minLength);
      if (rule!.maxLength !== undefined) expect(length).toBeLessThanOrEqual(rule!.maxLength);
    }
    if (testCase.constraint === 'enum') expect(rule!.enum).not.toContain(value);
  });

  it('covers every constraint of both reference pages', () => {
    // Prepare
    const expected = (reference: Record<string, ReferenceField>) =>
      Object.entries(reference).flatMap(([field, rule]) =>
        (['required', 'minLength', 'maxLength', 'pattern', 'enum'] as const)
          .filter((k) => (k === 'required' ? rule.required : rule[k] !== undefined))
          .map((k) => `${field}:${k}`),
      );
    // Act
    const covered = (cases: Case[]) => new Set(cases.map((c) => `${c.field}:${c.constraint}`));
    // Assess
    const ssoCovered = covered(SSO_CASES);
    const protonCovered = covered(PROTON_CASES);
    expect(expected(SSO_CREATE_ACCOUNT_ASSIGNMENT).filter((k) => !ssoCovered.has(k))).toEqual([]);
    expect(expected(PROTON_ACCEPT_ENVIRONMENT_ACCOUNT_CONNECTION).filter((k) => !protonCovered.has(k))).toEqual([]);
    expect(ssoCovered.has('Unexpected:unknown field') && protonCovered.has('Unexpected:unknown field')).toBe(true);
    // Required, both lengths (3 fields), patterns (4 fields), enums (2 fields) and the unknown field.
    expect(expected(SSO_CREATE_ACCOUNT_ASSIGNMENT)).toHaveLength(6 + 6 + 4 + 2);
  });
});

describe('sso-admin CreateAccountAssignment through SSOAdminClient', () => {
  it('accepts the valid baseline the cases are derived from', async () => {
    // Act
    const { AccountAssignmentCreationStatus } = await sso.send(new CreateAccountAssignmentCommand(VALID_ASSIGNMENT));
    // Assess
    expect(AccountAssignmentCreationStatus?.Status).toBe('IN_PROGRESS');
  });

  it.each(SSO_CASES.map((c) => [c.constraint, c.field, show(c.value), c] as const))(
    '%s: %s = %s → ValidationException',
    async (_constraint, field, _shown, testCase) => {
      const { value } = testCase;
      // Prepare
      const input: Record<string, unknown> = { ...VALID_ASSIGNMENT };
      if (testCase.constraint === 'unknown field') {
        // Sent below by rewriting the body.
      } else if (value === undefined) delete input[field];
      else input[field] = value;
      const command = new CreateAccountAssignmentCommand(input as unknown as CreateAccountAssignmentCommandInput);
      if (testCase.constraint === 'unknown field') withExtraMember(command, field, value);

      // Act
      const error = await failure(() => sso.send(command));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error).toBeInstanceOf(SsoValidationException);
      expect(error.$fault).toBe('client');
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toContain(field);
      expect(error.message).toMatch(testCase.message);
    },
  );

  it.each([
    ['an instance that does not exist', { InstanceArn: 'arn:aws:sso:::instance/ssoins-9999999999999999' }],
    [
      'a permission set that does not exist',
      { PermissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-9999999999999999' },
    ],
    ['a principal that does not exist', { PrincipalId: '00000000-0000-0000-0000-000000000000' }],
    ['a user id given as a GROUP', { PrincipalType: 'GROUP' }],
    ['an account outside the organization', { TargetId: '999999999999' }],
  ])('%s → ResourceNotFoundException', async (_case, override) => {
    // Prepare
    const command = new CreateAccountAssignmentCommand({
      ...VALID_ASSIGNMENT,
      ...override,
    } as CreateAccountAssignmentCommandInput);
    // Act
    const error = await failure(() => sso.send(command));
    // Assess
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error).toBeInstanceOf(SsoResourceNotFoundException);
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});

describe('proton AcceptEnvironmentAccountConnection through ProtonClient', () => {
  it.each(PROTON_CASES.map((c) => [c.constraint, c.field, show(c.value), c] as const))(
    '%s: %s = %s → ValidationException',
    async (_constraint, field, _shown, testCase) => {
      const { value } = testCase;
      // Prepare
      const input: Record<string, unknown> = { id: CONNECTION };
      if (testCase.constraint === 'unknown field') {
        // Sent below by rewriting the body.
      } else if (value === undefined) delete input[field];
      else input[field] = value;
      const command = new AcceptEnvironmentAccountConnectionCommand(input as { id: string });
      if (testCase.constraint === 'unknown field') withExtraMember(command, field, value);

      // Act
      const error = await failure(() => proton.send(command));

      // Assess
      expect(error.name).toBe('ValidationException');
      expect(error).toBeInstanceOf(ProtonValidationException);
      expect(error.$fault).toBe('client');
      expect(error.$metadata.httpStatusCode).toBe(400);
      expect(error.message).toContain(field);
      expect(error.message).toMatch(testCase.message);
    },
  );

  it('a well-formed id of no connection → ResourceNotFoundException', async () => {
    // Act
    const error = await failure(() =>
      proton.send(new AcceptEnvironmentAccountConnectionCommand({ id: '00000000-0000-4000-8000-000000000000' })),
    );
    // Assess
    expect(error.name).toBe('ResourceNotFoundException');
    expect(error).toBeInstanceOf(ProtonResourceNotFoundException);
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('none of the invalid calls changed the connection: it still accepts once', async () => {
    // Act
    const { environmentAccountConnection } = await proton.send(
      new AcceptEnvironmentAccountConnectionCommand({ id: CONNECTION }),
    );
    // Assess
    expect(environmentAccountConnection?.status).toBe('CONNECTED');
  });
});
