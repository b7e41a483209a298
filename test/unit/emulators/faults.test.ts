import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect } from '@jest/globals';
import { FaultInjector, parseFaults } from '../../../local/emulators/faults.js';
import { defaultFixtures, loadFixtures } from '../../../local/emulators/fixtures.js';
import { AwsServiceError } from '../../../local/emulators/types.js';

const caught = (action: () => void): unknown => {
  try {
    action();
  } catch (error) {
    return error;
  }
  return undefined;
};

describe('parseFaults', () => {
  it.each([undefined, '', '  ', ' , '])('reads %p as no faults', (spec) => {
    // Prepare
    // Act
    const rules = parseFaults(spec);

    // Assess
    expect(rules).toEqual([]);
  });

  it('reads every entry of a valid spec', () => {
    // Prepare
    const spec =
      'sso-admin.CreateAccountAssignment=ThrottlingException:0.3, proton.AcceptEnvironmentAccountConnection=ConflictException:0.5,sso-admin.ListAccountAssignments=InternalServerException:1';

    // Act
    const rules = parseFaults(spec);

    // Assess
    expect(rules).toEqual([
      {
        service: 'sso-admin',
        operation: 'CreateAccountAssignment',
        errorName: 'ThrottlingException',
        probability: 0.3,
      },
      {
        service: 'proton',
        operation: 'AcceptEnvironmentAccountConnection',
        errorName: 'ConflictException',
        probability: 0.5,
      },
      {
        service: 'sso-admin',
        operation: 'ListAccountAssignments',
        errorName: 'InternalServerException',
        probability: 1,
      },
    ]);
  });

  it.each([
    'sso-admin.CreateAccountAssignment',
    'sso-admin.CreateAccountAssignment=ThrottlingException',
    'sso-admin=ThrottlingException:0.3',
    'sso-admin.CreateAccountAssignment=:0.3',
  ])('rejects the malformed entry %p, naming it', (entry) => {
    // Prepare
    const spec = `proton.AcceptEnvironmentAccountConnection=ConflictException:0.5,${entry}`;

    // Act
    const error = caught(() => parseFaults(spec));

    // Assess
    expect((error as Error).message).toMatch(/^LOCAL_FAULTS: /);
    expect((error as Error).message).toContain(`"${entry}"`);
  });

  it.each(['1.5', '-0.1', 'often', 'NaN'])('rejects the probability %p, naming the entry', (probability) => {
    // Prepare
    const entry = `proton.AcceptEnvironmentAccountConnection=ConflictException:${probability}`;

    // Act
    const error = caught(() => parseFaults(entry));

    // Assess
    expect((error as Error).message).toMatch(/^LOCAL_FAULTS: .*not a number from 0 to 1/);
    expect((error as Error).message).toContain(`"${entry}"`);
  });
});

describe('FaultInjector', () => {
  const rules = parseFaults(
    'sso-admin.CreateAccountAssignment=ThrottlingException:0.3,sso-admin.ListAccountAssignments=InternalServerException:1,proton.GetEnvironmentAccountConnection=ConflictException:0',
  );

  it('throws the named error with status 400 when the draw is under the probability', () => {
    // Prepare
    const injector = new FaultInjector(rules, () => 0.29);

    // Act
    const error = caught(() => injector.check('sso-admin', 'CreateAccountAssignment'));

    // Assess
    expect(error).toBeInstanceOf(AwsServiceError);
    expect(error).toMatchObject({ name: 'ThrottlingException', status: 400 });
    expect((error as Error).message).toMatch(/^Injected fault/);
  });

  it('lets the call through when the draw is at or over the probability', () => {
    // Prepare
    const injector = new FaultInjector(rules, () => 0.3);

    // Act
    const error = caught(() => injector.check('sso-admin', 'CreateAccountAssignment'));

    // Assess
    expect(error).toBeUndefined();
  });

  it('answers server-side fault names with status 500', () => {
    // Prepare
    const injector = new FaultInjector(rules, () => 0.99);

    // Act
    const error = caught(() => injector.check('sso-admin', 'ListAccountAssignments'));

    // Assess
    expect(error).toMatchObject({ name: 'InternalServerException', status: 500 });
  });

  it('never fires a probability of 0, nor for another service or operation', () => {
    // Prepare
    const draws: number[] = [];
    const injector = new FaultInjector(rules, () => {
      draws.push(0);
      return 0;
    });

    // Act
    const errors = [
      caught(() => injector.check('proton', 'GetEnvironmentAccountConnection')),
      caught(() => injector.check('proton', 'CreateAccountAssignment')),
      caught(() => injector.check('sso-admin', 'DeleteAccountAssignment')),
    ];

    // Assess
    expect(errors).toEqual([undefined, undefined, undefined]);
    expect(draws).toHaveLength(1);
  });
});

// LOCAL_FIXTURES is parsed next to LOCAL_FAULTS at start-up, so its tests live here too.
describe('loadFixtures', () => {
  it('gives the documented defaults when LOCAL_FIXTURES is unset', () => {
    // Prepare
    // Act
    const fixtures = loadFixtures(undefined);

    // Assess
    expect(fixtures).toEqual(defaultFixtures);
    expect(fixtures).not.toBe(defaultFixtures);
  });

  it('matches config/local-fixtures.example.json, which documents the defaults', () => {
    // Prepare
    const path = join(process.cwd(), 'config/local-fixtures.example.json');

    // Act
    const fixtures = loadFixtures(path);

    // Assess
    expect(fixtures).toMatchObject(defaultFixtures);
  });

  it('merges inline partial JSON over the defaults per service', () => {
    // Prepare
    const spec = JSON.stringify({
      sso: { provisioningSeconds: 5, failingPrincipals: ['f81d4fae-7dec-11d0-a765-00a0c91e6bf6'] },
    });

    // Act
    const fixtures = loadFixtures(spec);

    // Assess
    expect(fixtures.sso).toEqual({
      ...defaultFixtures.sso,
      provisioningSeconds: 5,
      failingPrincipals: ['f81d4fae-7dec-11d0-a765-00a0c91e6bf6'],
    });
    expect(fixtures.proton).toEqual(defaultFixtures.proton);
  });

  it('reads a fixtures file by path', () => {
    // Prepare
    const path = join(mkdtempSync(join(tmpdir(), 'fixtures-')), 'fixtures.json');
    writeFileSync(path, JSON.stringify({ proton: { connections: [] } }));

    // Act
    const fixtures = loadFixtures(path);

    // Assess
    expect(fixtures.proton).toEqual({ managementAccountId: '999999999999', connections: [] });
  });

  it.each([
    ['{"sso": ', 'not valid JSON'],
    ['/nonexistent/fixtures.json', 'cannot read file /nonexistent/fixtures.json'],
    ['{"sso": {"principals": [{"id": "x", "type": "ROLE"}]}}', "'sso.principals[0].type'"],
    ['{"sso": {"provisioningSeconds": -1}}', "'sso.provisioningSeconds'"],
    ['{"proton": {"connections": [{"id": "x"}]}}', "'proton.connections[0].roleArn'"],
    ['{"dynamodb": {}}', "'dynamodb' is not a known field"],
    ['[]', 'expected a JSON object'],
  ])('rejects %p, naming the problem', (spec, problem) => {
    // Prepare
    // Act
    const error = caught(() => loadFixtures(spec));

    // Assess
    expect((error as Error).message).toMatch(/^LOCAL_FIXTURES: /);
    expect((error as Error).message).toContain(problem);
  });
});
