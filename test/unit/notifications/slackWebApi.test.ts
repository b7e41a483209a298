// The fetch-based Slack Web API client: the request Slack gets (against the fake Slack over real HTTP), and what
// each kind of failure becomes: ok:false, 429 with Retry-After, other statuses and network errors.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  createSlackWebApi,
  MAX_RETRY_AFTER_SECONDS,
  SlackApiError,
  SlackHttpError,
  SlackRateLimitedError,
  type SlackWebApiOptions,
} from '../../../functions/notifications/slackWebApi.js';
import { startFakeSlack, type FakeSlack } from '../../fixtures/fakeSlack.js';

const TOKEN = 'xoxb-unit-test';

let fake: FakeSlack;

beforeAll(async () => {
  fake = await startFakeSlack({ token: TOKEN });
});

afterAll(async () => {
  await fake.close();
});

/** A fetch that answers from a script, one entry per call, recording each call and every sleep asked for. */
const scripted = (answers: Array<Response | Error>) => {
  const urls: string[] = [];
  const sleeps: number[] = [];
  const options: SlackWebApiOptions = {
    apiUrl: 'https://slack.test/api',
    fetch: (async (url: string | URL | Request) => {
      urls.push(String(url));
      const next = answers.shift();
      if (!next) throw new Error('no more scripted answers');
      if (next instanceof Error) throw next;
      return next;
    }) as typeof fetch,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
  };
  return { options, urls, sleeps };
};

const okJson = (body: Record<string, unknown>): Response =>
  new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

describe('createSlackWebApi against the fake Slack', () => {
  it('posts JSON with the bot token and returns where the message went', async () => {
    // Prepare
    const slack = createSlackWebApi(TOKEN, { apiUrl: fake.url });
    const blocks = [{ type: 'section', text: { type: 'mrkdwn', text: 'hi' } }];
    // Act
    const posted = await slack.chat.postMessage({
      channel: 'U0BOB',
      text: 'hi',
      blocks,
      unfurl_links: false,
      unfurl_media: false,
    });
    // Assess
    expect(posted).toMatchObject({ ok: true, channel: 'U0BOB', ts: expect.any(String) });
    const [call] = fake.callsTo('chat.postMessage').slice(-1);
    expect(call).toMatchObject({
      token: TOKEN,
      args: { channel: 'U0BOB', text: 'hi', blocks, unfurl_links: false, unfurl_media: false },
    });
  });

  it('updates and posts ephemeral messages by the same methods Slack names', async () => {
    // Prepare
    const slack = createSlackWebApi(TOKEN, { apiUrl: fake.url.replace(/\/$/, '') });
    // Act
    await slack.chat.update({ channel: 'D0BOB', ts: '1.000001', text: 'decided' });
    await slack.chat.postEphemeral({ channel: 'D0BOB', user: 'U0BOB', text: 'not recorded' });
    // Assess
    expect(fake.callsTo('chat.update').slice(-1)[0]?.args).toEqual({
      channel: 'D0BOB',
      ts: '1.000001',
      text: 'decided',
    });
    expect(fake.callsTo('chat.postEphemeral').slice(-1)[0]?.args).toEqual({
      channel: 'D0BOB',
      user: 'U0BOB',
      text: 'not recorded',
    });
  });

  it("turns ok:false into SlackApiError with Slack's error code, without retrying", async () => {
    // Prepare
    const slack = createSlackWebApi('xoxb-wrong', { apiUrl: fake.url });
    const before = fake.calls.length;
    // Act
    const error = await slack.chat.postMessage({ channel: 'U0BOB', text: 'hi' }).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(SlackApiError);
    expect(error).toMatchObject({
      name: 'SlackApiError',
      error: 'invalid_auth',
      method: 'chat.postMessage',
      message: 'An API error occurred: invalid_auth',
    });
    expect(fake.calls.length - before).toBe(1);
    expect(String((error as Error).message) + JSON.stringify(error)).not.toContain('xoxb-wrong');
  });
});

describe('createSlackWebApi retries', () => {
  it('waits out a short Retry-After on 429, then succeeds', async () => {
    // Prepare
    const { options, urls, sleeps } = scripted([
      new Response('', { status: 429, headers: { 'retry-after': '2' } }),
      okJson({ ok: true, channel: 'C1', ts: '1.2' }),
    ]);
    // Act
    const posted = await createSlackWebApi(TOKEN, options).chat.postMessage({ channel: 'C1', text: 'x' });
    // Assess
    expect(posted.ts).toBe('1.2');
    expect(sleeps).toEqual([2000]);
    expect(urls).toEqual(['https://slack.test/api/chat.postMessage', 'https://slack.test/api/chat.postMessage']);
  });

  it('fails at once with SlackRateLimitedError when Retry-After is longer than a function can wait, or missing', async () => {
    // Prepare
    const long = scripted([
      new Response('', { status: 429, headers: { 'retry-after': String(MAX_RETRY_AFTER_SECONDS + 1) } }),
    ]);
    const missing = scripted([new Response('', { status: 429 })]);
    // Act
    const longError = await createSlackWebApi(TOKEN, long.options)
      .chat.update({ channel: 'C1', ts: '1', text: 'x' })
      .catch((e: unknown) => e);
    const missingError = await createSlackWebApi(TOKEN, missing.options)
      .chat.update({ channel: 'C1', ts: '1', text: 'x' })
      .catch((e: unknown) => e);
    // Assess
    expect(longError).toBeInstanceOf(SlackRateLimitedError);
    expect(longError).toMatchObject({ retryAfterSeconds: MAX_RETRY_AFTER_SECONDS + 1 });
    expect(missingError).toMatchObject({ name: 'SlackRateLimitedError', retryAfterSeconds: undefined });
    expect([long.sleeps, missing.sleeps]).toEqual([[], []]);
  });

  it('retries other statuses and network errors twice with backoff, then gives the last failure', async () => {
    // Prepare
    const { options, urls, sleeps } = scripted([
      new Response('', { status: 503 }),
      new TypeError('fetch failed'),
      new Response('', { status: 500 }),
    ]);
    // Act
    const error = await createSlackWebApi(TOKEN, options)
      .chat.postEphemeral({ channel: 'C1', user: 'U1', text: 'x' })
      .catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(SlackHttpError);
    expect(error).toMatchObject({ statusCode: 500, method: 'chat.postEphemeral' });
    expect(urls).toHaveLength(3);
    expect(sleeps).toEqual([1000, 2000]);
  });

  it('recovers when a retry succeeds', async () => {
    // Prepare
    const { options, sleeps } = scripted([
      new TypeError('fetch failed'),
      okJson({ ok: true, channel: 'C1', ts: '9.9' }),
    ]);
    // Act
    const posted = await createSlackWebApi(TOKEN, options).chat.postMessage({ channel: 'C1', text: 'x' });
    // Assess
    expect(posted).toMatchObject({ ok: true, ts: '9.9' });
    expect(sleeps).toEqual([1000]);
  });
});
