// Submitting by name on the real local stack (HTTP API → submit → directory emulators → real ASL → provisioning),
// with a policy of this file's own: ReadOnly on the Payments Non-Prod OU needs no approval, anything on Workloads is
// decided by the Platform Approvers group. Verified through the API and real SDK clients.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { newDataDir, startHarness, type Harness } from './harness.js';

const INSTANCE_ARN = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const READ_ONLY_ARN = 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-1111111111111111';
const ALICE_USER_ID = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6';
const PAYMENTS_PROD = '111122223333';
const PAYMENTS_DEV = '444455556666';

const policy = {
  approvalTimeoutSeconds: 3600,
  identity: { claim: 'email', userAttribute: 'emails.value' },
  people: [{ id: 'bob@example.com', slackUserId: 'U0BOB' }],
  auditors: ['dana@example.com'],
  rules: [
    {
      action: 'sso:CreateAccountAssignment',
      requesters: ['group:Engineers'],
      match: { OrganizationalUnit: ['ou-ab12-44444444'], PermissionSetName: ['ReadOnly'] },
      principals: 'self',
      approvers: ['group:Platform Approvers'],
      approvalRequired: false,
      maxDurationMinutes: 60,
    },
    {
      action: 'sso:CreateAccountAssignment',
      requesters: ['group:Engineers'],
      match: { OrganizationalUnit: ['ou-ab12-11111111'] },
      principals: 'self',
      approvers: ['group:Platform Approvers'],
      minApprovals: 1,
    },
  ],
};

// Every Identity Center and Organizations read the directory may make, as the endpoint counts them by X-Amz-Target.
const DIRECTORY_TARGETS = [
  ...[
    'GetUserId',
    'DescribeUser',
    'ListUsers',
    'GetGroupId',
    'DescribeGroup',
    'ListGroups',
    'ListGroupMemberships',
    'ListGroupMembershipsForMember',
    'IsMemberInGroups',
  ].map((op) => `AWSIdentityStore.${op}`),
  ...[
    'ListRoots',
    'ListAccounts',
    'DescribeAccount',
    'ListParents',
    'ListChildren',
    'ListAccountsForParent',
    'ListOrganizationalUnitsForParent',
    'DescribeOrganizationalUnit',
  ].map((op) => `AWSOrganizationsV20161128.${op}`),
  ...['ListInstances', 'ListPermissionSets', 'DescribePermissionSet'].map((op) => `SWBExternalService.${op}`),
];

let h: Harness;
let alice: string;
let eve: string;

beforeAll(async () => {
  const dataDir = newDataDir();
  const policyFile = join(dataDir, 'policy.submit-by-name.json');
  writeFileSync(policyFile, JSON.stringify(policy));
  h = await startHarness({ dataDir, policyFile });
  alice = await h.token('alice@example.com');
  eve = await h.token('eve@example.com');
});

afterAll(async () => {
  await h.close();
});

const submit = (parameters: Record<string, unknown>, token = alice, extra: Record<string, unknown> = {}) =>
  h.call('POST', '/requests', {
    token,
    body: { action: 'sso:CreateAccountAssignment', parameters, justification: 'INC-7: read the logs', ...extra },
  });

/** How many requests the caller has made, by the audit query (other requests' background writes do not count). */
const ownRequests = async (token: string, requester: string): Promise<number> => {
  const listed = await h.call('GET', `/requests?requester=${encodeURIComponent(requester)}&limit=200`, { token });
  expect(listed.status).toBe(200);
  return (listed.body as { items: unknown[] }).items.length;
};

describe('POST /requests by name', () => {
  it('asks for ReadOnly on payments-prod for alice herself with nothing else, and stores the six parameters', async () => {
    // Act
    const submitted = await submit({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD });
    // Assess
    expect(submitted.status).toBe(202);
    const response = submitted.body as Record<string, unknown>;
    expect(response).toMatchObject({
      status: 'PENDING_APPROVAL',
      approvers: ['bob@example.com', 'dana@example.com', 'grace@example.com'],
      display: {
        requester: { id: 'alice@example.com', name: 'Alice Liddell' },
        principal: { type: 'USER', id: ALICE_USER_ID, name: 'Alice Liddell', userName: 'alice' },
        permissionSet: { arn: READ_ONLY_ARN, name: 'ReadOnly' },
        account: { id: PAYMENTS_PROD, name: 'payments-prod' },
      },
    });
    expect(response.summary).toEqual(expect.stringContaining('ReadOnly'));
    expect(response.summary).toEqual(expect.stringContaining('payments-prod'));
    const stored = await h.waitForStatus(String(response.requestId), alice, ['PENDING_APPROVAL']);
    expect(stored.parameters).toEqual({
      InstanceArn: INSTANCE_ARN,
      PermissionSetArn: READ_ONLY_ARN,
      PrincipalId: ALICE_USER_ID,
      PrincipalType: 'USER',
      TargetId: PAYMENTS_PROD,
      TargetType: 'AWS_ACCOUNT',
    });
    expect(stored.display).toEqual(response.display);
    expect(stored.approvers).toEqual(response.approvers);
    const submittedEvent = (stored.events as Array<{ type: string; detail: Record<string, unknown> }>)[0];
    expect(submittedEvent).toMatchObject({
      type: 'submitted',
      detail: { approvers: response.approvers, approverGroups: ['group:Platform Approvers'] },
    });
    // The expanded approvers are the ones asked.
    const links = await h.waitForLinks(String(response.requestId), 3);
    expect([...links.keys()].sort()).toEqual(['bob@example.com', 'dana@example.com', 'grace@example.com']);
  });

  it('approves a request under an approvalRequired: false rule as system, grants it, and revokes it on time', async () => {
    // Act
    const submitted = await submit({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_DEV }, alice, {
      durationMinutes: 1,
    });
    expect(submitted.status).toBe(202);
    const { requestId, approvalRequired } = submitted.body as { requestId: string; approvalRequired?: boolean };
    const active = await h.waitForStatus(requestId, alice, ['ACTIVE', 'FAILED']);
    // Assess
    expect(approvalRequired).toBe(false);
    expect(active.status).toBe('ACTIVE');
    expect(active.approvals).toEqual([
      expect.objectContaining({ approver: 'system', decision: 'approve', via: 'system' }),
    ]);
    const types = (active.events as Array<{ type: string }>).map((e) => e.type);
    expect(types.slice(0, 2)).toEqual(['submitted', 'decision']);
    const sso = new SSOAdminClient(h.aws);
    const { AccountAssignments } = await sso.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: INSTANCE_ARN,
        AccountId: PAYMENTS_DEV,
        PermissionSetArn: READ_ONLY_ARN,
      }),
    );
    expect(AccountAssignments).toEqual([expect.objectContaining({ PrincipalId: ALICE_USER_ID })]);
    const revoked = await h.waitForStatus(requestId, alice, ['REVOKED', 'REVOKE_FAILED'], 60_000);
    expect(revoked.status).toBe('REVOKED');
    // Nobody was asked; the requester heard the outcome.
    const messages = await h.outbox(requestId);
    expect(messages.filter((m) => m.kind === 'approval')).toEqual([]);
    expect(messages.filter((m) => m.kind === 'outcome').map((m) => m.approver)).toContain('alice@example.com');
  });

  it('makes at most 3 directory calls on a warm submit', async () => {
    // Prepare: the function is warm after the submits above
    const directoryCalls = () => DIRECTORY_TARGETS.reduce((sum, target) => sum + h.stack.awsCallCount(target), 0);
    const before = directoryCalls();
    // Act
    const submitted = await submit({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD });
    // Assess
    expect(submitted.status).toBe(202);
    const made = directoryCalls() - before;
    console.log(`directory calls for a warm submit by name: ${made}`);
    expect(made).toBeLessThanOrEqual(3);
  });

  it('refuses a permission set name nobody has with a 400 naming parameters.PermissionSetName, writing nothing', async () => {
    // Prepare
    const [requests, executions] = [await ownRequests(alice, 'alice@example.com'), await h.executionCount()];
    // Act
    const refused = await submit({ PermissionSetName: 'AdministratorAccess', TargetId: PAYMENTS_PROD });
    // Assess
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      error: { code: 'ValidationError', details: [expect.objectContaining({ path: 'parameters.PermissionSetName' })] },
    });
    expect(await ownRequests(alice, 'alice@example.com')).toBe(requests);
    expect(await h.executionCount()).toBe(executions);
  });

  it('refuses a caller with no Identity Center user asking for themselves with 403 PrincipalNotAllowed', async () => {
    // Prepare
    const executions = await h.executionCount();
    // Act
    const refused = await submit({ PermissionSetName: 'ReadOnly', TargetId: PAYMENTS_PROD }, eve);
    // Assess
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'PrincipalNotAllowed' } });
    expect(await ownRequests(eve, 'eve@example.com')).toBe(0);
    expect(await h.executionCount()).toBe(executions);
  });
});
