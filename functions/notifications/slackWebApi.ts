// The Slack Web API methods this service calls (chat.postMessage, chat.update, chat.postEphemeral, and to map
// people without a listed Slack id: users.lookupByEmail, users.info), over Node's fetch. It replaces @slack/web-api, whose axios and form-data made up about 270 KB of every bundle that
// notifies, for three JSON POSTs. Failures keep that client's meaning:
// - Slack answers API errors with HTTP 200 and `{ ok: false, error }`: SlackApiError with that `error`, never retried.
// - 429 with Retry-After: wait that long, then try again, as a retry.
// - Any other status, or no response at all: retried with backoff (1 s, then 2 s), then SlackHttpError or the
//   network error.
// The bot token only ever goes in the Authorization header; it is never part of an error or a log line.

export const SLACK_API_URL = 'https://slack.com/api/';
/** Retries after the first attempt, as the old client's `retryConfig: { retries: 2 }`. */
export const SLACK_RETRIES = 2;
/**
 * The longest Retry-After we wait out. A function has 10 s in all; a longer wait cannot end in a delivery, so the
 * call fails at once with SlackRateLimitedError and the caller's error handling takes it from there.
 */
export const MAX_RETRY_AFTER_SECONDS = 3;
const BACKOFF_MS = [1000, 2000];

export interface PostMessageArgs {
  channel: string;
  text: string;
  blocks?: readonly unknown[];
  unfurl_links?: boolean;
  unfurl_media?: boolean;
  /** Posts the message as a reply in the thread of this `ts` (chat.postMessage's `thread_ts`). */
  thread_ts?: string;
}

export interface UpdateArgs {
  channel: string;
  ts: string;
  text: string;
  blocks?: readonly unknown[];
}

export interface PostEphemeralArgs {
  channel: string;
  user: string;
  text: string;
}

/** What Slack answers; `ok` is true once a call returns (ok:false becomes SlackApiError). */
export interface SlackResponse {
  ok: boolean;
  error?: string;
  channel?: string;
  ts?: string;
  message_ts?: string;
  [key: string]: unknown;
}

/** The part of a Slack user object this code reads (users.info, users.lookupByEmail). */
export interface SlackUser {
  id: string;
  deleted?: boolean;
  is_bot?: boolean;
  /** Present only with the users:read.email scope. */
  profile?: { email?: string };
}

/**
 * The users methods: both need the bot scope users:read, and users:read.email for the email (Slack's method
 * references). Slack answers an unknown email with `users_not_found` and an unknown user id with `user_not_found`,
 * as SlackApiError like any other refusal.
 */
export interface SlackUsersApi {
  users: {
    lookupByEmail(args: { email: string }): Promise<SlackResponse & { user?: SlackUser }>;
    info(args: { user: string }): Promise<SlackResponse & { user?: SlackUser }>;
  };
}

/** The part of the Slack Web API this code uses, so tests can pass a fake. */
export interface SlackApi {
  chat: {
    postMessage(args: PostMessageArgs): Promise<SlackResponse>;
    update(args: UpdateArgs): Promise<SlackResponse>;
    postEphemeral(args: PostEphemeralArgs): Promise<SlackResponse>;
  };
}

/** What createSlackWebApi returns: the chat methods and the users methods. */
export type SlackWebApi = SlackApi & SlackUsersApi;

/** Every failure of a call names the method and carries the old client's error code. */
abstract class SlackCallError extends Error {
  abstract readonly code: string;
  constructor(
    readonly method: string,
    message: string,
  ) {
    super(message);
  }
}

/** Slack refused the call: HTTP 200 with `ok: false`. `error` is Slack's code, e.g. `channel_not_found`. */
export class SlackApiError extends SlackCallError {
  override readonly name = 'SlackApiError';
  readonly code = 'slack_webapi_platform_error';
  constructor(
    method: string,
    readonly error: string,
    readonly data: SlackResponse,
  ) {
    super(method, `An API error occurred: ${error}`);
  }
}

/** Slack answered with a status other than 200 (and 429 handled as below) on the last attempt. */
export class SlackHttpError extends SlackCallError {
  override readonly name = 'SlackHttpError';
  readonly code = 'slack_webapi_http_error';
  constructor(
    method: string,
    readonly statusCode: number,
  ) {
    super(method, `An HTTP protocol error occurred: statusCode = ${statusCode}`);
  }
}

/** 429 with a Retry-After we will not wait out, or without a usable one. */
export class SlackRateLimitedError extends SlackCallError {
  override readonly name = 'SlackRateLimitedError';
  readonly code = 'slack_webapi_rate_limited_error';
  constructor(
    method: string,
    readonly retryAfterSeconds: number | undefined,
  ) {
    super(method, `A rate limit was exceeded (method: ${method}, retry-after: ${retryAfterSeconds ?? 'missing'})`);
  }
}

export interface SlackWebApiOptions {
  /** Another Web API base URL (the local stack's and the tests' fake Slack). */
  apiUrl?: string;
  retries?: number;
  /** Injected so tests need not wait out backoff and Retry-After. */
  sleep?: (ms: number) => Promise<void>;
  fetch?: typeof fetch;
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A failure worth another attempt, after `waitMs`. */
class Retryable extends Error {
  constructor(
    readonly failure: Error,
    readonly waitMs: number,
  ) {
    super(failure.message);
  }
}

/**
 * How a method's arguments travel. The chat methods take JSON; users.info and users.lookupByEmail are read methods
 * whose references list form encoding first, and form encoding is what every Web API method accepts.
 */
type Encoding = 'json' | 'form';

const encode = (args: object, encoding: Encoding): { contentType: string; body: string } =>
  encoding === 'json'
    ? { contentType: 'application/json; charset=utf-8', body: JSON.stringify(args) }
    : {
        contentType: 'application/x-www-form-urlencoded',
        body: new URLSearchParams(
          Object.entries(args).map(([key, value]): [string, string] => [key, String(value)]),
        ).toString(),
      };

export const createSlackWebApi = (token: string, options: SlackWebApiOptions = {}): SlackWebApi => {
  // Like axios's baseURL joining in the old client: one slash between the base and the method, however written.
  const base = (options.apiUrl ?? SLACK_API_URL).replace(/\/+$/, '');
  const retries = options.retries ?? SLACK_RETRIES;
  const sleep = options.sleep ?? realSleep;
  const doFetch = options.fetch ?? fetch;

  const attempt = async (
    method: string,
    args: object,
    attemptIndex: number,
    encoding: Encoding,
  ): Promise<SlackResponse> => {
    const backoff = BACKOFF_MS[Math.min(attemptIndex, BACKOFF_MS.length - 1)] ?? 0;
    const { contentType, body } = encode(args, encoding);
    let response: Response;
    try {
      response = await doFetch(`${base}/${method}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': contentType },
        body,
      });
    } catch (error) {
      throw new Retryable(error as Error, backoff);
    }
    if (response.status === 429) {
      await response.body?.cancel();
      const header = response.headers.get('retry-after');
      const retryAfter = header === null ? Number.NaN : Number.parseInt(header, 10);
      if (Number.isNaN(retryAfter) || retryAfter > MAX_RETRY_AFTER_SECONDS)
        throw new SlackRateLimitedError(method, Number.isNaN(retryAfter) ? undefined : retryAfter);
      throw new Retryable(new SlackRateLimitedError(method, retryAfter), retryAfter * 1000);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Retryable(new SlackHttpError(method, response.status), backoff);
    }
    const result = (await response.json()) as SlackResponse;
    if (result.ok !== true)
      throw new SlackApiError(method, typeof result.error === 'string' ? result.error : 'unknown_error', result);
    return result;
  };

  const call = async (method: string, args: object, encoding: Encoding = 'json'): Promise<SlackResponse> => {
    for (let attemptIndex = 0; ; attemptIndex += 1) {
      try {
        return await attempt(method, args, attemptIndex, encoding);
      } catch (error) {
        if (!(error instanceof Retryable)) throw error;
        if (attemptIndex >= retries) throw error.failure;
        await sleep(error.waitMs);
      }
    }
  };

  return {
    chat: {
      postMessage: (args) => call('chat.postMessage', args),
      update: (args) => call('chat.update', args),
      postEphemeral: (args) => call('chat.postEphemeral', args),
    },
    users: {
      lookupByEmail: (args) => call('users.lookupByEmail', args, 'form'),
      info: (args) => call('users.info', args, 'form'),
    },
  };
};
