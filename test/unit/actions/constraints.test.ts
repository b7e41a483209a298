// Every constraint of the AWS API references, one accepted and one rejected value each, including both
// length boundaries (the value one past each limit is rejected with a message naming the limit).
import { describe, expect, it } from '@jest/globals';
import { findAction } from '../../../functions/actions/registry.js';
import { SSO_PARAMETERS as validSso } from '../../fixtures/requests.js';

const sso = findAction('sso:CreateAccountAssignment')!;
const proton = findAction('proton:AcceptEnvironmentAccountConnection')!;

const ssoErrors = (override: Record<string, unknown>) => {
  const result = sso.validateParameters({ ...validSso, ...override }, 'parameters');
  return result.ok ? [] : result.details;
};

describe('sso:CreateAccountAssignment parameters', () => {
  it('accepts a complete valid request', () => {
    // Prepare / Act
    const result = sso.validateParameters(validSso, 'parameters');
    // Assess
    expect(result.ok).toBe(true);
  });

  it.each([
    ['InstanceArn', 'arn:aws:sso:::instance/ins-abcdefgh.1234-XY'],
    ['InstanceArn', 'arn:aws:sso:::instance/ssoins-abcdefgh.1234-XY'],
    ['PermissionSetArn', 'arn:aws:sso:::permissionSet/ins-1111111111111111/ps-aaaa/bbbb.cccc-d'],
    ['PrincipalId', 'F81D4FAE-7DEC-11D0-A765-00A0C91E6BF6'],
    ['PrincipalId', '1234567890-f81d4fae-7dec-11d0-a765-00a0c91e6bf6'], // 47 characters: the maximum length
    ['PrincipalType', 'GROUP'],
    ['TargetId', '999999999999'],
  ])('accepts %s = %s', (field, value) => {
    // Act
    const errors = ssoErrors({ [field]: value });
    // Assess
    expect(errors).toEqual([]);
  });

  it.each([
    ['InstanceArn', 'arn:aws:sso:::instance/ssoins-111', 'pattern'],
    ['InstanceArn', 'xarn:aws:sso:::instance/ssoins-1111111111111111', 'pattern'],
    ['InstanceArn', 'arn:aws:sso:::instance/ssoins-1111111111111111x', 'pattern'],
    ['PermissionSetArn', 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-111', 'pattern'],
    ['PermissionSetArn', 'arn:aws:sso:::permissionSet/ps-1111111111111111', 'pattern'],
    ['PrincipalId', 'not-a-guid', 'pattern'],
    ['PrincipalId', '12345678901-f81d4fae-7dec-11d0-a765-00a0c91e6bf6', 'at most 47'],
    ['PrincipalType', 'ROLE', 'one of: USER, GROUP'],
    ['PrincipalType', 'user', 'one of: USER, GROUP'],
    ['TargetId', '11111111111', 'pattern'],
    ['TargetId', '1111111111111', 'pattern'],
    ['TargetId', '11111111111a', 'pattern'],
    ['TargetType', 'ORGANIZATIONAL_UNIT', 'one of: AWS_ACCOUNT'],
    ['TargetId', 111111111111, 'must be string'],
  ])('rejects %s = %s', (field, value, expected) => {
    // Act
    const errors = ssoErrors({ [field]: value });
    // Assess
    expect(errors.some((e) => e.path === `parameters.${field}` && e.message.includes(expected))).toBe(true);
  });

  it.each(['InstanceArn', 'PermissionSetArn'])('enforces both length limits of %s', (field) => {
    // Prepare: one short of the minimum and one past the maximum
    const tooShort = 'arn:aws:s';
    const tooLong = `${validSso[field as 'InstanceArn']}${'a'.repeat(1225 - validSso[field as 'InstanceArn'].length)}`;
    // Act
    const short = ssoErrors({ [field]: tooShort });
    const long = ssoErrors({ [field]: tooLong });
    // Assess
    expect(tooShort).toHaveLength(9);
    expect(tooLong).toHaveLength(1225);
    expect(short).toContainEqual({ path: `parameters.${field}`, message: 'must be at least 10 characters long' });
    expect(long).toContainEqual({ path: `parameters.${field}`, message: 'must be at most 1224 characters long' });
  });

  it('enforces the minimum length of PrincipalId (empty is rejected)', () => {
    // Act
    const errors = ssoErrors({ PrincipalId: '' });
    // Assess
    expect(errors).toContainEqual({ path: 'parameters.PrincipalId', message: 'must be at least 1 characters long' });
  });

  it.each(Object.keys(validSso))('requires %s', (field) => {
    // Prepare
    const { [field as keyof typeof validSso]: _omitted, ...rest } = validSso;
    // Act
    const result = sso.validateParameters(rest, 'parameters');
    // Assess
    expect(result.ok ? [] : result.details).toContainEqual({ path: `parameters.${field}`, message: 'is required' });
  });

  it('rejects unknown fields by name', () => {
    // Act
    const errors = ssoErrors({ SessionDuration: 'PT1H' });
    // Assess
    expect(errors).toContainEqual({ path: 'parameters.SessionDuration', message: 'is not a known field' });
  });
});

describe('proton:AcceptEnvironmentAccountConnection parameters', () => {
  it('accepts a lowercase hex uuid', () => {
    // Act
    const result = proton.validateParameters({ id: '3f1c1a52-6a7b-4c1e-9d35-0b6f5c2a9e10' }, 'parameters');
    // Assess
    expect(result.ok).toBe(true);
  });

  it.each([
    ['uppercase hex', '3F1C1A52-6A7B-4C1E-9D35-0B6F5C2A9E10'],
    ['missing group', '3f1c1a52-6a7b-4c1e-9d35'],
    ['trailing text', '3f1c1a52-6a7b-4c1e-9d35-0b6f5c2a9e10x'],
    ['non-hex', 'zf1c1a52-6a7b-4c1e-9d35-0b6f5c2a9e10'],
  ])('rejects an id with %s', (_case, id) => {
    // Act
    const result = proton.validateParameters({ id }, 'parameters');
    // Assess
    expect(result.ok ? [] : result.details).toEqual([expect.objectContaining({ path: 'parameters.id' })]);
  });

  it('requires id and rejects unknown fields', () => {
    // Act
    const result = proton.validateParameters({ name: 'x' }, 'parameters');
    // Assess
    expect(result.ok ? [] : result.details).toEqual(
      expect.arrayContaining([
        { path: 'parameters.id', message: 'is required' },
        { path: 'parameters.name', message: 'is not a known field' },
      ]),
    );
  });
});
