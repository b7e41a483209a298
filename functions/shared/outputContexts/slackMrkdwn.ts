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

export const mrkdwnText = (text: Mrkdwn): MrkdwnTextObject => ({
  type: 'mrkdwn',
  text: text.toString(),
  verbatim: true,
});

/** `plain_text` is shown as written and never parsed, so it takes text as it is. */
export const plainText = (text: string): PlainTextObject => ({ type: 'plain_text', text });
