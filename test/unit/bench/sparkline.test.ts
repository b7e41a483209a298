// The bulk scenario's calls-per-second sparkline: bucketed means, scaled to a maximum, gaps for zero.
import { describe, expect, it } from '@jest/globals';
import { bucketMeans, perInterval, sparkline } from '../../../bench/lib/sparkline.js';

describe('sparkline', () => {
  it('draws each value against the largest', () => {
    // Prepare
    const values = [1, 2, 3, 4, 5, 6, 7, 8];

    // Act
    const line = sparkline(values);

    // Assess
    expect(line).toBe('▁▂▃▄▅▆▇█');
  });

  it('draws zero as a gap, so an outage shows', () => {
    // Prepare
    const values = [20, 20, 0, 0, 20];

    // Act
    const line = sparkline(values, { max: 20 });

    // Assess
    expect(line).toBe('██  █');
  });

  it('scales to a given maximum and clips above it', () => {
    // Prepare
    const values = [5, 10, 20, 40];

    // Act
    const line = sparkline(values, { max: 20 });

    // Assess
    expect(line).toBe('▂▄██');
  });

  it('averages a long series into at most `width` characters', () => {
    // Prepare: 300 seconds, the middle 100 silent.
    const values = [...new Array<number>(100).fill(20), ...new Array<number>(100).fill(0), ...new Array(100).fill(20)];

    // Act
    const line = sparkline(values, { width: 30, max: 20 });

    // Assess
    expect(line).toHaveLength(30);
    expect(line).toBe(`${'█'.repeat(10)}${' '.repeat(10)}${'█'.repeat(10)}`);
  });

  it('draws an empty or all-zero series as blanks', () => {
    // Prepare
    // Act
    const empty = sparkline([]);
    const zeros = sparkline([0, 0, 0]);

    // Assess
    expect(empty).toBe('');
    expect(zeros).toBe('   ');
  });

  it('refuses a width that is not a positive integer', () => {
    // Prepare
    // Act
    const act = () => sparkline([1], { width: 0 });

    // Assess
    expect(act).toThrow('sparkline width must be a positive integer, got 0');
  });
});

describe('bucketMeans', () => {
  it('splits unevenly sized series into runs that differ by at most one', () => {
    // Prepare
    const values = [1, 1, 1, 3, 3, 3, 3];

    // Act
    const means = bucketMeans(values, 2);

    // Assess: runs of 3 and 4.
    expect(means).toEqual([1, 3]);
  });
});

describe('perInterval', () => {
  it('turns running totals into counts per interval', () => {
    // Prepare
    const totals = [110, 130, 130, 145];

    // Act
    const counts = perInterval(totals, 100);

    // Assess
    expect(counts).toEqual([10, 20, 0, 15]);
  });
});
