// Typed text never becomes a spreadsheet formula or a forged log line: the CSV export and the structured logger,
// fed hostile text in every field a person or the directory supplies.
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import fc from 'fast-check';
import { CSV_COLUMNS, csvRow } from '../../../functions/requests/csv.js';
import { errorMessage } from '../../../functions/requests/view.js';
import { csvCell } from '../../../functions/shared/outputContexts/csv.js';
import { logger } from '../../../functions/shared/logger.js';
import { HOSTILE_FRAGMENTS, hostileRequestItem, hostileText } from '../../fixtures/hostileText.js';

/** An RFC 4180 reader for one record: what a spreadsheet sees in each cell. */
const parseCsvRecord = (record: string): string[] => {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < record.length; i += 1) {
    const c = record[i];
    if (quoted) {
      if (c === '"' && record[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else cell += c;
  }
  expect(quoted).toBe(false);
  cells.push(cell);
  return cells;
};

/** What spreadsheets run as a formula: these first characters, also after leading whitespace. */
const RUNS_AS_FORMULA = /^\s*[=+\-@]|^[\t\r]/;

describe('CSV output context', () => {
  it('csvCell: every value reads back as itself, and no cell starts a formula (property)', () => {
    fc.assert(
      fc.property(
        fc.oneof(hostileText(), fc.constantFrom(...HOSTILE_FRAGMENTS), fc.string({ unit: 'binary' })),
        (value) => {
          // Act
          const [cell, ...more] = parseCsvRecord(csvCell(value));
          // Assess
          expect(more).toEqual([]);
          expect(cell).toBeDefined();
          const shown = cell ?? '';
          if (shown.startsWith("'") && RUNS_AS_FORMULA.test(value)) expect(shown).toBe(`'${value}`);
          else {
            expect(shown).toBe(value);
            expect(shown).not.toMatch(RUNS_AS_FORMULA);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it.each([
    [' =1+1', "' =1+1"],
    ['\u00a0@SUM(A1)', "'\u00a0@SUM(A1)"],
    ['\n-2', `"'\n-2"`],
    ['"=1"', '"""=1"""'],
  ])('neutralises a formula behind whitespace, and leaves a quoted one as text: %j', (value, expected) => {
    // Act / Assess
    expect(csvCell(value)).toBe(expected);
  });

  it('csvRow: a hostile request is one record of the documented columns, none a formula (property)', () => {
    fc.assert(
      fc.property(hostileRequestItem(), (item) => {
        // Act
        const cells = parseCsvRecord(csvRow(item));
        // Assess
        expect(cells).toHaveLength(CSV_COLUMNS.length);
        for (const cell of cells) expect(cell.startsWith("'") || !RUNS_AS_FORMULA.test(cell)).toBe(true);
        const unprefixed = (cell: string | undefined, original: string): string =>
          cell === `'${original}` ? original : (cell ?? '');
        expect(unprefixed(cells[2], item.requester)).toBe(item.requester);
        expect(unprefixed(cells[4], item.targetId)).toBe(item.targetId);
        const approvers = item.approvers.join(';');
        expect(unprefixed(cells[6], approvers)).toBe(approvers);
        const error = item.error ? `${item.error.name}: ${errorMessage(item.error.cause)}` : '';
        expect(unprefixed(cells[9], error)).toBe(error);
      }),
      { numRuns: 500 },
    );
  });
});

describe('Log output context', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('typed text in a log entry stays inside one JSON line: it cannot forge another entry (property)', () => {
    // Prepare: Powertools writes each entry with one write to stdout (JSON.stringify, compact outside dev mode)
    const written: string[] = [];
    jest.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      written.push(String(chunk));
      return true;
    });
    fc.assert(
      fc.property(hostileText(), (typed) => {
        written.length = 0;
        const forged = `${typed}\n{"level":"ERROR","message":"forged","requestId":"r-0"}\r\n`;
        // Act
        logger.info('Slack click refused', { requestId: 'r-1', errorName: forged });
        // Assess
        expect(written).toHaveLength(1);
        const line = written[0] ?? '';
        expect(line.endsWith('\n')).toBe(true);
        expect(line.slice(0, -1)).not.toMatch(/[\n\r]/);
        expect(JSON.parse(line)).toMatchObject({ level: 'INFO', requestId: 'r-1', errorName: forged });
      }),
      { numRuns: 300 },
    );
  });
});
