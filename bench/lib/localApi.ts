// Driving the local stack over HTTP as its users do: tokens from /local/tokens, requests, approval links from the
// local outbox, and Slack clicks signed with Slack's documented recipe (independently of the code under test).
import { createHmac } from 'node:crypto';
import { sleep } from './timing.js';

export interface CallResult {
  status: number;
  body: unknown;
  text: string;
}

export interface CallOptions {
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

export interface OutboxMessage {
  approver: string;
  kind: string;
  approvalUrl?: string;
  text: string;
}

export interface LocalApi {
  call(method: string, path: string, options?: CallOptions): Promise<CallResult>;
  token(email: string): Promise<string>;
  outbox(requestId: string): Promise<OutboxMessage[]>;
  /** The approval link path (`/approvals/<token>`) sent to `approver`, once notify has sent it. */
  waitForLink(requestId: string, approver: string, timeoutMs?: number): Promise<string>;
  /** The request as GET /requests/{id} shows it, once its status is one of `statuses`. */
  waitForStatus(
    requestId: string,
    token: string,
    statuses: readonly string[],
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  /** Waits until the request's events include `type` (`notified` is written once the task token is stored). */
  waitForEvent(requestId: string, token: string, type: string, timeoutMs?: number): Promise<void>;
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Polls `probe` until it returns a value; 20 ms apart, so a wait costs the stack little CPU. */
export const poll = async <T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
};

export const createLocalApi = (httpUrl: string): LocalApi => {
  const call: LocalApi['call'] = async (method, path, { token, body, rawBody, headers = {} } = {}) => {
    const response = await fetch(`${httpUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...headers,
      },
      body: rawBody ?? (body !== undefined ? JSON.stringify(body) : undefined),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // Empty acks and HTML pages stay text.
    }
    return { status: response.status, body: parsed, text };
  };

  const outbox: LocalApi['outbox'] = async (requestId) => {
    const { status, body } = await call('GET', `/local/outbox?requestId=${encodeURIComponent(requestId)}`);
    if (status !== 200 || !Array.isArray(body)) throw new Error(`GET /local/outbox: HTTP ${status}`);
    return body as OutboxMessage[];
  };

  const getRequest = async (requestId: string, token: string): Promise<Record<string, unknown> | undefined> => {
    const { status, body } = await call('GET', `/requests/${encodeURIComponent(requestId)}`, { token });
    return status === 200 && isRecord(body) ? body : undefined;
  };

  return {
    call,
    outbox,
    token: async (email) => {
      const { status, body } = await call('POST', '/local/tokens', { body: { sub: email.split('@')[0], email } });
      if (status !== 200 || !isRecord(body) || typeof body.token !== 'string')
        throw new Error(`POST /local/tokens: HTTP ${status}`);
      return body.token;
    },
    waitForLink: (requestId, approver, timeoutMs) =>
      poll(
        `the approval link for ${approver} on ${requestId}`,
        async () => {
          const link = (await outbox(requestId)).find(
            (m) => m.kind === 'approval' && m.approver === approver && m.approvalUrl,
          );
          return link?.approvalUrl ? new URL(link.approvalUrl).pathname : undefined;
        },
        timeoutMs,
      ),
    waitForStatus: (requestId, token, statuses, timeoutMs) =>
      poll(
        `${requestId} to reach ${statuses.join('/')}`,
        async () => {
          const request = await getRequest(requestId, token);
          return request && statuses.includes(String(request.status)) ? request : undefined;
        },
        timeoutMs,
      ),
    waitForEvent: async (requestId, token, type, timeoutMs) => {
      await poll(
        `a ${type} event on ${requestId}`,
        async () => {
          const events = (await getRequest(requestId, token))?.events;
          return Array.isArray(events) && events.some((e) => isRecord(e) && e.type === type) ? true : undefined;
        },
        timeoutMs,
      );
    },
  };
};

/** A block_actions payload as Slack sends it for a button in the bot's DM. */
export const slackClickPayload = (
  slackUserId: string,
  actionId: 'approve' | 'deny',
  requestId: string,
): Record<string, unknown> => ({
  type: 'block_actions',
  api_app_id: 'A0LOCAL',
  team: { id: 'T0LOCAL', domain: 'local' },
  user: { id: slackUserId, username: slackUserId.toLowerCase(), team_id: 'T0LOCAL' },
  container: { type: 'message', message_ts: '1700000000.000001', channel_id: slackUserId, is_ephemeral: false },
  channel: { id: slackUserId, name: 'directmessage' },
  response_url: 'https://hooks.slack.com/actions/T0LOCAL/1/not-used',
  trigger_id: '1.2.3',
  actions: [
    { type: 'button', block_id: 'decision', action_id: actionId, value: requestId, action_ts: '1700000000.000002' },
  ],
});

/** The form body Slack posts, and the headers that sign it: `v0=HMAC-SHA256(secret, "v0:<ts>:<body>")`. */
export const signedSlackRequest = (
  payload: unknown,
  secret: string,
  timestamp = Math.floor(Date.now() / 1000),
): { rawBody: string; headers: Record<string, string> } => {
  const rawBody = `payload=${encodeURIComponent(JSON.stringify(payload))}`;
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
  return {
    rawBody,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    },
  };
};
