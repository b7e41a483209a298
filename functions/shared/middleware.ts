// Middleware is composed here once. Handlers stay plain business logic: they throw domain errors, and
// the edge turns them into the contract's status codes and bodies.
import middy, { type MiddlewareObj } from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import type { Context } from 'aws-lambda';
import { IdentityCenterBusyError, isDomainError, ServiceUnavailableError } from './errors.js';
import { errorBody, errorHeaders, html, json, wantsJson, type HttpResult } from './http.js';
import { logger } from './logger.js';

/**
 * Events carry secrets: a task's input holds its Step Functions task token, an HTTP event the bearer token, a
 * signed approval link or a Slack signature. Powertools logs the whole event when POWERTOOLS_LOGGER_LOG_EVENT is
 * set; an explicit `logEvent: false` wins over that variable, so no configuration can put them in CloudWatch.
 */
const NEVER_LOG_THE_EVENT = { resetKeys: true, logEvent: false } as const;

type HttpLikeEvent = { requestContext: { requestId: string }; headers: Record<string, string | undefined> };

const correlate = <E extends HttpLikeEvent>(): MiddlewareObj<E, HttpResult> => ({
  before: (request) => {
    logger.setCorrelationId(request.event.requestContext.requestId);
  },
});

export type ErrorPage = (statusCode: number, message: string) => string;

const contractErrors = <E extends HttpLikeEvent>(errorPage?: ErrorPage): MiddlewareObj<E, HttpResult> => ({
  onError: (request) => {
    const { error: raised } = request;
    // Identity Center had no capacity within the read's wait (the shared budget): the caller may try again shortly.
    const error =
      raised instanceof IdentityCenterBusyError
        ? new ServiceUnavailableError('Identity Center is busy; try again shortly', raised.retryAfterSeconds)
        : raised;
    if (isDomainError(error)) {
      // A refusal is the caller's doing; a 5xx (a dependency that could not answer in full) is ours to watch.
      const refusal = { errorName: error.name, statusCode: error.statusCode };
      if (error.statusCode >= 500) logger.warn('Request refused', refusal);
      else logger.info('Request refused', refusal);
      const response =
        errorPage && !wantsJson(request.event)
          ? html(error.statusCode, errorPage(error.statusCode, error.message))
          : json(error.statusCode, errorBody(error));
      request.response = { ...response, headers: { ...response.headers, ...errorHeaders(error) } };
      return;
    }
    logger.error('Unhandled error', { errorName: error?.name, errorMessage: error?.message });
    request.response = json(500, {
      error: { code: 'InternalError', message: 'Something went wrong; it has been logged' },
    });
  },
});

export const httpHandler = <E extends HttpLikeEvent>(
  handler: (event: E, context: Context) => Promise<HttpResult>,
  /** Pages for browsers (the approval link routes); API clients asking for JSON still get the contract body. */
  options: { errorPage?: ErrorPage } = {},
) =>
  middy<E, HttpResult>()
    .use(injectLambdaContext(logger, NEVER_LOG_THE_EVENT))
    .use(correlate<E>())
    .use(contractErrors<E>(options.errorPage))
    .handler(handler);

/** Step Functions tasks: errors propagate untouched so their AWS names reach Retry/Catch. */
export const taskHandler = <E extends { requestId: string }, R>(handler: (event: E, context: Context) => Promise<R>) =>
  middy<E, R>()
    .use(injectLambdaContext(logger, NEVER_LOG_THE_EVENT))
    .use({ before: (request) => logger.setCorrelationId(request.event.requestId) })
    .handler(handler);
