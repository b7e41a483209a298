// The notifier the functions use: Slack for people with a Slack id when a bot token is configured, the
// local outbox otherwise. Built once per container.
import { currentPolicy } from '../policy/currentPolicy.js';
import { systemClock } from '../shared/clock.js';
import { config } from '../shared/config.js';
import { createSlackIdentity, type SlackIdentity } from '../slack/identity.js';
import { slackBotToken } from '../shared/secrets.js';
import { outboxNotifier, routingNotifier, type Notifier } from './notifier.js';
import { slackNotifier } from './slackNotifier.js';
import { createSlackWebApi, type SlackWebApi } from './slackWebApi.js';

let slack: SlackWebApi | undefined;

/** The Slack Web API client, or undefined when no bot token is configured. */
export const slackClient = async (): Promise<SlackWebApi | undefined> => {
  if (slack) return slack;
  const token = await slackBotToken();
  if (!token) return undefined;
  // SLACK_API_URL lets the local stack and tests point the real client at a fake Slack.
  const apiUrl = config.slackApiUrl();
  slack = createSlackWebApi(token, apiUrl ? { apiUrl } : {});
  return slack;
};

/** Slack alone, when a bot token is configured: for a rule's channel and a Slack requester's DM, which have no outbox. */
export const defaultSlackNotifier = async (): Promise<Notifier | undefined> => {
  const client = await slackClient();
  return client ? slackNotifier(client) : undefined;
};

export const defaultNotifier = async (): Promise<Notifier> => {
  const client = await slackClient();
  const outboxFile = config.outboxFile();
  return routingNotifier({
    ...(client ? { slack: slackNotifier(client) } : {}),
    ...(outboxFile ? { outbox: outboxNotifier(outboxFile) } : {}),
  });
};

let identity: SlackIdentity | undefined;

/**
 * Who people are in Slack (policy's Slack ids, then Slack's users methods when a bot token is set). One per container,
 * so its look-ups are cached across the invocations of a warm function.
 */
export const defaultSlackIdentity = async (): Promise<SlackIdentity> => {
  if (identity) return identity;
  const client = await slackClient();
  identity = createSlackIdentity({
    people: currentPolicy().people ?? [],
    ...(client ? { users: client.users } : {}),
    clock: systemClock,
  });
  return identity;
};
