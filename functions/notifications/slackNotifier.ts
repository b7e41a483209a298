// Slack delivery: a direct message from the bot to the recipient's Slack user id (or a post in a rule's channel), with
// link unfurling off (an unfurler fetching the approval link must never be mistaken for a person, and previews add
// noise).
import type { Delivery, MessageRef, Notifier } from './notifier.js';
import type { SlackApi } from './slackWebApi.js';

export type { SlackApi } from './slackWebApi.js';

export const slackNotifier = (slack: SlackApi): Notifier => ({
  async send(d: Delivery): Promise<MessageRef> {
    // A rule's channel, or else the recipient's DM: posting to a user id opens (or reuses) the bot's DM with that user.
    const channel = d.channel ?? d.slackUserId;
    if (!channel) throw new Error(`${d.recipient} has no Slack user id`);
    const posted = await slack.chat.postMessage({
      channel,
      text: d.text,
      blocks: d.blocks,
      unfurl_links: false,
      unfurl_media: false,
      ...(d.threadTs ? { thread_ts: d.threadTs } : {}),
    });
    if (!posted.channel || !posted.ts) throw new Error('Slack did not return the posted message');
    return { channel: posted.channel, ts: posted.ts };
  },
  async update(ref: MessageRef, d: Delivery): Promise<void> {
    await slack.chat.update({ channel: ref.channel, ts: ref.ts, text: d.text, blocks: d.blocks });
  },
});
