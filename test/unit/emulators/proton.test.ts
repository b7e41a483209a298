import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, expect, beforeEach } from '@jest/globals';
import {
  AcceptEnvironmentAccountConnectionCommand,
  ConflictException,
  GetEnvironmentAccountConnectionCommand,
  ListEnvironmentAccountConnectionsCommand,
  ProtonClient,
} from '@aws-sdk/client-proton';
import { defaultFixtures, type ProtonFixtures } from '../../../local/emulators/fixtures.js';
import { createProtonEmulator } from '../../../local/emulators/proton.js';
import type { EmulatorResponse } from '../../../local/emulators/types.js';
import { serveEmulator } from '../../fixtures/awsEndpoint.js';

const DEV = '3f1c1a52-6a7b-4c1e-9d35-0b6f5c2a9e10';
const STAGING = '7d2e4b19-8c3a-4f5d-a1b2-c3d4e5f60718';
const START = 1_700_000_000_000;

interface Connection {
  arn: string;
  id: string;
  status: string;
  environmentAccountId: string;
  environmentName: string;
  managementAccountId: string;
  roleArn: string;
  requestedAt: number;
  lastModifiedAt: number;
  codebuildRoleArn?: string;
}
interface Body {
  __type?: string;
  message?: string;
  environmentAccountConnection?: Connection;
  environmentAccountConnections?: Connection[];
  nextToken?: string;
}

const setup = (options: { fixtures?: ProtonFixtures; stateFile?: string } = {}) => {
  const clock = { time: START, now: () => clock.time };
  const emulator = createProtonEmulator({
    fixtures: options.fixtures ?? defaultFixtures.proton,
    clock,
    stateFile: options.stateFile,
    region: 'eu-west-1',
  });
  const call = async (operation: string, input: unknown): Promise<EmulatorResponse & { body: Body }> =>
    (await emulator.handle(operation, input)) as EmulatorResponse & { body: Body };
  return { clock, emulator, call };
};

describe('Proton emulator: accept and reject', () => {
  let proton: ReturnType<typeof setup>;
  beforeEach(() => {
    proton = setup();
  });

  it('returns a seeded connection with every reference field', async () => {
    // Prepare
    // Act
    const response = await proton.call('GetEnvironmentAccountConnection', { id: DEV });

    // Assess
    expect(response).toEqual({
      status: 200,
      body: {
        environmentAccountConnection: {
          arn: `arn:aws:proton:eu-west-1:999999999999:environment-account-connection/${DEV}`,
          id: DEV,
          managementAccountId: '999999999999',
          environmentAccountId: '111111111111',
          roleArn: 'arn:aws:iam::111111111111:role/ProtonEnvironmentRole',
          environmentName: 'dev',
          requestedAt: START / 1000,
          lastModifiedAt: START / 1000,
          status: 'PENDING',
        },
      },
    });
  });

  it('accepts a PENDING connection: CONNECTED, lastModifiedAt moves, requestedAt stays', async () => {
    // Prepare
    proton.clock.time += 5000;

    // Act
    const accepted = (await proton.call('AcceptEnvironmentAccountConnection', { id: DEV })).body;
    const read = (await proton.call('GetEnvironmentAccountConnection', { id: DEV })).body;

    // Assess
    expect(accepted.environmentAccountConnection).toMatchObject({
      status: 'CONNECTED',
      requestedAt: START / 1000,
      lastModifiedAt: START / 1000 + 5,
    });
    expect(read).toEqual(accepted);
  });

  it.each([
    ['AcceptEnvironmentAccountConnection', 'AcceptEnvironmentAccountConnection', 'CONNECTED'],
    ['RejectEnvironmentAccountConnection', 'AcceptEnvironmentAccountConnection', 'REJECTED'],
    ['AcceptEnvironmentAccountConnection', 'RejectEnvironmentAccountConnection', 'CONNECTED'],
    ['RejectEnvironmentAccountConnection', 'RejectEnvironmentAccountConnection', 'REJECTED'],
  ])('after %s, %s is a ConflictException stating %s', async (first, second, status) => {
    // Prepare
    await proton.call(first, { id: DEV });

    // Act
    const response = await proton.call(second, { id: DEV });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe('ConflictException');
    expect(response.body.message).toContain(`is ${status}`);
    expect(
      (await proton.call('GetEnvironmentAccountConnection', { id: DEV })).body.environmentAccountConnection?.status,
    ).toBe(status);
  });

  it.each([
    'AcceptEnvironmentAccountConnection',
    'RejectEnvironmentAccountConnection',
    'GetEnvironmentAccountConnection',
  ])('%s of an unknown id is ResourceNotFoundException', async (operation) => {
    // Prepare
    const id = '00000000-0000-4000-8000-000000000000';

    // Act
    const response = await proton.call(operation, { id });

    // Assess
    expect(response.body.__type).toBe('ResourceNotFoundException');
  });

  it.each([
    [
      'an uppercase id',
      { id: DEV.toUpperCase() },
      "'id' failed to satisfy constraint: Member must satisfy regular expression pattern",
    ],
    ['a non-UUID id', { id: 'conn-1' }, "'id' failed to satisfy constraint"],
    ['an id with a suffix', { id: `${DEV}0` }, "'id' failed to satisfy constraint"],
    ['a missing id', {}, "Value null at 'id' failed to satisfy constraint: Member must not be null"],
    ['an unknown field', { id: DEV, comment: 'hi' }, "'comment' is not a known field"],
  ])('rejects %s with a ValidationException', async (_, input, problem) => {
    // Prepare
    // Act
    const response = await proton.call('AcceptEnvironmentAccountConnection', input);

    // Assess
    expect(response.body.__type).toBe('ValidationException');
    expect(response.body.message).toContain(problem);
  });

  it('answers an unknown operation with UnknownOperationException', async () => {
    // Prepare
    // Act
    const response = await proton.call('DeleteEnvironmentAccountConnection', { id: DEV });

    // Assess
    expect(response.status).toBe(400);
    expect(response.body.__type).toBe('UnknownOperationException');
  });
});

describe('Proton emulator: create and list', () => {
  const request = {
    managementAccountId: '999999999999',
    environmentName: 'qa',
    roleArn: 'arn:aws:iam::333333333333:role/ProtonEnvironmentRole',
    codebuildRoleArn: 'arn:aws:iam::333333333333:role/ProtonCodeBuild',
    clientToken: 'token-1',
  };

  it('creates a PENDING connection from the role account, and returns it again for the same clientToken', async () => {
    // Prepare
    const proton = setup();

    // Act
    const created = (await proton.call('CreateEnvironmentAccountConnection', request)).body
      .environmentAccountConnection;
    const repeated = (await proton.call('CreateEnvironmentAccountConnection', request)).body
      .environmentAccountConnection;

    // Assess
    expect(created).toMatchObject({
      status: 'PENDING',
      environmentAccountId: '333333333333',
      environmentName: 'qa',
      codebuildRoleArn: request.codebuildRoleArn,
      arn: `arn:aws:proton:eu-west-1:999999999999:environment-account-connection/${created?.id}`,
    });
    expect(created?.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(repeated).toEqual(created);
  });

  it.each([
    ['managementAccountId', { managementAccountId: '99' }],
    ['environmentName', { environmentName: undefined }],
    ['environmentName', { environmentName: '-qa' }],
    ['roleArn', { roleArn: 'arn:aws:iam::333333333333:user/alice' }],
    ['clientToken', { clientToken: 'x'.repeat(65) }],
    ['tags[0].key', { tags: [{ key: '', value: 'v' }] }],
  ])('rejects a bad %s with a ValidationException naming it', async (field, override) => {
    // Prepare
    const proton = setup();

    // Act
    const response = await proton.call('CreateEnvironmentAccountConnection', { ...request, ...override });

    // Assess
    expect(response.body.__type).toBe('ValidationException');
    expect(response.body.message).toContain(`'${field}'`);
  });

  it('lists by requester, environment name and status, a page at a time', async () => {
    // Prepare
    const proton = setup();
    await proton.call('AcceptEnvironmentAccountConnection', { id: STAGING });

    // Act
    const pending = (
      await proton.call('ListEnvironmentAccountConnections', {
        requestedBy: 'MANAGEMENT_ACCOUNT',
        statuses: ['PENDING'],
      })
    ).body;
    const staging = (
      await proton.call('ListEnvironmentAccountConnections', {
        requestedBy: 'MANAGEMENT_ACCOUNT',
        environmentName: 'staging',
      })
    ).body;
    const first = (
      await proton.call('ListEnvironmentAccountConnections', { requestedBy: 'ENVIRONMENT_ACCOUNT', maxResults: 2 })
    ).body;
    const rest = (
      await proton.call('ListEnvironmentAccountConnections', {
        requestedBy: 'ENVIRONMENT_ACCOUNT',
        maxResults: 2,
        nextToken: first.nextToken,
      })
    ).body;

    // Assess
    expect(pending.environmentAccountConnections?.map((c) => c.environmentName)).toEqual(['dev', 'prod']);
    expect(staging.environmentAccountConnections?.map((c) => c.status)).toEqual(['CONNECTED']);
    expect(first.environmentAccountConnections).toHaveLength(2);
    expect(rest.environmentAccountConnections?.map((c) => c.environmentName)).toEqual(['prod']);
    expect(rest).not.toHaveProperty('nextToken');
  });

  it.each([
    ['requestedBy', {}],
    ['requestedBy', { requestedBy: 'SOMEONE' }],
    ['statuses[0]', { requestedBy: 'MANAGEMENT_ACCOUNT', statuses: ['DONE'] }],
    ['maxResults', { requestedBy: 'MANAGEMENT_ACCOUNT', maxResults: 101 }],
  ])('rejects a list request with a bad %s', async (field, input) => {
    // Prepare
    const proton = setup();

    // Act
    const response = await proton.call('ListEnvironmentAccountConnections', input);

    // Assess
    expect(response.body.__type).toBe('ValidationException');
    expect(response.body.message).toContain(`'${field}'`);
  });
});

describe('Proton emulator: persistence', () => {
  it('keeps decisions and new connections across restarts; fixtures seed only the first start', async () => {
    // Prepare
    const stateFile = join(mkdtempSync(join(tmpdir(), 'proton-state-')), 'proton.json');
    const first = setup({ stateFile });
    await first.call('AcceptEnvironmentAccountConnection', { id: DEV });
    const created = (
      await first.call('CreateEnvironmentAccountConnection', {
        managementAccountId: '999999999999',
        environmentName: 'qa',
        roleArn: 'arn:aws:iam::333333333333:role/ProtonEnvironmentRole',
      })
    ).body.environmentAccountConnection;

    // Act
    const second = setup({ stateFile, fixtures: { connections: [] } });
    const dev = (await second.call('GetEnvironmentAccountConnection', { id: DEV })).body;
    const qa = (await second.call('GetEnvironmentAccountConnection', { id: created?.id })).body;

    // Assess
    expect(dev.environmentAccountConnection?.status).toBe('CONNECTED');
    expect(qa.environmentAccountConnection).toEqual(created);
  });
});

describe('Proton emulator through the real SDK client', () => {
  it('speaks awsJson1_0: outputs, epoch-second dates and error names', async () => {
    // Prepare
    const { emulator } = setup();
    const server = await serveEmulator(emulator);
    const client = new ProtonClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });

    try {
      // Act
      const accepted = await client.send(new AcceptEnvironmentAccountConnectionCommand({ id: DEV }));
      const conflict = await client
        .send(new AcceptEnvironmentAccountConnectionCommand({ id: DEV }))
        .catch((error: unknown) => error);
      const missing = await client
        .send(new GetEnvironmentAccountConnectionCommand({ id: '00000000-0000-4000-8000-000000000000' }))
        .catch((error: unknown) => error);
      const invalid = await client
        .send(new GetEnvironmentAccountConnectionCommand({ id: 'NOT-A-UUID' }))
        .catch((error: unknown) => error);
      const listed = await client.send(
        new ListEnvironmentAccountConnectionsCommand({ requestedBy: 'MANAGEMENT_ACCOUNT', statuses: ['CONNECTED'] }),
      );

      // Assess
      expect(accepted.environmentAccountConnection).toMatchObject({
        id: DEV,
        status: 'CONNECTED',
        environmentName: 'dev',
      });
      expect(accepted.environmentAccountConnection?.lastModifiedAt).toEqual(new Date(START));
      expect(conflict).toBeInstanceOf(ConflictException);
      expect(conflict).toMatchObject({ name: 'ConflictException', message: expect.stringContaining('CONNECTED') });
      expect(missing).toMatchObject({ name: 'ResourceNotFoundException' });
      expect(invalid).toMatchObject({ name: 'ValidationException', message: expect.stringContaining("'id'") });
      expect(listed.environmentAccountConnections?.map((c) => c.id)).toEqual([DEV]);
    } finally {
      client.destroy();
      await server.close();
    }
  });
});
