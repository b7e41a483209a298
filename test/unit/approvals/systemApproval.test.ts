// The approval step of a rule with approvalRequired: false: system's approval is recorded once, like a person's
// decision, and the wait is resumed; a retried step only resumes it. The task token never leaves Step Functions' call.
import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { approveAsSystem } from '../../../functions/approvals/systemApproval.js';
import { createRequestRepository } from '../../../functions/requests/repository.js';
import { storedRequest } from '../../fixtures/requests.js';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dbMock = mockClient(db);
const sfn = new SFNClient({ region: 'us-east-1' });
const sfnMock = mockClient(sfn);
const deps = () => ({
  repository: createRequestRepository({ db, tableName: 'requests' }),
  sfn,
  clock: { now: () => new Date('2026-12-03T10:00:01.000Z') },
});
const input = { requestId: 'r-1', taskToken: 'secret-task-token' };

beforeEach(() => {
  dbMock.reset();
  sfnMock.reset();
  sfnMock.on(SendTaskSuccessCommand).resolves({});
  dbMock.on(PutCommand).resolves({});
});

describe('approveAsSystem', () => {
  it('records one approval by system, moving the request to APPROVED, then resumes the wait', async () => {
    // Prepare
    const pending = storedRequest('PENDING_APPROVAL', { approvalRequired: false });
    dbMock.on(UpdateCommand).resolves({ Attributes: storedRequest('APPROVED') });
    dbMock.on(GetCommand).resolves({ Item: storedRequest('APPROVED') });
    // Act
    await approveAsSystem(input, pending, deps());
    // Assess
    const updates = dbMock.commandCalls(UpdateCommand);
    expect(updates).toHaveLength(1);
    const values = updates[0]?.args[0].input.ExpressionAttributeValues ?? {};
    expect(values[':approval']).toEqual([
      {
        approver: 'system',
        decision: 'approve',
        at: '2026-12-03T10:00:01.000Z',
        via: 'system',
        comment: 'The matching rule sets approvalRequired: false',
      },
    ]);
    expect(values[':newStatus']).toBe('APPROVED');
    const resumed = sfnMock.commandCalls(SendTaskSuccessCommand);
    expect(resumed).toHaveLength(1);
    expect(resumed[0]?.args[0].input).toEqual({
      taskToken: 'secret-task-token',
      output: JSON.stringify({ decision: 'approved', lastApprover: 'system' }),
    });
  });

  it('only resumes the wait when a retried step finds the approval already recorded', async () => {
    // Prepare
    const approved = storedRequest('APPROVED', { approvalRequired: false });
    dbMock.on(GetCommand).resolves({ Item: approved });
    // Act
    await approveAsSystem(input, approved, deps());
    // Assess
    expect(dbMock.commandCalls(UpdateCommand)).toHaveLength(0);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });
});
