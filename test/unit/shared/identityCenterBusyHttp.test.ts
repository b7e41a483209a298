// At the HTTP edge, IdentityCenterBusy (the Identity Center budget had no capacity within a read's wait) is a 503
// ServiceUnavailable with Retry-After, not a 500: the caller may simply ask again shortly.
import { describe, expect, it } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { IdentityCenterBusyError } from '../../../functions/shared/errors.js';
import { httpHandler } from '../../../functions/shared/middleware.js';

const context = {
  functionName: 'catalog',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:catalog',
  memoryLimitInMB: '256',
  awsRequestId: 'aws-request-1',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

describe('IdentityCenterBusy at the HTTP edge', () => {
  it('answers 503 ServiceUnavailable with Retry-After in whole seconds', async () => {
    // Prepare
    const handler = httpHandler(async () => {
      throw new IdentityCenterBusyError('Identity Center budget: no capacity within the wait', 2.3);
    });

    // Act
    const response = await handler({ requestContext: { requestId: 'api-1' }, headers: {} }, context);

    // Assess
    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('3');
    expect(JSON.parse(String(response.body))).toEqual({
      error: { code: 'ServiceUnavailable', message: 'Identity Center is busy; try again shortly' },
    });
  });
});
