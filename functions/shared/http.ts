// Reading API Gateway (HTTP API, payload v2) events and shaping responses, shared by the HTTP handlers.
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  PayloadTooLargeError,
  ServiceUnavailableError,
  UnauthorizedError,
  ValidationError,
  type DomainError,
} from './errors.js';

export type HttpEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
/** The approval routes are not behind the JWT authorizer: the signed link is the credential. */
export type PublicHttpEvent = Omit<HttpEvent, 'requestContext'> & {
  requestContext: Omit<HttpEvent['requestContext'], 'authorizer'> & { authorizer?: unknown };
};
export type HttpResult = APIGatewayProxyStructuredResultV2;

export const MAX_BODY_BYTES = 32 * 1024;

const SECURITY_HEADERS = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

export const json = (statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResult => ({
  statusCode,
  headers: { 'content-type': 'application/json; charset=utf-8', ...SECURITY_HEADERS, ...headers },
  body: JSON.stringify(body),
});

export const html = (statusCode: number, body: string): HttpResult => ({
  statusCode,
  headers: {
    'content-type': 'text/html; charset=utf-8',
    ...SECURITY_HEADERS,
    // Links carry a bearer token in the path: never leak it through Referer, never let it be framed.
    'referrer-policy': 'no-referrer',
    'x-frame-options': 'DENY',
    'content-security-policy':
      "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
  },
  body,
});

export const errorBody = (error: DomainError) => ({
  error: { code: error.code, message: error.message, ...(error.details ? { details: error.details } : {}) },
});

/** Headers an error's status calls for: when to try again, for a 503. */
export const errorHeaders = (error: DomainError): Record<string, string> =>
  error instanceof ServiceUnavailableError ? { 'retry-after': String(error.retryAfterSeconds) } : {};

/** The caller, from the JWT authorizer's claims only (never from the body): `email`, else `sub`. */
export const callerIdentity = (event: HttpEvent): string => {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const identity = claims.email ?? claims.sub;
  if (typeof identity !== 'string' || identity.trim() === '')
    throw new UnauthorizedError('No caller identity in the request');
  return identity;
};

export const rawBody = (event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): string => {
  const buffer =
    event.body === undefined ? Buffer.alloc(0) : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (buffer.length > MAX_BODY_BYTES)
    throw new PayloadTooLargeError(`The body is ${buffer.length} bytes; the limit is ${MAX_BODY_BYTES}`);
  return buffer.toString('utf8');
};

export const jsonBody = (event: Pick<HttpEvent, 'body' | 'isBase64Encoded'>): unknown => {
  const text = rawBody(event);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ValidationError([{ path: '(body)', message: 'must be a JSON object' }]);
  }
};

/** Form posts from the approval page, or JSON from API clients. */
export const formOrJsonBody = (event: PublicHttpEvent): Record<string, unknown> => {
  const text = rawBody(event);
  const type = event.headers['content-type'] ?? '';
  if (type.includes('application/json')) {
    const parsed = jsonBody(event);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
    throw new ValidationError([{ path: '(body)', message: 'must be a JSON object' }]);
  }
  return Object.fromEntries(new URLSearchParams(text));
};

export const wantsJson = (event: Pick<HttpEvent, 'headers'>): boolean =>
  (event.headers.accept ?? '').includes('application/json');
