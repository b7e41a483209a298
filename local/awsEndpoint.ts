// One local endpoint for every emulated AWS service. The awsJson protocols name the operation in
// `X-Amz-Target: <Prefix>.<Operation>`, so one URL serves DynamoDB, Step Functions, Proton, SSO Admin, Identity Store
// and Organizations alike.
// Signatures are not checked: any credentials work, as the design promises.
import { randomUUID } from 'node:crypto';
import { Agent, createServer, request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { createCallCounter, type CallCounts } from './callCounter.js';
import { AwsServiceError, errorResponse, type EmulatorResponse, type ServiceEmulator } from './emulators/types.js';
import type { TimeToLiveDescription } from './dynamodb.js';
import { listen, type Listening } from './listen.js';

export interface FaultChecker {
  check(service: string, operation: string): void;
}

export interface AwsEndpointOptions {
  port: number;
  host?: string;
  /** dynalite's URL; DynamoDB requests are proxied there unchanged. */
  dynamodbEndpoint: string;
  emulators: ServiceEmulator[];
  faults: FaultChecker;
  /**
   * DescribeTimeToLive's answer by table name, for tables whose TTL dynalite cannot keep (it has none); other
   * tables' calls go to dynalite like any other.
   */
  timeToLive?: Readonly<Record<string, TimeToLiveDescription>>;
  /** Where unexpected emulator failures are reported (never with request bodies). */
  logError?: (line: string) => void;
}

export interface AwsEndpoint extends Listening {
  /** How many calls each `X-Amz-Target` (e.g. `AWSStepFunctions.SendTaskSuccess`) received: tests and benchmarks count with it. */
  callCount(target: string): number;
  /** Every target called so far with its count (a copy): benchmarks diff two of them, see callCounter.ts. */
  callCounts(): CallCounts;
}

const DYNAMODB_PREFIX = 'DynamoDB_20120810';
const DYNAMODB_CONTENT_TYPE = 'application/x-amz-json-1.0';
/** How long close() lets requests already received finish. */
const CLOSE_DRAIN_MS = 5_000;

const readBody = (req: IncomingMessage): Promise<Buffer> =>
  new Promise((resolveBody, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolveBody(Buffer.concat(chunks)));
    req.on('error', reject);
  });

const send = (res: ServerResponse, contentType: string, response: EmulatorResponse): void => {
  const body = JSON.stringify(response.body ?? {});
  const headers: Record<string, string> = {
    'content-type': contentType,
    'content-length': String(Buffer.byteLength(body)),
    'x-amzn-requestid': randomUUID(),
  };
  const type = (response.body as { __type?: unknown } | null)?.__type;
  if (response.status >= 400 && typeof type === 'string') headers['x-amzn-errortype'] = type;
  res.writeHead(response.status, headers).end(body);
};

const asErrorResponse = (error: unknown): EmulatorResponse | undefined =>
  error instanceof AwsServiceError ? errorResponse(error) : undefined;

export const startAwsEndpoint = async (options: AwsEndpointOptions): Promise<AwsEndpoint> => {
  const byPrefix = new Map(options.emulators.map((emulator) => [emulator.targetPrefix, emulator]));
  const dynamodb = new URL(options.dynamodbEndpoint);
  const logError = options.logError ?? ((line: string) => console.error(line));
  // Its own agent, so close() can drop the kept-alive sockets to dynalite and leave no open handles.
  const agent = new Agent({ keepAlive: true });
  const services = ['DynamoDB', ...options.emulators.map((emulator) => emulator.serviceName)];
  const calls = createCallCounter();

  // Byte-for-byte, headers included: dynalite answers exactly as it would to the SDK directly.
  const proxyToDynamo = (req: IncomingMessage, res: ServerResponse, body: Buffer): void => {
    const upstream = httpRequest(
      { agent, host: dynamodb.hostname, port: dynamodb.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', (error) => {
      logError(`[aws] DynamoDB proxy failed: ${error.message}`);
      send(res, DYNAMODB_CONTENT_TYPE, {
        status: 500,
        body: { __type: 'InternalFailure', message: 'local DynamoDB is unavailable' },
      });
    });
    upstream.end(body);
  };

  // Anything but a listed table's name, a malformed body included, goes on to dynalite, which validates it as AWS does.
  const timeToLiveFor = (body: Buffer): TimeToLiveDescription | undefined => {
    let tableName: unknown;
    try {
      tableName = (JSON.parse(body.toString('utf8')) as { TableName?: unknown }).TableName;
    } catch {
      return undefined;
    }
    return typeof tableName === 'string' && options.timeToLive && Object.hasOwn(options.timeToLive, tableName)
      ? options.timeToLive[tableName]
      : undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = req.headers['x-amz-target'];
    if (typeof target !== 'string' && req.method === 'GET' && (req.url === '/' || req.url === '')) {
      const health = JSON.stringify({ status: 'ok', services });
      res.writeHead(200, { 'content-type': 'application/json' }).end(health);
      return;
    }
    const body = await readBody(req);
    const [prefix = '', operation = ''] = typeof target === 'string' ? target.split('.', 2) : [];
    if (typeof target === 'string') calls.record(target);

    if (prefix === DYNAMODB_PREFIX) {
      try {
        options.faults.check('dynamodb', operation);
      } catch (error) {
        const fault = asErrorResponse(error);
        if (!fault) throw error;
        send(res, DYNAMODB_CONTENT_TYPE, fault);
        return;
      }
      const timeToLive = operation === 'DescribeTimeToLive' ? timeToLiveFor(body) : undefined;
      if (timeToLive) {
        send(res, DYNAMODB_CONTENT_TYPE, { status: 200, body: { TimeToLiveDescription: timeToLive } });
        return;
      }
      proxyToDynamo(req, res, body);
      return;
    }

    const emulator = byPrefix.get(prefix);
    const contentType = emulator?.contentType ?? 'application/x-amz-json-1.0';
    if (!emulator || operation === '') {
      const message = `No service answers X-Amz-Target ${JSON.stringify(target ?? '')}`;
      send(res, contentType, { status: 400, body: { __type: 'UnknownOperationException', message } });
      return;
    }
    let input: unknown;
    try {
      input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      send(res, contentType, {
        status: 400,
        body: { __type: 'SerializationException', message: 'Request body is not valid JSON' },
      });
      return;
    }
    let response: EmulatorResponse;
    try {
      options.faults.check(emulator.serviceName, operation);
      response = await emulator.handle(operation, input);
    } catch (error) {
      const known = asErrorResponse(error);
      if (!known) throw error;
      response = known;
    }
    send(res, contentType, response);
  };

  // Requests being answered, counted until their response is finished (a proxied one once dynalite's answer is
  // piped through), so close() can let them finish before anyone closes the database behind them.
  let active = 0;
  let drained: (() => void) | undefined;
  const server = createServer((req, res) => {
    active += 1;
    res.once('close', () => {
      active -= 1;
      if (active === 0) drained?.();
    });
    handle(req, res).catch((error: unknown) => {
      logError(
        `[aws] ${String(req.headers['x-amz-target'])} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      );
      if (!res.headersSent) {
        send(res, 'application/x-amz-json-1.0', {
          status: 500,
          body: { __type: 'InternalFailure', message: 'The local emulator failed' },
        });
      } else {
        res.destroy();
      }
    });
  });
  // SDK clients keep idle sockets open indefinitely. With Node's default 5 s keep-alive, the server closes an idle
  // socket just as a client reuses it often enough under load for a call to fail with ECONNRESET (TimeoutError).
  // AWS endpoints keep connections far longer, so this matches them better too.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  const listening = await listen(server, options.port, options.host);
  return {
    ...listening,
    callCount: (target) => calls.count(target),
    callCounts: () => calls.snapshot(),
    close: async () => {
      // No new connections; requests already received are answered first, within a bound.
      server.close();
      if (active > 0) {
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([
          new Promise<void>((resolve) => (drained = resolve)),
          new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_DRAIN_MS))),
        ]);
        clearTimeout(timer);
      }
      const closed = listening.close();
      agent.destroy();
      await closed;
    },
  };
};
