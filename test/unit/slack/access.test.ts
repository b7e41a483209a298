// The `/access` pieces without a stack: the slash command's parsing and handling, the modal against Slack's limits,
// the options filter and its cut at 100, the view_submission parsing and its error mapping to blocks, and views.open's
// retries bounded by the trigger's deadline.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import type { Catalog } from '../../../functions/catalog/catalog.js';
import { createSlackWebApi, SlackApiError, type ModalViewArg } from '../../../functions/notifications/slackWebApi.js';
import type { SubmitInput, SubmitResponse } from '../../../functions/requests/submitRequest.js';
import { handleSlashCommand, parseSlashCommand, type SlashCommandDeps } from '../../../functions/slack/command.js';
import {
  accessModal,
  durationChoices,
  durationLabel,
  modalLimitProblems,
  MODAL_LIMITS,
} from '../../../functions/slack/modal.js';
import { optionsFor, parseBlockSuggestion, type BlockSuggestion } from '../../../functions/slack/options.js';
import {
  blockForPath,
  errorsFromDetails,
  handleViewSubmission,
  interactionType,
  parseViewSubmission,
  type ViewSubmissionDeps,
} from '../../../functions/slack/submission.js';
import {
  IdempotencyConflictError,
  NoApprovalRuleError,
  NotAnApproverError,
  NotEligibleError,
  ValidationError,
} from '../../../functions/shared/errors.js';
import { startFakeSlack, type FakeSlack } from '../../fixtures/fakeSlack.js';

const secret = 'slack-access-unit-secret';
const nowMs = 1_700_000_000_000;
const clock = { now: () => new Date(nowMs) };

const signed = (rawBody: string, timestamp = String(nowMs / 1000)) => ({
  rawBody,
  timestamp,
  signature: `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`,
});

const commandBody = (fields: Record<string, string> = {}) =>
  new URLSearchParams({
    command: '/access',
    user_id: 'U0ALICE',
    trigger_id: '123.456.abcdef',
    channel_id: 'C0GENERAL',
    text: '',
    ...fields,
  }).toString();

const form = (payload: unknown) => `payload=${encodeURIComponent(JSON.stringify(payload))}`;

describe('parseSlashCommand', () => {
  it('reads the command, the Slack user, the trigger and the channel', () => {
    // Act
    const command = parseSlashCommand(commandBody({ text: 'please' }));
    // Assess
    expect(command).toEqual({
      command: '/access',
      slackUserId: 'U0ALICE',
      triggerId: '123.456.abcdef',
      text: 'please',
      channelId: 'C0GENERAL',
    });
  });

  it.each([
    ['no command', { command: '' }, 'command'],
    ['another command', { command: '/deploy' }, 'command'],
    ['no user', { user_id: '' }, 'user_id'],
    ['a user id that is not one', { user_id: 'u0alice<script>' }, 'user_id'],
    ['no trigger', { trigger_id: '' }, 'trigger_id'],
    ['an over-long trigger', { trigger_id: 'a'.repeat(256) }, 'trigger_id'],
  ])('refuses %s with a 400 naming the field', (_case, fields, path) => {
    // Act / Assess
    expect(() => parseSlashCommand(commandBody(fields))).toThrow(
      expect.objectContaining({ statusCode: 400, details: [expect.objectContaining({ path })] }),
    );
  });
});

describe('handleSlashCommand', () => {
  const deps = (overrides: Partial<SlashCommandDeps> = {}) => {
    const openView = jest.fn<NonNullable<SlashCommandDeps['openView']>>(async () => ({ ok: true }));
    const all: SlashCommandDeps = {
      signingSecret: secret,
      clock,
      identify: async () => 'alice@example.com',
      modal: () => accessModal({ maxDurationMinutes: 480 }),
      openView,
      ...overrides,
    };
    return { deps: all, openView };
  };

  it('opens the modal with the trigger, bounded 2.5 s after the request was received', async () => {
    // Prepare
    const { deps: d, openView } = deps();
    // Act
    const answer = await handleSlashCommand({ ...signed(commandBody()), receivedAtMs: nowMs - 300 }, d);
    // Assess
    expect(answer).toEqual({ kind: 'opened' });
    expect(openView).toHaveBeenCalledWith(
      { trigger_id: '123.456.abcdef', view: expect.objectContaining({ callback_id: 'access_request' }) },
      { deadlineMs: nowMs - 300 + 2500 },
    );
  });

  it('refuses an unmapped Slack user privately and opens nothing', async () => {
    // Prepare
    const { deps: d, openView } = deps({
      identify: async () => {
        throw new NotAnApproverError('Your Slack account is not linked to anyone in the approval policy');
      },
    });
    // Act
    const answer = await handleSlashCommand(signed(commandBody()), d);
    // Assess
    expect(answer).toEqual({
      kind: 'ephemeral',
      text: 'Your Slack account is not linked to anyone in the approval policy. Nothing was requested.',
    });
    expect(openView).not.toHaveBeenCalled();
  });

  it('says privately that nothing can be asked when policy has no Identity Center rule, and opens nothing', async () => {
    // Prepare: no SSO rule gives no modal (an empty duration select would be refused by views.open every time)
    const { deps: d, openView } = deps({ modal: () => undefined });
    // Act
    const answer = await handleSlashCommand(signed(commandBody()), d);
    // Assess
    expect(answer).toEqual({ kind: 'ephemeral', text: expect.stringContaining('no Identity Center rule') });
    expect(openView).not.toHaveBeenCalled();
  });

  it('tells the person to try again when views.open fails', async () => {
    // Prepare
    const { deps: d } = deps({
      openView: async () => {
        throw new SlackApiError('views.open', 'expired_trigger_id', { ok: false });
      },
    });
    // Act
    const answer = await handleSlashCommand(signed(commandBody()), d);
    // Assess
    expect(answer).toMatchObject({ kind: 'ephemeral', text: expect.stringContaining('try `/access` again') });
  });

  it('refuses a bad signature before anything else', async () => {
    // Prepare
    const { deps: d, openView } = deps();
    // Act / Assess
    await expect(
      handleSlashCommand({ ...signed(commandBody()), signature: `v0=${'0'.repeat(64)}` }, d),
    ).rejects.toMatchObject({ statusCode: 401 });
    expect(openView).not.toHaveBeenCalled();
  });
});

describe('accessModal', () => {
  it("keeps Slack's modal limits", () => {
    // Act
    const view = accessModal({ maxDurationMinutes: 10_080 });
    // Assess
    expect(modalLimitProblems(view)).toEqual([]);
    expect([...view.title.text].length).toBeLessThanOrEqual(MODAL_LIMITS.titleChars);
    expect(view.blocks).toHaveLength(4);
  });

  it('has the four blocks, names as plain_text, and a justification of at most 1024 characters', () => {
    // Act
    const view = accessModal({ maxDurationMinutes: 480 });
    const blocks = view.blocks as Array<{
      block_id: string;
      label: { type: string };
      element: Record<string, unknown>;
    }>;
    // Assess
    expect(blocks.map((b) => [b.block_id, b.element.type, b.element.action_id])).toEqual([
      ['account', 'external_select', 'account'],
      ['permission_set', 'external_select', 'permission_set'],
      ['duration', 'static_select', 'duration'],
      ['justification', 'plain_text_input', 'justification'],
    ]);
    expect(blocks.every((b) => b.label.type === 'plain_text')).toBe(true);
    expect(blocks[3]?.element).toMatchObject({ multiline: true, max_length: 1024 });
  });

  it('offers durations up to the largest maximum, that maximum included', () => {
    // Act / Assess
    expect(durationChoices(480)).toEqual([15, 30, 60, 90, 120, 240, 480]);
    expect(durationChoices(100)).toEqual([15, 30, 60, 90, 100]);
    expect(durationLabel(90)).toBe('90 minutes');
    expect(durationLabel(120)).toBe('2 hours');
    expect(durationLabel(1440)).toBe('1 day');
  });

  it('finds what Slack would refuse', () => {
    // Prepare
    const view: ModalViewArg = {
      type: 'modal',
      title: { type: 'plain_text', text: 'A title longer than twenty-four' },
      callback_id: 'x'.repeat(256),
      private_metadata: 'm'.repeat(3001),
      blocks: Array.from({ length: 101 }, () => ({ type: 'input', label: { type: 'plain_text', text: 'l' } })),
    };
    // Act / Assess
    expect(modalLimitProblems(view)).toEqual([
      'title is over 24 characters',
      'more than 100 blocks',
      'private_metadata is over 3000 characters',
      'callback_id is over 255 characters',
      'input blocks without a submit button',
    ]);
  });
});

describe('views.open against the fake Slack', () => {
  let fake: FakeSlack;
  beforeAll(async () => {
    fake = await startFakeSlack({ token: 'xoxb-unit' });
  });
  afterAll(async () => {
    await fake.close();
  });

  it('opens the modal for a fresh trigger and refuses the same trigger twice', async () => {
    // Prepare
    const slack = createSlackWebApi('xoxb-unit', { apiUrl: fake.url });
    const trigger = fake.newTrigger();
    const view = accessModal({ maxDurationMinutes: 480 });
    // Act
    const opened = await slack.views.open({ trigger_id: trigger, view });
    const again = slack.views.open({ trigger_id: trigger, view });
    // Assess
    expect(opened.view?.id).toMatch(/^V/);
    await expect(again).rejects.toMatchObject({ name: 'SlackApiError', error: 'exchanged_trigger_id' });
  });

  it('answers a view that breaks the limits with invalid_arguments, as Slack does', async () => {
    // Prepare
    const slack = createSlackWebApi('xoxb-unit', { apiUrl: fake.url });
    const view = {
      ...accessModal({ maxDurationMinutes: 480 }),
      title: { type: 'plain_text' as const, text: 't'.repeat(25) },
    };
    // Act / Assess
    await expect(slack.views.open({ trigger_id: fake.newTrigger(), view })).rejects.toMatchObject({
      error: 'invalid_arguments',
    });
  });

  it('does not retry past the deadline', async () => {
    // Prepare: the first attempt fails with a 500; the 1 s backoff would end after the deadline.
    const sleeps: number[] = [];
    let attempts = 0;
    const slack = createSlackWebApi('xoxb-unit', {
      apiUrl: 'https://slack.test/api',
      nowMs: () => nowMs,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      fetch: (async () => {
        attempts += 1;
        return new Response('', { status: 500 });
      }) as typeof fetch,
    });
    // Act
    const opened = slack.views.open(
      { trigger_id: '1.2.3', view: accessModal({ maxDurationMinutes: 60 }) },
      { deadlineMs: nowMs + 800 },
    );
    // Assess
    await expect(opened).rejects.toMatchObject({ name: 'SlackHttpError', statusCode: 500 });
    expect(attempts).toBe(1);
    expect(sleeps).toEqual([]);
  });
});

const catalogWith = (accounts: Array<{ id: string; name: string }>, sets: string[][]): Catalog => ({
  identity: { id: 'alice@example.com', groups: [] },
  entries: sets.map((names, i) => ({
    action: 'sso:CreateAccountAssignment' as const,
    // Each entry gets its own slice of accounts, as the catalog's entries are disjoint by account.
    accounts: accounts.filter((_, j) => j % sets.length === i),
    permissionSets: names.map((name) => ({ arn: `arn:aws:sso:::permissionSet/ssoins-1111111111111111/${name}`, name })),
    principals: 'self' as const,
    approvers: ['bob@example.com'],
    minApprovals: 1,
    approvalRequired: true,
    maxDurationMinutes: 480,
  })),
});

const ask = (blockId: 'account' | 'permission_set', typed: string, chosenAccountId?: string): BlockSuggestion => ({
  slackUserId: 'U0ALICE',
  blockId,
  typed,
  ...(chosenAccountId ? { chosenAccountId } : {}),
});

describe('optionsFor', () => {
  const accounts = Array.from({ length: 342 }, (_, i) => ({
    id: String(100_000_000_000 + i),
    name: `${i % 2 === 0 ? 'payments' : 'platform'}-${String(i).padStart(3, '0')}`,
  }));
  const catalog = catalogWith(accounts, [
    ['ReadOnly', 'PowerUser'],
    ['ReadOnly', 'Billing'],
  ]);

  it('filters accounts by name or id, case-insensitively, sorted by name', () => {
    // Act
    const byName = optionsFor(catalog, ask('account', 'PAYMENTS-01'));
    const byId = optionsFor(catalog, ask('account', '100000000003'));
    // Assess
    expect(byName).toEqual({
      options: Array.from({ length: 5 }, (_, k) => 10 + 2 * k).map((i) => ({
        text: { type: 'plain_text', text: `payments-0${i} (${100_000_000_000 + i})` },
        value: String(100_000_000_000 + i),
      })),
    });
    expect(byId).toEqual({
      options: [{ text: { type: 'plain_text', text: 'platform-003 (100000000003)' }, value: '100000000003' }],
    });
  });

  it('cuts at 100 and says how many matched, in a group label', () => {
    // Act
    const answer = optionsFor(catalog, ask('account', ''));
    // Assess
    expect('option_groups' in answer).toBe(true);
    const [group] = 'option_groups' in answer ? answer.option_groups : [];
    expect(group?.label.text).toBe('First 100 of 342: type more to narrow');
    expect(group?.options).toHaveLength(100);
    expect(group?.options[0]?.text.text).toBe('payments-000 (100000000000)');
  });

  it('offers the permission sets of the chosen account only, or of every account, deduplicated', () => {
    // Act
    const forFirst = optionsFor(catalog, ask('permission_set', '', '100000000000'));
    const forSecond = optionsFor(catalog, ask('permission_set', '', '100000000001'));
    const forAny = optionsFor(catalog, ask('permission_set', 'o'));
    // Assess
    const values = (a: ReturnType<typeof optionsFor>) => ('options' in a ? a.options.map((o) => o.value) : []);
    expect(values(forFirst)).toEqual(['PowerUser', 'ReadOnly']);
    expect(values(forSecond)).toEqual(['Billing', 'ReadOnly']);
    expect(values(forAny)).toEqual(['PowerUser', 'ReadOnly']);
  });

  it('keeps option text within 75 characters', () => {
    // Prepare
    const long = catalogWith([{ id: '123456789012', name: 'a'.repeat(80) }], [['ReadOnly']]);
    // Act
    const answer = optionsFor(long, ask('account', ''));
    // Assess
    const text = 'options' in answer ? (answer.options[0]?.text.text ?? '') : '';
    expect([...text].length).toBe(75);
    expect(text.endsWith('…')).toBe(true);
  });
});

describe('parseBlockSuggestion', () => {
  const payload = (overrides: Record<string, unknown> = {}) => ({
    type: 'block_suggestion',
    user: { id: 'U0ALICE' },
    action_id: 'permission_set',
    block_id: 'permission_set',
    value: 'pow',
    view: {
      state: {
        values: { account: { account: { type: 'external_select', selected_option: { value: '111122223333' } } } },
      },
    },
    ...overrides,
  });

  it('reads the select, what was typed and the chosen account', () => {
    // Act / Assess
    expect(parseBlockSuggestion(form(payload()))).toEqual({
      slackUserId: 'U0ALICE',
      blockId: 'permission_set',
      typed: 'pow',
      chosenAccountId: '111122223333',
    });
  });

  it.each([
    ['another payload type', { type: 'block_actions' }, 'payload.type'],
    ['another block', { block_id: 'duration', action_id: 'duration' }, 'payload.block_id'],
    ['a mismatched action', { action_id: 'account' }, 'payload.action_id'],
    ['typed text that is not text', { value: 42 }, 'payload.value'],
    ['no user', { user: undefined }, 'payload.user.id'],
  ])('refuses %s with a 400 naming the field', (_case, overrides, path) => {
    // Act / Assess
    expect(() => parseBlockSuggestion(form(payload(overrides)))).toThrow(
      expect.objectContaining({ statusCode: 400, details: [expect.objectContaining({ path })] }),
    );
  });
});

const submissionPayload = (values: Record<string, unknown>, overrides: Record<string, unknown> = {}) => ({
  type: 'view_submission',
  user: { id: 'U0ALICE' },
  view: { id: 'V0MODAL01', callback_id: 'access_request', state: { values } },
  ...overrides,
});

const goodValues = {
  account: { account: { type: 'external_select', selected_option: { value: '111122223333' } } },
  permission_set: { permission_set: { type: 'external_select', selected_option: { value: 'PowerUser' } } },
  duration: { duration: { type: 'static_select', selected_option: { value: '90' } } },
  justification: { justification: { type: 'plain_text_input', value: 'INC-7' } },
};

describe('parseViewSubmission', () => {
  it("reads the modal's four values from view.state.values[block_id][action_id]", () => {
    // Act / Assess
    expect(parseViewSubmission(form(submissionPayload(goodValues)))).toEqual({
      slackUserId: 'U0ALICE',
      viewId: 'V0MODAL01',
      accountId: '111122223333',
      permissionSetName: 'PowerUser',
      durationMinutes: 90,
      justification: 'INC-7',
    });
    expect(interactionType(form(submissionPayload(goodValues)))).toBe('view_submission');
  });

  it('refuses another modal with a 400 naming the callback id', () => {
    // Act / Assess
    expect(() =>
      parseViewSubmission(form(submissionPayload(goodValues, { view: { id: 'V1', callback_id: 'other' } }))),
    ).toThrow(expect.objectContaining({ details: [expect.objectContaining({ path: 'payload.view.callback_id' })] }));
  });
});

describe('errors by block', () => {
  it.each([
    ['parameters.TargetId', 'account'],
    ['parameters.PermissionSetName', 'permission_set'],
    ['parameters.PermissionSetArn', 'permission_set'],
    ['durationMinutes', 'duration'],
    ['justification', 'justification'],
    ['parameters.PrincipalId', 'account'],
    ['(body)', 'account'],
  ])('puts %s on the %s block', (path, block) => {
    // Act / Assess
    expect(blockForPath(path)).toBe(block);
  });

  it('joins several details on one block', () => {
    // Act / Assess
    expect(
      errorsFromDetails([
        { path: 'parameters.TargetId', message: 'must match pattern' },
        { path: 'parameters.PrincipalId', message: 'is unknown' },
        { path: 'justification', message: 'is required' },
      ]),
    ).toEqual({
      account: 'TargetId must match pattern; PrincipalId is unknown',
      justification: 'justification is required',
    });
  });
});

describe('handleViewSubmission', () => {
  const response = { requestId: 'req-1' } as SubmitResponse;
  const deps = (submit: ViewSubmissionDeps['submit'], overrides: Partial<ViewSubmissionDeps> = {}) => ({
    signingSecret: secret,
    clock,
    identify: async () => 'alice@example.com',
    claimsFor: (person: string) => ({ email: person }),
    submit,
    ...overrides,
  });

  it('submits the body POST /requests takes, as the mapped person, with its origin and the view as key', async () => {
    // Prepare
    const submit = jest.fn<ViewSubmissionDeps['submit']>(async () => response);
    // Act
    const answer = await handleViewSubmission(signed(form(submissionPayload(goodValues))), deps(submit));
    // Assess
    expect(answer).toEqual({ kind: 'submitted', requestId: 'req-1' });
    expect(submit).toHaveBeenCalledWith({
      body: {
        action: 'sso:CreateAccountAssignment',
        parameters: { TargetId: '111122223333', PermissionSetName: 'PowerUser' },
        justification: 'INC-7',
        durationMinutes: 90,
      },
      requester: 'alice@example.com',
      claims: { email: 'alice@example.com' },
      idempotencyKey: 'slack-view-V0MODAL01',
      origin: { via: 'slack', slackUserId: 'U0ALICE' },
    } satisfies SubmitInput);
  });

  it.each([
    [
      new ValidationError([{ path: 'durationMinutes', message: 'must be at most 480' }]),
      { duration: 'durationMinutes must be at most 480' },
    ],
    [new NotEligibleError('No rule lets you ask for this'), { account: 'No rule lets you ask for this' }],
    [new NoApprovalRuleError('No rule covers this'), { permission_set: 'No rule covers this' }],
  ])('maps %s to errors on its block', async (error, errors) => {
    // Prepare
    const submit = jest.fn<ViewSubmissionDeps['submit']>(async () => {
      throw error;
    });
    // Act
    const answer = await handleViewSubmission(signed(form(submissionPayload(goodValues))), deps(submit));
    // Assess
    expect(answer).toEqual({ kind: 'errors', errors });
  });

  it('tells in words that an edited form was already submitted, never as an Idempotency-Key', async () => {
    // Prepare: the first submit of this view went through; the person edited the still-open form and sent it again
    const submit = jest.fn<ViewSubmissionDeps['submit']>(async () => {
      throw new IdempotencyConflictError('This Idempotency-Key was already used with a different body');
    });
    // Act
    const answer = await handleViewSubmission(signed(form(submissionPayload(goodValues))), deps(submit));
    // Assess
    expect(answer).toEqual({
      kind: 'errors',
      errors: { justification: expect.stringContaining('This form was already submitted') },
    });
    expect(JSON.stringify(answer)).not.toContain('Idempotency');
  });

  it('puts an unmapped user on the account block and submits nothing', async () => {
    // Prepare
    const submit = jest.fn<ViewSubmissionDeps['submit']>(async () => response);
    const unmapped = deps(submit, {
      identify: async () => {
        throw new NotAnApproverError('Your Slack account is not linked to anyone in the approval policy');
      },
    });
    // Act
    const answer = await handleViewSubmission(signed(form(submissionPayload(goodValues))), unmapped);
    // Assess
    expect(answer).toEqual({
      kind: 'errors',
      errors: { account: expect.stringContaining('Your Slack account is not linked') },
    });
    expect(submit).not.toHaveBeenCalled();
  });

  it('asks for a select left empty without submitting', async () => {
    // Prepare
    const submit = jest.fn<ViewSubmissionDeps['submit']>(async () => response);
    const values = { ...goodValues, permission_set: { permission_set: { type: 'external_select' } } };
    // Act
    const answer = await handleViewSubmission(signed(form(submissionPayload(values))), deps(submit));
    // Assess
    expect(answer).toEqual({ kind: 'errors', errors: { permission_set: 'Choose a permission set' } });
    expect(submit).not.toHaveBeenCalled();
  });

  it('lets an unexpected failure through, so it is logged and answered as a 500', async () => {
    // Prepare
    const submit = jest.fn<ViewSubmissionDeps['submit']>(async () => {
      throw new Error('dynamo down');
    });
    // Act / Assess
    await expect(handleViewSubmission(signed(form(submissionPayload(goodValues))), deps(submit))).rejects.toThrow(
      'dynamo down',
    );
  });
});
