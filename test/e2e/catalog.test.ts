// GET /catalog against the real local stack with the default fixtures and config/policy.local.json: what each person
// may request, by name, grouped by rule; pending Proton connections; and the 403s of eligibility, which write nothing.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ProtonClient, RejectEnvironmentAccountConnectionCommand } from '@aws-sdk/client-proton';
import { PROTON_CONNECTION_IDS, ssoRequest, startHarness, type Harness } from './harness.js';

const SSO = 'sso:CreateAccountAssignment';
const PROTON = 'proton:AcceptEnvironmentAccountConnection';
const USER_IDS = {
  alice: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
  bob: '6db8ea34-00a8-4c51-9ef8-3ddeea34495c',
  grace: '82a09ac6-f0f9-40b0-8221-1d08d0bfae4e',
};

interface Entry {
  action: string;
  accounts?: Array<{ id: string; name: string }>;
  permissionSets?: Array<{ arn: string; name: string; description?: string }>;
  connections?: Array<{ id: string; environmentName: string; environmentAccountId: string }>;
  principals?: string;
  approvers: string[];
  minApprovals: number;
  approvalRequired: boolean;
  maxDurationMinutes?: number;
}
interface CatalogBody {
  identity: { id: string; userId?: string; displayName?: string; groups: string[] };
  entries: Entry[];
}

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});

afterAll(async () => {
  await h.close();
});

const catalogOf = async (email: string) => {
  const response = await h.call('GET', '/catalog', { token: await h.token(email) });
  expect(response.status).toBe(200);
  return response.body as CatalogBody;
};

const ssoShape = (body: CatalogBody) =>
  body.entries
    .filter((e) => e.action === SSO)
    .map((e) => ({
      accounts: e.accounts?.map((a) => a.name),
      permissionSets: e.permissionSets?.map((ps) => ps.name),
      approvers: e.approvers,
      approvalRequired: e.approvalRequired,
    }));

describe('GET /catalog', () => {
  it("answers alice's identity and what she may request, by name, each pair under the rule that routes it", async () => {
    // Act
    const body = await catalogOf('alice@example.com');
    // Assess
    expect(body.identity).toEqual({
      id: 'alice@example.com',
      userId: USER_IDS.alice,
      displayName: 'Alice Liddell',
      groups: ['Engineers'],
    });
    const platformApprovers = ['bob@example.com', 'dana@example.com', 'grace@example.com'];
    expect(ssoShape(body)).toEqual([
      {
        accounts: ['platform-dev', 'platform-staging'],
        permissionSets: ['ReadOnly', 'PowerUser'],
        approvers: ['bob@example.com', 'carol@example.com'],
        approvalRequired: true,
      },
      {
        accounts: ['payments-dev', 'payments-staging'],
        permissionSets: ['ReadOnly'],
        approvers: [],
        approvalRequired: false,
      },
      {
        accounts: ['payments-prod'],
        permissionSets: ['ReadOnly', 'PowerUser'],
        approvers: platformApprovers,
        approvalRequired: true,
      },
      {
        accounts: ['payments-dev', 'payments-staging'],
        permissionSets: ['PowerUser'],
        approvers: platformApprovers,
        approvalRequired: true,
      },
    ]);
    const prod = body.entries.find((e) => e.accounts?.some((a) => a.id === '111122223333'));
    expect(prod).toMatchObject({
      principals: 'self',
      minApprovals: 1,
      maxDurationMinutes: 480,
      permissionSets: [
        { name: 'ReadOnly', arn: expect.stringMatching(/ps-1111111111111111$/), description: expect.any(String) },
        { name: 'PowerUser', arn: expect.stringMatching(/ps-2222222222222222$/), description: expect.any(String) },
      ],
    });
  });

  it('gives a requester outside the groups fewer entries, and one without a user only rules for any principal', async () => {
    // Act: grace is in Platform Approvers only; eve has no Identity Center user
    const grace = await catalogOf('grace@example.com');
    const eve = await catalogOf('eve@example.com');
    // Assess
    expect(grace.identity.groups).toEqual(['Platform Approvers']);
    expect(ssoShape(grace).map((e) => e.accounts)).toEqual([['platform-dev', 'platform-staging']]);
    expect(eve.identity).toEqual({ id: 'eve@example.com', groups: [] });
    expect(eve.entries.filter((e) => e.action === SSO).map((e) => e.principals)).toEqual(['any']);
  });

  it('lists the PENDING Proton connections, and drops one once it is no longer pending', async () => {
    // Prepare
    const before = await catalogOf('alice@example.com');
    const proton = new ProtonClient(h.aws);
    const rejected = PROTON_CONNECTION_IDS[2] as string;
    // Act
    await proton.send(new RejectEnvironmentAccountConnectionCommand({ id: rejected }));
    const after = await catalogOf('alice@example.com');
    proton.destroy();
    // Assess
    const connections = (body: CatalogBody) =>
      body.entries.filter((e) => e.action === PROTON).flatMap((e) => e.connections?.map((c) => c.id) ?? []);
    expect(connections(before).sort()).toEqual([...PROTON_CONNECTION_IDS].sort());
    expect(connections(after)).not.toContain(rejected);
    expect(connections(after)).toHaveLength(PROTON_CONNECTION_IDS.length - 1);
    expect(after.entries.find((e) => e.action === PROTON)).toMatchObject({
      approvers: ['carol@example.com', 'bob@example.com'],
      connections: expect.arrayContaining([
        { id: PROTON_CONNECTION_IDS[0], environmentName: 'dev', environmentAccountId: '111111111111' },
      ]),
    });
  });

  it('makes at most 2 AWS calls when warm (the Proton listing; the directory answers from its caches)', async () => {
    // Prepare: the function is warm after the calls above; every directory and Proton read the endpoint counts
    const targets = [
      ...['GetUserId', 'DescribeUser', 'GetGroupId', 'DescribeGroup', 'IsMemberInGroups', 'ListGroupMemberships']
        .concat(['ListGroupMembershipsForMember'])
        .map((op) => `AWSIdentityStore.${op}`),
      ...['ListRoots', 'ListAccountsForParent', 'ListOrganizationalUnitsForParent'].map(
        (op) => `AWSOrganizationsV20161128.${op}`,
      ),
      ...['ListInstances', 'ListPermissionSets', 'DescribePermissionSet'].map((op) => `SWBExternalService.${op}`),
      'AwsProton20200720.ListEnvironmentAccountConnections',
    ];
    const calls = () => targets.reduce((sum, target) => sum + h.stack.awsCallCount(target), 0);
    const token = await h.token('alice@example.com');
    const before = calls();
    // Act
    const started = performance.now();
    const response = await h.call('GET', '/catalog', { token });
    const elapsedMs = performance.now() - started;
    // Assess
    expect(response.status).toBe(200);
    const made = calls() - before;
    console.log(`GET /catalog warm: ${made} AWS call(s), ${elapsedMs.toFixed(1)} ms`);
    expect(made).toBeLessThanOrEqual(2);
  });

  it('refuses a caller without identity with 401', async () => {
    // Act
    const response = await h.call('GET', '/catalog');
    // Assess
    expect(response.status).toBe(401);
  });
});

describe('eligibility refusals on POST /requests', () => {
  const refused = async (email: string, parameters: Record<string, string>) => {
    const [items, executions] = [await h.itemCount(), await h.executionCount()];
    const response = await h.call('POST', '/requests', {
      token: await h.token(email),
      body: ssoRequest(parameters),
      headers: { 'idempotency-key': `refused-${email}-${parameters.PrincipalId}` },
    });
    return { response, wrote: (await h.itemCount()) - items, started: (await h.executionCount()) - executions };
  };

  it('gives 403 NotEligible to someone no covering rule admits, and writes and starts nothing', async () => {
    // Act: grace asks for herself on payments-prod, which only Engineers' rule covers
    const { response, wrote, started } = await refused('grace@example.com', {
      TargetId: '111122223333',
      PrincipalId: USER_IDS.grace,
    });
    // Assess
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({
      error: { code: 'NotEligible', message: expect.stringContaining('GET /catalog') },
    });
    expect((response.body as { error: { message: string } }).error.message).toContain('members of "Engineers"');
    expect({ wrote, started }).toEqual({ wrote: 0, started: 0 });
  });

  it('gives 403 PrincipalNotAllowed when the rule admits the requester only for herself, and writes nothing', async () => {
    // Act: alice asks on payments-prod for bob
    const { response, wrote, started } = await refused('alice@example.com', {
      TargetId: '111122223333',
      PrincipalId: USER_IDS.bob,
    });
    // Assess
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({
      error: {
        code: 'PrincipalNotAllowed',
        message: expect.stringContaining('leave out PrincipalId and PrincipalType'),
      },
    });
    expect({ wrote, started }).toEqual({ wrote: 0, started: 0 });
  });
});
