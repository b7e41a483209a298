// The page scenario's policy is one the product accepts, and under it the signed-in caller's catalog, as the real
// catalog code builds it from the real Identity Center directory (real SDK clients against the emulators seeded with
// the catalog scenario's fixture), lists all 600 accounts and all 60 permission sets: the page's worst case.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { generateCatalogFixture } from '../../../bench/catalog/fixture.js';
import { catalogListing } from '../../../bench/page/load.js';
import { pagePolicy } from '../../../bench/page/policy.js';
import { buildCatalog } from '../../../functions/catalog/catalog.js';
import { createIdentityCenterDirectory } from '../../../functions/directory/identityCenter.js';
import { checkPolicyAgainstDirectory } from '../../../functions/policy/directoryCheck.js';
import { resolveCaller } from '../../../functions/policy/eligibility.js';
import { parsePolicy } from '../../../functions/policy/policy.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { startAwsEndpoint, type AwsEndpoint } from '../../../local/awsEndpoint.js';
import { FaultInjector } from '../../../local/emulators/faults.js';
import { loadFixtures, ssoWithDirectory } from '../../../local/emulators/fixtures.js';
import { createIdentityStoreEmulator } from '../../../local/emulators/identityStore.js';
import { createOrganizationsEmulator } from '../../../local/emulators/organizations.js';
import { createSsoAdminEmulator } from '../../../local/emulators/ssoAdmin.js';
import { clientConfigFor } from '../../fixtures/awsEndpoint.js';

const generated = generateCatalogFixture();
const { policy: generatedPolicy, caller, expected } = pagePolicy(generated);
let endpoint: AwsEndpoint;
let identityStore: IdentitystoreClient;
let organizations: OrganizationsClient;
let ssoAdmin: SSOAdminClient;

beforeAll(async () => {
  const fixtures = loadFixtures(JSON.stringify(generated.fixtures));
  endpoint = await startAwsEndpoint({
    port: 0,
    // Nothing listens there: this suite sends no DynamoDB requests.
    dynamodbEndpoint: 'http://127.0.0.1:9',
    emulators: [
      createIdentityStoreEmulator({ fixtures: fixtures.identityStore }),
      createOrganizationsEmulator({ fixtures: fixtures.organizations }),
      createSsoAdminEmulator({ fixtures: ssoWithDirectory(fixtures), identityStoreId: fixtures.identityStore.id }),
    ],
    faults: new FaultInjector([]),
  });
  identityStore = new IdentitystoreClient(clientConfigFor(endpoint.url));
  organizations = new OrganizationsClient(clientConfigFor(endpoint.url));
  // The SDK's normal retries, as the directory's read client has: 60 DescribePermissionSet calls meet the 20 TPS.
  ssoAdmin = new SSOAdminClient({ ...clientConfigFor(endpoint.url), maxAttempts: 10 });
});

afterAll(async () => {
  identityStore.destroy();
  organizations.destroy();
  ssoAdmin.destroy();
  await endpoint.close();
});

const directoryOverEmulators = () =>
  createIdentityCenterDirectory({
    identityStore,
    organizations,
    ssoAdmin,
    clock: systemClock,
    instanceArn: generated.fixtures.sso.instanceArn,
    identityStoreId: generated.fixtures.identityStore.id,
  });

describe('the page scenario policy', () => {
  it('expects the whole generated organisation: 600 accounts and 60 permission sets', () => {
    // Prepare: the catalog scenario's default shape

    // Act: nothing beyond building the policy above

    // Assess
    expect(expected).toEqual({ accounts: 600, permissionSets: 60 });
    expect(generatedPolicy.rules.map((rule) => rule.requesters)).toEqual([[caller.email]]);
  });

  it('parses and passes the check against the generated directory', async () => {
    // Prepare
    const policy = parsePolicy(JSON.parse(JSON.stringify(generatedPolicy)), 'page scenario policy');

    // Act
    const checked = checkPolicyAgainstDirectory(policy, directoryOverEmulators(), 'page scenario policy');

    // Assess
    await expect(checked).resolves.toBeUndefined();
  });

  it('gives the caller a catalog of every account and every permission set, and no approver is the caller', async () => {
    // Prepare
    const policy = parsePolicy(JSON.parse(JSON.stringify(generatedPolicy)), 'page scenario policy');
    const directory = directoryOverEmulators();
    const resolved = await resolveCaller(policy, directory, {
      id: caller.email,
      claims: { sub: caller.userName, email: caller.email },
    });

    // Act
    const catalog = await buildCatalog(policy, resolved, { directory, pendingConnections: async () => [] });

    // Assess
    expect(resolved.user?.userName).toBe(caller.userName);
    expect(catalogListing(JSON.stringify(catalog))).toEqual(expected);
    const entry = catalog.entries.find((e) => e.action === 'sso:CreateAccountAssignment') as
      | { approvers?: string[] }
      | undefined;
    expect(entry?.approvers?.length).toBeGreaterThan(0);
    expect(entry?.approvers).not.toContain(caller.email);
  });
});
