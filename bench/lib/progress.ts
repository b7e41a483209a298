// A progress line. On a terminal it rewrites itself in place; in a log (CI, a pipe) it prints a line every
// few seconds instead, because carriage returns turn a log file into one unreadable line.
import { formatDuration, formatRate, now } from './timing.js';

export interface ProgressOptions {
  label: string;
  total: number;
  unit?: string;
  /** Non-TTY only: how often a line is printed. */
  intervalMs?: number;
  stream?: NodeJS.WriteStream;
}

export interface Progress {
  /** Sets the absolute count done so far. */
  update(done: number): void;
  /** Prints the final line (always, TTY or not). */
  finish(): void;
}

export const startProgress = ({
  label,
  total,
  unit = 'items',
  intervalMs = 5000,
  stream = process.stdout,
}: ProgressOptions): Progress => {
  const tty = stream.isTTY === true;
  const started = now();
  // A TTY redraw is cheap but not free; 10 per second is smooth enough to read.
  const minGap = tty ? 100 : intervalMs;
  let lastPrint = started;
  let done = 0;

  const line = (): string => {
    const elapsed = now() - started;
    const fraction = total > 0 ? done / total : 1;
    const eta = done > 0 && done < total ? (elapsed / done) * (total - done) : 0;
    const percent = `${(fraction * 100).toFixed(1).padStart(5)}%`;
    return `${label}: ${done.toLocaleString('en-US')}/${total.toLocaleString('en-US')} ${unit} ${percent}  ${formatRate(done, elapsed)}  elapsed ${formatDuration(elapsed)}${done < total ? `  ETA ${formatDuration(eta)}` : ''}`;
  };
  const print = (final: boolean): void => {
    if (tty) stream.write(`\r\x1b[2K${line()}${final ? '\n' : ''}`);
    else stream.write(`${line()}\n`);
  };

  return {
    update(value) {
      done = value;
      const t = now();
      if (t - lastPrint >= minGap) {
        lastPrint = t;
        print(false);
      }
    },
    finish() {
      print(true);
    },
  };
};
