// HTML, for the pages we render on the server (the approval page, the audit page's shell). Text goes into element
// content and quoted attribute values only, so entity-escaping `& < > " '` is enough: no value can open a tag,
// close an attribute or start an entity. (The audit page's own script builds its DOM from text nodes, never from
// markup; see functions/audit/page.ts.)
//
// Pages are written as `html\`<dd>${item.justification}</dd>\``: the literal parts are markup, every `${}` value
// is escaped unless it is already Html. Markup that is ours but not a literal (a style sheet constant) goes in
// through `trustedHtml`, whose name says what it is.

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text as HTML shows it literally, in element content or a quoted attribute value. */
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c] ?? c);

let makeHtml: (markup: string) => Html;

/** Markup whose every data part has been escaped. Made only by `html`, `joinHtml` and `trustedHtml`. */
export class Html {
  readonly #markup: string;
  private constructor(markup: string) {
    this.#markup = markup;
  }
  static {
    makeHtml = (markup) => new Html(markup);
  }
  toString(): string {
    return this.#markup;
  }
}

/** What may go in a `${}` of `html`: text (escaped), Html (as it is), or a list of Html (joined). */
export type HtmlValue = string | number | Html | readonly Html[];

const insert = (value: HtmlValue): string => {
  if (value instanceof Html) return value.toString();
  if (Array.isArray(value)) return value.map((part: Html) => part.toString()).join('');
  return escapeHtml(String(value));
};

/** Tagged template: the literal parts are markup, every interpolated value is escaped unless it is Html. */
export const html = (literals: TemplateStringsArray, ...values: readonly HtmlValue[]): Html =>
  makeHtml(literals.reduce((out, literal, i) => out + insert(values[i - 1] ?? '') + literal));

/** Markup written in this code base and held in a constant (never data): inserted without escaping. */
export const trustedHtml = (markup: string): Html => makeHtml(markup);
