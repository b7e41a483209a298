// The DynamoDB document client. Each AWS client has its own module so that a function bundles only the clients
// it imports. Created once per container, on first use, and handed to domain code, which takes it as an argument
// so tests can inject mocks.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { lazy } from './lazy.js';

export const documentClient = lazy(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
);
