// Which errors a revocation retries: everything except a short list of refusals no retry can change. A socket error
// (name Error, no HTTP status), a DNS failure or a client timeout used to end a revocation REVOKE_FAILED at once.
import { describe, expect, it } from '@jest/globals';
import { isTransient } from '../../../functions/provisioning/attempts.js';

const withName = (name: string, extra: Record<string, unknown> = {}): Error =>
  Object.assign(new Error(`${name} (test)`), { name, ...extra });

describe('isTransient', () => {
  it.each([
    ['a socket reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    [
      'a DNS failure',
      Object.assign(new Error('getaddrinfo EAI_AGAIN sso.us-east-1.amazonaws.com'), { code: 'EAI_AGAIN' }),
    ],
    ['socket hang up', new Error('socket hang up')],
    ['a client timeout', withName('TimeoutError')],
    ['throttling', withName('ThrottlingException', { $metadata: { httpStatusCode: 400 } })],
    ['conflict', withName('ConflictException', { $metadata: { httpStatusCode: 409 } })],
    ['a server fault', withName('InternalServerException', { $metadata: { httpStatusCode: 500 } })],
    ['DynamoDB throttling', withName('ProvisionedThroughputExceededException')],
    ['an error the SDK marks retryable', withName('AccessDeniedException', { $retryable: {} })],
    ['something not even an Error', 'boom'],
  ])('%s is transient', (_what, error) => {
    // Assess
    expect(isTransient(error)).toBe(true);
  });

  it.each([
    'AccessDeniedException',
    'ValidationException',
    'ServiceQuotaExceededException',
    'ResourceNotFoundException',
  ])('%s is not', (name) => {
    // Assess
    expect(isTransient(withName(name, { $metadata: { httpStatusCode: 400 } }))).toBe(false);
  });
});
