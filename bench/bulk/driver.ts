// Driving the stack as its users would: submit over HTTP, pick approval links out of the local outbox, decide.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { APPROVER } from './workload.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Runs `work` over `items` with at most `limit` in flight. */
export const pool = async <T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T, index: number) => Promise<R>,
): Promise<R[]> => {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const runner = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  return results;
};

export const postJson = async (
  url: string,
  body: unknown,
  token?: string,
): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // left as text for the error message
  }
  return { status: response.status, body: parsed };
};

export const tokenFor = async (httpUrl: string, email: string): Promise<string> => {
  const { status, body } = await postJson(`${httpUrl}/local/tokens`, { sub: email.split('@')[0], email });
  if (status !== 200 || !isRecord(body) || typeof body.token !== 'string')
    throw new Error(`POST /local/tokens: HTTP ${status}`);
  return body.token;
};

/**
 * The approver's link for each request, read from the local outbox (the stack's stand-in for Slack). The file
 * only grows, so each look reads just what was appended since the last.
 */
export const watchApprovalLinks = (dataDir: string) => {
  const file = join(dataDir, 'outbox.jsonl');
  const links = new Map<string, string>();
  const waiters = new Map<string, () => void>();
  let offset = 0;
  let partial = '';
  const read = (): void => {
    let chunk: Buffer;
    try {
      const fd = openSync(file, 'r');
      try {
        const size = fstatSync(fd).size;
        chunk = Buffer.alloc(size - offset);
        readSync(fd, chunk, 0, chunk.length, offset);
        offset = size;
      } finally {
        closeSync(fd);
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const lines = (partial + chunk.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) {
      if (line.trim() === '') continue;
      const message = JSON.parse(line) as { requestId: string; kind: string; approver: string; approvalUrl?: string };
      if (message.kind !== 'approval' || message.approver !== APPROVER || !message.approvalUrl) continue;
      links.set(message.requestId, new URL(message.approvalUrl).pathname);
      waiters.get(message.requestId)?.();
    }
  };
  const timer = setInterval(read, 100);
  return {
    get: (requestId: string): string => {
      const link = links.get(requestId);
      if (!link) throw new Error(`no approval link for ${requestId}`);
      return link;
    },
    waitFor: (requestId: string, timeoutMs: number): Promise<void> =>
      links.has(requestId)
        ? Promise.resolve()
        : new Promise<void>((resolve, reject) => {
            const timeout = setTimeout(
              () => reject(new Error(`no approval link for ${requestId} within ${timeoutMs} ms`)),
              timeoutMs,
            );
            waiters.set(requestId, () => {
              clearTimeout(timeout);
              waiters.delete(requestId);
              resolve();
            });
          }),
    stop: (): void => clearInterval(timer),
  };
};
