import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { enableInvocationClock, type InvocationClock } from '../../../local/invocationClock.js';
import { createLambdaRuntime } from '../../../local/lambdaRuntime.js';
import { projectRoot, type ServerlessConfig } from '../../../local/serverlessConfig.js';

/** Holds the thread for `ms`, as CPU-bound work would. */
const spin = (ms: number): void => {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // busy on purpose
  }
};
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A local HTTP service that spends `workMs` of the thread on every request, as the emulators and dynalite do. */
const startService = (workMs: number): Promise<{ server: Server; call: () => Promise<void> }> =>
  new Promise((resolve) => {
    const server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        spin(workMs);
        res.end('done');
      });
    });
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      const call = (): Promise<void> =>
        new Promise((done, fail) => {
          const outgoing = request({ host: '127.0.0.1', port, method: 'POST' }, (answer) => {
            answer.resume();
            answer.on('end', done);
          });
          outgoing.on('error', fail);
          outgoing.end('{}');
        });
      resolve({ server, call });
    });
  });

let clock: InvocationClock | undefined;
afterEach(() => {
  clock?.disable();
  clock = undefined;
});

describe('invocation clock', () => {
  it('counts other owners’ work during the window as queueing, and the handler’s own work as its own', async () => {
    // Prepare
    clock = enableInvocationClock();
    const engine = clock;
    // Due before the handler's own wait ends, so it runs inside the window, as the workflow engine's work.
    setTimeout(() => engine.asEngineWork(() => spin(60)), 1);

    // Act
    await clock.measure('submit', async () => {
      spin(20);
      await sleep(5);
      spin(20);
    });
    const [timing] = await clock.take();

    // Assess
    expect(timing?.functionName).toBe('submit');
    expect(timing?.queuedMs).toBeGreaterThanOrEqual(59);
    expect(timing?.ownBusyMs).toBeGreaterThanOrEqual(40);
    expect(timing?.ownMs).toBeGreaterThanOrEqual(40);
    expect(timing?.ownMs).toBeLessThan((timing?.wallMs ?? 0) - 59);
    expect(await clock.take()).toEqual([]);
  });

  it('follows the handler’s calls across local HTTP hops: the service’s work for them is its own', async () => {
    // Prepare
    clock = enableInvocationClock();
    const engine = clock;
    const service = await startService(30);
    try {
      // Act
      // Another owner's call to the same service, in flight during the window: its 30 ms are queueing.
      const other = engine.asEngineWork(() => service.call());
      await clock.measure('decide', () => service.call());
      await other;
      const [timing] = await clock.take();

      // Assess
      expect(timing?.ownBusyMs).toBeGreaterThanOrEqual(29);
      expect(timing?.queuedMs).toBeGreaterThanOrEqual(29);
      expect(timing?.ownMs).toBeLessThan((timing?.wallMs ?? 0) - 29);
    } finally {
      await new Promise((resolve) => service.server.close(resolve));
    }
  });

  it('counts a mark-compact that lands in the handler as queueing: it collects the whole heap', async () => {
    // Prepare
    setFlagsFromString('--expose-gc');
    const collect = runInNewContext('gc') as () => void;
    // A heap worth marking, so the full collection below takes a while, as the stack's does under load.
    const live = Array.from({ length: 1_500_000 }, (_, i) => ({ i, text: `item ${i}` }));
    clock = enableInvocationClock();
    const engine = clock;
    setTimeout(() => engine.asEngineWork(() => spin(60)), 1);

    // Act
    await clock.measure('submit', async () => {
      spin(10);
      collect();
      await sleep(5);
      spin(10);
    });
    const [timing] = await clock.take();

    // Assess
    expect(live.length).toBe(1_500_000);
    const gcMs = timing?.gcMs ?? 0;
    expect(gcMs).toBeGreaterThan(10);
    expect(timing?.majorGcMs).toBe(gcMs);
    // Its own 20 ms, not the pause (the engine's 60 ms are queueing too). The margin is for scavenges, which stay
    // with the callback they stop, and for a busy machine.
    expect(timing?.ownBusyMs).toBeLessThan(20 + gcMs / 2);
    expect(timing?.ownMs).toBeLessThan(20 + gcMs / 2);
    expect(timing?.queuedMs).toBeGreaterThan(59 + gcMs);
  });

  it('times each handler call of a runtime given a clock, by function name', async () => {
    // Prepare
    clock = enableInvocationClock();
    const config = {
      service: 'access-approvals',
      routes: [],
      functions: [
        { name: 'echo', modulePath: 'test/unit/local/fixtures/echoHandler', exportName: 'handler', environment: {} },
      ],
    } as unknown as ServerlessConfig;
    const runtime = createLambdaRuntime(config, { projectRoot, clock });

    // Act
    await runtime.invoke('echo', { n: 1 });
    await runtime.invoke('echo', { n: 2 });

    // Assess
    const timings = await clock.take();
    expect(timings.map((t) => t.functionName)).toEqual(['echo', 'echo']);
    for (const t of timings) expect(t.ownMs + t.queuedMs).toBeCloseTo(t.wallMs, 6);
  });

  it('is one per process, and becomes a plain call once disabled', async () => {
    // Prepare
    const first = enableInvocationClock();
    clock = first;

    // Act
    const second = (): InvocationClock => enableInvocationClock();
    first.disable();
    const result = await first.measure('submit', async () => 42);
    clock = enableInvocationClock();

    // Assess
    expect(second).toThrow('already enabled');
    expect(result).toBe(42);
    expect(await first.take()).toEqual([]);
    expect(first.asEngineWork(() => 'ran')).toBe('ran');
  });
});
