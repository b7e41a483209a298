// The catalog benchmark's generated policy is one the product accepts: it parses, and it passes the policy's check
// against the directory (groups, OUs, permission-set names, never-matching and shadowed rules, reachable quorums),
// run by the real Identity Center directory over real SDK clients against the emulators seeded with the fixture.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { generateCatalogFixture } from '../../../bench/catalog/fixture.js';
import { createIdentityCenterDirectory } from '../../../functions/directory/identityCenter.js';
import { checkPolicyAgainstDirectory } from '../../../functions/policy/directoryCheck.js';
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

describe('the generated catalog policy', () => {
  it('parses and passes the check against the generated directory', async () => {
    // Prepare
    const policy = parsePolicy(JSON.parse(JSON.stringify(generated.policy)), 'generated catalog policy');
    const directory = createIdentityCenterDirectory({
      identityStore,
      organizations,
      ssoAdmin,
      clock: systemClock,
      instanceArn: generated.fixtures.sso.instanceArn,
      identityStoreId: generated.fixtures.identityStore.id,
    });

    // Act
    const checked = checkPolicyAgainstDirectory(policy, directory, 'generated catalog policy');

    // Assess
    await expect(checked).resolves.toBeUndefined();
    expect(policy.rules).toHaveLength(generated.policy.rules.length);
  });
});
