// Durable storage for the local engine's executions, incremental so that no write blocks the stack's one event loop
// for long. Rewriting every execution's full history on each change cost 100+ ms per write once the history reached
// megabytes; here each change is appended as one JSON line to `<stateFile>.journal`, and the whole state is only
// written (to `stateFile`, atomically) when the journal is compacted: at start-up, after replaying it, and at close.
// A SIGKILL loses at most the last FLUSH_MS of history events; a started execution is on disk before
// StartExecution answers, so the restart always knows which executions it lost.
import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface HistoryEvent {
  id: number;
  previousEventId: number;
  /** Epoch seconds, as the awsJson protocol carries timestamps. */
  timestamp: number;
  type: string;
  [details: string]: unknown;
}

/** What an execution ends with; set once, when its status leaves RUNNING. */
export interface ExecutionOutcome {
  status: ExecutionStatus;
  stopDate?: number;
  output?: string;
  error?: string;
  cause?: string;
}

export interface ExecutionRecord extends ExecutionOutcome {
  executionArn: string;
  name: string;
  input: string;
  startDate: number;
  history: HistoryEvent[];
}

type Entry =
  | { kind: 'started'; record: Omit<ExecutionRecord, 'history'> }
  | { kind: 'event'; executionArn: string; event: HistoryEvent }
  | { kind: 'outcome'; executionArn: string; outcome: ExecutionOutcome };

/** How long history events wait to be written together; the old whole-file rewrite used the same window. */
const FLUSH_MS = 50;

export interface ExecutionJournal {
  /** The executions on disk: the last compacted state with the journal replayed over it. Compacts as it goes. */
  load(): ExecutionRecord[];
  /** The same, read only: for looking at a running engine's data from outside (benchmarks). */
  peek(): ExecutionRecord[];
  started(record: ExecutionRecord): void;
  event(executionArn: string, event: HistoryEvent): void;
  outcome(executionArn: string, outcome: ExecutionOutcome): void;
  /** Writes `records` as the whole state and empties the journal. Blocks for as long as the state is big. */
  compact(records: Iterable<ExecutionRecord>): void;
  /** Writes what is buffered and stops recording: later changes are not persisted. */
  close(): void;
}

export const createExecutionJournal = (stateFile: string): ExecutionJournal => {
  const journalFile = `${stateFile}.journal`;
  let buffered: string[] = [];
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let dirReady = false;

  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (buffered.length === 0) return;
    const text = buffered.join('');
    buffered = [];
    if (!dirReady) mkdirSync(dirname(journalFile), { recursive: true });
    dirReady = true;
    appendFileSync(journalFile, text);
  };
  const write = (entry: Entry, now = false): void => {
    if (closed) return;
    buffered.push(`${JSON.stringify(entry)}\n`);
    if (now) flush();
    else timer ??= setTimeout(flush, FLUSH_MS).unref();
  };

  const replay = (records: Map<string, ExecutionRecord>, text: string): void => {
    for (const line of text.split('\n')) {
      if (line === '') continue;
      let entry: Entry;
      try {
        entry = JSON.parse(line) as Entry;
      } catch {
        // Only the last line can be cut short, by a kill in the middle of a write; what it held is lost either way.
        continue;
      }
      if (entry.kind === 'started') {
        records.set(entry.record.executionArn, { ...entry.record, history: [] });
        continue;
      }
      const record = records.get(entry.executionArn);
      if (!record) continue;
      // Ids run 1, 2, 3…: an event the state already holds (a kill between compaction's rename and the journal's
      // removal) is not added twice.
      if (entry.kind === 'event') {
        if (entry.event.id === record.history.length + 1) record.history.push(entry.event);
      } else Object.assign(record, entry.outcome);
    }
  };

  const compact = (records: Iterable<ExecutionRecord>): void => {
    clearTimeout(timer);
    timer = undefined;
    buffered = [];
    mkdirSync(dirname(stateFile), { recursive: true });
    const temp = `${stateFile}.${process.pid}.tmp`;
    writeFileSync(temp, JSON.stringify({ executions: [...records] }));
    renameSync(temp, stateFile);
    // After the rename: a kill in between replays the journal over a state that already holds it, which
    // replay() tolerates.
    rmSync(journalFile, { force: true });
  };

  const read = (): Map<string, ExecutionRecord> => {
    const records = new Map<string, ExecutionRecord>();
    if (existsSync(stateFile)) {
      let saved: { executions?: ExecutionRecord[] };
      try {
        saved = JSON.parse(readFileSync(stateFile, 'utf8')) as typeof saved;
      } catch (error) {
        throw new Error(`Cannot read the Step Functions state file ${stateFile}: ${(error as Error).message}`);
      }
      for (const record of saved.executions ?? []) records.set(record.executionArn, record);
    }
    if (existsSync(journalFile)) replay(records, readFileSync(journalFile, 'utf8'));
    return records;
  };

  return {
    load() {
      const records = read();
      if (existsSync(journalFile)) compact(records.values());
      return [...records.values()];
    },
    peek: () => [...read().values()],
    started: (record) => {
      const { history: _history, ...rest } = record;
      write({ kind: 'started', record: rest }, true);
    },
    event: (executionArn, event) => write({ kind: 'event', executionArn, event }),
    outcome: (executionArn, outcome) => write({ kind: 'outcome', executionArn, outcome }),
    compact,
    close() {
      if (closed) return;
      flush();
      closed = true;
    },
  };
};
