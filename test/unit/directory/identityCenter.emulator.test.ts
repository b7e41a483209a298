// The Identity Center directory with the real SDK clients against the real local AWS endpoint, serving the default
// fixtures through the Identity Store, Organizations and SSO Admin emulators. It also counts the AWS calls that a cold
// and a warm look-up make, which is what the caches are for.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { startAwsEndpoint } from '../../../local/awsEndpoint.js';
import { FaultInjector } from '../../../local/emulators/faults.js';
import { defaultFixtures, loadFixtures, ssoWithDirectory } from '../../../local/emulators/fixtures.js';
import { createIdentityStoreEmulator } from '../../../local/emulators/identityStore.js';
import { createOrganizationsEmulator } from '../../../local/emulators/organizations.js';
import { createSsoAdminEmulator } from '../../../local/emulators/ssoAdmin.js';
import type { Directory } from '../../../functions/directory/directory.js';
import { createIdentityCenterDirectory } from '../../../functions/directory/identityCenter.js';
import { clientConfigFor } from '../../fixtures/awsEndpoint.js';

const fixtures = loadFixtures(undefined);
const STORE = defaultFixtures.identityStore.id;
const INSTANCE = defaultFixtures.sso.instanceArn;
const ALICE = 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6';
const ENGINEERS = '1234567890-0a1b2c3d-1111-2222-3333-444455556666';
const PLATFORM_APPROVERS = '7dea4e30-e18d-45d1-8843-11956e623719';
const ON_CALL = 'd8a1f6d9-efbd-4e2c-9659-20ca5677fde5';

let close: (() => Promise<void>) | undefined;
let clients: { identityStore: IdentitystoreClient; organizations: OrganizationsClient; ssoAdmin: SSOAdminClient };
/** Every command the clients sent, by name, counted on the client side (one per AWS request; no retries here). */
const sent: string[] = [];

type Next = (args: unknown) => Promise<unknown>;
/** Records each command's name as the client sends it (the initialize step runs once per call). */
const countCalls = (client: { middlewareStack: unknown }): void =>
  (client.middlewareStack as { add: (middleware: unknown, options: unknown) => void }).add(
    (next: Next, context: { commandName?: string }) => (args: unknown) => {
      sent.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'countCalls' },
  );

const clock = (() => {
  let now = Date.parse('2026-12-01T00:00:00Z');
  return {
    now: () => new Date(now),
    advance: (ms: number) => {
      now += ms;
    },
  };
})();

beforeAll(async () => {
  const endpoint = await startAwsEndpoint({
    port: 0,
    // Nothing listens there: the directory sends no DynamoDB requests.
    dynamodbEndpoint: 'http://127.0.0.1:9',
    emulators: [
      createSsoAdminEmulator({ fixtures: ssoWithDirectory(fixtures), identityStoreId: STORE }),
      createIdentityStoreEmulator({ fixtures: fixtures.identityStore }),
      createOrganizationsEmulator({ fixtures: fixtures.organizations }),
    ],
    faults: new FaultInjector([]),
  });
  close = endpoint.close;
  const config = clientConfigFor(endpoint.url);
  clients = {
    identityStore: new IdentitystoreClient(config),
    organizations: new OrganizationsClient(config),
    ssoAdmin: new SSOAdminClient(config),
  };
  for (const client of Object.values(clients)) countCalls(client);
});

afterAll(async () => {
  for (const client of Object.values(clients ?? {})) client.destroy();
  await close?.();
});

/** A directory that discovers its instance, as a deployment with both variables empty does. */
const discoveringDirectory = (): Directory => createIdentityCenterDirectory({ ...clients, clock });

const callsDuring = async (act: () => Promise<unknown>): Promise<string[]> => {
  const start = sent.length;
  await act();
  return sent.slice(start);
};

describe('the directory against the emulated Identity Center and Organizations', () => {
  it('discovers the instance and identity store with ListInstances', async () => {
    // Prepare
    const directory = discoveringDirectory();
    // Act
    const [instanceArn, identityStoreId] = await Promise.all([directory.instanceArn(), directory.identityStoreId()]);
    // Assess
    expect({ instanceArn, identityStoreId }).toEqual({ instanceArn: INSTANCE, identityStoreId: STORE });
  });

  it('finds alice by email and by userName, and nobody for an unknown email', async () => {
    // Prepare
    const directory = discoveringDirectory();

    // Act
    const byEmail = await directory.findUser('emails.value', 'alice@example.com');
    const byUserName = await directory.findUser('userName', 'alice');
    const nobody = await directory.findUser('emails.value', 'mallory@example.com');

    // Assess
    expect(byEmail).toEqual({
      userId: ALICE,
      userName: 'alice',
      displayName: 'Alice Liddell',
      email: 'alice@example.com',
    });
    expect(byUserName).toEqual(byEmail);
    expect(nobody).toBeUndefined();
  });

  it('names groups, lists members and memberships, and checks membership with IsMemberInGroups', async () => {
    // Prepare
    const directory = discoveringDirectory();

    // Act
    const approvers = await directory.findGroup('Platform Approvers');
    const missing = await directory.findGroup('No Such Group');
    const members = await directory.membersOf(PLATFORM_APPROVERS);
    const alicesGroups = await directory.groupsOf(ALICE);
    const member = await directory.memberOf(ALICE, [ENGINEERS, PLATFORM_APPROVERS, ON_CALL]);

    // Assess
    expect(approvers).toEqual({ groupId: PLATFORM_APPROVERS, displayName: 'Platform Approvers' });
    expect(missing).toBeUndefined();
    expect(members.map((m) => m.email).sort()).toEqual(['bob@example.com', 'dana@example.com', 'grace@example.com']);
    expect(alicesGroups.map((g) => g.displayName)).toEqual(['Engineers']);
    expect([...member]).toEqual([ENGINEERS]);
  });

  it('names the permission sets ReadOnly and PowerUser, with their descriptions', async () => {
    // Prepare
    const directory = discoveringDirectory();
    // Act
    const sets = await directory.permissionSets();
    // Assess
    expect(sets.map((s) => s.name).sort()).toEqual(['PowerUser', 'ReadOnly']);
    expect(sets.find((s) => s.name === 'ReadOnly')).toEqual({
      arn: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-1111111111111111',
      name: 'ReadOnly',
      description: 'View resources and their configuration, without reading data or changing anything',
    });
  });

  it('reads the whole organisation: payments-prod sits under Payments Prod, Payments, Workloads and the root', async () => {
    // Prepare
    const directory = discoveringDirectory();

    // Act
    const org = await directory.organization();

    // Assess
    expect(org.rootId).toBe('r-ab12');
    expect(org.accounts.get('111122223333')).toEqual({
      id: '111122223333',
      name: 'payments-prod',
      ancestors: ['ou-ab12-33333333', 'ou-ab12-22222222', 'ou-ab12-11111111', 'r-ab12'],
    });
    expect(org.accounts.get('100000000000')?.ancestors).toEqual(['r-ab12']);
    expect(org.accounts.size).toBe(fixtures.organizations.accounts.length);
    expect([...org.ouIds].sort()).toEqual(fixtures.organizations.ous.map((ou) => ou.id).sort());
  });

  it('counts the calls: a cold catalog-like look-up, then warm within the minute, then after it', async () => {
    // Prepare: what GET /catalog reads for alice, and what a submit adds (membership re-check, approver group)
    const directory = discoveringDirectory();
    const catalog = () =>
      Promise.all([
        directory.findUser('emails.value', 'alice@example.com'),
        directory.groupsOf(ALICE),
        directory.permissionSets(),
        directory.organization(),
      ]);
    const submit = async () => {
      await catalog();
      await directory.memberOf(ALICE, [ENGINEERS]);
      await directory.membersOf(PLATFORM_APPROVERS);
      await directory.describeUser(ALICE);
    };

    // Act
    const cold = await callsDuring(catalog);
    clock.advance(30_000);
    const warmCatalog = await callsDuring(catalog);
    const warmSubmit = await callsDuring(submit); // its approver group is read here for the first time
    clock.advance(10_000);
    const warmSubmitAgain = await callsDuring(submit);
    clock.advance(61_000);
    const afterAMinute = await callsDuring(catalog);

    // Assess
    // Cold: ListInstances, GetUserId, DescribeUser, ListGroupMembershipsForMember, DescribeGroup (1 group),
    // ListPermissionSets, DescribePermissionSet ×2, ListRoots, and per parent (root + 6 OUs) two Organizations listings.
    expect(cold.length).toBe(1 + 2 + 2 + 1 + 2 + 1 + 7 * 2);
    expect(warmCatalog).toEqual([]);
    expect(warmSubmitAgain).toEqual(['IsMemberInGroups']);
    expect(warmSubmit.sort()).toEqual([
      'DescribeUser',
      'DescribeUser',
      'DescribeUser',
      'IsMemberInGroups',
      'ListGroupMemberships',
    ]);
    // A minute on, the caller mapping and the memberships are asked again; descriptions are still cached.
    expect(afterAMinute.sort()).toEqual(['GetUserId', 'ListGroupMembershipsForMember']);
  });
});
