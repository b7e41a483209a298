import { beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionalUpdate, conditionalWrite } from '../../../functions/shared/conditionalWrite.js';
import { awsError } from '../../fixtures/awsErrors.js';

const db = DynamoDBDocumentClient.from(new DynamoDBClient({ region: 'us-east-1' }));
const dbMock = mockClient(db);

const put = new PutCommand({
  TableName: 't',
  Item: { pk: 'a', sk: 'b' },
  ConditionExpression: 'attribute_not_exists(pk)',
});
const update = new UpdateCommand({
  TableName: 't',
  Key: { pk: 'a', sk: 'b' },
  UpdateExpression: 'SET n = n + :one',
  ConditionExpression: 'n = :seen',
  ExpressionAttributeValues: { ':one': 1, ':seen': 1 },
  ReturnValues: 'ALL_NEW',
});
const remove = new DeleteCommand({
  TableName: 't',
  Key: { pk: 'a', sk: 'b' },
  ConditionExpression: 'attribute_exists(pk)',
});

beforeEach(() => {
  dbMock.reset();
});

describe('conditionalWrite', () => {
  it.each([
    ['Put', put],
    ['Update', update],
    ['Delete', remove],
  ] as const)('answers true when the %s was written, having sent it unchanged', async (_kind, command) => {
    // Prepare
    dbMock.resolves({});
    // Act
    const written = await conditionalWrite(db, command);
    // Assess
    expect(written).toBe(true);
    expect(dbMock.calls()).toHaveLength(1);
    expect(dbMock.call(0).args[0]).toBe(command);
  });

  it.each([
    ['Put', put],
    ['Update', update],
    ['Delete', remove],
  ] as const)('answers false when the condition refused the %s', async (_kind, command) => {
    // Prepare
    dbMock.rejects(awsError('ConditionalCheckFailedException'));
    // Act
    const written = await conditionalWrite(db, command);
    // Assess
    expect(written).toBe(false);
  });

  it.each(['ProvisionedThroughputExceededException', 'ValidationException', 'TransactionConflictException'])(
    'lets %s through: only a refused condition is an answer',
    async (name) => {
      // Prepare
      dbMock.rejects(awsError(name));
      // Act
      const attempt = conditionalWrite(db, update);
      // Assess
      await expect(attempt).rejects.toMatchObject({ name });
    },
  );
});

describe('conditionalUpdate', () => {
  it('returns the attributes the write returned', async () => {
    // Prepare
    dbMock.on(UpdateCommand).resolves({ Attributes: { pk: 'a', sk: 'b', n: 2 } });
    // Act
    const after = await conditionalUpdate(db, update);
    // Assess
    expect(after).toEqual({ pk: 'a', sk: 'b', n: 2 });
  });

  it('returns an empty record, not undefined, for a write that returned no attributes', async () => {
    // Prepare: without ReturnValues DynamoDB answers with no Attributes; the write still happened
    dbMock.on(UpdateCommand).resolves({});
    // Act
    const after = await conditionalUpdate(db, update);
    // Assess
    expect(after).toEqual({});
  });

  it('returns undefined when the condition refused the write, and throws any other error', async () => {
    // Prepare
    dbMock
      .on(UpdateCommand)
      .rejectsOnce(awsError('ConditionalCheckFailedException'))
      .rejectsOnce(awsError('InternalServerError'));
    // Act
    const refused = await conditionalUpdate(db, update);
    const failed = conditionalUpdate(db, update);
    // Assess
    expect(refused).toBeUndefined();
    await expect(failed).rejects.toMatchObject({ name: 'InternalServerError' });
  });
});
