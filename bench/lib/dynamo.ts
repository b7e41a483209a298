// The benchmarks' DynamoDB access: a DocumentClient for the local stack's emulated endpoint (any credentials), and counting.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';

export const localDocumentClient = (endpoint: string): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
    }),
    // Optional model fields are left undefined rather than deleted; DynamoDB has no undefined to store.
    { marshallOptions: { removeUndefinedValues: true } },
  );

/** Counts a partition of an index straight from DynamoDB, paging through it. */
export const countPartition = async (
  db: DynamoDBDocumentClient,
  tableName: string,
  index: string,
  attribute: string,
  value: string,
): Promise<number> => {
  let count = 0;
  let start: Record<string, unknown> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: index,
        KeyConditionExpression: '#k = :v',
        ExpressionAttributeNames: { '#k': attribute },
        ExpressionAttributeValues: { ':v': value },
        Select: 'COUNT',
        ExclusiveStartKey: start,
      }),
    );
    count += page.Count ?? 0;
    start = page.LastEvaluatedKey;
  } while (start);
  return count;
};
