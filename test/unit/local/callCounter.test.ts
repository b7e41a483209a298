// The endpoint's call counter: what the catalog benchmark reads to say how many AWS calls a request cost.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GetUserIdCommand, IdentitystoreClient, ListUsersCommand } from '@aws-sdk/client-identitystore';
import { ListRootsCommand, OrganizationsClient } from '@aws-sdk/client-organizations';
import { startAwsEndpoint, type AwsEndpoint } from '../../../local/awsEndpoint.js';
import {
  byOperation,
  byService,
  callsBetween,
  createCallCounter,
  parseTarget,
  totalFor,
} from '../../../local/callCounter.js';
import { FaultInjector } from '../../../local/emulators/faults.js';
import { defaultFixtures } from '../../../local/emulators/fixtures.js';
import { createIdentityStoreEmulator } from '../../../local/emulators/identityStore.js';
import { createOrganizationsEmulator } from '../../../local/emulators/organizations.js';
import { clientConfigFor, sdkFailure } from '../../fixtures/awsEndpoint.js';

describe('createCallCounter', () => {
  it('counts each target separately and snapshots a copy', () => {
    // Prepare
    const counter = createCallCounter();
    counter.record('AWSIdentityStore.GetUserId');
    counter.record('AWSIdentityStore.GetUserId');
    counter.record('AWSOrganizationsV20161128.ListRoots');

    // Act
    const snapshot = counter.snapshot();
    counter.record('AWSIdentityStore.GetUserId');

    // Assess
    expect(snapshot).toEqual({ 'AWSIdentityStore.GetUserId': 2, 'AWSOrganizationsV20161128.ListRoots': 1 });
    expect(counter.count('AWSIdentityStore.GetUserId')).toBe(3);
    expect(counter.count('AWSIdentityStore.ListUsers')).toBe(0);
  });

  it('diffs two snapshots into the calls made in between, leaving out targets not called', () => {
    // Prepare
    const before = { 'AWSIdentityStore.GetUserId': 2, 'DynamoDB_20120810.PutItem': 5 };
    const after = {
      'AWSIdentityStore.GetUserId': 4,
      'DynamoDB_20120810.PutItem': 5,
      'AWSIdentityStore.IsMemberInGroups': 1,
    };

    // Act
    const made = callsBetween(before, after);

    // Assess
    expect(made).toEqual({ 'AWSIdentityStore.GetUserId': 2, 'AWSIdentityStore.IsMemberInGroups': 1 });
  });

  it('names services and operations as IAM does, and keeps an unknown prefix as it is', () => {
    // Prepare
    const counts = {
      'AWSIdentityStore.GetUserId': 2,
      'AWSIdentityStore.ListUsers': 3,
      'AWSOrganizationsV20161128.ListRoots': 1,
      'SWBExternalService.ListPermissionSets': 4,
      'Mystery_2030.Act': 1,
    };

    // Act
    const services = byService(counts);
    const operations = byOperation(counts);

    // Assess
    expect(parseTarget('SWBExternalService.DescribePermissionSet')).toEqual({
      service: 'sso-admin',
      operation: 'DescribePermissionSet',
    });
    expect(services).toEqual({ identitystore: 5, organizations: 1, 'sso-admin': 4, Mystery_2030: 1 });
    expect(operations).toEqual({
      'identitystore:GetUserId': 2,
      'identitystore:ListUsers': 3,
      'organizations:ListRoots': 1,
      'sso-admin:ListPermissionSets': 4,
      'Mystery_2030:Act': 1,
    });
    expect(totalFor(counts, ['identitystore', 'organizations'])).toBe(6);
  });
});

describe('the AWS endpoint counts the calls real SDK clients make', () => {
  let endpoint: AwsEndpoint;
  let identityStore: IdentitystoreClient;
  let organizations: OrganizationsClient;

  beforeAll(async () => {
    endpoint = await startAwsEndpoint({
      port: 0,
      // Nothing listens there: this suite sends no DynamoDB requests.
      dynamodbEndpoint: 'http://127.0.0.1:9',
      emulators: [
        createIdentityStoreEmulator({ fixtures: defaultFixtures.identityStore }),
        createOrganizationsEmulator({ fixtures: defaultFixtures.organizations }),
      ],
      faults: new FaultInjector([]),
    });
    identityStore = new IdentitystoreClient(clientConfigFor(endpoint.url));
    organizations = new OrganizationsClient(clientConfigFor(endpoint.url));
  });

  afterAll(async () => {
    identityStore.destroy();
    organizations.destroy();
    await endpoint.close();
  });

  it('counts every call per X-Amz-Target, failed ones included', async () => {
    // Prepare
    const before = endpoint.callCounts();
    const IdentityStoreId = defaultFixtures.identityStore.id;

    // Act
    await identityStore.send(
      new GetUserIdCommand({
        IdentityStoreId,
        AlternateIdentifier: { UniqueAttribute: { AttributePath: 'userName', AttributeValue: 'alice' } },
      }),
    );
    await identityStore.send(new ListUsersCommand({ IdentityStoreId, MaxResults: 5 }));
    const failure = await sdkFailure(() =>
      identityStore.send(new ListUsersCommand({ IdentityStoreId: 'd-0000000000', MaxResults: 5 })),
    );
    await organizations.send(new ListRootsCommand({}));
    const made = callsBetween(before, endpoint.callCounts());

    // Assess
    expect(failure.name).toBe('ResourceNotFoundException');
    expect(made).toEqual({
      'AWSIdentityStore.GetUserId': 1,
      'AWSIdentityStore.ListUsers': 2,
      'AWSOrganizationsV20161128.ListRoots': 1,
    });
    expect(byService(made)).toEqual({ identitystore: 3, organizations: 1 });
    expect(endpoint.callCount('AWSIdentityStore.ListUsers')).toBe(made['AWSIdentityStore.ListUsers']);
  });
});
