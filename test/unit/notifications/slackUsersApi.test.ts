// The users methods of the fetch-based Slack client: form-encoded with the bot token in the header, and Slack's
// `users_not_found` / `user_not_found` as SlackApiError like every other refusal, with the same retries on failures.
import { describe, expect, it } from '@jest/globals';
import { createSlackWebApi, SlackApiError } from '../../../functions/notifications/slackWebApi.js';

const TOKEN = 'xoxb-users-test';

const recording = (answers: Response[]) => {
  const requests: Array<{ url: string; init: RequestInit }> = [];
  const fetch = (async (url: string | URL | Request, init?: RequestInit) => {
    requests.push({ url: String(url), init: init ?? {} });
    const next = answers.shift();
    if (!next) throw new Error('no more answers');
    return next;
  }) as typeof globalThis.fetch;
  return { fetch, requests };
};

const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('users.lookupByEmail and users.info', () => {
  it('send form-encoded arguments, with the token only in the Authorization header', async () => {
    // Prepare
    const { fetch, requests } = recording([
      json({ ok: true, user: { id: 'U0DANA', profile: { email: 'dana@example.com' } } }),
      json({ ok: true, user: { id: 'U0DANA', profile: { email: 'dana@example.com' } } }),
    ]);
    const slack = createSlackWebApi(TOKEN, { apiUrl: 'https://slack.test/api/', fetch });
    // Act
    const found = await slack.users.lookupByEmail({ email: 'dana+ops@example.com' });
    const info = await slack.users.info({ user: 'U0DANA' });
    // Assess
    expect(found.user?.id).toBe('U0DANA');
    expect(info.user?.profile?.email).toBe('dana@example.com');
    expect(requests.map((r) => r.url)).toEqual([
      'https://slack.test/api/users.lookupByEmail',
      'https://slack.test/api/users.info',
    ]);
    expect(requests[0]?.init.headers).toEqual({
      authorization: `Bearer ${TOKEN}`,
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(requests.map((r) => r.init.body)).toEqual(['email=dana%2Bops%40example.com', 'user=U0DANA']);
    expect(requests.map((r) => String(r.init.body)).join('')).not.toContain(TOKEN);
  });

  it("turn Slack's not-found answers into SlackApiError with its code, without retrying", async () => {
    // Prepare
    const { fetch, requests } = recording([
      json({ ok: false, error: 'users_not_found' }),
      json({ ok: false, error: 'user_not_found' }),
    ]);
    const slack = createSlackWebApi(TOKEN, { apiUrl: 'https://slack.test/api', fetch });
    // Act
    const byEmail = await slack.users.lookupByEmail({ email: 'grace@example.com' }).catch((e: unknown) => e);
    const byId = await slack.users.info({ user: 'U0NOBODY' }).catch((e: unknown) => e);
    // Assess
    expect(byEmail).toBeInstanceOf(SlackApiError);
    expect(byEmail).toMatchObject({ method: 'users.lookupByEmail', error: 'users_not_found' });
    expect(byId).toMatchObject({ method: 'users.info', error: 'user_not_found' });
    expect(requests).toHaveLength(2);
  });

  it('retry a server error as the chat methods do', async () => {
    // Prepare
    const { fetch, requests } = recording([json({}, 503), json({ ok: true, user: { id: 'U0DANA' } })]);
    const slack = createSlackWebApi(TOKEN, { apiUrl: 'https://slack.test/api', fetch, sleep: async () => undefined });
    // Act
    const found = await slack.users.lookupByEmail({ email: 'dana@example.com' });
    // Assess
    expect(found.user?.id).toBe('U0DANA');
    expect(requests).toHaveLength(2);
  });
});
