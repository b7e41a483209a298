// A cold catalog function: a fresh Node process that imports the handler and serves one GET /catalog, timed, against
// the running stack's emulated AWS. Its module cache and its directory caches start empty, as in a new Lambda
// sandbox, so the first invocation pays for every directory listing it makes.
import { loadServerlessConfig } from '../../local/serverlessConfig.js';
import { literalEnvironment } from '../../local/lambdaRuntime.js';
import { baseEnvironment, RESULT_PREFIX } from '../lib/freshNode.js';

export interface ColdSample {
  importMs: number;
  invokeMs: number;
  totalMs: number;
  /** From process start (performance.timeOrigin) to the answer: Node's own boot and, for tsx, its hooks included. */
  sinceStartMs: number;
  statusCode: number;
  bytes: number;
  body?: string;
}

// The event is API Gateway's payload 2.0 with the JWT authorizer's claims, as the HTTP API delivers it. The exit is
// explicit: SDK keep-alive sockets would otherwise hold a throwaway process open.
export const COLD_SCRIPT = `
import { randomUUID } from 'node:crypto';
const env = process.env;
const t0 = performance.now();
const module = await import(env.BENCH_HANDLER_URL);
const t1 = performance.now();
const nowDate = new Date();
const event = {
  version: '2.0', routeKey: 'GET /catalog', rawPath: '/catalog', rawQueryString: '',
  headers: { host: 'local', 'user-agent': 'bench', accept: 'application/json' },
  requestContext: { accountId: '000000000000', apiId: 'local', domainName: 'local', domainPrefix: 'local',
    http: { method: 'GET', path: '/catalog', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
    requestId: randomUUID(), routeKey: 'GET /catalog', stage: '$default', time: nowDate.toISOString(), timeEpoch: nowDate.getTime(),
    authorizer: { jwt: { claims: JSON.parse(env.BENCH_CLAIMS), scopes: null } } },
  isBase64Encoded: false,
};
const context = { callbackWaitsForEmptyEventLoop: true, functionName: 'catalog', functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:catalog', memoryLimitInMB: '256', awsRequestId: randomUUID(),
  logGroupName: '/aws/lambda/catalog', logStreamName: 'bench', getRemainingTimeInMillis: () => 10000 };
const result = await module.handler(event, context);
const t2 = performance.now();
const body = String(result?.body ?? '');
process.stdout.write('\\n${RESULT_PREFIX}' + JSON.stringify({ importMs: t1 - t0, invokeMs: t2 - t1, totalMs: t2 - t0, sinceStartMs: t2, statusCode: result?.statusCode ?? 0, bytes: Buffer.byteLength(body), ...(result?.statusCode === 200 ? {} : { body: body.slice(0, 300) }) }) + '\\n');
process.exit(0);
`;

/** Set by the local stack for its handlers; a cold process needs each of them. */
const STACK_VARIABLES = [
  'AWS_ENDPOINT_URL',
  'AWS_REGION',
  'TABLE_NAME',
  'STATE_MACHINE_ARN',
  'POLICY_FILE',
  'OUTBOX_FILE',
  'SLACK_SIGNING_SECRET',
  'LINK_SIGNING_SECRET',
  'PUBLIC_BASE_URL',
  'POWERTOOLS_SERVICE_NAME',
  'POWERTOOLS_LOG_LEVEL',
];
/** Set only in some configurations (the directory discovers them with ListInstances when unset). */
const OPTIONAL_VARIABLES = ['SSO_INSTANCE_ARN', 'IDENTITY_STORE_ID'];

/** The handler's environment in the cold process: what the stack gave the in-process handlers, and nothing else. */
export const coldEnvironment = (extra: Record<string, string>): Record<string, string> => {
  const env: Record<string, string> = { ...baseEnvironment(), ...literalEnvironment(loadServerlessConfig()) };
  for (const name of STACK_VARIABLES) {
    const value = process.env[name];
    if (value === undefined) throw new Error(`${name} is not set: the stack sets it before handlers run`);
    env[name] = value;
  }
  for (const name of OPTIONAL_VARIABLES) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return { ...env, AWS_ACCESS_KEY_ID: 'bench', AWS_SECRET_ACCESS_KEY: 'bench', ...extra };
};
