// The notifier the functions use: Slack for people with a Slack id when a bot token is configured, the
// local outbox otherwise. Built once per container.
import { config } from '../shared/config.js';
import { slackBotToken } from '../shared/secrets.js';
import { outboxNotifier, routingNotifier, type Notifier } from './notifier.js';
import { slackNotifier } from './slackNotifier.js';
import { createSlackWebApi, type SlackApi } from './slackWebApi.js';

let slack: SlackApi | undefined;

/** The Slack Web API client, or undefined when no bot token is configured. */
export const slackClient = async (): Promise<SlackApi | undefined> => {
  if (slack) return slack;
  const token = await slackBotToken();
  if (!token) return undefined;
  // SLACK_API_URL lets the local stack and tests point the real client at a fake Slack.
  const apiUrl = config.slackApiUrl();
  slack = createSlackWebApi(token, apiUrl ? { apiUrl } : {});
  return slack;
};

export const defaultNotifier = async (): Promise<Notifier> => {
  const client = await slackClient();
  const outboxFile = config.outboxFile();
  return routingNotifier({
    ...(client ? { slack: slackNotifier(client) } : {}),
    ...(outboxFile ? { outbox: outboxNotifier(outboxFile) } : {}),
  });
};
