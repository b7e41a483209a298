// The assignment ledger against dynalite, with the failures the review found: ending a grant is idempotent (a retry
// after the claim write failed, or after a non-retryable error gave the claim back, still deletes the assignment), a
// claim is kept once a deletion has started, and a grant arriving during another grant's deletion waits
// (IdentityCenterBusy) instead of spending its contention budget on ConflictException.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import {
  DeleteAccountAssignmentCommand,
  DescribeAccountAssignmentDeletionStatusCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ensureTable, startDynalite, type LocalDynamo } from '../../../local/dynamodb.js';
import { loadServerlessConfig } from '../../../local/serverlessConfig.js';
import type { SsoAssignmentParameters } from '../../../functions/actions/ssoCreateAccountAssignment.js';
import type { AssignmentDeps } from '../../../functions/provisioning/assignment.js';
import { createAssignmentLedger, type AssignmentLedger } from '../../../functions/provisioning/assignmentLedger.js';
import type { OperationSlots } from '../../../functions/provisioning/operationSlots.js';
import { checkRevocation, revokeAssignment } from '../../../functions/provisioning/revocation.js';
import type { RequestRepository } from '../../../functions/requests/repository.js';
import { SSO_PARAMETERS } from '../../fixtures/requests.js';

const TABLE = 'assignment-ledger-test';
const NOW = new Date('2026-12-03T12:00:00.000Z');
let dynamo: LocalDynamo;
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
let principal = 0;

const ssoAdmin = new SSOAdminClient({ region: 'us-east-1' });
const ssoMock = mockClient(ssoAdmin);

/** A fresh assignment per test, so tests share the table without sharing ledger items. */
const freshAssignment = (): SsoAssignmentParameters =>
  ({ ...SSO_PARAMETERS, PrincipalId: `principal-${++principal}` }) as SsoAssignmentParameters;

/** The real table, except that the write claiming a deletion (SET deleting) is throttled `times` times. */
const throttlingClaims = (times: number): DynamoDBDocumentClient => {
  let left = times;
  return {
    send: (command: unknown) => {
      const isClaim =
        command instanceof UpdateCommand && String(command.input.UpdateExpression).startsWith('SET deleting');
      if (isClaim && left > 0) {
        left -= 1;
        return Promise.reject(
          Object.assign(new Error('throttled (test)'), {
            name: 'ProvisionedThroughputExceededException',
            $metadata: { httpStatusCode: 400 },
          }),
        );
      }
      return db.send(command as UpdateCommand);
    },
  } as unknown as DynamoDBDocumentClient;
};

const ledgerOn = (on: DynamoDBDocumentClient = db): AssignmentLedger =>
  createAssignmentLedger({ db: on, tableName: TABLE });

/** Revocation deps with the real ledger; slots and the audit trail are recorded in memory. */
const revocationDeps = (ledger: AssignmentLedger) => {
  const events: string[] = [];
  const repository = {
    appendEvent: async (_id: string, e: { type: string }) => {
      events.push(e.type);
      return true;
    },
    appendEventNoting: async (_id: string, e: { type: string }) => {
      events.push(e.type);
      return NOW.toISOString();
    },
  } as unknown as RequestRepository;
  const noSlotWait = {
    acquire: async () => 0,
    renew: async () => undefined,
    release: async () => undefined,
  } as unknown as OperationSlots;
  const deps: AssignmentDeps = {
    repository,
    clock: { now: () => NOW },
    ssoAdmin,
    ledger,
    slots: noSlotWait,
    deletionSlots: noSlotWait,
  };
  return { deps, events };
};

const awsError = (name: string): Error =>
  Object.assign(new Error(`${name} (test)`), { name, $metadata: { httpStatusCode: 400 } });

beforeAll(async () => {
  dynamo = await startDynalite();
  client = new DynamoDBClient({
    endpoint: dynamo.endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  db = DynamoDBDocumentClient.from(client);
  await ensureTable(client, TABLE, loadServerlessConfig().table);
});

afterAll(async () => {
  client.destroy();
  await dynamo.close();
});

beforeEach(() => {
  ssoMock.reset();
});

describe('ledger.end is idempotent', () => {
  it('a claim write that failed after the grant was removed: the retry claims the deletion and deletes', async () => {
    // Prepare
    const a = freshAssignment();
    await ledgerOn().register(a, 'r-1', 'time-bound', false);
    const flaky = ledgerOn(throttlingClaims(1));

    // Act
    const first = flaky.end(a, 'r-1');
    await expect(first).rejects.toMatchObject({ name: 'ProvisionedThroughputExceededException' });
    const retried = await flaky.end(a, 'r-1');

    // Assess
    expect(retried).toEqual({ delete: true });
    expect((await ledgerOn().get(a))?.deleting).toBe('r-1');
    expect(await ledgerOn().end(a, 'r-1')).toEqual({ delete: true });
  });

  it('the revocation task behind a throttled claim: RevocationTransient, then the retry deletes (never "already ended")', async () => {
    // Prepare
    const a = freshAssignment();
    await ledgerOn().register(a, 'r-1', 'time-bound', false);
    const { deps } = revocationDeps(ledgerOn(throttlingClaims(1)));
    ssoMock.on(DeleteAccountAssignmentCommand).resolves({
      AccountAssignmentDeletionStatus: { Status: 'IN_PROGRESS', RequestId: 'del-1' },
    });

    // Act
    const first = revokeAssignment({ requestId: 'r-1', parameters: a }, deps);
    await expect(first).rejects.toMatchObject({ name: 'RevocationTransient' });
    const retried = await revokeAssignment({ requestId: 'r-1', parameters: a }, deps);

    // Assess
    expect(retried).toMatchObject({ deleted: true, deletionRequestId: 'del-1' });
    expect(ssoMock.commandCalls(DeleteAccountAssignmentCommand)).toHaveLength(1);
  });

  it('a non-retryable delete gives the claim back; the reconciler calling revokeAssignment again still deletes', async () => {
    // Prepare
    const a = freshAssignment();
    await ledgerOn().register(a, 'r-1', 'time-bound', false);
    const { deps } = revocationDeps(ledgerOn());
    ssoMock
      .on(DeleteAccountAssignmentCommand)
      .rejectsOnce(awsError('AccessDeniedException'))
      .resolves({ AccountAssignmentDeletionStatus: { Status: 'IN_PROGRESS', RequestId: 'del-2' } });

    // Act
    const workflow = revokeAssignment({ requestId: 'r-1', parameters: a }, deps);
    await expect(workflow).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const claimAfterFailure = (await ledgerOn().get(a))?.deleting;
    const reconciler = await revokeAssignment({ requestId: 'r-1', parameters: a }, deps);

    // Assess
    expect(claimAfterFailure).toBeUndefined();
    expect(reconciler).toMatchObject({ deleted: true, deletionRequestId: 'del-2' });
    expect(ssoMock.commandCalls(DeleteAccountAssignmentCommand)).toHaveLength(2);
    expect((await ledgerOn().get(a))?.deleting).toBe('r-1');
  });

  it('still says no while another grant holds the assignment, or it existed before our first grant', async () => {
    // Prepare
    const shared = freshAssignment();
    const preExisting = freshAssignment();
    await ledgerOn().register(shared, 'r-1', 'time-bound', false);
    await ledgerOn().register(shared, 'r-2', 'time-bound', false);
    await ledgerOn().register(preExisting, 'r-3', 'time-bound', true);

    // Act
    const held = await ledgerOn().end(shared, 'r-1');
    const heldAgain = await ledgerOn().end(shared, 'r-1');
    const kept = await ledgerOn().end(preExisting, 'r-3');
    const keptAgain = await ledgerOn().end(preExisting, 'r-3');

    // Assess
    expect(held).toEqual({ delete: false, reason: 'still held by 1 other grant(s) of ours' });
    expect(heldAgain).toEqual(held);
    expect(kept).toMatchObject({ delete: false, reason: expect.stringContaining('existed before') });
    expect(keptAgain).toEqual(kept);
  });
});

describe('the deletion claim once a deletion has started', () => {
  it('stays after a non-retryable poll error and after a deletion that FAILED; goes back after SUCCEEDED', async () => {
    // Prepare
    const a = freshAssignment();
    await ledgerOn().register(a, 'r-1', 'time-bound', false);
    const { deps } = revocationDeps(ledgerOn());
    ssoMock.on(DeleteAccountAssignmentCommand).resolves({
      AccountAssignmentDeletionStatus: { Status: 'IN_PROGRESS', RequestId: 'del-1' },
    });
    ssoMock
      .on(DescribeAccountAssignmentDeletionStatusCommand)
      .rejectsOnce(awsError('AccessDeniedException'))
      .resolvesOnce({ AccountAssignmentDeletionStatus: { Status: 'FAILED', RequestId: 'del-1', FailureReason: 'x' } })
      .resolves({ AccountAssignmentDeletionStatus: { Status: 'SUCCEEDED', RequestId: 'del-1' } });
    await revokeAssignment({ requestId: 'r-1', parameters: a }, deps);
    const poll = { requestId: 'r-1', parameters: a, deletionRequestId: 'del-1', polls: 0 };

    // Act
    await expect(checkRevocation(poll, deps)).rejects.toMatchObject({ name: 'AccessDeniedException' });
    const afterPollError = (await ledgerOn().get(a))?.deleting;
    const failed = await checkRevocation(poll, deps);
    const afterFailed = (await ledgerOn().get(a))?.deleting;
    const succeeded = await checkRevocation(poll, deps);

    // Assess
    expect(afterPollError).toBe('r-1');
    expect(failed.Status).toBe('FAILED');
    expect(afterFailed).toBe('r-1');
    expect(succeeded.Status).toBe('SUCCEEDED');
    expect((await ledgerOn().get(a))?.deleting).toBeUndefined();
  });
});

describe('a grant arriving while another grant deletes the assignment', () => {
  it('waits (IdentityCenterBusy), which spends no contention budget, and registers once the deletion finished', async () => {
    // Prepare
    const a = freshAssignment();
    await ledgerOn().register(a, 'r-1', 'time-bound', false);
    expect(await ledgerOn().end(a, 'r-1')).toEqual({ delete: true });

    // Act
    const check = ledgerOn().needsExistenceCheck(a);
    const register = ledgerOn().register(a, 'r-2', 'time-bound', false);

    // Assess
    await expect(check).rejects.toMatchObject({ name: 'IdentityCenterBusy' });
    await expect(register).rejects.toMatchObject({ name: 'IdentityCenterBusy' });
    await ledgerOn().deletionFinished(a, 'r-1');
    await expect(ledgerOn().needsExistenceCheck(a)).resolves.toBe(true);
    await ledgerOn().register(a, 'r-2', 'time-bound', false);
    expect((await ledgerOn().get(a))?.grants).toEqual({ 'r-2': 'time-bound' });
  });
});
