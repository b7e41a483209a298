import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { GetEnvironmentAccountConnectionCommand, ProtonClient } from '@aws-sdk/client-proton';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { parsePolicy } from '../../../functions/policy/policy.js';
import { createRequestRepository } from '../../../functions/requests/repository.js';
import { submitRequest, type SubmitDeps } from '../../../functions/requests/submitRequest.js';
import { ssoRequest } from '../../fixtures/requests.js';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dbMock = mockClient(db);
const sfn = new SFNClient({ region: 'us-east-1' });
const sfnMock = mockClient(sfn);

const policy = parsePolicy({
  rules: [
    {
      action: 'sso:CreateAccountAssignment',
      match: { TargetId: ['111111111111'] },
      approvers: ['bob@example.com'],
      approvalTimeoutSeconds: 600,
    },
    { action: 'proton:AcceptEnvironmentAccountConnection', approvers: ['carol@example.com'] },
  ],
});

const ssoBody = ssoRequest();

let ids = 0;
const proton = new ProtonClient({ region: 'us-east-1' });
const protonMock = mockClient(proton);

const deps = (): SubmitDeps => ({
  policy,
  clients: { proton: () => proton },
  repository: createRequestRepository({ db, tableName: 'requests' }),
  sfn,
  stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:approval',
  clock: { now: () => new Date('2026-11-21T10:00:00.000Z') },
  newId: () => `req-${++ids}`,
});

beforeEach(() => {
  protonMock.reset();
  protonMock.on(GetEnvironmentAccountConnectionCommand).resolves({
    environmentAccountConnection: { environmentAccountId: '222222222222', environmentName: 'prod' } as never,
  });
  dbMock.reset();
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
});

describe('submitRequest', () => {
  it('starts one execution named after the request, carrying the record to write', async () => {
    // Act
    const response = await submitRequest({ body: ssoBody, requester: 'alice@example.com' }, deps());
    // Assess
    expect(response).toMatchObject({
      status: 'PENDING_APPROVAL',
      approvers: ['bob@example.com'],
      minApprovals: 1,
      expiresAt: '2026-11-21T10:10:00.000Z',
    });
    const calls = sfnMock.commandCalls(StartExecutionCommand);
    expect(calls).toHaveLength(1);
    const { name, input } = calls[0]!.args[0].input;
    expect(name).toBe(response.requestId);
    const parsed = JSON.parse(input!) as { item: Record<string, never>; approvalTimeoutSeconds: number };
    const item = unmarshall(parsed.item);
    expect(item).toMatchObject({
      pk: `REQUEST#${response.requestId}`,
      status: 'PENDING_APPROVAL',
      requester: 'alice@example.com',
      targetId: '111111111111',
      approvalCount: 0,
    });
    expect(parsed.approvalTimeoutSeconds).toBe(600);
    expect(dbMock.calls()).toHaveLength(0);
  });

  it.each([
    ['an unknown action', { ...ssoBody, action: 'iam:CreateUser' }, 'action'],
    ['an unknown top-level field', { ...ssoBody, requester: 'mallory@example.com' }, 'requester'],
    ['a missing justification', { action: ssoBody.action, parameters: ssoBody.parameters }, 'justification'],
    ['a blank justification', { ...ssoBody, justification: '   ' }, 'justification'],
    ['an over-long justification', { ...ssoBody, justification: 'x'.repeat(1025) }, 'justification'],
    ['a bad parameter', { ...ssoBody, parameters: { ...ssoBody.parameters, TargetId: '12' } }, 'parameters.TargetId'],
    [
      'a time-bound Proton request',
      {
        action: 'proton:AcceptEnvironmentAccountConnection',
        parameters: { id: '3f1c1a52-6a7b-4c1e-9d35-0b6f5c2a9e10' },
        justification: 'x',
        durationMinutes: 30,
      },
      'durationMinutes',
    ],
    ['a body that is not an object', ['not', 'an', 'object'], '(body)'],
  ])('rejects %s with a 400 naming the field, writing and starting nothing', async (_case, body, path) => {
    // Act
    const attempt = submitRequest({ body, requester: 'alice@example.com' }, deps());
    // Assess
    await expect(attempt).rejects.toMatchObject({
      statusCode: 400,
      code: 'ValidationError',
      details: expect.arrayContaining([expect.objectContaining({ path })]),
    });
    expect(sfnMock.calls()).toHaveLength(0);
    expect(dbMock.calls()).toHaveLength(0);
  });

  it('accepts a justification of exactly 1024 characters', async () => {
    // Act / Assess
    await expect(
      submitRequest({ body: { ...ssoBody, justification: 'x'.repeat(1024) }, requester: 'alice@example.com' }, deps()),
    ).resolves.toBeDefined();
  });

  it('refuses with 403 when no rule covers the request, writing and starting nothing', async () => {
    // Act
    const attempt = submitRequest(
      {
        body: { ...ssoBody, parameters: { ...ssoBody.parameters, TargetId: '999999999999' } },
        requester: 'alice@example.com',
      },
      deps(),
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({ statusCode: 403, code: 'NoApprovalRule' });
    expect(sfnMock.calls()).toHaveLength(0);
    expect(dbMock.calls()).toHaveLength(0);
  });

  it('replays the first response for the same Idempotency-Key and body', async () => {
    // Prepare
    const stored: Record<string, unknown> = {};
    dbMock.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => Object.assign(stored, input.Item));
    dbMock.on(GetCommand).callsFake(() => ({ Item: Object.keys(stored).length ? stored : undefined }));
    const first = await submitRequest({ body: ssoBody, requester: 'alice@example.com', idempotencyKey: 'k-1' }, deps());
    // Act
    const second = await submitRequest(
      {
        body: { justification: ssoBody.justification, parameters: ssoBody.parameters, action: ssoBody.action },
        requester: 'alice@example.com',
        idempotencyKey: 'k-1',
      },
      deps(),
    );
    // Assess
    expect(second).toEqual(first);
    const names = sfnMock.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name);
    expect(new Set(names)).toEqual(new Set([first.requestId]));
  });

  it('answers 409 for the same Idempotency-Key with a different body', async () => {
    // Prepare
    const stored: Record<string, unknown> = {};
    dbMock.on(PutCommand).callsFake((input: { Item: Record<string, unknown> }) => Object.assign(stored, input.Item));
    dbMock.on(GetCommand).callsFake(() => ({ Item: Object.keys(stored).length ? stored : undefined }));
    await submitRequest({ body: ssoBody, requester: 'alice@example.com', idempotencyKey: 'k-2' }, deps());
    // Act
    const attempt = submitRequest(
      { body: { ...ssoBody, justification: 'something else' }, requester: 'alice@example.com', idempotencyKey: 'k-2' },
      deps(),
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({ statusCode: 409, code: 'IdempotencyConflict' });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(1);
  });

  it('rejects a malformed Idempotency-Key', async () => {
    // Act / Assess
    await expect(
      submitRequest({ body: ssoBody, requester: 'alice@example.com', idempotencyKey: 'has space' }, deps()),
    ).rejects.toMatchObject({
      details: [expect.objectContaining({ path: 'Idempotency-Key' })],
    });
  });
});

describe('scoped policy on facts about the target', () => {
  const protonPolicy = parsePolicy({
    rules: [
      {
        action: 'proton:AcceptEnvironmentAccountConnection',
        match: { environmentName: ['prod'], environmentAccountId: ['222222222222'] },
        approvers: ['carol@example.com', 'dave@example.com'],
        minApprovals: 2,
      },
      { action: 'proton:AcceptEnvironmentAccountConnection', approvers: ['bob@example.com'] },
    ],
  });
  const protonBody = {
    action: 'proton:AcceptEnvironmentAccountConnection',
    parameters: { id: '3f1c1a52-6a7b-4c1e-9d35-0b6f5c2a9e10' },
    justification: 'new prod environment',
  };

  it('routes a Proton request by its connection environment, and shows it to approvers', async () => {
    // Act
    const response = await submitRequest(
      { body: protonBody, requester: 'alice@example.com' },
      { ...deps(), policy: protonPolicy },
    );
    // Assess
    expect(response.approvers).toEqual(['carol@example.com', 'dave@example.com']);
    expect(response.minApprovals).toBe(2);
    expect(response.summary).toContain('environment prod, account 222222222222');
  });

  it('does not match a rule on facts it could not look up', async () => {
    // Prepare
    protonMock
      .on(GetEnvironmentAccountConnectionCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    // Act
    const response = await submitRequest(
      { body: protonBody, requester: 'alice@example.com' },
      { ...deps(), policy: protonPolicy },
    );
    // Assess
    expect(response.approvers).toEqual(['bob@example.com']);
  });

  it('refuses a connection that does not exist with a 400 naming parameters.id', async () => {
    // Prepare
    protonMock
      .on(GetEnvironmentAccountConnectionCommand)
      .rejects(Object.assign(new Error('missing'), { name: 'ResourceNotFoundException' }));
    // Act
    const attempt = submitRequest(
      { body: protonBody, requester: 'alice@example.com' },
      { ...deps(), policy: protonPolicy },
    );
    // Assess
    await expect(attempt).rejects.toMatchObject({
      statusCode: 400,
      details: [expect.objectContaining({ path: 'parameters.id' })],
    });
    expect(sfnMock.calls()).toHaveLength(0);
  });
});
