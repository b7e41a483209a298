// Slack's `/access` end to end: the real local stack with a bot token and the local policy, the real Slack client
// talking to the fake Slack. alice (U0ALICE in policy's people) types `/access`: the modal is opened with views.open
// before the ack; its selects load her catalog by what she types; a submission with one bad field comes back as
// `response_action: "errors"` on that block and writes nothing; a good one closes the modal and is a request like any
// POST /requests, with its Slack origin, which bob then approves from Slack. A Slack user nobody maps to is refused
// privately, and unsigned requests get 401 like interactions.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeSlack, type FakeSlack, type FakeSlackView } from '../fixtures/fakeSlack.js';
import { startHarness, type Harness } from './harness.js';

const BOT_TOKEN = 'xoxb-access-test';
const ALICE_SLACK = 'U0ALICE';
const BOB_SLACK = 'U0BOB';
const NOBODY_SLACK = 'U0NOBODY';
const PAYMENTS_PROD = '111122223333';

let fake: FakeSlack;
let h: Harness;
let alice: string;

beforeAll(async () => {
  fake = await startFakeSlack({ token: BOT_TOKEN });
  h = await startHarness({ slackBotToken: BOT_TOKEN, slackApiUrl: fake.url });
  alice = await h.token('alice@example.com');
});

afterAll(async () => {
  await h?.close();
  await fake?.close();
});

/** POSTs a form body to `path`, signed as Slack signs it (its documented recipe, not the code under test). */
const signedPost = (path: string, rawBody: string, { secret }: { secret?: string } = {}) => {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', secret ?? h.slackSigningSecret())
    .update(`v0:${timestamp}:${rawBody}`)
    .digest('hex')}`;
  return h.call('POST', path, {
    rawBody,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
  });
};

/** Slack's slash command form, as it posts `/access`. */
const commandForm = (slackUserId: string, triggerId: string): string =>
  new URLSearchParams({
    token: 'deprecated-verification-token',
    team_id: 'T0LOCAL',
    team_domain: 'local',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: slackUserId,
    user_name: slackUserId.toLowerCase(),
    command: '/access',
    text: '',
    api_app_id: 'A0LOCAL',
    response_url: 'https://hooks.slack.com/commands/T0LOCAL/1/x',
    trigger_id: triggerId,
  }).toString();

const payloadForm = (payload: unknown): string => `payload=${encodeURIComponent(JSON.stringify(payload))}`;

type Values = Record<string, Record<string, Record<string, unknown>>>;

const suggestion = (slackUserId: string, blockId: string, value: string, values: Values = {}) => ({
  type: 'block_suggestion',
  user: { id: slackUserId, team_id: 'T0LOCAL' },
  team: { id: 'T0LOCAL' },
  action_id: blockId,
  block_id: blockId,
  value,
  view: { id: 'V00000001', type: 'modal', callback_id: 'access_request', state: { values } },
});

const selected = (value: string) => ({ type: 'external_select', selected_option: { value, text: {} } });

/** A view_submission of the opened modal with the given values, as Slack sends it. */
const submission = (
  slackUserId: string,
  view: FakeSlackView,
  fields: { account?: string; permissionSet?: string; duration?: string; justification?: string },
) => ({
  type: 'view_submission',
  team: { id: 'T0LOCAL' },
  user: { id: slackUserId, team_id: 'T0LOCAL' },
  view: {
    ...view,
    state: {
      values: {
        account: { account: fields.account ? selected(fields.account) : { type: 'external_select' } },
        permission_set: {
          permission_set: fields.permissionSet ? selected(fields.permissionSet) : { type: 'external_select' },
        },
        duration: {
          duration: fields.duration
            ? { type: 'static_select', selected_option: { value: fields.duration } }
            : { type: 'static_select' },
        },
        justification: { justification: { type: 'plain_text_input', value: fields.justification ?? null } },
      },
    },
  },
});

type Options = { options?: Array<{ text: { text: string }; value: string }>; option_groups?: unknown[] };

describe('Slack /access: command, options, submission', () => {
  let view: FakeSlackView;

  it('opens the request modal with views.open before the empty ack', async () => {
    // Prepare
    const trigger = fake.newTrigger();
    // Act
    const response = await signedPost('/slack/commands', commandForm(ALICE_SLACK, trigger));
    // Assess
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    const opened = fake.callsTo('views.open');
    expect(opened).toHaveLength(1);
    expect(opened[0]?.args.trigger_id).toBe(trigger);
    expect(opened[0]?.response.ok).toBe(true);
    view = opened[0]?.response.view as FakeSlackView;
    expect(view.callback_id).toBe('access_request');
    expect(view.blocks.map((b) => [b.block_id, (b.element as { type: string }).type])).toEqual([
      ['account', 'external_select'],
      ['permission_set', 'external_select'],
      ['duration', 'static_select'],
      ['justification', 'plain_text_input'],
    ]);
  });

  it('offers the accounts whose name or id contains what was typed, by name', async () => {
    // Act
    const response = await signedPost('/slack/options', payloadForm(suggestion(ALICE_SLACK, 'account', 'PAY')));
    // Assess
    expect(response.status).toBe(200);
    const { options } = response.body as Options;
    const names = (options ?? []).map((o) => o.text.text);
    expect(names.length).toBeGreaterThan(0);
    expect(names).toContain(`payments-prod (${PAYMENTS_PROD})`);
    expect(names.every((n) => n.toLowerCase().includes('pay'))).toBe(true);
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b)));
    expect(options?.find((o) => o.text.text.startsWith('payments-prod'))?.value).toBe(PAYMENTS_PROD);
  });

  it('offers the permission sets of the chosen account, by name', async () => {
    // Prepare
    const values = { account: { account: selected(PAYMENTS_PROD) } };
    // Act
    const all = await signedPost('/slack/options', payloadForm(suggestion(ALICE_SLACK, 'permission_set', '', values)));
    const typed = await signedPost(
      '/slack/options',
      payloadForm(suggestion(ALICE_SLACK, 'permission_set', 'power', values)),
    );
    // Assess
    expect(all.status).toBe(200);
    const names = ((all.body as Options).options ?? []).map((o) => o.value);
    expect(names).toContain('PowerUser');
    expect(names).toEqual([...names].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase())));
    expect((typed.body as Options).options?.map((o) => o.value)).toEqual(['PowerUser']);
  });

  it('answers a submission with an empty justification with errors on that block, and writes nothing', async () => {
    // Prepare
    const before = { items: await h.itemCount(), executions: await h.executionCount() };
    const payload = submission(ALICE_SLACK, view, {
      account: PAYMENTS_PROD,
      permissionSet: 'PowerUser',
      duration: '90',
      justification: '   ',
    });
    // Act
    const response = await signedPost('/slack/interactions', payloadForm(payload));
    // Assess
    expect(response.status).toBe(200);
    const body = response.body as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors)).toEqual(['justification']);
    expect({ items: await h.itemCount(), executions: await h.executionCount() }).toEqual(before);
  });

  it('answers a permission set outside the catalog with errors on the permission-set block, and writes nothing', async () => {
    // Prepare
    const before = { items: await h.itemCount(), executions: await h.executionCount() };
    const payload = submission(ALICE_SLACK, view, {
      account: PAYMENTS_PROD,
      permissionSet: 'NoSuchSet',
      duration: '90',
      justification: 'INC-7: payments are failing',
    });
    // Act
    const response = await signedPost('/slack/interactions', payloadForm(payload));
    // Assess
    expect(response.status).toBe(200);
    const body = response.body as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(Object.keys(body.errors)).toEqual(['permission_set']);
    expect({ items: await h.itemCount(), executions: await h.executionCount() }).toEqual(before);
  });

  it('submits a good one as alice through the same code as POST /requests, and the workflow proceeds', async () => {
    // Prepare
    const payload = submission(ALICE_SLACK, view, {
      account: PAYMENTS_PROD,
      permissionSet: 'PowerUser',
      duration: '90',
      justification: 'INC-7: payments are failing',
    });
    // Act
    const response = await signedPost('/slack/interactions', payloadForm(payload));
    const listed = await h.call('GET', '/requests?requester=alice%40example.com', { token: alice });
    // Assess
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    const items = (listed.body as { items: Array<{ requestId: string; justification: string }> }).items;
    const made = items.find((i) => i.justification === 'INC-7: payments are failing');
    expect(made).toBeDefined();
    const requestId = made?.requestId ?? '';
    const item = await h.readItem(requestId);
    expect(item?.requester).toEqual({ S: 'alice@example.com' });
    expect(item?.origin).toEqual({ M: { via: { S: 'slack' }, slackUserId: { S: ALICE_SLACK } } });
    expect(item?.durationMinutes).toEqual({ N: '90' });
    const parameters = JSON.parse((item?.parameters as { S?: string } | undefined)?.S ?? '{}') as Record<
      string,
      string
    >;
    expect(parameters).toMatchObject({ TargetId: PAYMENTS_PROD, PrincipalType: 'USER', TargetType: 'AWS_ACCOUNT' });
    expect(parameters.PermissionSetArn).toMatch(/^arn:aws:sso:::permissionSet\//);
    await h.waitForEvent(requestId, 'notified');
    const click = await h.slackClick({
      type: 'block_actions',
      user: { id: BOB_SLACK },
      channel: { id: BOB_SLACK },
      actions: [{ action_id: 'approve', value: requestId }],
    });
    expect(click.status).toBe(200);
    const active = await h.waitForStatus(requestId, alice, ['ACTIVE']);
    expect(active.display).toMatchObject({ permissionSet: { name: 'PowerUser' }, account: { name: 'payments-prod' } });
  });

  it("keeps the requester's one Slack DM, posted once and updated in place as the request moved", async () => {
    // Prepare
    const listed = await h.call('GET', '/requests?requester=alice%40example.com', { token: alice });
    const requestId =
      (listed.body as { items: Array<{ requestId: string; justification: string }> }).items.find(
        (i) => i.justification === 'INC-7: payments are failing',
      )?.requestId ?? '';
    // Act
    const posted = fake.callsTo('chat.postMessage').filter((c) => c.args.channel === ALICE_SLACK);
    const ts = posted.map((c) => c.response.ts);
    const updates = fake
      .callsTo('chat.update')
      .filter((c) => c.args.channel === ALICE_SLACK && ts.includes(c.args.ts as string));
    // Assess
    expect(requestId).not.toBe('');
    expect(posted).toHaveLength(1);
    expect(updates.length).toBeGreaterThan(0);
  });

  it('treats the same view submitted again as the same request', async () => {
    // Prepare
    const before = await h.itemCount();
    const payload = submission(ALICE_SLACK, view, {
      account: PAYMENTS_PROD,
      permissionSet: 'PowerUser',
      duration: '90',
      justification: 'INC-7: payments are failing',
    });
    // Act
    const response = await signedPost('/slack/interactions', payloadForm(payload));
    // Assess
    expect(response.status).toBe(200);
    expect(response.text).toBe('');
    expect(await h.itemCount()).toBe(before);
  });
});

describe('Slack /access: refusals', () => {
  it('refuses a Slack user nobody maps to privately, opening nothing and writing nothing', async () => {
    // Prepare
    const before = { items: await h.itemCount(), opened: fake.callsTo('views.open').length };
    // Act
    const response = await signedPost('/slack/commands', commandForm(NOBODY_SLACK, fake.newTrigger()));
    // Assess
    expect(response.status).toBe(200);
    const body = response.body as { response_type: string; text: string };
    expect(body.response_type).toBe('ephemeral');
    expect(body.text).toContain('not linked');
    expect(fake.callsTo('views.open')).toHaveLength(before.opened);
    expect(await h.itemCount()).toBe(before.items);
  });

  it("offers an unmapped user's selects nothing", async () => {
    // Act
    const response = await signedPost('/slack/options', payloadForm(suggestion(NOBODY_SLACK, 'account', 'pay')));
    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ options: [] });
  });

  it("puts an unmapped user's submission's error on the account block, writing nothing", async () => {
    // Prepare
    const before = { items: await h.itemCount(), executions: await h.executionCount() };
    const view = { id: 'V0FORGED1', type: 'modal', callback_id: 'access_request', blocks: [] } as FakeSlackView;
    const payload = submission(NOBODY_SLACK, view, {
      account: PAYMENTS_PROD,
      permissionSet: 'PowerUser',
      duration: '60',
      justification: 'let me in',
    });
    // Act
    const response = await signedPost('/slack/interactions', payloadForm(payload));
    // Assess
    expect(response.status).toBe(200);
    const body = response.body as { response_action: string; errors: Record<string, string> };
    expect(body.response_action).toBe('errors');
    expect(body.errors.account).toContain('not linked');
    expect({ items: await h.itemCount(), executions: await h.executionCount() }).toEqual(before);
  });

  it('tells the person when the trigger expired before views.open', async () => {
    // Prepare: a trigger Slack issued 4 s ago is past its 3 s.
    const trigger = fake.newTrigger(Date.now() - 4000);
    // Act
    const response = await signedPost('/slack/commands', commandForm(ALICE_SLACK, trigger));
    // Assess
    expect(response.status).toBe(200);
    expect((response.body as { response_type: string }).response_type).toBe('ephemeral');
    expect(fake.callsTo('views.open').at(-1)?.response.error).toBe('expired_trigger_id');
  });

  it.each(['/slack/commands', '/slack/options'])('answers %s signed with another secret with 401', async (path) => {
    // Prepare
    const body =
      path === '/slack/commands'
        ? commandForm(ALICE_SLACK, fake.newTrigger())
        : payloadForm(suggestion(ALICE_SLACK, 'account', ''));
    // Act
    const response = await signedPost(path, body, { secret: 'not-the-signing-secret' });
    // Assess
    expect(response.status).toBe(401);
    expect((response.body as { error: { code: string } }).error.code).toBe('InvalidSignature');
  });

  it('refuses a command other than /access with 400 naming the field', async () => {
    // Prepare
    const body = commandForm(ALICE_SLACK, fake.newTrigger()).replace('%2Faccess', '%2Fdeploy');
    // Act
    const response = await signedPost('/slack/commands', body);
    // Assess
    expect(response.status).toBe(400);
    expect((response.body as { error: { details: Array<{ path: string }> } }).error.details[0]?.path).toBe('command');
  });
});
