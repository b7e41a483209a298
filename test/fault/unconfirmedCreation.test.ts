// A creation Identity Center accepted, whose status can never be read: every DescribeAccountAssignmentCreationStatus
// fails. The request must not end FAILED with the access in place: the real verifyAssignment task lists the
// assignment on the local stack and the grant is recorded.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { SSO_PARAMETERS, ssoRequest, startHarness, type Harness } from '../e2e/harness.js';

const FAULTS = 'sso-admin.DescribeAccountAssignmentCreationStatus=InternalServerException:1.0';

type View = {
  status: string;
  outcome?: Record<string, unknown>;
  events: Array<{ type: string; detail: Record<string, unknown> }>;
};

let h: Harness;
let alice: string;

beforeAll(async () => {
  h = await startHarness({ faults: FAULTS, timeScale: 0.01 });
  alice = await h.token('alice@example.com');
});

afterAll(async () => {
  await h.close();
});

describe('DescribeAccountAssignmentCreationStatus always InternalServerException', () => {
  it('verifies the assignment with ListAccountAssignments and records the grant COMPLETED', async () => {
    // Prepare
    const submitted = await h.call('POST', '/requests', { token: alice, body: ssoRequest() });
    expect(submitted.status).toBe(202);
    const { requestId } = submitted.body as { requestId: string };
    const links = await h.waitForLinks(requestId, 2);

    // Act
    await h.call('POST', links.get('bob@example.com')!, {
      rawBody: 'decision=approve',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    const done = (await h.waitForStatus(
      requestId,
      alice,
      ['COMPLETED', 'FAILED', 'OUTCOME_UNKNOWN'],
      60_000,
    )) as unknown as View;

    // Assess
    expect(done.status).toBe('COMPLETED');
    expect(done.outcome).toMatchObject({ Status: 'SUCCEEDED', verified: 'PRESENT' });
    const types = done.events.map((e) => e.type);
    expect(types).toContain('status_poll_error');
    expect(types).toContain('assignment_verified_present');
    expect(types).toContain('completed');
    const sso = new SSOAdminClient(h.aws);
    const listed = await sso.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: SSO_PARAMETERS.InstanceArn,
        AccountId: SSO_PARAMETERS.TargetId,
        PermissionSetArn: SSO_PARAMETERS.PermissionSetArn,
      }),
    );
    sso.destroy();
    expect(listed.AccountAssignments).toEqual([
      expect.objectContaining({ PrincipalId: SSO_PARAMETERS.PrincipalId, PrincipalType: SSO_PARAMETERS.PrincipalType }),
    ]);
  });
});
