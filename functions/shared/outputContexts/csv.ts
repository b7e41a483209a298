// CSV for spreadsheets: RFC 4180 quoting, and formula neutralisation, because requesters control some cells
// (justifications, comments, ids) and a spreadsheet runs a cell that starts with `=`, `+`, `-` or `@` as a
// formula (and treats a leading tab or CR the same way). OWASP's CSV injection guidance: prefix such a cell
// with `'`, which spreadsheets read as "this is text" and do not show.
//
// Leading whitespace is neutralised too: LibreOffice's "Trim spaces" import option and some importers strip it
// before deciding what a cell is, so ` =1+1` can still become a formula. A leading `"` is not a vector: the
// value is quoted and its quote doubled, so the spreadsheet sees a cell that starts with `"`, which is text.

/** A cell that is, or after leading whitespace becomes, a formula. `\s` covers tab, CR, LF and Unicode spaces. */
const FORMULA_START = /^\s*[=+\-@]|^[\t\r]/;

/** One CSV cell: neutralised if it could run as a formula, then quoted if it holds `"`, `,`, CR or LF. */
export const csvCell = (value: string): string => {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
};
