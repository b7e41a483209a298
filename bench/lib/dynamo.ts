// A DocumentClient for the local stack's emulated AWS endpoint, which accepts any credentials.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const localDocumentClient = (endpoint: string): DynamoDBDocumentClient =>
  DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' } }),
    // Optional model fields are left undefined rather than deleted; DynamoDB has no undefined to store.
    { marshallOptions: { removeUndefinedValues: true } },
  );
