// Fixtures written before the directory existed list principals only under `sso`. The Identity Store emulator knows
// them too (named by their ids), so a submit that checks its principal exists finds them, as in one Identity Center.
import { describe, expect, it } from '@jest/globals';
import { defaultFixtures, identityStoreWithPrincipals, loadFixtures } from '../../../local/emulators/fixtures.js';

describe('identityStoreWithPrincipals', () => {
  it('adds principals listed only under sso as nameless users and groups, leaving the fixtures as given', () => {
    // Prepare
    const fixtures = loadFixtures(
      JSON.stringify({
        sso: {
          principals: [
            { id: '906767a1-0000-4000-8000-000000000001', type: 'USER' },
            { id: '906767a1-0000-4000-8000-000000000001', type: 'USER' },
            { id: '1234567890-906767a1-0000-4000-8000-000000000002', type: 'GROUP' },
            { id: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6', type: 'USER' },
          ],
        },
      }),
    );
    // Act
    const store = identityStoreWithPrincipals(fixtures);
    // Assess
    expect(store.users).toEqual([
      ...defaultFixtures.identityStore.users,
      {
        userId: '906767a1-0000-4000-8000-000000000001',
        userName: '906767a1-0000-4000-8000-000000000001',
        displayName: '906767a1-0000-4000-8000-000000000001',
        email: '',
      },
    ]);
    expect(store.groups).toEqual([
      ...defaultFixtures.identityStore.groups,
      {
        groupId: '1234567890-906767a1-0000-4000-8000-000000000002',
        displayName: '1234567890-906767a1-0000-4000-8000-000000000002',
        members: [],
      },
    ]);
    expect(fixtures.identityStore).toEqual(defaultFixtures.identityStore);
  });

  it('changes nothing for the default fixtures, whose principals are directory users and groups already', () => {
    // Act
    const store = identityStoreWithPrincipals(loadFixtures(undefined));
    // Assess
    expect(store).toEqual(defaultFixtures.identityStore);
  });
});
