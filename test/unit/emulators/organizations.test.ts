// Organizations emulator fidelity: the real OrganizationsClient against the local endpoint, valid and invalid input.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  AccountNotFoundException,
  ChildNotFoundException,
  DescribeAccountCommand,
  DescribeOrganizationalUnitCommand,
  InvalidInputException,
  ListAccountsCommand,
  ListAccountsForParentCommand,
  ListChildrenCommand,
  ListOrganizationalUnitsForParentCommand,
  ListParentsCommand,
  ListRootsCommand,
  OrganizationalUnitNotFoundException,
  OrganizationsClient,
  ParentNotFoundException,
} from '@aws-sdk/client-organizations';
import { defaultFixtures, type OrganizationsFixtures } from '../../../local/emulators/fixtures.js';
import { createOrganizationsEmulator } from '../../../local/emulators/organizations.js';
import { clientConfigFor, sdkFailure, serveEmulator, type EmulatorEndpoint } from '../../fixtures/awsEndpoint.js';

const ROOT = defaultFixtures.organizations.rootId;
const WORKLOADS = 'ou-ab12-11111111';
const PAYMENTS = 'ou-ab12-22222222';
const PAYMENTS_PROD = 'ou-ab12-33333333';
const PAYMENTS_PROD_ACCOUNT = '111122223333';

// 600 accounts in one OU, as a large organization has: listings must page.
const LARGE: OrganizationsFixtures = {
  rootId: 'r-zz99',
  ous: [{ id: 'ou-zz99-aaaaaaaa', name: 'Everything', parentId: 'r-zz99' }],
  accounts: Array.from({ length: 600 }, (_, i) => ({
    id: String(300000000000 + i),
    name: `account-${i}`,
    parentId: 'ou-zz99-aaaaaaaa',
  })),
};

let endpoint: EmulatorEndpoint;
let largeEndpoint: EmulatorEndpoint;
let client: OrganizationsClient;
let large: OrganizationsClient;

const clientFor = (url: string) => new OrganizationsClient(clientConfigFor(url));

beforeAll(async () => {
  endpoint = await serveEmulator(createOrganizationsEmulator({ fixtures: defaultFixtures.organizations }));
  largeEndpoint = await serveEmulator(createOrganizationsEmulator({ fixtures: LARGE }));
  client = clientFor(endpoint.endpoint);
  large = clientFor(largeEndpoint.endpoint);
});

afterAll(async () => {
  client.destroy();
  large.destroy();
  await endpoint.close();
  await largeEndpoint.close();
});

describe('Organizations emulator: root and accounts', () => {
  it('ListRoots answers the one root with its ARN', async () => {
    // Prepare
    const command = new ListRootsCommand({});

    // Act
    const { Roots, NextToken } = await client.send(command);

    // Assess
    expect(Roots).toEqual([
      { Id: ROOT, Arn: `arn:aws:organizations::100000000000:root/o-ab12000000/${ROOT}`, Name: 'Root', PolicyTypes: [] },
    ]);
    expect(NextToken).toBeUndefined();
  });

  it('DescribeAccount answers the Account shape with its name', async () => {
    // Prepare
    const command = new DescribeAccountCommand({ AccountId: PAYMENTS_PROD_ACCOUNT });

    // Act
    const { Account } = await client.send(command);

    // Assess
    expect(Account).toMatchObject({
      Id: PAYMENTS_PROD_ACCOUNT,
      Arn: `arn:aws:organizations::100000000000:account/o-ab12000000/${PAYMENTS_PROD_ACCOUNT}`,
      Name: 'payments-prod',
      Status: 'ACTIVE',
      State: 'ACTIVE',
      JoinedMethod: 'INVITED',
    });
    expect(Account?.JoinedTimestamp).toBeInstanceOf(Date);
    expect(Account?.Email).toMatch(/@/);
  });

  it('DescribeAccount of an account outside the organization is AccountNotFoundException', async () => {
    // Prepare
    const command = new DescribeAccountCommand({ AccountId: '999999999999' });

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(AccountNotFoundException);
  });

  it.each([
    ['11 digits', { AccountId: '11112222333' }],
    ['letters', { AccountId: 'payments-prd' }],
    ['no AccountId', {}],
  ])('DescribeAccount with %s is InvalidInputException', async (_case, input) => {
    // Prepare
    const command = new DescribeAccountCommand(input as never);

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.Reason).toEqual(expect.stringMatching(/^(INVALID_PATTERN|INPUT_REQUIRED)$/));
  });

  it('ListAccounts pages small by default, and following NextToken reaches all 600 accounts', async () => {
    // Prepare
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;

    // Act
    do {
      const page = await large.send(new ListAccountsCommand({ NextToken: token }));
      ids.push(...(page.Accounts ?? []).map((account) => account.Id ?? ''));
      token = page.NextToken;
      pages += 1;
    } while (token);

    // Assess
    expect(pages).toBeGreaterThanOrEqual(30);
    expect(ids).toEqual(LARGE.accounts.map((account) => account.id));
  });

  it('ListAccounts at MaxResults 20 takes 30 pages for 600 accounts', async () => {
    // Prepare
    let token: string | undefined;
    let pages = 0;
    let count = 0;

    // Act
    do {
      const page = await large.send(new ListAccountsCommand({ MaxResults: 20, NextToken: token }));
      count += page.Accounts?.length ?? 0;
      token = page.NextToken;
      pages += 1;
    } while (token);

    // Assess
    expect(pages).toBe(30);
    expect(count).toBe(600);
  });

  it.each([
    ['MaxResults 0', { MaxResults: 0 }, 'MIN_VALUE_EXCEEDED'],
    ['MaxResults 21', { MaxResults: 21 }, 'MAX_VALUE_EXCEEDED'],
    ['a NextToken it did not issue', { NextToken: 'garbage' }, 'INVALID_NEXT_TOKEN'],
  ])('ListAccounts with %s is InvalidInputException', async (_case, input, reason) => {
    // Prepare
    const command = new ListAccountsCommand(input);

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.Reason).toBe(reason);
  });
});

describe('Organizations emulator: the OU tree', () => {
  it('ListParents walks from an account up to the root through three OU levels', async () => {
    // Prepare
    const chain: Array<{ Id?: string; Type?: string }> = [];
    let child = PAYMENTS_PROD_ACCOUNT;

    // Act
    while (child !== ROOT) {
      const { Parents } = await client.send(new ListParentsCommand({ ChildId: child }));
      const [parent] = Parents ?? [];
      if (!parent?.Id) throw new Error(`no parent for ${child}`);
      chain.push(parent);
      child = parent.Id;
    }

    // Assess
    expect(chain).toEqual([
      { Id: PAYMENTS_PROD, Type: 'ORGANIZATIONAL_UNIT' },
      { Id: PAYMENTS, Type: 'ORGANIZATIONAL_UNIT' },
      { Id: WORKLOADS, Type: 'ORGANIZATIONAL_UNIT' },
      { Id: ROOT, Type: 'ROOT' },
    ]);
  });

  it('ListParents of an unknown child is ChildNotFoundException; of a root id, InvalidInputException', async () => {
    // Prepare
    const unknown = new ListParentsCommand({ ChildId: '123412341234' });
    const root = new ListParentsCommand({ ChildId: ROOT });

    // Act
    const notFound = await sdkFailure(() => client.send(unknown));
    const invalid = await sdkFailure(() => client.send(root));

    // Assess
    expect(notFound).toBeInstanceOf(ChildNotFoundException);
    expect(invalid).toBeInstanceOf(InvalidInputException);
    expect(invalid.Reason).toBe('INVALID_PATTERN');
  });

  it('ListChildren answers OUs and accounts of a parent by ChildType', async () => {
    // Prepare
    const ous = new ListChildrenCommand({ ParentId: ROOT, ChildType: 'ORGANIZATIONAL_UNIT' });
    const accounts = new ListChildrenCommand({ ParentId: ROOT, ChildType: 'ACCOUNT' });

    // Act
    const ouChildren = await client.send(ous);
    const accountChildren = await client.send(accounts);

    // Assess
    expect(ouChildren.Children).toEqual([
      { Id: WORKLOADS, Type: 'ORGANIZATIONAL_UNIT' },
      { Id: 'ou-ab12-66666666', Type: 'ORGANIZATIONAL_UNIT' },
    ]);
    expect(accountChildren.Children).toEqual([{ Id: '100000000000', Type: 'ACCOUNT' }]);
  });

  it.each([
    ['an unknown ChildType', { ParentId: ROOT, ChildType: 'POLICY' }, 'INVALID_ENUM'],
    ['no ChildType', { ParentId: ROOT }, 'INPUT_REQUIRED'],
    ['a ParentId off the pattern', { ParentId: 'root', ChildType: 'ACCOUNT' }, 'INVALID_PATTERN'],
  ])('ListChildren with %s is InvalidInputException', async (_case, input, reason) => {
    // Prepare
    const command = new ListChildrenCommand(input as never);

    // Act
    const error = await sdkFailure(() => client.send(command));

    // Assess
    expect(error).toBeInstanceOf(InvalidInputException);
    expect(error.Reason).toBe(reason);
  });

  it.each([
    ['ListChildren', () => new ListChildrenCommand({ ParentId: 'ou-ab12-99999999', ChildType: 'ACCOUNT' })],
    ['ListAccountsForParent', () => new ListAccountsForParentCommand({ ParentId: 'ou-ab12-99999999' })],
    ['ListOrganizationalUnitsForParent', () => new ListOrganizationalUnitsForParentCommand({ ParentId: 'r-zz99' })],
  ])('%s of an unknown parent is ParentNotFoundException', async (_operation, command) => {
    // Prepare
    const request = command();

    // Act
    const error = await sdkFailure(() => client.send(request as never));

    // Assess
    expect(error).toBeInstanceOf(ParentNotFoundException);
  });

  it('ListAccountsForParent answers the accounts directly in an OU, with names', async () => {
    // Prepare
    const command = new ListAccountsForParentCommand({ ParentId: 'ou-ab12-44444444' });

    // Act
    const { Accounts, NextToken } = await client.send(command);

    // Assess
    expect(Accounts?.map((account) => [account.Id, account.Name])).toEqual([
      ['444455556666', 'payments-dev'],
      ['555566667777', 'payments-staging'],
    ]);
    expect(NextToken).toBeUndefined();
  });

  it('ListAccountsForParent pages 600 accounts of one OU to the end at MaxResults 20', async () => {
    // Prepare
    const ids: string[] = [];
    let token: string | undefined;

    // Act
    do {
      const page = await large.send(
        new ListAccountsForParentCommand({ ParentId: 'ou-zz99-aaaaaaaa', MaxResults: 20, NextToken: token }),
      );
      expect(page.Accounts?.length).toBeLessThanOrEqual(20);
      ids.push(...(page.Accounts ?? []).map((account) => account.Id ?? ''));
      token = page.NextToken;
    } while (token);

    // Assess
    expect(new Set(ids).size).toBe(600);
  });

  it('ListOrganizationalUnitsForParent pages the OUs of a parent with MaxResults 1', async () => {
    // Prepare
    const names: string[] = [];
    let token: string | undefined;

    // Act
    do {
      const page = await client.send(
        new ListOrganizationalUnitsForParentCommand({ ParentId: PAYMENTS, MaxResults: 1, NextToken: token }),
      );
      names.push(...(page.OrganizationalUnits ?? []).map((ou) => ou.Name ?? ''));
      token = page.NextToken;
    } while (token);

    // Assess
    expect(names).toEqual(['Payments Prod', 'Payments Non-Prod']);
  });

  it('DescribeOrganizationalUnit answers the OU shape', async () => {
    // Prepare
    const command = new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: PAYMENTS });

    // Act
    const { OrganizationalUnit } = await client.send(command);

    // Assess
    expect(OrganizationalUnit).toEqual({
      Id: PAYMENTS,
      Arn: `arn:aws:organizations::100000000000:ou/o-ab12000000/${PAYMENTS}`,
      Name: 'Payments',
    });
  });

  it('DescribeOrganizationalUnit of an unknown OU is OrganizationalUnitNotFoundException; of a root, InvalidInputException', async () => {
    // Prepare
    const unknown = new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: 'ou-ab12-99999999' });
    const root = new DescribeOrganizationalUnitCommand({ OrganizationalUnitId: ROOT });

    // Act
    const notFound = await sdkFailure(() => client.send(unknown));
    const invalid = await sdkFailure(() => client.send(root));

    // Assess
    expect(notFound).toBeInstanceOf(OrganizationalUnitNotFoundException);
    expect(invalid).toBeInstanceOf(InvalidInputException);
  });
});
