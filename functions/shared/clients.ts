// AWS clients are created once per module (reused across warm invocations) and handed to domain code,
// which takes them as arguments so tests can inject mocks.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { SFNClient } from '@aws-sdk/client-sfn';
import { ProtonClient } from '@aws-sdk/client-proton';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';

const lazy = <T>(create: () => T): (() => T) => {
  let instance: T | undefined;
  return () => (instance ??= create());
};

export const documentClient = lazy(() =>
  DynamoDBDocumentClient.from(new DynamoDBClient({}), { marshallOptions: { removeUndefinedValues: true } }),
);

export const sfnClient = lazy(() => new SFNClient({}));

// Step Functions owns retries and backoff for provisioning (visible in history, bounded, no Lambda time
// spent waiting), so these clients make exactly one attempt per invocation.
export const protonClient = lazy(() => new ProtonClient({ maxAttempts: 1 }));
/** Read-only look-ups at submit time keep the SDK's own retries: a person is waiting on the answer. */
export const protonLookupClient = lazy(() => new ProtonClient({}));
export const ssoAdminClient = lazy(() => new SSOAdminClient({ maxAttempts: 1 }));
