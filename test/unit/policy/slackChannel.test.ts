// A rule's `slackChannel` (issue 12, "Approval messages in a channel"): a Slack channel id that loads, travels with the
// route (both routers) and is stored on the request at submit; a bad value stops the policy from loading, naming the
// rule and the field. The requester's Slack origin is stored as it was given.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ProtonClient } from '@aws-sdk/client-proton';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { routeRequest } from '../../../functions/policy/eligibility.js';
import { parsePolicy, routeApproval } from '../../../functions/policy/policy.js';
import { createRequestRepository } from '../../../functions/requests/repository.js';
import { submitRequest } from '../../../functions/requests/submitRequest.js';
import { memoryDirectory, USERS } from '../../fixtures/memoryDirectory.js';
import { SSO_PARAMETERS, ssoRequest } from '../../fixtures/requests.js';

const SSO = 'sso:CreateAccountAssignment';

const policyWith = (slackChannel: unknown, extra: Record<string, unknown> = {}) => ({
  rules: [
    { action: SSO, match: { TargetId: ['999999999999'] }, approvers: ['carol@example.com'] },
    { action: SSO, approvers: ['bob@example.com', 'carol@example.com'], slackChannel, ...extra },
  ],
});

describe('slackChannel in policy', () => {
  it.each(['C0APPROVALS1', 'G01234ABCD', 'C12345678'])('loads the channel id %s', (channel) => {
    // Act
    const policy = parsePolicy(policyWith(channel));
    // Assess
    expect(policy.rules[1]?.slackChannel).toBe(channel);
  });

  it.each([
    ['a channel name', '#access-approvals'],
    ['a direct message id', 'D0123456789'],
    ['a user id', 'U0BOB12345'],
    ['too short an id', 'C1234567'],
    ['lower case', 'c0approvals1'],
    ['a padded id', ' C0APPROVALS1'],
    ['an empty string', ''],
    ['not text', 42],
  ])('refuses %s, naming the rule and the field', (_name, channel) => {
    // Act
    const load = () => parsePolicy(policyWith(channel), 'policy file p.json');
    // Assess
    expect(load).toThrow(expect.objectContaining({ name: 'ConfigError' }));
    expect(load).toThrow(/Invalid policy file p\.json: rules\.1\.slackChannel must/);
  });

  it('refuses a channel on a rule that needs no approval, where nobody would be asked', () => {
    // Act
    const load = () => parsePolicy(policyWith('C0APPROVALS1', { approvalRequired: false, approvers: [] }));
    // Assess
    expect(load).toThrow(/rules\[1\] \(sso:CreateAccountAssignment\): slackChannel C0APPROVALS1 is never used/);
  });

  it("travels with the route of both routers, and only the matching rule's", async () => {
    // Prepare
    const policy = parsePolicy(policyWith('C0APPROVALS1'));
    const request = { action: SSO, parameters: { ...SSO_PARAMETERS }, requester: 'alice@example.com' };
    // Act
    const literal = routeApproval(policy, request);
    const other = routeApproval(policy, { ...request, parameters: { ...SSO_PARAMETERS, TargetId: '999999999999' } });
    const routed = await routeRequest(policy, memoryDirectory(), {
      action: SSO,
      parameters: { ...SSO_PARAMETERS, PrincipalId: USERS.alice.userId },
      facts: {},
      caller: { id: 'alice@example.com', user: USERS.alice },
    });
    // Assess
    expect(literal.slackChannel).toBe('C0APPROVALS1');
    expect(other.slackChannel).toBeUndefined();
    expect(routed).toMatchObject({ ruleIndex: 1, slackChannel: 'C0APPROVALS1' });
  });
});

describe('submit stores the channel and the origin', () => {
  const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
  const dbMock = mockClient(db);
  const sfn = new SFNClient({ region: 'us-east-1' });
  const sfnMock = mockClient(sfn);
  const deps = () => ({
    policy: parsePolicy(policyWith('C0APPROVALS1')),
    clients: { proton: () => new ProtonClient({ region: 'us-east-1' }) },
    repository: createRequestRepository({ db, tableName: 'requests' }),
    sfn,
    stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:approval',
    clock: { now: () => new Date('2026-11-21T10:00:00.000Z') },
    newId: () => 'req-1',
  });
  const storedItem = (): Record<string, unknown> => {
    const input = sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input.input ?? '{}';
    return unmarshall((JSON.parse(input) as { item: Record<string, never> }).item);
  };

  beforeEach(() => {
    dbMock.reset();
    sfnMock.reset();
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: new Date() });
  });

  it("stores the matching rule's channel and a Slack origin on the request the workflow records", async () => {
    // Act
    await submitRequest(
      { body: ssoRequest(), requester: 'alice@example.com', origin: { via: 'slack', slackUserId: 'U0ALICE' } },
      deps(),
    );
    // Assess
    expect(storedItem()).toMatchObject({
      slackChannel: 'C0APPROVALS1',
      origin: { via: 'slack', slackUserId: 'U0ALICE' },
    });
  });

  it('stores neither for a request over HTTP under a rule without a channel', async () => {
    // Act
    await submitRequest({ body: ssoRequest({ TargetId: '999999999999' }), requester: 'alice@example.com' }, deps());
    // Assess
    const item = storedItem();
    expect(item).not.toHaveProperty('slackChannel');
    expect(item).not.toHaveProperty('origin');
  });
});
