// Slack identity for people policy does not list with a Slack id (approvers expanded from a group): the real Slack
// Web API client against the fake Slack over HTTP. users.lookupByEmail finds where to DM an approver, users.info maps
// a click back to a person; both are cached per warm function, and neither overrides what policy lists.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { createSlackWebApi } from '../../../functions/notifications/slackWebApi.js';
import type { Clock } from '../../../functions/shared/clock.js';
import {
  createSlackIdentity,
  FOUND_TTL_MS,
  NOT_FOUND_TTL_MS,
  type SlackIdentityDeps,
} from '../../../functions/slack/identity.js';
import { startFakeSlack, type FakeSlack } from '../../fixtures/fakeSlack.js';

const TOKEN = 'xoxb-identity-test';

let fake: FakeSlack;

beforeAll(async () => {
  fake = await startFakeSlack({ token: TOKEN });
  fake.addUser({ id: 'U0DANA', email: 'dana@example.com', realName: 'Dana Scully' });
  fake.addUser({ id: 'U0GONE', email: 'gone@example.com', deleted: true });
  fake.addUser({ id: 'U0IMPOSTOR', email: 'bob@example.com' });
});

afterAll(async () => {
  await fake.close();
});

/** A clock the test moves by hand. */
const manualClock = (): Clock & { advance(ms: number): void } => {
  let now = Date.parse('2026-12-03T12:00:00.000Z');
  return { now: () => new Date(now), advance: (ms) => (now += ms) };
};

const identityWith = (overrides: Partial<SlackIdentityDeps> = {}) => {
  const clock = manualClock();
  const slack = createSlackWebApi(TOKEN, { apiUrl: fake.url, retries: 0 });
  const identity = createSlackIdentity({
    people: [{ id: 'bob@example.com', slackUserId: 'U0BOB' }],
    users: slack.users,
    clock,
    ...overrides,
  });
  return { identity, clock };
};

const callsSince = (before: number, method: string) => fake.calls.slice(before).filter((c) => c.method === method);

describe('slackUserIdFor', () => {
  let before = 0;
  beforeEach(() => {
    before = fake.calls.length;
  });

  it("takes policy's Slack id where it is listed, without asking Slack", async () => {
    // Prepare
    const { identity } = identityWith();
    // Act
    const id = await identity.slackUserIdFor('bob@example.com');
    // Assess
    expect(id).toBe('U0BOB');
    expect(fake.calls.length).toBe(before);
  });

  it('looks an unlisted approver up by email, form-encoded with the bot token, once per warm function', async () => {
    // Prepare
    const { identity, clock } = identityWith();
    // Act
    const first = await identity.slackUserIdFor('dana@example.com');
    const cached = await identity.slackUserIdFor('dana@example.com');
    clock.advance(FOUND_TTL_MS + 1);
    const afterExpiry = await identity.slackUserIdFor('dana@example.com');
    // Assess
    expect([first, cached, afterExpiry]).toEqual(['U0DANA', 'U0DANA', 'U0DANA']);
    const lookups = callsSince(before, 'users.lookupByEmail');
    expect(lookups).toHaveLength(2);
    expect(lookups[0]).toMatchObject({ args: { email: 'dana@example.com' }, token: TOKEN });
  });

  it('gives no Slack id for an email Slack does not know or a deactivated account, and remembers it for a while', async () => {
    // Prepare
    const { identity, clock } = identityWith();
    // Act
    const unknown = await identity.slackUserIdFor('grace@example.com');
    const again = await identity.slackUserIdFor('grace@example.com');
    const deactivated = await identity.slackUserIdFor('gone@example.com');
    clock.advance(NOT_FOUND_TTL_MS + 1);
    await identity.slackUserIdFor('grace@example.com');
    // Assess
    expect([unknown, again, deactivated]).toEqual([undefined, undefined, undefined]);
    expect(callsSince(before, 'users.lookupByEmail').map((c) => c.response.error ?? c.response.ok)).toEqual([
      'users_not_found',
      true,
      'users_not_found',
    ]);
  });

  it('does not cache a failure that may pass, and asks Slack nothing without a bot token or an email', async () => {
    // Prepare
    const { identity } = identityWith();
    const noToken = createSlackIdentity({ people: [], clock: manualClock() });
    const failing = await startFakeSlack({ token: TOKEN });
    failing.fail('users.lookupByEmail', 'ratelimited');
    const flaky = createSlackIdentity({
      people: [],
      users: createSlackWebApi(TOKEN, { apiUrl: failing.url, retries: 0 }).users,
      clock: manualClock(),
    });
    try {
      // Act
      const results = [
        await noToken.slackUserIdFor('dana@example.com'),
        await identity.slackUserIdFor('not-an-email'),
        await flaky.slackUserIdFor('dana@example.com'),
        await flaky.slackUserIdFor('dana@example.com'),
      ];
      // Assess
      expect(results).toEqual([undefined, undefined, undefined, undefined]);
      expect(fake.calls.length).toBe(before);
      expect(failing.callsTo('users.lookupByEmail')).toHaveLength(2);
    } finally {
      await failing.close();
    }
  });
});

describe('personForSlackUser', () => {
  let before = 0;
  beforeEach(() => {
    before = fake.calls.length;
  });

  it('maps a Slack user policy does not list through users.info and the profile email, cached', async () => {
    // Prepare
    const { identity } = identityWith();
    // Act
    const person = await identity.personForSlackUser('U0DANA');
    const again = await identity.personForSlackUser('U0DANA');
    // Assess
    expect([person, again]).toEqual(['dana@example.com', 'dana@example.com']);
    const infos = callsSince(before, 'users.info');
    expect(infos).toHaveLength(1);
    expect(infos[0]).toMatchObject({ args: { user: 'U0DANA' }, token: TOKEN });
  });

  it('refuses an unknown or deactivated Slack user as not an approver', async () => {
    // Prepare
    const { identity } = identityWith();
    // Act / Assess
    await expect(identity.personForSlackUser('U0NOBODY')).rejects.toMatchObject({
      name: 'NotAnApproverError',
      statusCode: 403,
      message: 'Your Slack account is not linked to anyone in the approval policy',
    });
    await expect(identity.personForSlackUser('U0GONE')).rejects.toMatchObject({ statusCode: 403 });
  });

  it('refuses a Slack account whose email is listed in policy with another Slack id', async () => {
    // Prepare: bob is U0BOB in policy; U0IMPOSTOR's profile claims bob's email
    const { identity } = identityWith();
    // Act / Assess
    await expect(identity.personForSlackUser('U0IMPOSTOR')).rejects.toMatchObject({
      statusCode: 403,
      message: 'Your Slack account is not the one the approval policy lists for your email',
    });
    await expect(identity.personForSlackUser('U0BOB')).resolves.toBe('bob@example.com');
  });

  it('refuses within its budget when Slack is slow or failing, so the click is still answered in time', async () => {
    // Prepare
    const slow = createSlackIdentity({
      people: [],
      users: {
        info: () => new Promise(() => undefined),
        lookupByEmail: () => new Promise(() => undefined),
      },
      clock: manualClock(),
      clickLookupBudgetMs: 20,
    });
    const failing = createSlackIdentity({
      people: [],
      users: {
        info: async () => {
          throw new Error('socket hang up');
        },
        lookupByEmail: async () => ({ ok: true }),
      },
      clock: manualClock(),
    });
    // Act
    const started = Date.now();
    const slowAnswer = slow.personForSlackUser('U0SLOW').catch((error: unknown) => error);
    const failedAnswer = failing.personForSlackUser('U0FAIL').catch((error: unknown) => error);
    // Assess
    expect(await slowAnswer).toMatchObject({ statusCode: 403, message: expect.stringContaining('just now') });
    expect(Date.now() - started).toBeLessThan(1000);
    expect(await failedAnswer).toMatchObject({ statusCode: 403, message: expect.stringContaining('just now') });
  });

  it('without a bot token, maps only the Slack ids policy lists, as before', async () => {
    // Prepare
    const identity = createSlackIdentity({
      people: [{ id: 'bob@example.com', slackUserId: 'U0BOB' }],
      clock: manualClock(),
    });
    // Act / Assess
    await expect(identity.personForSlackUser('U0BOB')).resolves.toBe('bob@example.com');
    await expect(identity.personForSlackUser('U0DANA')).rejects.toMatchObject({ statusCode: 403 });
    expect(fake.calls.length).toBe(before);
  });
});
