// The local reconciler timer: a run right after start, then one per period, never two at once, and none after close.
import { describe, expect, it } from '@jest/globals';
import type { ReconcileSummary } from '../../../functions/reconciliation/reconciler.js';
import { startReconcileTimer } from '../../../local/reconcileTimer.js';

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const recorder = (runMs: number) => {
  const log = { started: 0, running: 0, maxRunning: 0 };
  const invoke = async () => {
    log.started += 1;
    log.running += 1;
    log.maxRunning = Math.max(log.maxRunning, log.running);
    await pause(runMs);
    log.running -= 1;
    return { complete: true } as ReconcileSummary;
  };
  return { log, invoke };
};

describe('startReconcileTimer', () => {
  it('runs once at start, then every period; runNow queues behind a run under way instead of overlapping it', async () => {
    // Prepare
    const { log, invoke } = recorder(30);
    const timer = startReconcileTimer({ invoke, periodMs: 50, onError: () => undefined });

    // Act
    const summaries = await Promise.all([timer.runNow(), timer.runNow()]);
    await pause(200);
    await timer.close();
    const afterClose = log.started;
    await pause(150);

    // Assess
    expect(summaries).toEqual([{ complete: true }, { complete: true }]);
    expect(log.maxRunning).toBe(1);
    expect(afterClose).toBeGreaterThanOrEqual(4);
    expect(log.started).toBe(afterClose);
    await expect(timer.runNow()).rejects.toThrow(/closed/);
  });

  it('with period 0 never runs by itself, only on runNow; a failed scheduled run is reported, not thrown', async () => {
    // Prepare
    const { log, invoke } = recorder(1);
    const idle = startReconcileTimer({ invoke, periodMs: 0, onError: () => undefined });
    const errors: string[] = [];
    const failing = startReconcileTimer({
      invoke: async () => {
        throw new Error('DynamoDB is down');
      },
      periodMs: 1_000,
      onError: (error) => errors.push(error.message),
    });

    // Act
    await pause(50);
    const before = log.started;
    await idle.runNow();
    await Promise.all([idle.close(), failing.close()]);

    // Assess
    expect(before).toBe(0);
    expect(log.started).toBe(1);
    expect(errors).toEqual(['DynamoDB is down']);
  });
});
