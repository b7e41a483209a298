// A cold Slack request to one handler: a fresh Node process (runFreshNode) signs the request as Slack would (Slack's
// request arrives signed, so that is not the handler's time), imports the handler and invokes it once with API
// Gateway's payload 2.0 event. It prints when the import began (epoch ms) and the import, invoke and total times. The
// exit is explicit: keep-alive sockets would otherwise hold a throwaway process open. Used by the latency scenario's
// cold click and the slack scenario's cold `/access`.
import { RESULT_PREFIX } from './freshNode.js';

export interface ColdSlackScriptOptions {
  /** The route, e.g. `/slack/commands`; the method is POST, as for every Slack request. */
  path: string;
  /** The function's name in serverless.yml, for the Lambda context. */
  functionName: string;
  /** A JavaScript expression for the signed form body, read from the child's environment (`env`). */
  rawBodyExpression: string;
}

export const coldSlackScript = ({ path, functionName, rawBodyExpression }: ColdSlackScriptOptions): string => `
import { createHmac, randomUUID } from 'node:crypto';
const env = process.env;
const rawBody = ${rawBodyExpression};
const timestamp = Math.floor(Date.now() / 1000);
const signature = 'v0=' + createHmac('sha256', env.SLACK_SIGNING_SECRET).update('v0:' + timestamp + ':' + rawBody).digest('hex');
const t0 = performance.now();
const startedAtMs = performance.timeOrigin + t0;
const module = await import(env.BENCH_HANDLER_URL);
const t1 = performance.now();
const nowDate = new Date();
const event = {
  version: '2.0', routeKey: 'POST ${path}', rawPath: '${path}', rawQueryString: '',
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature, host: 'local', 'user-agent': 'Slackbot 1.0' },
  requestContext: { accountId: '000000000000', apiId: 'local', domainName: 'local', domainPrefix: 'local',
    http: { method: 'POST', path: '${path}', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Slackbot 1.0' },
    requestId: randomUUID(), routeKey: 'POST ${path}', stage: '$default', time: nowDate.toISOString(), timeEpoch: nowDate.getTime() },
  body: rawBody, isBase64Encoded: false,
};
const context = { callbackWaitsForEmptyEventLoop: true, functionName: '${functionName}', functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:${functionName}', memoryLimitInMB: '256', awsRequestId: randomUUID(),
  logGroupName: '/aws/lambda/${functionName}', logStreamName: 'bench', getRemainingTimeInMillis: () => 10000 };
const result = await module.handler(event, context);
const t2 = performance.now();
process.stdout.write('\\n${RESULT_PREFIX}' + JSON.stringify({ startedAtMs, importMs: t1 - t0, invokeMs: t2 - t1, totalMs: t2 - t0, sinceStartMs: t2, statusCode: result?.statusCode ?? 0, body: String(result?.body ?? '').slice(0, 300) }) + '\\n');
process.exit(0);
`;
