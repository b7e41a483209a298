// The bulk scenario's ideal bound for time-bound grants and their revocation: a perfect scheduler under the
// emulator's limits. Checked against cases worked by hand, against the closed-form floors it must never beat, and
// for the outage's effect (no call inside it, operations already started still finish).
import { describe, expect, it } from '@jest/globals';
import { idealBound, simulateIdeal, simulateOperations } from '../../../bench/bulk/ideal.js';

const limits = { slots: 15, provisioningSeconds: 3, tps: 20 };

describe('simulateOperations', () => {
  it('finishes one deletion one provisioning time after it is due', () => {
    // Prepare
    const input = { ...limits, due: [10], callsBefore: 0 };

    // Act
    const ideal = simulateOperations(input);

    // Assess: Delete at 10, status read at 13.
    expect(ideal.doneAt).toEqual([13]);
    expect(ideal.span).toBe(3);
    expect(ideal.calls).toBe(2);
  });

  it('makes the 16th creation wait for the first slot to free', () => {
    // Prepare: 16 creations, 3 calls each: 48 calls, more than 20 in the first second.
    const input = { ...limits, due: new Array<number>(16).fill(0), callsBefore: 1 };

    // Act
    const ideal = simulateOperations(input);

    // Assess: the first 15 creations start within the first second; the 16th cannot start before 3 s, when the first
    // slot frees, and is read 3 s later, at 6 s at the earliest.
    expect(ideal.lastDone).toBeGreaterThanOrEqual(6);
    expect(ideal.lastDone).toBeLessThan(7);
    expect(ideal.doneAt.filter((t) => t < 6)).toHaveLength(15);
  });

  it('never beats the closed-form floor, and stays within a provisioning time of it for 500 creations', () => {
    // Prepare
    const n = 500;
    const input = { ...limits, due: new Array<number>(n).fill(0), callsBefore: 1 };
    const floor = Math.max(Math.ceil(n / 15) * 3, (3 * n) / 20);

    // Act
    const ideal = simulateOperations(input);

    // Assess
    expect(floor).toBe(102);
    expect(ideal.lastDone).toBeGreaterThanOrEqual(floor);
    expect(ideal.lastDone).toBeLessThanOrEqual(floor + 3);
    expect(ideal.calls).toBe(1500);
  });

  it('is bound by the rate when the slots are not: 1,000 deletions with 100 slots', () => {
    // Prepare: 2 calls each at 20/s is 100 s; 100 slots of 3 s would allow 30 s.
    const input = { ...limits, slots: 100, due: new Array<number>(1000).fill(0), callsBefore: 0 };

    // Act
    const ideal = simulateOperations(input);

    // Assess
    expect(ideal.lastDone).toBeGreaterThanOrEqual(100 - 1);
    expect(ideal.lastDone).toBeLessThanOrEqual(100 + 3);
  });

  it('makes no call inside the outage and finishes what had started', () => {
    // Prepare: two deletions; the first is called at 0 and read at 3, inside the outage [1, 121).
    const input = { ...limits, due: [0, 2], callsBefore: 0, outage: { from: 1, to: 121 } };

    // Act
    const ideal = simulateOperations(input);

    // Assess: the first deletion's read waits for the outage to end; the second is called at 121 and read at 124.
    expect(ideal.doneAt).toEqual([121, 124]);
    expect(ideal.firstDue).toBe(0);
    expect(ideal.span).toBe(124);
  });

  it('starts each operation no sooner than it is due, and reports doneAt in the order given', () => {
    // Prepare
    const input = { ...limits, due: [50, 0, 25], callsBefore: 0 };

    // Act
    const ideal = simulateOperations(input);

    // Assess
    expect(ideal.doneAt).toEqual([53, 3, 28]);
    expect(ideal.firstDue).toBe(0);
    expect(ideal.lastDone).toBe(53);
  });

  it('answers an empty wave with zeros', () => {
    // Prepare
    // Act
    const ideal = simulateOperations({ ...limits, due: [], callsBefore: 0 });

    // Assess
    expect(ideal).toMatchObject({ doneAt: [], span: 0, calls: 0 });
  });
});

describe('simulateIdeal', () => {
  it('gives both waves, their floors and the assumptions it printed', () => {
    // Prepare: 500 one-minute grants whose ends are spread as their creations were.
    const grantEnds = Array.from({ length: 500 }, (_, i) => 60 + (i / 500) * 110);
    const outage = { from: 75, to: 195 };

    // Act
    const ideal = simulateIdeal({
      creations: 500,
      grantEnds,
      slots: { creation: 15, deletion: 15 },
      provisioningSeconds: 3,
      tps: 20,
      outage,
    });

    // Assess: the outage adds up to its length to either wave, never more than that plus a few slots' time.
    expect(ideal.floors).toEqual({ creationSeconds: 102, deletionSeconds: 102 });
    expect(ideal.creations.lastDone).toBeGreaterThanOrEqual(102 + 110);
    expect(ideal.creations.lastDone).toBeLessThanOrEqual(102 + 120 + 6);
    expect(ideal.deletions.firstDue).toBe(60);
    expect(ideal.deletions.lastDone).toBeGreaterThanOrEqual(195);
    expect(ideal.deletions.span).toBeGreaterThanOrEqual(ideal.floors.deletionSeconds);
    expect(ideal.assumptions.join('\n')).toMatch(/ListAccountAssignments/);
    expect(ideal.assumptions.join('\n')).toMatch(/\[75\.0, 195\.0\)/);
  });

  it('matches the closed form for permanent creations without an outage, where the slots bind', () => {
    // Prepare
    const closedForm = idealBound({ requests: 500, slots: 15, provisioningSeconds: 3, tps: 20, timeScale: 1 });

    // Act
    const simulated = simulateOperations({ ...limits, due: new Array<number>(500).fill(0), callsBefore: 0 });

    // Assess
    expect(closedForm.seconds).toBe(102);
    expect(simulated.lastDone).toBeGreaterThanOrEqual(closedForm.seconds);
    expect(simulated.lastDone).toBeLessThanOrEqual(closedForm.seconds + 1);
  });
});
