// The emulated API Gateway HTTP API: the routes of serverless.yml, payload format 2.0 events, the JWT authorizer
// (HS256 with a local key), and API Gateway's own answers (401/404/413/500) byte for byte where clients see them.
// Nothing here logs headers or bodies: they carry bearer tokens, link tokens and Slack signatures.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { APIGatewayEventRequestContextV2, APIGatewayProxyEventV2 } from 'aws-lambda';
import { jwtVerify, SignJWT, type JWTPayload } from 'jose';
import { readOutbox } from '../functions/notifications/outbox.js';
import type { HttpRoute } from './serverlessConfig.js';
import { LOCAL_ACCOUNT_ID } from './lambdaRuntime.js';
import { listen, type Listening } from './listen.js';

export const LOCAL_JWT_ISSUER = 'access-approvals-local';
export const LOCAL_JWT_AUDIENCE = 'access-approvals';
const TOKEN_LIFETIME = '12h';
// API Gateway's HTTP API payload limit.
const MAX_BODY_BYTES = 10 * 1024 * 1024;

/** The event handlers receive; `authorizer` is present on routes behind the JWT authorizer. */
export type HttpApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayEventRequestContextV2 & {
    authorizer?: { jwt: { claims: Record<string, string>; scopes: null } };
  };
};

export interface HttpApiOptions {
  port: number;
  host?: string;
  routes: HttpRoute[];
  invoke: (functionName: string, event: HttpApiEvent) => Promise<unknown>;
  /** HS256 key of the emulated authorizer. */
  jwtKey: Uint8Array;
  outboxFile: string;
  logError?: (line: string) => void;
}

export type HttpApi = Listening;

export const issueLocalToken = async (key: Uint8Array, identity: { sub?: string; email?: string }): Promise<string> => {
  const token = new SignJWT(identity.email === undefined ? {} : { email: identity.email })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(LOCAL_JWT_ISSUER)
    .setAudience(LOCAL_JWT_AUDIENCE)
    .setIssuedAt()
    .setExpirationTime(TOKEN_LIFETIME);
  if (identity.sub !== undefined) token.setSubject(identity.sub);
  return token.sign(key);
};

interface Reply {
  status: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
}

const json = (status: number, value: unknown): Reply => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: Buffer.from(JSON.stringify(value)),
});

const gatewayMessage = (status: number, message: string): Reply => json(status, { message });
const NOT_FOUND = (): Reply => gatewayMessage(404, 'Not Found');
const UNAUTHORIZED = (): Reply => gatewayMessage(401, 'Unauthorized');
const INTERNAL_ERROR = (): Reply => gatewayMessage(500, 'Internal Server Error');

interface ApiRequest {
  method: string;
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
  sourceIp: string;
  protocol: string;
}

type LocalHandler = (request: ApiRequest) => Promise<Reply>;

interface CompiledRoute {
  method: string;
  path: string;
  pattern: RegExp;
  names: string[];
  /** Literal segments first, greedy last: API Gateway prefers the most specific route. */
  rank: number;
  target: { kind: 'lambda'; route: HttpRoute } | { kind: 'local'; handle: LocalHandler };
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const compile = (method: string, path: string, target: CompiledRoute['target']): CompiledRoute => {
  const names: string[] = [];
  let rank = 0;
  const source = path
    .split('/')
    .map((segment) => {
      const parameter = /^\{([^}+]+)(\+?)\}$/.exec(segment);
      if (!parameter) return escapeRegExp(segment);
      names.push(parameter[1] ?? '');
      rank += parameter[2] ? 1000 : 1;
      return parameter[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { method, path, pattern: new RegExp(`^${source}$`), names, rank, target };
};

const isText = (contentType: string | undefined): boolean =>
  contentType !== undefined &&
  /^(text\/|application\/([\w.+-]*\+)?json\b|application\/x-www-form-urlencoded\b)/i.test(contentType.trim());

// API Gateway joins repeated query keys with commas in queryStringParameters.
const queryParameters = (rawQueryString: string): Record<string, string> | undefined => {
  const params = new URLSearchParams(rawQueryString);
  const result: Record<string, string> = {};
  for (const key of new Set(params.keys())) result[key] = params.getAll(key).join(',');
  return Object.keys(result).length === 0 ? undefined : result;
};

// Claims reach handlers as strings, the way the HTTP API JWT authorizer passes them (arrays as "[a b]").
const stringClaims = (payload: JWTPayload): Record<string, string> =>
  Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      typeof value === 'string'
        ? value
        : Array.isArray(value)
          ? `[${value.join(' ')}]`
          : typeof value === 'object' && value !== null
            ? JSON.stringify(value)
            : String(value),
    ]),
  );

// CLF-style, as API Gateway writes requestContext.time: 12/Mar/2020:19:03:58 +0000
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const gatewayTime = (date: Date): string => {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(
    date.getUTCMinutes(),
  )}:${pad(date.getUTCSeconds())} +0000`;
};

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

class MalformedResult extends Error {
  override name = 'MalformedLambdaProxyResponse';
}

/** Payload format 2.0 response rules: a structured result is used as given; anything else is a 200 JSON body. */
export const translateResult = (result: unknown): Reply => {
  if (isRecord(result) && 'statusCode' in result) {
    const { statusCode, headers = {}, body, isBase64Encoded, cookies } = result;
    if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
      throw new MalformedResult(`statusCode ${String(statusCode)} is not an HTTP status`);
    }
    if (body !== undefined && body !== null && typeof body !== 'string')
      throw new MalformedResult('body must be a string');
    if (!isRecord(headers)) throw new MalformedResult('headers must be an object');
    const out: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(headers)) out[name.toLowerCase()] = String(value);
    if (Array.isArray(cookies) && cookies.length > 0) out['set-cookie'] = cookies.map(String);
    const text = body ?? '';
    return {
      status: statusCode,
      headers: out,
      body: isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text),
    };
  }
  const body = typeof result === 'string' ? result : JSON.stringify(result ?? null);
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(body) };
};

const readBody = (req: IncomingMessage): Promise<Buffer | undefined> =>
  new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolveBody(size > MAX_BODY_BYTES ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });

const toRequest = (req: IncomingMessage, body: Buffer): ApiRequest => {
  const url = req.url ?? '/';
  const queryAt = url.indexOf('?');
  const headers: Record<string, string> = {};
  let cookies: string[] = [];
  for (const [name, values] of Object.entries(req.headersDistinct)) {
    if (!values) continue;
    // Payload 2.0 moves the Cookie header into `cookies`.
    if (name === 'cookie')
      cookies = values
        .flatMap((v) => v.split(';'))
        .map((c) => c.trim())
        .filter((c) => c !== '');
    else headers[name] = values.join(',');
  }
  return {
    method: (req.method ?? 'GET').toUpperCase(),
    rawPath: queryAt === -1 ? url : url.slice(0, queryAt),
    rawQueryString: queryAt === -1 ? '' : url.slice(queryAt + 1),
    headers,
    cookies,
    body,
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
    protocol: `HTTP/${req.httpVersion}`,
  };
};

export const startHttpApi = async (options: HttpApiOptions): Promise<HttpApi> => {
  const logError = options.logError ?? ((line: string) => console.error(line));

  const issueToken: LocalHandler = async (request) => {
    let input: unknown;
    try {
      input = JSON.parse(request.body.toString('utf8'));
    } catch {
      input = undefined;
    }
    const invalid = (message: string): Reply => json(400, { error: { code: 'ValidationError', message } });
    if (!isRecord(input)) return invalid('body must be a JSON object {"sub","email"}');
    const { sub, email } = input;
    if (sub === undefined && email === undefined) return invalid('give "sub" or "email" (or both)');
    for (const [name, value] of [
      ['sub', sub],
      ['email', email],
    ] as const) {
      if (value !== undefined && (typeof value !== 'string' || value === ''))
        return invalid(`"${name}" must be a non-empty string`);
    }
    const token = await issueLocalToken(options.jwtKey, {
      sub: sub as string | undefined,
      email: email as string | undefined,
    });
    return json(200, { token });
  };

  const showOutbox: LocalHandler = async (request) => {
    const requestId = new URLSearchParams(request.rawQueryString).get('requestId') ?? undefined;
    return json(200, await readOutbox(options.outboxFile, { requestId }));
  };

  const table: CompiledRoute[] = [
    ...options.routes.map((route) => compile(route.method, route.path, { kind: 'lambda', route })),
    compile('POST', '/local/tokens', { kind: 'local', handle: issueToken }),
    compile('GET', '/local/outbox', { kind: 'local', handle: showOutbox }),
  ].sort((a, b) => a.rank - b.rank);

  const authorize = async (request: ApiRequest): Promise<Record<string, string> | undefined> => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    if (!match?.[1]) return undefined;
    try {
      const { payload } = await jwtVerify(match[1], options.jwtKey, {
        issuer: LOCAL_JWT_ISSUER,
        audience: LOCAL_JWT_AUDIENCE,
        algorithms: ['HS256'],
        requiredClaims: ['exp'],
      });
      return stringClaims(payload);
    } catch {
      return undefined;
    }
  };

  const buildEvent = (
    request: ApiRequest,
    route: HttpRoute,
    parameters: Record<string, string>,
    claims?: Record<string, string>,
  ): HttpApiEvent => {
    const routeKey = `${route.method} ${route.path}`;
    const now = new Date();
    const text = isText(request.headers['content-type']);
    const event: HttpApiEvent = {
      version: '2.0',
      routeKey,
      rawPath: request.rawPath,
      rawQueryString: request.rawQueryString,
      headers: request.headers,
      requestContext: {
        accountId: LOCAL_ACCOUNT_ID,
        apiId: 'local',
        domainName: request.headers.host ?? 'localhost',
        domainPrefix: (request.headers.host ?? 'localhost').split('.')[0] ?? 'localhost',
        http: {
          method: request.method,
          path: request.rawPath,
          protocol: request.protocol,
          sourceIp: request.sourceIp,
          userAgent: request.headers['user-agent'] ?? '',
        },
        requestId: randomBytes(11).toString('base64'),
        routeKey,
        stage: '$default',
        time: gatewayTime(now),
        timeEpoch: now.getTime(),
        ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
      },
      isBase64Encoded: request.body.length > 0 && !text,
    };
    if (request.cookies.length > 0) event.cookies = request.cookies;
    const query = queryParameters(request.rawQueryString);
    if (query) event.queryStringParameters = query;
    if (route.path.includes('{')) event.pathParameters = parameters;
    if (request.body.length > 0) event.body = text ? request.body.toString('utf8') : request.body.toString('base64');
    return event;
  };

  const route = async (request: ApiRequest): Promise<Reply> => {
    let matched: { compiled: CompiledRoute; values: string[] } | undefined;
    for (const compiled of table) {
      if (compiled.method !== request.method && compiled.method !== 'ANY') continue;
      const match = compiled.pattern.exec(request.rawPath);
      if (match) {
        matched = { compiled, values: match.slice(1) };
        break;
      }
    }
    if (!matched) return NOT_FOUND();
    const { compiled, values } = matched;
    if (compiled.target.kind === 'local') return compiled.target.handle(request);

    const parameters: Record<string, string> = {};
    try {
      compiled.names.forEach((name, i) => {
        parameters[name] = decodeURIComponent(values[i] ?? '');
      });
    } catch {
      return gatewayMessage(400, 'Bad Request');
    }
    const { route: httpRoute } = compiled.target;
    let claims: Record<string, string> | undefined;
    if (httpRoute.authorized) {
      claims = await authorize(request);
      if (!claims) return UNAUTHORIZED();
    }
    const event = buildEvent(request, httpRoute, parameters, claims);
    try {
      return translateResult(await options.invoke(httpRoute.functionName, event));
    } catch (error) {
      logError(
        `[http] ${event.routeKey} (${httpRoute.functionName}) failed: ${error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error)}`,
      );
      return INTERNAL_ERROR();
    }
  };

  const respond = (res: ServerResponse, reply: Reply): void => {
    try {
      res
        .writeHead(reply.status, { ...reply.headers, 'apigw-requestid': randomBytes(11).toString('base64') })
        .end(reply.body);
    } catch (error) {
      // e.g. a handler header with a newline: API Gateway would reject that response too.
      logError(`[http] invalid response: ${error instanceof Error ? error.message : String(error)}`);
      if (!res.headersSent) respond(res, INTERNAL_ERROR());
    }
  };

  const server = createServer((req, res) => {
    readBody(req)
      .then((body) =>
        body === undefined ? gatewayMessage(413, 'Request Entity Too Large') : route(toRequest(req, body)),
      )
      .catch((error: unknown) => {
        logError(
          `[http] ${req.method ?? ''} request failed: ${error instanceof Error ? error.message : String(error)}`,
        );
        return INTERNAL_ERROR();
      })
      .then((reply) => respond(res, reply));
  });
  return listen(server, options.port, options.host);
};
