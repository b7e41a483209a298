// With faults injected at 30% or more on every provisioning call, every approved request still completes,
// exactly once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { GetEnvironmentAccountConnectionCommand, ProtonClient } from '@aws-sdk/client-proton';
import {
  PROTON_CONNECTION_IDS,
  SSO_PARAMETERS,
  protonRequest,
  ssoRequest,
  startHarness,
  type Harness,
} from './harness.js';

const FAULTS = [
  'sso-admin.CreateAccountAssignment=ThrottlingException:0.3',
  'sso-admin.DescribeAccountAssignmentCreationStatus=ThrottlingException:0.3',
  'proton.AcceptEnvironmentAccountConnection=ConflictException:0.5',
].join(',');

// Distinct principals, so each approved request must produce its own assignment.
const PRINCIPALS = Array.from(
  { length: 8 },
  (_, i) => `f81d4fae-7dec-11d0-a765-00a0c91e6b${String(i).padStart(2, '0')}`,
);
const FIXTURES = JSON.stringify({
  sso: {
    instanceArn: SSO_PARAMETERS.InstanceArn,
    permissionSets: [SSO_PARAMETERS.PermissionSetArn],
    principals: PRINCIPALS.map((id) => ({ id, type: 'USER' })),
    accounts: ['111111111111'],
    provisioningSeconds: 1,
  },
});

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ faults: FAULTS, fixtures: FIXTURES, timeScale: 0.005 });
});

afterAll(async () => {
  await h.close();
});

describe('with 30-50% faults injected', () => {
  it('completes every approved request exactly once', async () => {
    // Prepare
    const alice = await h.token('alice@example.com');
    const bodies = [
      ...PRINCIPALS.map((PrincipalId) => ssoRequest({ PrincipalId })),
      ...PROTON_CONNECTION_IDS.map(protonRequest),
    ];
    const ids = await Promise.all(
      bodies.map(
        async (body) =>
          ((await h.call('POST', '/requests', { token: alice, body })).body as { requestId: string }).requestId,
      ),
    );
    // Act
    await Promise.all(
      ids.map(async (id) => {
        const links = await h.waitForLinks(id, 2);
        await h.call('POST', [...links.values()][0]!, {
          rawBody: 'decision=approve',
          headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        });
      }),
    );
    const finals = await Promise.all(ids.map((id) => h.waitForStatus(id, alice, ['COMPLETED', 'FAILED'], 120_000)));
    // Assess
    expect(finals.map((f) => f.status)).toEqual(ids.map(() => 'COMPLETED'));
    for (const final of finals) {
      const events = final.events as Array<{ type: string }>;
      expect(events.filter((e) => e.type === 'completed')).toHaveLength(1);
    }
    const retried = finals.filter((f) =>
      (f.events as Array<{ type: string }>).some(
        (e) => e.type === 'provisioning_error' || e.type === 'status_poll_error',
      ),
    );
    expect(retried.length).toBeGreaterThan(0);
    const sso = new SSOAdminClient(h.aws);
    const listed = await sso.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: SSO_PARAMETERS.InstanceArn,
        AccountId: '111111111111',
        PermissionSetArn: SSO_PARAMETERS.PermissionSetArn,
        MaxResults: 100,
      }),
    );
    const principals = (listed.AccountAssignments ?? []).map((a) => a.PrincipalId).sort();
    expect(principals).toEqual([...PRINCIPALS].sort());
    const proton = new ProtonClient(h.aws);
    for (const id of PROTON_CONNECTION_IDS) {
      const { environmentAccountConnection } = await proton.send(new GetEnvironmentAccountConnectionCommand({ id }));
      expect(environmentAccountConnection?.status).toBe('CONNECTED');
    }
  });
});
