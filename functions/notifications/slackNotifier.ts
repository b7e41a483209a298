// Slack delivery: a direct message from the bot to the recipient's Slack user id, with link unfurling off
// (an unfurler fetching the approval link must never be mistaken for a person, and previews add noise).
import type { Delivery, MessageRef, Notifier } from './notifier.js';
import type { SlackApi } from './slackWebApi.js';

export type { SlackApi } from './slackWebApi.js';

export const slackNotifier = (slack: SlackApi): Notifier => ({
  async send(d: Delivery): Promise<MessageRef> {
    if (!d.slackUserId) throw new Error(`${d.recipient} has no Slack user id`);
    // Posting to a user id opens (or reuses) the bot's DM with that user.
    const posted = await slack.chat.postMessage({
      channel: d.slackUserId,
      text: d.text,
      blocks: d.blocks,
      unfurl_links: false,
      unfurl_media: false,
    });
    if (!posted.channel || !posted.ts) throw new Error('Slack did not return the posted message');
    return { channel: posted.channel, ts: posted.ts };
  },
  async update(ref: MessageRef, d: Delivery): Promise<void> {
    await slack.chat.update({ channel: ref.channel, ts: ref.ts, text: d.text, blocks: d.blocks });
  },
});
