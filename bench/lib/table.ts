// A fixed-width text table: columns sized to their widest cell, numbers right-aligned.

export interface Column<Row> {
  header: string;
  cell: (row: Row) => string;
  align?: 'left' | 'right';
}

export const formatTable = <Row>(columns: ReadonlyArray<Column<Row>>, rows: readonly Row[]): string => {
  const cells = rows.map((row) => columns.map((column) => column.cell(row)));
  const widths = columns.map((column, i) => Math.max(column.header.length, ...cells.map((r) => (r[i] ?? '').length)));
  const pad = (text: string, i: number): string => {
    const width = widths[i] ?? 0;
    return columns[i]?.align === 'right' ? text.padStart(width) : text.padEnd(width);
  };
  const render = (values: readonly string[]): string => values.map(pad).join(' | ').trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [render(columns.map((c) => c.header)), rule, ...cells.map(render)].join('\n');
};

/**
 * The result cell every scenario prints: PASS or FAIL for a row with a target, `info` for one without (with
 * what it missed, if a check without a target failed), so a reader tells judged rows from information.
 */
export const resultCell = (row: { target?: unknown; pass: boolean; missed: readonly string[] }): string => {
  const missed = row.missed.length > 0 ? ` (${row.missed.join('; ')})` : '';
  if (row.target) return row.pass ? 'PASS' : `FAIL${missed}`;
  return row.pass ? 'info' : `info${missed}`;
};
