// LOCAL_FAULTS reaches the directory emulators by their service names, `identitystore` and `organizations`, so
// callers' throttling paths can be exercised with the errors each service declares.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { IdentitystoreClient, IsMemberInGroupsCommand, ThrottlingException } from '@aws-sdk/client-identitystore';
import { ListParentsCommand, OrganizationsClient, TooManyRequestsException } from '@aws-sdk/client-organizations';
import { startAwsEndpoint, type AwsEndpoint } from '../../../local/awsEndpoint.js';
import { FaultInjector, parseFaults } from '../../../local/emulators/faults.js';
import { defaultFixtures } from '../../../local/emulators/fixtures.js';
import { createIdentityStoreEmulator } from '../../../local/emulators/identityStore.js';
import { createOrganizationsEmulator } from '../../../local/emulators/organizations.js';
import { clientConfigFor } from '../../fixtures/awsEndpoint.js';

let endpoint: AwsEndpoint;
let identityStore: IdentitystoreClient;
let organizations: OrganizationsClient;

beforeAll(async () => {
  endpoint = await startAwsEndpoint({
    port: 0,
    // Nothing listens there: these tests send no DynamoDB requests.
    dynamodbEndpoint: 'http://127.0.0.1:9',
    emulators: [
      createIdentityStoreEmulator({ fixtures: defaultFixtures.identityStore }),
      createOrganizationsEmulator({ fixtures: defaultFixtures.organizations }),
    ],
    faults: new FaultInjector(
      parseFaults(
        'identitystore.IsMemberInGroups=ThrottlingException:1,organizations.ListParents=TooManyRequestsException:1',
      ),
    ),
  });
  const options = clientConfigFor(endpoint.url);
  identityStore = new IdentitystoreClient(options);
  organizations = new OrganizationsClient(options);
});

afterAll(async () => {
  identityStore.destroy();
  organizations.destroy();
  await endpoint.close();
});

describe('directory emulators under LOCAL_FAULTS', () => {
  it('identitystore.IsMemberInGroups=ThrottlingException reaches the SDK as ThrottlingException', async () => {
    // Prepare
    const command = new IsMemberInGroupsCommand({
      IdentityStoreId: defaultFixtures.identityStore.id,
      MemberId: { UserId: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6' },
      GroupIds: ['1234567890-0a1b2c3d-1111-2222-3333-444455556666'],
    });

    // Act
    const outcome = identityStore.send(command);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(ThrottlingException);
  });

  it('organizations.ListParents=TooManyRequestsException reaches the SDK as TooManyRequestsException', async () => {
    // Prepare
    const command = new ListParentsCommand({ ChildId: '111122223333' });

    // Act
    const outcome = organizations.send(command);

    // Assess
    await expect(outcome).rejects.toBeInstanceOf(TooManyRequestsException);
  });
});
