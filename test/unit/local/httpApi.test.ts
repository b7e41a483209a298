import { describe, it, expect, beforeAll, afterAll, beforeEach, jest } from '@jest/globals';
import { request } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { appendToOutbox } from '../../../functions/notifications/outbox.js';
import { issueLocalToken, startHttpApi, type HttpApi, type HttpApiEvent } from '../../../local/httpApi.js';
import type { HttpRoute } from '../../../local/serverlessConfig.js';

const routes: HttpRoute[] = [
  { functionName: 'submit', method: 'POST', path: '/requests', authorized: true },
  { functionName: 'getRequest', method: 'GET', path: '/requests/{requestId}', authorized: true },
  { functionName: 'approvalPage', method: 'GET', path: '/approvals/{linkToken}', authorized: false },
  { functionName: 'decide', method: 'POST', path: '/approvals/{linkToken}', authorized: false },
];

const jwtKey = new Uint8Array(32).fill(7);
const events: Array<{ name: string; event: HttpApiEvent }> = [];
let nextResult: () => unknown = () => ({ statusCode: 200, body: '' });
const logError = jest.fn<(line: string) => void>();
let api: HttpApi;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'aa-http-'));
  api = await startHttpApi({
    port: 0,
    host: '127.0.0.1',
    routes,
    invoke: async (name, event) => {
      events.push({ name, event });
      return nextResult();
    },
    jwtKey,
    outboxFile: join(dataDir, 'outbox.jsonl'),
    logError,
  });
});

afterAll(async () => {
  await api.close();
  rmSync(dataDir, { recursive: true, force: true });
});

beforeEach(() => {
  events.length = 0;
  logError.mockClear();
  nextResult = () => ({ statusCode: 200, body: '' });
});

const lastEvent = (): HttpApiEvent => {
  const last = events.at(-1);
  if (!last) throw new Error('no handler was invoked');
  return last.event;
};

const bearer = async (identity: { sub?: string; email?: string } = { sub: 'u-1', email: 'alice@example.com' }) => ({
  authorization: `Bearer ${await issueLocalToken(jwtKey, identity)}`,
});

describe('startHttpApi JWT authorizer', () => {
  it('answers 401 exactly like API Gateway when the token is missing, foreign or expired', async () => {
    // Prepare
    const foreign = await issueLocalToken(new Uint8Array(32).fill(1), { sub: 'x' });
    const expired = await new SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('access-approvals-local')
      .setAudience('access-approvals')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 60)
      .sign(jwtKey);

    // Act
    const answers = await Promise.all(
      [undefined, `Bearer ${foreign}`, `Bearer ${expired}`, 'Basic abc'].map((authorization) =>
        fetch(`${api.url}/requests`, { method: 'POST', headers: authorization ? { authorization } : {}, body: '{}' }),
      ),
    );

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(401);
      expect(await answer.text()).toBe('{"message":"Unauthorized"}');
    }
    expect(events).toHaveLength(0);
  });

  it('puts the verified claims, as strings, under requestContext.authorizer.jwt', async () => {
    // Act
    await fetch(`${api.url}/requests`, {
      method: 'POST',
      headers: { ...(await bearer()), 'content-type': 'application/json' },
      body: '{"a":1}',
    });

    // Assess
    const { claims, scopes } = lastEvent().requestContext.authorizer?.jwt ?? {};
    expect(scopes).toBeNull();
    expect(claims).toMatchObject({
      sub: 'u-1',
      email: 'alice@example.com',
      iss: 'access-approvals-local',
      aud: 'access-approvals',
    });
    expect(claims?.exp).toMatch(/^\d+$/);
    expect(Number(claims?.exp) - Number(claims?.iat)).toBe(12 * 3600);
  });

  it('leaves routes without the authorizer open and without an authorizer context', async () => {
    // Act
    const answer = await fetch(`${api.url}/approvals/tok`);

    // Assess
    expect(answer.status).toBe(200);
    expect(lastEvent().requestContext.authorizer).toBeUndefined();
  });
});

describe('startHttpApi events', () => {
  it('builds a payload 2.0 event with route key, path and query parameters', async () => {
    // Act
    await fetch(`${api.url}/requests/r%2F1%20x?status=PENDING_APPROVAL&x=1&x=2`, { headers: await bearer() });

    // Assess
    const event = lastEvent();
    expect(events.at(-1)?.name).toBe('getRequest');
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: 'GET /requests/{requestId}',
      rawPath: '/requests/r%2F1%20x',
      rawQueryString: 'status=PENDING_APPROVAL&x=1&x=2',
      queryStringParameters: { status: 'PENDING_APPROVAL', x: '1,2' },
      pathParameters: { requestId: 'r/1 x' },
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        routeKey: 'GET /requests/{requestId}',
        stage: '$default',
        http: { method: 'GET', path: '/requests/r%2F1%20x', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1' },
      },
    });
    expect(event.body).toBeUndefined();
    expect(event.cookies).toBeUndefined();
    expect(event.requestContext.time).toMatch(/^\d{2}\/[A-Z][a-z]{2}\/\d{4}:\d{2}:\d{2}:\d{2} \+0000$/);
    expect(Math.abs(event.requestContext.timeEpoch - Date.now())).toBeLessThan(5000);
  });

  it('omits queryStringParameters when there is no query and passes text bodies as text', async () => {
    // Act
    await fetch(`${api.url}/approvals/tok`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'decision=approve&comment=ok',
    });

    // Assess
    const event = lastEvent();
    expect(event.routeKey).toBe('POST /approvals/{linkToken}');
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.body).toBe('decision=approve&comment=ok');
    expect(event.isBase64Encoded).toBe(false);
  });

  it('base64-encodes bodies that are not text', async () => {
    // Act
    await fetch(`${api.url}/approvals/tok`, {
      method: 'POST',
      headers: { 'content-type': 'application/octet-stream' },
      body: new Uint8Array([0, 1, 2, 255]),
    });

    // Assess
    expect(lastEvent()).toMatchObject({ body: Buffer.from([0, 1, 2, 255]).toString('base64'), isBase64Encoded: true });
  });

  it('lower-cases headers, joins repeated ones with commas, and moves cookies into `cookies`', async () => {
    // Act
    await new Promise<void>((done, fail) => {
      const req = request(`${api.url}/approvals/tok`, {
        headers: { 'X-Repeated': ['one', 'two'], Cookie: 'a=1; b=2', 'User-Agent': 'jest' },
      });
      req.on('response', (res) => res.resume().on('end', done));
      req.on('error', fail);
      req.end();
    });

    // Assess
    const event = lastEvent();
    expect(event.headers['x-repeated']).toBe('one,two');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.requestContext.http.userAgent).toBe('jest');
  });
});

describe('startHttpApi routing', () => {
  it('answers 404 Not Found for unknown paths and for known paths with another method', async () => {
    // Act
    const answers = await Promise.all([
      fetch(`${api.url}/nope`),
      fetch(`${api.url}/requests`, { method: 'DELETE' }),
      fetch(`${api.url}/requests/r-1/extra`),
      fetch(`${api.url}/local/tokens`),
    ]);

    // Assess
    for (const answer of answers) {
      expect(answer.status).toBe(404);
      expect(await answer.text()).toBe('{"message":"Not Found"}');
    }
    expect(events).toHaveLength(0);
  });
});

describe('startHttpApi results', () => {
  it('uses a structured result as given, with cookies and base64 bodies', async () => {
    // Prepare
    nextResult = () => ({
      statusCode: 202,
      headers: { 'Content-Type': 'text/plain', 'X-Count': 3 },
      cookies: ['s=1; HttpOnly'],
      body: Buffer.from('hello').toString('base64'),
      isBase64Encoded: true,
    });

    // Act
    const answer = await fetch(`${api.url}/approvals/tok`);

    // Assess
    expect(answer.status).toBe(202);
    expect(answer.headers.get('content-type')).toBe('text/plain');
    expect(answer.headers.get('x-count')).toBe('3');
    expect(answer.headers.get('set-cookie')).toBe('s=1; HttpOnly');
    expect(await answer.text()).toBe('hello');
  });

  it.each([
    [{ requestId: 'r-1' }, '{"requestId":"r-1"}'],
    ['plain words', 'plain words'],
  ])('turns the bare result %j into a 200 JSON response', async (result, body) => {
    // Prepare
    nextResult = () => result;

    // Act
    const answer = await fetch(`${api.url}/approvals/tok`);

    // Assess
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json');
    expect(await answer.text()).toBe(body);
  });

  it('answers 500 when the handler throws, logging the error but no headers or body', async () => {
    // Prepare
    nextResult = () => {
      throw new TypeError('boom');
    };
    const headers = await bearer();

    // Act
    const answer = await fetch(`${api.url}/requests`, {
      method: 'POST',
      headers,
      body: '{"justification":"secret-ish"}',
    });

    // Assess
    expect(answer.status).toBe(500);
    expect(await answer.text()).toBe('{"message":"Internal Server Error"}');
    expect(logError).toHaveBeenCalledTimes(1);
    const line = logError.mock.calls[0]?.[0] ?? '';
    expect(line).toContain('POST /requests (submit) failed: TypeError: boom');
    expect(line).not.toContain(headers.authorization.slice(7));
    expect(line).not.toContain('secret-ish');
  });

  it('answers 500 for a malformed structured result', async () => {
    // Prepare
    nextResult = () => ({ statusCode: 200, body: { not: 'a string' } });

    // Act
    const answer = await fetch(`${api.url}/approvals/tok`);

    // Assess
    expect(answer.status).toBe(500);
    expect(logError).toHaveBeenCalledWith(expect.stringContaining('body must be a string'));
  });
});

describe('startHttpApi local-only routes', () => {
  it('issues a token that the authorizer accepts', async () => {
    // Act
    const issued = await fetch(`${api.url}/local/tokens`, { method: 'POST', body: '{"email":"bob@example.com"}' });
    const { token } = (await issued.json()) as { token: string };
    const use = await fetch(`${api.url}/requests/r-1`, { headers: { authorization: `Bearer ${token}` } });

    // Assess
    expect(issued.status).toBe(200);
    expect(use.status).toBe(200);
    expect(lastEvent().requestContext.authorizer?.jwt.claims).toMatchObject({ email: 'bob@example.com' });
    expect(lastEvent().requestContext.authorizer?.jwt.claims.sub).toBeUndefined();
  });

  it.each(['', 'not json', '[]', '{}', '{"sub":7}', '{"email":""}'])(
    'refuses the token request body %j with 400',
    async (body) => {
      // Act
      const answer = await fetch(`${api.url}/local/tokens`, { method: 'POST', body });

      // Assess
      expect(answer.status).toBe(400);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('ValidationError');
    },
  );

  it('serves the outbox, filtered by requestId', async () => {
    // Prepare
    const message = {
      kind: 'approval' as const,
      approver: 'bob@example.com',
      channel: 'U0BOB',
      text: 'approve?',
      blocks: [],
      sentAt: '2025-01-01T00:00:00.000Z',
      ts: 't-1',
    };
    await appendToOutbox(join(dataDir, 'outbox.jsonl'), { ...message, requestId: 'r-1' });
    await appendToOutbox(join(dataDir, 'outbox.jsonl'), { ...message, requestId: 'r-2' });

    // Act
    const one = await fetch(`${api.url}/local/outbox?requestId=r-2`);
    const all = await fetch(`${api.url}/local/outbox`);

    // Assess
    expect(await one.json()).toEqual([{ ...message, requestId: 'r-2' }]);
    expect(((await all.json()) as unknown[]).length).toBe(2);
  });
});
