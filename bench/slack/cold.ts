// A cold `/access` command: a fresh Node process that signs one slash command (Slack's request arrives signed, so that
// is not the handler's time), imports the slackCommands handler and invokes it once, against the running stack's
// environment and the bench's fake Slack. It reports when it started importing (epoch ms), so the bench can time
// "import to views.open received" from the fake Slack's record of the call. The module cache and every per-container
// cache start empty, as in a new Lambda sandbox.
import { RESULT_PREFIX } from '../lib/freshNode.js';

export interface ColdCommandSample {
  /** Epoch ms (sub-millisecond) at which the import began. */
  startedAtMs: number;
  importMs: number;
  invokeMs: number;
  totalMs: number;
  statusCode: number;
  body: string;
}

// The event is API Gateway's payload 2.0, as the HTTP API delivers it. The exit is explicit: keep-alive sockets would
// otherwise hold a throwaway process open.
export const COLD_COMMAND_SCRIPT = `
import { createHmac, randomUUID } from 'node:crypto';
const env = process.env;
const rawBody = env.BENCH_COMMAND_BODY;
const timestamp = Math.floor(Date.now() / 1000);
const signature = 'v0=' + createHmac('sha256', env.SLACK_SIGNING_SECRET).update('v0:' + timestamp + ':' + rawBody).digest('hex');
const t0 = performance.now();
const startedAtMs = performance.timeOrigin + t0;
const module = await import(env.BENCH_HANDLER_URL);
const t1 = performance.now();
const nowDate = new Date();
const event = {
  version: '2.0', routeKey: 'POST /slack/commands', rawPath: '/slack/commands', rawQueryString: '',
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature, host: 'local', 'user-agent': 'Slackbot 1.0' },
  requestContext: { accountId: '000000000000', apiId: 'local', domainName: 'local', domainPrefix: 'local',
    http: { method: 'POST', path: '/slack/commands', protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'Slackbot 1.0' },
    requestId: randomUUID(), routeKey: 'POST /slack/commands', stage: '$default', time: nowDate.toISOString(), timeEpoch: nowDate.getTime() },
  body: rawBody, isBase64Encoded: false,
};
const context = { callbackWaitsForEmptyEventLoop: true, functionName: 'slackCommands', functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:slackCommands', memoryLimitInMB: '256', awsRequestId: randomUUID(),
  logGroupName: '/aws/lambda/slackCommands', logStreamName: 'bench', getRemainingTimeInMillis: () => 10000 };
const result = await module.handler(event, context);
const t2 = performance.now();
process.stdout.write('\\n${RESULT_PREFIX}' + JSON.stringify({ startedAtMs, importMs: t1 - t0, invokeMs: t2 - t1, totalMs: t2 - t0, statusCode: result?.statusCode ?? 0, body: String(result?.body ?? '').slice(0, 300) }) + '\\n');
process.exit(0);
`;
