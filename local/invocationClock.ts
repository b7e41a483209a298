// An opt-in instrument for the benchmarks: how long each Lambda invocation would have run had it had the CPU to
// itself, as it does in AWS, although locally it shares one event loop with every other handler, the workflow
// engine, the emulators and dynalite.
//
// Every piece of work on the thread is charged to an owner. An invocation owns its handler's code and, followed
// across the local HTTP hops by the client socket's port, the emulated endpoint's and dynalite's work for its own
// AWS calls (the service time AWS would make it wait for). Other invocations, other API requests and the workflow
// engine own theirs. During an invocation's window, the time the thread spent running *other owners'* work is
// queueing: on AWS that work runs elsewhere. What is left (its own work, idle waits on I/O, and work that no owner
// claims) is the handler's own time. Unclaimed work is left in, so an attribution gap can only make the handler look
// slower, never faster.
//
// Some work belongs to no one owner. The thread's work outside any JavaScript callback (libuv, HTTP parsing in C++,
// the scheduler's preemptions under machine load), which is the window less its callbacks and less the loop's idle
// wait (libuv's own count), is split between the invocation and the others in the ratio of their callbacks' time.
// A garbage-collection pause stops whichever callback happened to allocate when the heap filled. A scavenge (the
// young generation) stays with that callback: every callback's allocations bring them on, so in the long run each
// pays its share. A mark-compact collects the whole old heap, which on the local stack is the engine's executions and
// dynalite's tables: it is taken out of the callback it stopped and counted as queueing, none of the invocation's
// (its own heap in Lambda is small); a 100 ms one landing in a handler would otherwise be its own.
//
// It costs CPU (async_hooks with promise tracking sees every callback and promise reaction), so it is off unless a
// stack is started with `timeInvocations`; `npm start` and the tests never turn it on.
import { AsyncLocalStorage, createHook, type AsyncHook } from 'node:async_hooks';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { ClientRequest, IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { constants, type PerformanceEntry, performance, PerformanceObserver } from 'node:perf_hooks';

/** The event loop's idle time so far: libuv's count of the time spent waiting for I/O with nothing to run. */
const loopIdleMs = (): number => performance.eventLoopUtilization().idle;

/** Nanoseconds this thread has waited on a run queue so far (the second field), or undefined off Linux. */
const runQueueWaitNs = (): number | undefined => {
  try {
    const wait = Number(readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]);
    return Number.isFinite(wait) ? wait : undefined;
  } catch {
    return undefined;
  }
};

/** Who a stretch of work on the thread is done for. */
interface Owner {
  kind: 'invocation' | 'http' | 'engine';
  /** Busy milliseconds charged to this owner so far. */
  busyMs: number;
  /** Invocations only: the stretches of its own work, [start, end, start, end, …], to find the pauses in them. */
  spans?: number[];
}

/** An invocation's window as counted when it ended; its timing is worked out once the pauses in it are known. */
interface Window {
  functionName: string;
  startedAt: number;
  endedAt: number;
  owner: Owner;
  busyMs: number;
  unclaimedMs: number;
  idleMs: number;
  machineWaitMs?: number;
}

interface Pause {
  start: number;
  end: number;
  /** Not a scavenge of the young generation: a mark-compact of the whole heap, or a step of one. */
  major: boolean;
}

export interface InvocationTiming {
  /** The serverless.yml name, e.g. `submit`. */
  functionName: string;
  /** performance.now() at the invocation, to order invocations. */
  startedAt: number;
  /** Invocation to result, as a client of the runtime sees it. */
  wallMs: number;
  /** The thread's time on other owners' work during the window: what the invocation waited behind. */
  queuedMs: number;
  /** wallMs − queuedMs: what Lambda would bill, with the emulated services' work for its own calls included. */
  ownMs: number;
  /** Of ownMs, the thread's time on the invocation's own work (its code and its calls' service work). */
  ownBusyMs: number;
  /** Of ownMs, work no owner claimed (kept in ownMs, so a gap in the attribution cannot flatter the handler). */
  unclaimedMs: number;
  /** Of ownMs, the event loop's idle wait for I/O (nothing was ready to run). */
  idleMs: number;
  /** Work outside any callback, split between ownMs and queuedMs in the ratio of the callbacks' time. */
  outsideCallbacksMs: number;
  /** Garbage-collection pauses in the window (a scavenge counts with the callback it stopped). */
  gcMs: number;
  /**
   * Of gcMs, mark-compacts, counted as queueing whichever callback they stop: their cost is the whole old heap's, on
   * the local stack the engine's executions and dynalite's tables, none of them the invocation's.
   */
  majorGcMs: number;
  /**
   * Of the window, the time the thread was ready to run but the OS ran something else (another process on a shared
   * machine), from Linux's /proc/thread-self/schedstat; undefined where that is not readable. It lands in whichever
   * stretch it interrupts, own work included, so a large value says the figures are the machine's, not the stack's.
   */
  machineWaitMs?: number;
}

export interface InvocationClock {
  /** Runs `invoke` as the invocation of `functionName` and records its timing once it settles. */
  measure<T>(functionName: string, invoke: () => Promise<T>): Promise<T>;
  /** Runs `start` (and everything it sets off) as the workflow engine's work, not its caller's. */
  asEngineWork<T>(start: () => T): T;
  /** The timings of the invocations that ended since the last call (once the runtime has reported their pauses). */
  take(): Promise<InvocationTiming[]>;
  /** Stops observing; measure and asEngineWork become plain calls. */
  disable(): void;
}

const CLIENT_REQUEST_START = 'http.client.request.start';
const SERVER_REQUEST_START = 'http.server.request.start';
/** A callback that threw past its `after` hook leaves the stack unbalanced; past this depth it is reset. */
const MAX_DEPTH = 10_000;

let enabled = false;

/**
 * Starts observing this thread. One clock per process (async hooks and channels are process-wide): a second call
 * while one is enabled is refused.
 */
export const enableInvocationClock = (): InvocationClock => {
  if (enabled) throw new Error('enableInvocationClock: a clock is already enabled in this process');
  enabled = true;
  const owners = new AsyncLocalStorage<Owner>();
  let totalBusyMs = 0;
  let unclaimedBusyMs = 0;
  // The owner of the callback running now, and of the ones it interrupted (promise reactions run inside callbacks).
  const running: Array<Owner | undefined> = [];
  let segmentStart = 0;

  const charge = (at: number): void => {
    if (running.length > 0) {
      const ms = at - segmentStart;
      totalBusyMs += ms;
      const owner = running[running.length - 1];
      if (owner) {
        owner.busyMs += ms;
        const spans = owner.spans;
        // Back-to-back stretches (a chain of promise reactions) are merged, to keep the list short.
        if (spans && spans.length > 0 && spans[spans.length - 1] === segmentStart) spans[spans.length - 1] = at;
        else spans?.push(segmentStart, at);
      } else unclaimedBusyMs += ms;
    }
    segmentStart = at;
  };

  // Pauses arrive asynchronously (the observer is called after the fact), hence timings are worked out in take().
  const pauses: Pause[] = [];
  const gcObserver = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = (entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
      pauses.push({
        start: entry.startTime,
        end: entry.startTime + entry.duration,
        major: kind !== constants.NODE_PERFORMANCE_GC_MINOR,
      });
    }
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const overlap = (a0: number, a1: number, b0: number, b1: number): number =>
    Math.max(0, Math.min(a1, b1) - Math.max(a0, b0));

  const timingOf = (w: Window): InvocationTiming => {
    const wallMs = w.endedAt - w.startedAt;
    const inWindow = pauses.filter((p) => p.end > w.startedAt && p.start < w.endedAt);
    const within = (p: Pause): number => overlap(p.start, p.end, w.startedAt, w.endedAt);
    const gcMs = inWindow.reduce((sum, p) => sum + within(p), 0);
    const major = inWindow.filter((p) => p.major);
    const majorGcMs = major.reduce((sum, p) => sum + within(p), 0);
    const spans = w.owner.spans ?? [];
    let ownMajorGcMs = 0;
    for (const p of major)
      for (let i = 0; i + 1 < spans.length; i += 2)
        ownMajorGcMs += overlap(p.start, p.end, spans[i] ?? 0, spans[i + 1] ?? 0);
    // Mark-compacts are taken out of the callbacks they stopped: the invocation's own, then the others' in proportion.
    const ownBusyMs = Math.max(0, w.owner.busyMs - ownMajorGcMs);
    const othersRawMs = Math.max(0, w.busyMs - w.owner.busyMs - w.unclaimedMs);
    const restRawMs = othersRawMs + w.unclaimedMs;
    const restMajorGcMs = Math.min(Math.max(0, majorGcMs - ownMajorGcMs), restRawMs);
    const othersMs = restRawMs > 0 ? othersRawMs - (restMajorGcMs * othersRawMs) / restRawMs : 0;
    const unclaimedMs = restRawMs > 0 ? w.unclaimedMs - (restMajorGcMs * w.unclaimedMs) / restRawMs : 0;
    const outsideCallbacksMs = Math.max(0, wallMs - w.busyMs - w.idleMs);
    const claimedMs = ownBusyMs + unclaimedMs + othersMs;
    const ownShare = claimedMs > 0 ? (ownBusyMs + unclaimedMs) / claimedMs : 1;
    const ownMs = Math.min(wallMs, ownBusyMs + unclaimedMs + w.idleMs + ownShare * outsideCallbacksMs);
    return {
      functionName: w.functionName,
      startedAt: w.startedAt,
      wallMs,
      queuedMs: wallMs - ownMs,
      ownMs,
      ownBusyMs,
      unclaimedMs,
      idleMs: w.idleMs,
      outsideCallbacksMs,
      gcMs,
      majorGcMs,
      ...(w.machineWaitMs !== undefined ? { machineWaitMs: w.machineWaitMs } : {}),
    };
  };

  const hook: AsyncHook = createHook({
    before() {
      charge(performance.now());
      if (running.length >= MAX_DEPTH) running.length = 0;
      running.push(owners.getStore());
    },
    after() {
      charge(performance.now());
      running.pop();
    },
  });
  hook.enable();

  // The local HTTP hops (handler → AWS endpoint → dynalite) carry the caller's owner: a client request records its
  // owner against its socket's local port, and the server that accepts that socket runs the request as that owner.
  // A kept-alive socket carries one request at a time, so the port names the request in flight.
  const ownerByPort = new Map<number, Owner>();
  const watched = new WeakSet<Socket>();
  const onClientRequest = (message: unknown): void => {
    const owner = owners.getStore();
    const { request } = message as { request: ClientRequest };
    if (!owner) return;
    const claim = (socket: Socket): void => {
      const record = (): void => {
        const port = socket.localPort;
        if (port === undefined) return;
        ownerByPort.set(port, owner);
        // Once per socket (a kept-alive one carries many requests); the port may be reused after it closes.
        if (watched.has(socket)) return;
        watched.add(socket);
        socket.once('close', () => ownerByPort.delete(port));
      };
      if (socket.localPort === undefined) socket.once('connect', record);
      else record();
    };
    if (request.socket) claim(request.socket);
    else request.once('socket', claim);
  };
  const onServerRequest = (message: unknown): void => {
    const { request } = message as { request: IncomingMessage };
    const port = request.socket.remotePort;
    // Requests from outside the process (the load clients, the benchmark's own calls) are API Gateway's work.
    owners.enterWith((port !== undefined ? ownerByPort.get(port) : undefined) ?? { kind: 'http', busyMs: 0 });
  };
  subscribe(CLIENT_REQUEST_START, onClientRequest);
  subscribe(SERVER_REQUEST_START, onServerRequest);

  /**
   * Runs `fn` as `owner`, its synchronous part included: that part runs inside the caller's callback, which the
   * hooks would otherwise charge to the caller.
   */
  const runAs = <T>(owner: Owner, fn: () => T): T => {
    charge(performance.now());
    running.push(owner);
    try {
      return owners.run(owner, fn);
    } finally {
      charge(performance.now());
      running.pop();
    }
  };

  let ended: Window[] = [];
  /** Invocations still running, by start: the pauses they may yet need are kept. */
  const open = new Set<{ startedAt: number }>();
  let active = true;

  return {
    async measure(functionName, invoke) {
      if (!active) return invoke();
      const startedAt = performance.now();
      charge(startedAt);
      const totalBefore = totalBusyMs;
      const unclaimedBefore = unclaimedBusyMs;
      const idleBefore = loopIdleMs();
      const waitBefore = runQueueWaitNs();
      const owner: Owner = { kind: 'invocation', busyMs: 0, spans: [] };
      const running = { startedAt };
      open.add(running);
      const record = (): void => {
        open.delete(running);
        const endedAt = performance.now();
        charge(endedAt);
        const waitAfter = runQueueWaitNs();
        ended.push({
          functionName,
          startedAt,
          endedAt,
          owner,
          busyMs: totalBusyMs - totalBefore,
          unclaimedMs: unclaimedBusyMs - unclaimedBefore,
          idleMs: Math.max(0, loopIdleMs() - idleBefore),
          ...(waitBefore !== undefined && waitAfter !== undefined
            ? { machineWaitMs: (waitAfter - waitBefore) / 1e6 }
            : {}),
        });
      };
      try {
        return await runAs(owner, invoke);
      } finally {
        record();
      }
    },
    asEngineWork(start) {
      return active ? runAs({ kind: 'engine', busyMs: 0 }, start) : start();
    },
    async take() {
      // The observer hears of a pause on a later turn of the loop; two turns cover the last window's.
      for (let turn = 0; turn < 2; turn += 1) await new Promise((resolve) => setImmediate(resolve));
      const windows = ended;
      ended = [];
      const timings = windows.map(timingOf);
      // Pauses no window still waiting can overlap are dropped, so the list stays short.
      const oldest = Math.min(...[...open].map((w) => w.startedAt), performance.now());
      const keep = pauses.filter((p) => p.end >= oldest);
      pauses.splice(0, pauses.length, ...keep);
      return timings;
    },
    disable() {
      if (!active) return;
      active = false;
      hook.disable();
      gcObserver.disconnect();
      unsubscribe(CLIENT_REQUEST_START, onClientRequest);
      unsubscribe(SERVER_REQUEST_START, onServerRequest);
      ownerByPort.clear();
      open.clear();
      pauses.length = 0;
      enabled = false;
    },
  };
};
