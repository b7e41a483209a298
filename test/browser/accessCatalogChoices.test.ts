// What the access page's request form offers, worked out from a catalog (web/access/catalogChoices.ts, pure, no DOM):
// only the pairs some entry holds, an account's permission sets following the account across entries, the entry of a
// pair deciding who is asked and for how long, and filtering as you type by name or id, in any word order.
import { describe, expect, it } from '@jest/globals';
import {
  type Catalog,
  catalogChoices,
  durationInWords,
  filterChoices,
  listInWords,
  type SsoEntry,
} from '../../web/access/catalogChoices.js';

const PS = (name: string) => ({ arn: `arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-${name}`, name });

const readOnly: SsoEntry = {
  action: 'sso:CreateAccountAssignment',
  accounts: [
    { id: '444455556666', name: 'payments-dev' },
    { id: '555566667777', name: 'payments-staging' },
  ],
  permissionSets: [{ ...PS('ReadOnly'), description: 'Read only' }],
  principals: 'self',
  approvers: [],
  minApprovals: 0,
  approvalRequired: false,
  maxDurationMinutes: 240,
};
const payments: SsoEntry = {
  action: 'sso:CreateAccountAssignment',
  accounts: [
    { id: '111122223333', name: 'payments-prod' },
    { id: '444455556666', name: 'payments-dev' },
    // A name that could not be resolved is the id itself.
    { id: '999999999999', name: '999999999999' },
  ],
  permissionSets: [PS('PowerUser'), PS('ReadOnly')],
  principals: 'self',
  approvers: ['bob@example.com', 'dana@example.com'],
  minApprovals: 1,
  approvalRequired: true,
  maxDurationMinutes: 480,
};
const catalog: Catalog = {
  identity: { id: 'alice@example.com', groups: ['Engineers'] },
  entries: [
    readOnly,
    payments,
    {
      action: 'proton:AcceptEnvironmentAccountConnection',
      connections: [{ id: 'c0ffee', environmentName: 'prod', environmentAccountId: '222222222222' }],
      approvers: ['carol@example.com'],
      minApprovals: 1,
      approvalRequired: true,
    },
  ],
};

describe('catalogChoices', () => {
  it('offers each account and permission set once, by name, and an account’s sets across its entries', () => {
    // Prepare / Act
    const choices = catalogChoices(catalog);
    // Assess
    expect(choices.accounts.map((c) => [c.label, c.detail])).toEqual([
      ['999999999999', undefined],
      ['payments-dev', '444455556666'],
      ['payments-prod', '111122223333'],
      ['payments-staging', '555566667777'],
    ]);
    expect(choices.permissionSets.map((c) => c.key)).toEqual(['PowerUser', 'ReadOnly']);
    expect([...(choices.permissionSetsOn('444455556666') ?? [])].sort()).toEqual(['PowerUser', 'ReadOnly']);
    expect([...(choices.permissionSetsOn('555566667777') ?? [])]).toEqual(['ReadOnly']);
    expect(choices.permissionSetsOn('000000000000')).toBeUndefined();
    expect([...(choices.accountsWith('PowerUser') ?? [])].sort()).toEqual([
      '111122223333',
      '444455556666',
      '999999999999',
    ]);
    expect(choices.connections.map((c) => c.connection.id)).toEqual(['c0ffee']);
  });

  it('routes a pair to the first entry holding it, as routing tries rules in order, and refuses pairs none holds', () => {
    // Prepare
    const choices = catalogChoices(catalog);
    // Act / Assess
    expect(choices.entryFor('444455556666', 'ReadOnly')).toBe(readOnly);
    expect(choices.entryFor('444455556666', 'PowerUser')).toBe(payments);
    expect(choices.entryFor('555566667777', 'PowerUser')).toBeUndefined();
  });
});

describe('filterChoices', () => {
  const { accounts, permissionSets } = catalogChoices(catalog);

  it('matches every typed word in the name or id, in any order, labels that start with the text first', () => {
    // Act / Assess
    expect(filterChoices(accounts, 'pay').map((c) => c.label)).toEqual([
      'payments-dev',
      'payments-prod',
      'payments-staging',
    ]);
    expect(filterChoices(accounts, 'prod pay').map((c) => c.label)).toEqual(['payments-prod']);
    expect(filterChoices(accounts, '6777').map((c) => c.label)).toEqual(['payments-staging']);
    expect(filterChoices(accounts, '  PAYMENTS-Dev ').map((c) => c.label)).toEqual(['payments-dev']);
    expect(filterChoices(permissionSets, 'only').map((c) => c.key)).toEqual(['ReadOnly']);
    expect(filterChoices(accounts, 'nothing like it')).toEqual([]);
  });

  it('keeps only what the other picker’s choice allows', () => {
    // Act
    const allowed = catalogChoices(catalog).accountsWith('PowerUser');
    // Assess
    expect(filterChoices(accounts, '', allowed).map((c) => c.label)).toEqual([
      '999999999999',
      'payments-dev',
      'payments-prod',
    ]);
  });
});

describe('words', () => {
  it('lists approvers and durations as people read them', () => {
    // Act / Assess
    expect(listInWords([])).toBe('');
    expect(listInWords(['bob@example.com'])).toBe('bob@example.com');
    expect(listInWords(['a', 'b', 'c'])).toBe('a, b and c');
    expect(durationInWords(45)).toBe('45 min');
    expect(durationInWords(90)).toBe('1 h 30 min');
    expect(durationInWords(480)).toBe('8 h');
  });
});
