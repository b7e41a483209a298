// A persistent server-side fault: Identity Center answers every CreateAccountAssignment with
// InternalServerException. The workflow retries within its own small budget for that error, then ends FAILED
// with the AWS error in the record and tells the requester. Nothing retries outside the state machine.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ListAccountAssignmentsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { SSO_PARAMETERS, ssoRequest, startHarness, type Harness } from '../e2e/harness.js';

const FAULTS = 'sso-admin.CreateAccountAssignment=InternalServerException:1.0';
const CREATE_TARGET = 'SWBExternalService.CreateAccountAssignment';

interface Retrier {
  ErrorEquals: string[];
  MaxAttempts?: number;
}

/** The retry budget the ASL gives `error` on `state`, read from the one definition rather than restated here. */
const maxAttempts = (state: string, error: string): number => {
  const asl = JSON.parse(readFileSync(new URL('../../statemachine/approval.asl.json', import.meta.url), 'utf8')) as {
    States: Record<string, { Retry?: Retrier[] }>;
  };
  const retrier = (asl.States[state]?.Retry ?? []).find((r) => r.ErrorEquals.includes(error));
  if (!retrier) throw new Error(`${state} has no retrier for ${error}`);
  // Amazon States Language default when MaxAttempts is absent.
  return retrier.MaxAttempts ?? 3;
};

type View = {
  status: string;
  error?: { name: string; message: string };
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

describe('CreateAccountAssignment always InternalServerException', () => {
  it('retries within the ASL budget, then ends FAILED with the error recorded and the requester told', async () => {
    // Prepare
    const retries = maxAttempts('CreateAssignment', 'InternalServerException');
    const callsBefore = h.stack.awsCallCount(CREATE_TARGET);
    const submitted = await h.call('POST', '/requests', { token: alice, body: ssoRequest() });
    expect(submitted.status).toBe(202);
    const { requestId } = submitted.body as { requestId: string };
    const links = await h.waitForLinks(requestId, 2);

    // Act
    const decided = await h.call('POST', links.get('bob@example.com')!, {
      rawBody: 'decision=approve',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    });
    const done = (await h.waitForStatus(requestId, alice, ['COMPLETED', 'FAILED'], 30_000)) as unknown as View;
    const told = await h.waitForMessages(requestId, 'outcome', 1);

    // Assess
    expect(decided.status).toBe(200);
    expect(done.status).toBe('FAILED');
    expect(retries).toBeGreaterThan(0);
    expect(h.stack.awsCallCount(CREATE_TARGET) - callsBefore).toBe(1 + retries);
    const errors = done.events.filter((e) => e.type === 'provisioning_error');
    expect(errors).toHaveLength(1 + retries);
    expect(
      errors.every(
        (e) => e.detail.operation === 'CreateAccountAssignment' && e.detail.error === 'InternalServerException',
      ),
    ).toBe(true);
    expect(done.events.filter((e) => e.type === 'provisioning_attempt')).toHaveLength(0);
    expect(done.events.some((e) => e.type === 'completed')).toBe(false);
    expect(done.error).toEqual({ name: 'InternalServerException', message: expect.stringContaining('Injected fault') });
    expect(told).toEqual([expect.objectContaining({ approver: 'alice@example.com', kind: 'outcome' })]);
    expect(told[0]!.text).toMatch(/fail/i);
    // Nothing was granted behind the record's back.
    const sso = new SSOAdminClient(h.aws);
    const listed = await sso.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: SSO_PARAMETERS.InstanceArn,
        AccountId: SSO_PARAMETERS.TargetId,
        PermissionSetArn: SSO_PARAMETERS.PermissionSetArn,
      }),
    );
    sso.destroy();
    expect(listed.AccountAssignments ?? []).toEqual([]);
  });
});
