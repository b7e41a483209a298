// Logs hold no secrets: even with Powertools' event logging switched on by configuration, no handler logs its
// event, so a task token (in every task's input) or a bearer token (in every HTTP event) never reaches a log line.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Context } from 'aws-lambda';

// Set before the logger is created (the dynamic import below), as a deployment's environment would.
process.env.POWERTOOLS_LOGGER_LOG_EVENT = 'true';
const { httpHandler, taskHandler } = await import('../../../functions/shared/middleware.js');
const { json } = await import('../../../functions/shared/http.js');

const TASK_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAeXampleTaskTokenThatMustNeverBeLogged';
const BEARER = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.signature-that-must-never-be-logged';

const context = {
  functionName: 'notify',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:111111111111:function:notify',
  memoryLimitInMB: '256',
  awsRequestId: 'aws-request-1',
  getRemainingTimeInMillis: () => 10_000,
} as unknown as Context;

describe('what handlers log', () => {
  const written: string[] = [];
  beforeEach(() => {
    written.length = 0;
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
  });
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('a task handler does not log its input, which holds the task token', async () => {
    // Prepare
    const handler = taskHandler(async (_event: { requestId: string; taskToken: string }) => {
      const { logger } = await import('../../../functions/shared/logger.js');
      logger.info('Approvers notified', { requestId: 'r-1' });
      return 'ok';
    });
    // Act
    await handler({ requestId: 'r-1', taskToken: TASK_TOKEN }, context);
    // Assess: the handler's own line is there, and no line holds the token
    expect(written.some((line) => line.includes('Approvers notified'))).toBe(true);
    expect(written.filter((line) => line.includes(TASK_TOKEN))).toEqual([]);
  });

  it('an HTTP handler does not log its event, which holds the bearer token', async () => {
    // Prepare
    const handler = httpHandler(async () => json(200, { ok: true }));
    const event = {
      requestContext: { requestId: 'api-1' },
      headers: { authorization: `Bearer ${BEARER}` },
    };
    // Act
    const response = await handler(event, context);
    // Assess
    expect(response.statusCode).toBe(200);
    expect(written.filter((line) => line.includes(BEARER))).toEqual([]);
  });
});
