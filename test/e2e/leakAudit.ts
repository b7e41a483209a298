// Secrets must never leave the system: no task token and no signing secret may appear in any HTTP response,
// outbox message or log line. The e2e harness records all three for a whole test file and audits them when
// the file's stack closes.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { readOutbox } from '../../functions/notifications/outbox.js';

const seen: string[] = [];
let capturing = false;

// Powertools writes structured JSON lines straight to stdout: keep them for the audit, but out of jest's report.
const isStructuredLog = (text: string): boolean => text.startsWith('{"level"') || text.startsWith('{"cold_start"');

const wrapStream = (stream: NodeJS.WriteStream): void => {
  const original = stream.write.bind(stream) as (chunk: unknown, ...rest: unknown[]) => boolean;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    const text = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : String(chunk);
    seen.push(text);
    return isStructuredLog(text) ? true : original(chunk, ...rest);
  }) as typeof stream.write;
};

/** Starts recording every log line this process writes (once per test file); logs at INFO so there is something to audit. */
export const captureLogs = (): void => {
  if (capturing) return;
  capturing = true;
  process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
  wrapStream(process.stdout);
  wrapStream(process.stderr);
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    const original = console[method].bind(console);
    console[method] = (...args: unknown[]) => {
      seen.push(args.map(String).join(' '));
      original(...args);
    };
  }
};

export const recordResponse = (text: string): void => {
  seen.push(text);
};

/** Throws naming the kind of secret and where it surfaced, without printing the secret itself. */
export const assertNoSecretsLeaked = async (stack: {
  dataDir: string;
  tableName: string;
  awsUrl: string;
}): Promise<void> => {
  const secrets = JSON.parse(readFileSync(join(stack.dataDir, 'secrets.json'), 'utf8')) as Record<string, string>;
  const db = new DynamoDBClient({
    region: 'us-east-1',
    endpoint: stack.awsUrl,
    credentials: { accessKeyId: 'audit', secretAccessKey: 'audit' },
  });
  // Test code may scan: this reads every stored task token to look for it elsewhere.
  const { Items = [] } = await db.send(
    new ScanCommand({
      TableName: stack.tableName,
      FilterExpression: 'sk = :sk',
      ExpressionAttributeValues: { ':sk': { S: 'TASK_TOKEN' } },
    }),
  );
  db.destroy();
  const needles = [
    ...Object.entries(secrets).map(([name, value]) => ({ name, value })),
    ...Items.map((item) => ({ name: 'a task token', value: item.taskToken?.S ?? '' })),
  ].filter((n) => n.value.length >= 16);
  const outbox = (await readOutbox(join(stack.dataDir, 'outbox.jsonl'))).map((m) => JSON.stringify(m));
  const haystacks = [
    ...seen.map((text) => ({ where: 'a response or log line', text })),
    ...outbox.map((text) => ({ where: 'an outbox message', text })),
  ];
  for (const { name, value } of needles) {
    const hit = haystacks.find((h) => h.text.includes(value));
    if (hit) throw new Error(`${name} leaked into ${hit.where}`);
  }
};
