import { randomUUID } from 'node:crypto';
import { defaultFixtures, loadOrSeed, saveState, type ProtonFixtures } from './fixtures.js';
import {
  AwsServiceError,
  runOperation,
  systemClock,
  type Clock,
  type EmulatorResponse,
  type ServiceEmulator,
} from './types.js';
import { isRecord, paginate, validateInput } from './validation.js';

const roleArn = {
  type: 'string',
  minLength: 1,
  maxLength: 2048,
  pattern: '^arn:(aws|aws-cn|aws-us-gov):iam::\\d{12}:role/([\\w+=,.@-]{1,512}[/:])*([\\w+=,.@-]{1,64})$',
} as const;
const environmentName = {
  type: 'string',
  minLength: 1,
  maxLength: 100,
  pattern: '^[0-9A-Za-z]+[0-9A-Za-z_\\-]*$',
} as const;
const statuses = ['PENDING', 'CONNECTED', 'REJECTED'] as const;

const rules = {
  byId: {
    id: { type: 'string', required: true, pattern: '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' },
  },
  create: {
    managementAccountId: { type: 'string', required: true, pattern: '^\\d{12}$' },
    environmentName: { ...environmentName, required: true },
    // Optional in the API model, but this emulator takes the environment account from it (there is no caller identity).
    roleArn: { ...roleArn, required: true },
    clientToken: { type: 'string', maxLength: 64, pattern: '^[!-~]*$' },
    codebuildRoleArn: roleArn,
    componentRoleArn: roleArn,
    tags: {
      type: 'list',
      maxItems: 50,
      items: {
        type: 'structure',
        members: {
          key: { type: 'string', required: true, minLength: 1, maxLength: 128 },
          value: { type: 'string', required: true, maxLength: 256 },
        },
      },
    },
  },
  list: {
    requestedBy: { type: 'string', required: true, enum: ['MANAGEMENT_ACCOUNT', 'ENVIRONMENT_ACCOUNT'] },
    environmentName,
    statuses: { type: 'list', items: { type: 'string', enum: statuses } },
    maxResults: { type: 'integer', min: 1, max: 100 },
    nextToken: { type: 'string' },
  },
} as const;

type Status = (typeof statuses)[number];

interface Connection {
  id: string;
  managementAccountId: string;
  environmentAccountId: string;
  environmentName: string;
  roleArn: string;
  status: Status;
  requestedAt: number;
  lastModifiedAt: number;
  codebuildRoleArn?: string;
  componentRoleArn?: string;
  clientToken?: string;
  tags?: Array<{ key: string; value: string }>;
}

interface ProtonState {
  connections: Connection[];
}

const isProtonState = (value: unknown): value is ProtonState => isRecord(value) && Array.isArray(value.connections);

export const createProtonEmulator = (options: {
  fixtures: ProtonFixtures;
  clock?: Clock;
  stateFile?: string;
  region?: string;
}): ServiceEmulator => {
  const { fixtures, stateFile, clock = systemClock, region = 'us-east-1' } = options;
  const ownAccountId = fixtures.managementAccountId ?? defaultFixtures.proton.managementAccountId;
  const state = loadOrSeed(stateFile, isProtonState, (): ProtonState => {
    const now = clock.now();
    const connections = fixtures.connections.map((seed) => ({
      ...seed,
      managementAccountId: ownAccountId,
      requestedAt: now,
      lastModifiedAt: now,
    }));
    return { connections };
  });

  const summary = (connection: Connection) => ({
    arn: `arn:aws:proton:${region}:${connection.managementAccountId}:environment-account-connection/${connection.id}`,
    id: connection.id,
    managementAccountId: connection.managementAccountId,
    environmentAccountId: connection.environmentAccountId,
    roleArn: connection.roleArn,
    environmentName: connection.environmentName,
    requestedAt: connection.requestedAt / 1000,
    lastModifiedAt: connection.lastModifiedAt / 1000,
    status: connection.status,
    ...(connection.componentRoleArn ? { componentRoleArn: connection.componentRoleArn } : {}),
  });

  const detail = (connection: Connection) => ({
    environmentAccountConnection: {
      ...summary(connection),
      ...(connection.codebuildRoleArn ? { codebuildRoleArn: connection.codebuildRoleArn } : {}),
    },
  });

  const find = (input: unknown): Connection => {
    const { id } = validateInput(input, rules.byId);
    const connection = state.connections.find((candidate) => candidate.id === id);
    if (!connection)
      throw new AwsServiceError('ResourceNotFoundException', `Environment account connection ${id} not found`);
    return connection;
  };

  const decide = (input: unknown, now: number, outcome: 'CONNECTED' | 'REJECTED') => {
    const connection = find(input);
    if (connection.status !== 'PENDING') {
      const verb = outcome === 'CONNECTED' ? 'accepted' : 'rejected';
      throw new AwsServiceError(
        'ConflictException',
        `Environment account connection ${connection.id} is ${connection.status}; only a PENDING connection can be ${verb}`,
      );
    }
    connection.status = outcome;
    connection.lastModifiedAt = now;
    saveState(stateFile, state);
    return detail(connection);
  };

  const operations: Record<string, (input: unknown, now: number) => object> = {
    CreateEnvironmentAccountConnection: (input, now) => {
      const request = validateInput(input, rules.create);
      const { clientToken } = request;
      const repeated = clientToken && state.connections.find((candidate) => candidate.clientToken === clientToken);
      if (repeated) return detail(repeated);
      const connection: Connection = {
        ...request,
        id: randomUUID(),
        // The caller's account is the environment account; lacking identities, the role's account stands in for it.
        environmentAccountId: request.roleArn.split(':')[4] ?? '',
        status: 'PENDING',
        requestedAt: now,
        lastModifiedAt: now,
      };
      state.connections.push(connection);
      saveState(stateFile, state);
      return detail(connection);
    },
    GetEnvironmentAccountConnection: (input) => detail(find(input)),
    AcceptEnvironmentAccountConnection: (input, now) => decide(input, now, 'CONNECTED'),
    RejectEnvironmentAccountConnection: (input, now) => decide(input, now, 'REJECTED'),
    ListEnvironmentAccountConnections: (input) => {
      const request = validateInput(input, rules.list);
      // Without caller identities, an environment account sees every connection; the management account sees those sent to it.
      const matching = state.connections.filter(
        (connection) =>
          (request.requestedBy === 'ENVIRONMENT_ACCOUNT' || connection.managementAccountId === ownAccountId) &&
          (request.environmentName === undefined || connection.environmentName === request.environmentName) &&
          (request.statuses === undefined || request.statuses.includes(connection.status)),
      );
      const { page, nextToken } = paginate(matching, request.maxResults, request.nextToken);
      return { environmentAccountConnections: page.map(summary), ...(nextToken ? { nextToken } : {}) };
    },
  };

  return {
    targetPrefix: 'AwsProton20200720',
    serviceName: 'proton',
    contentType: 'application/x-amz-json-1.0',
    handle: (operation: string, input: unknown): Promise<EmulatorResponse> =>
      runOperation(operations, operation, (run) => run(input, clock.now())),
  };
};
