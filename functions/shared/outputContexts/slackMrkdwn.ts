// Slack mrkdwn, the one output context where typed text could become a link, a mention (`<@U…>`, `<!channel>`) or
// a date token: Slack parses `<…>` as a control sequence wherever it appears in mrkdwn (text objects and the
// `text` of chat.postMessage / chat.update / chat.postEphemeral). Slack's formatting reference names `&`, `<`
// and `>` as the control characters and asks for them as `&amp;`, `&lt;` and `&gt;` when they are meant as text;
// nothing else is to be entity-encoded (docs.slack.dev/messaging/formatting-message-text, "Escaping text").
// Formatting characters (`*`, `_`, `~`, backticks) stay: they can only restyle, never link or notify.
//
// Message builders never concatenate strings into mrkdwn. They write `mrkdwn\`*${name}* asks…\``: the literal
// parts are our markup, every `${}` value is escaped unless it is already Mrkdwn (built the same way, or one of
// the token builders below). A Mrkdwn can only come from this module, so text that skipped escaping does not
// type-check where Slack reads mrkdwn.

const MRKDWN_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Text as Slack mrkdwn shows it literally: `&`, `<`, `>` as entities, everything else unchanged. */
export const escapeMrkdwn = (text: string): string => text.replace(/[&<>]/g, (c) => MRKDWN_ESCAPES[c] ?? c);

let makeMrkdwn: (markup: string) => Mrkdwn;

/** Mrkdwn whose every person-supplied part has been escaped. Made only by `mrkdwn`, `joinMrkdwn` and `slackDate`. */
export class Mrkdwn {
  readonly #markup: string;
  private constructor(markup: string) {
    this.#markup = markup;
  }
  static {
    makeMrkdwn = (markup) => new Mrkdwn(markup);
  }
  toString(): string {
    return this.#markup;
  }
}

/** What may go in a `${}` of `mrkdwn`: text (escaped) or mrkdwn already made safe (inserted as it is). */
export type MrkdwnValue = string | number | Mrkdwn;

const insert = (value: MrkdwnValue): string =>
  value instanceof Mrkdwn ? value.toString() : escapeMrkdwn(typeof value === 'number' ? String(value) : value);

/** Tagged template: the literal parts are markup, every interpolated value is escaped unless it is Mrkdwn. */
export const mrkdwn = (literals: TemplateStringsArray, ...values: readonly MrkdwnValue[]): Mrkdwn =>
  makeMrkdwn(literals.reduce((out, literal, i) => out + insert(values[i - 1] ?? '') + literal));

/** Joins parts with a separator that is text, not markup (it is escaped like any value). */
export const joinMrkdwn = (parts: readonly MrkdwnValue[], separator: string): Mrkdwn =>
  makeMrkdwn(parts.map(insert).join(escapeMrkdwn(separator)));

/**
 * Slack's date token, which each reader sees in their own time zone. The format is ours (a code literal); the
 * fallback, shown by clients that cannot format dates, is escaped like any text.
 */
export const slackDate = (at: Date, format: '{date_short_pretty} {time}', fallback: string): Mrkdwn => {
  const epochSeconds = Math.floor(at.getTime() / 1000);
  if (!Number.isSafeInteger(epochSeconds)) return mrkdwn`${fallback}`;
  return makeMrkdwn(`<!date^${epochSeconds}^${format}|${escapeMrkdwn(fallback)}>`);
};

// Block Kit text objects. `verbatim: true` because Slack otherwise "preprocesses" mrkdwn: it turns bare URLs into
// links, links channel names and parses certain mentions in the text (text object reference, `verbatim`). Our
// escaping keeps `<…>` out; verbatim keeps a typed `https://…` or `#channel` from becoming a link as well.
export interface MrkdwnTextObject {
  readonly type: 'mrkdwn';
  readonly text: string;
  readonly verbatim: true;
}

export interface PlainTextObject {
  readonly type: 'plain_text';
  readonly text: string;
}

/** Slack's limits on a mrkdwn text object: 3000 characters, 2000 in a section's `fields` (Block Kit reference). */
export const MRKDWN_TEXT_LIMIT = 3000;
export const MRKDWN_FIELD_LIMIT = 2000;

const ELLIPSIS = '…';

/**
 * Cuts mrkdwn to at most `maxLength` characters, ending in an ellipsis, never inside an entity (`&lt;`) or one of
 * our `<…>` tokens, so the cut keeps every escape whole. Escaping can make typed text five times longer (`&` is
 * `&amp;`); Slack refuses a whole message whose text object is over its limit, so an over-long justification or
 * comment would otherwise cost the approvers their notification.
 */
export const truncateMrkdwn = (text: Mrkdwn, maxLength: number): Mrkdwn => {
  const markup = text.toString();
  if (markup.length <= maxLength) return text;
  let cut = Math.max(0, maxLength - ELLIPSIS.length);
  // Every `&` starts an entity and every `<` one of our tokens (typed ones were escaped): back up to the start
  // of the one the cut would split.
  const splits = (open: number, close: string): boolean => {
    if (open === -1) return false;
    const closing = markup.indexOf(close, open);
    return closing === -1 || closing >= cut;
  };
  const openToken = markup.lastIndexOf('<', cut - 1);
  if (splits(openToken, '>')) cut = openToken;
  const openEntity = markup.lastIndexOf('&', cut - 1);
  if (splits(openEntity, ';')) cut = openEntity;
  // Nor between the two halves of a surrogate pair.
  const last = markup.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return makeMrkdwn(markup.slice(0, cut) + ELLIPSIS);
};

/** A mrkdwn text object, cut to Slack's limit for where it goes (MRKDWN_FIELD_LIMIT for a section field). */
export const mrkdwnText = (text: Mrkdwn, maxLength = MRKDWN_TEXT_LIMIT): MrkdwnTextObject => ({
  type: 'mrkdwn',
  text: truncateMrkdwn(text, maxLength).toString(),
  verbatim: true,
});

/** `plain_text` is shown as written and never parsed, so it takes text as it is. */
export const plainText = (text: string): PlainTextObject => ({ type: 'plain_text', text });
