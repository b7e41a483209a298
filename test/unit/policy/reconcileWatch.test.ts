// Policy's `reconcile` key: which accounts the reconciler watches, validated at load, naming the field.
import { describe, expect, it } from '@jest/globals';
import { parsePolicy } from '../../../functions/policy/policy.js';

const base = { rules: [{ action: 'sso:CreateAccountAssignment', approvers: ['bob@example.com'] }] };

describe('policy reconcile.watch', () => {
  it('accepts watch entries and keeps them; absent means nothing is watched', () => {
    // Act
    const watched = parsePolicy({
      ...base,
      reconcile: { watch: [{ accounts: ['111111111111'] }, { accounts: ['222222222222'], removeUnmanaged: true }] },
    });
    const none = parsePolicy(base);

    // Assess
    expect(watched.reconcile?.watch).toEqual([
      { accounts: ['111111111111'] },
      { accounts: ['222222222222'], removeUnmanaged: true },
    ]);
    expect(none.reconcile).toBeUndefined();
  });

  it.each([
    ['an account id that is not 12 digits', { watch: [{ accounts: ['11111111111'] }] }, 'reconcile.watch.0.accounts.0'],
    ['no accounts', { watch: [{ accounts: [] }] }, 'reconcile.watch.0.accounts'],
    [
      'removeUnmanaged not a boolean',
      { watch: [{ accounts: ['111111111111'], removeUnmanaged: 'yes' }] },
      'removeUnmanaged',
    ],
    ['an unknown key', { watch: [], removeUnmanaged: true }, 'reconcile'],
    [
      'an account watched twice',
      { watch: [{ accounts: ['111111111111'] }, { accounts: ['111111111111'], removeUnmanaged: true }] },
      'reconcile.watch[1].accounts: 111111111111 is already watched by reconcile.watch[0]',
    ],
  ])('refuses %s, naming the field', (_, reconcile, named) => {
    // Act
    const load = () => parsePolicy({ ...base, reconcile });

    // Assess
    expect(load).toThrow(named);
  });
});
