// The reconcile scenario's world and options: 600 accounts and 60 permission sets, every account watched, grants
// spread over distinct accounts and permission sets; and its command line.
import { describe, expect, it } from '@jest/globals';
import { readReconcileConfig } from '../../../bench/reconcile.js';
import { sweepWorld } from '../../../bench/reconcile/sweep.js';

describe('sweepWorld', () => {
  it('builds 600 accounts and 60 permission sets, watches every account, and spreads the grants', () => {
    // Prepare
    const options = { accounts: 600, permissionSets: 60, grants: 120 };

    // Act
    const world = sweepWorld(options);

    // Assess
    expect(world.accountIds).toHaveLength(600);
    expect(new Set(world.accountIds).size).toBe(600);
    expect(world.fixtures.sso.permissionSets).toHaveLength(60);
    expect(world.policy.reconcile.watch).toEqual([{ accounts: world.accountIds }]);
    expect(world.grants).toHaveLength(120);
    const pairs = new Set(world.grants.map((g) => `${g.accountId}/${g.permissionSetArn}`));
    expect(pairs.size).toBe(120);
    expect(new Set(world.grants.map((g) => g.principalId)).size).toBe(120);
    for (const g of world.grants) {
      expect(world.accountIds).toContain(g.accountId);
      expect(g.permissionSetArn.startsWith('arn:aws:sso:::permissionSet/')).toBe(true);
    }
    expect(world.fixtures.sso.principals.map((p) => p.id)).toEqual(world.grants.map((g) => g.principalId));
  });

  it('lets its one rule allow the day-long grants it asks for', () => {
    // Prepare
    // Act
    const world = sweepWorld({ accounts: 20, permissionSets: 5, grants: 4 });

    // Assess
    expect(world.policy.rules).toEqual([expect.objectContaining({ maxDurationMinutes: 1440 })]);
  });
});

describe('readReconcileConfig', () => {
  it('defaults to 20 crashed grants of 5 minutes at time scale 0.1, and 600 × 60 with 120 grants at 1', () => {
    // Prepare
    const args: string[] = [];

    // Act
    const config = readReconcileConfig(args);

    // Assess
    expect(config).toMatchObject({
      only: undefined,
      crash: { grants: 20, durationMinutes: 5, timeScale: 0.1, periodSeconds: 300 },
      sweep: { accounts: 600, permissionSets: 60, grants: 120, timeScale: 1 },
    });
  });

  it('refuses an unknown part, naming the option', () => {
    // Prepare
    const args = ['--only', 'both'];

    // Act
    const act = () => readReconcileConfig(args);

    // Assess
    expect(act).toThrow('--only must be crash or sweep, got "both"');
  });
});
