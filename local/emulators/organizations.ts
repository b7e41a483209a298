// Organizations (AWSOrganizationsV20161128.*), read-only: the root, OU tree and accounts of
// LOCAL_FIXTURES.organizations, answered with the shapes, validation and error names of the 2016-11-28 API model.
import { ACCOUNT_ID_PATTERN, OU_ID_PATTERN, type OrganizationsFixtures } from './fixtures.js';
import { AwsServiceError, runOperation, type EmulatorResponse, type ServiceEmulator } from './types.js';
import { paginate, validateInput, type Input, type InputRules } from './validation.js';

const maxResults = { type: 'integer', min: 1, max: 20 } as const;
const nextToken = { type: 'string', maxLength: 100000 } as const;
const parentId = {
  type: 'string',
  required: true,
  maxLength: 100,
  pattern: '^(r-[0-9a-z]{4,32})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$',
} as const;

const rules = {
  list: { NextToken: nextToken, MaxResults: maxResults },
  describeAccount: { AccountId: { type: 'string', required: true, maxLength: 12, pattern: ACCOUNT_ID_PATTERN } },
  listParents: {
    ChildId: {
      type: 'string',
      required: true,
      maxLength: 100,
      pattern: '^(\\d{12})|(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32})$',
    },
    NextToken: nextToken,
    MaxResults: maxResults,
  },
  listChildren: {
    ParentId: parentId,
    ChildType: { type: 'string', required: true, enum: ['ACCOUNT', 'ORGANIZATIONAL_UNIT'] },
    NextToken: nextToken,
    MaxResults: maxResults,
  },
  forParent: { ParentId: parentId, NextToken: nextToken, MaxResults: maxResults },
  describeOu: { OrganizationalUnitId: { type: 'string', required: true, maxLength: 68, pattern: OU_ID_PATTERN } },
} as const;

// AWS documents no default page size and pages Organizations listings small; 10 makes a caller that ignores
// NextToken miss accounts already in the default fixtures, and a 600-account listing take 60 pages.
const DEFAULT_PAGE_SIZE = 10;
// When all accounts joined, as a fixed epoch-seconds instant so responses are the same on every run.
const JOINED_AT = 1_704_067_200;

/** Organizations reports bad input as InvalidInputException with a Reason, never as ValidationException. */
const reasonFor = (message: string): string => {
  if (message.includes('must not be null')) return 'INPUT_REQUIRED';
  if (message.includes('enum value set')) return 'INVALID_ENUM';
  if (message.includes('regular expression pattern')) return 'INVALID_PATTERN';
  if (message.includes('value greater than or equal')) return 'MIN_VALUE_EXCEEDED';
  if (message.includes('value less than or equal')) return 'MAX_VALUE_EXCEEDED';
  if (message.includes('length less than or equal')) return 'MAX_LENGTH_EXCEEDED';
  if (message.includes('pagination token')) return 'INVALID_NEXT_TOKEN';
  return 'INVALID_INPUT';
};

const asInvalidInput = <T>(run: () => T): T => {
  try {
    return run();
  } catch (error) {
    if (error instanceof AwsServiceError && error.name === 'ValidationException') {
      throw new AwsServiceError('InvalidInputException', error.message, 400, { Reason: reasonFor(error.message) });
    }
    throw error;
  }
};

const validate = <M extends InputRules>(input: unknown, inputRules: M): Input<M> =>
  asInvalidInput(() => validateInput(input, inputRules));

const page = <T>(items: T[], request: { MaxResults?: number; NextToken?: string }) =>
  asInvalidInput(() => paginate(items, request.MaxResults ?? DEFAULT_PAGE_SIZE, request.NextToken));

type Account = OrganizationsFixtures['accounts'][number];
type OrganizationalUnit = OrganizationsFixtures['ous'][number];

export const createOrganizationsEmulator = (options: { fixtures: OrganizationsFixtures }): ServiceEmulator => {
  const { rootId, ous, accounts } = options.fixtures;
  const managementAccountId = options.fixtures.managementAccountId ?? accounts[0]?.id ?? '000000000000';
  // The organization id is not in the fixtures; AWS derives OU ids from the root's, so the root's suffix stands in.
  const organizationId = `o-${rootId.slice('r-'.length).padEnd(10, '0')}`;
  const arn = (kind: string, id: string) =>
    `arn:aws:organizations::${managementAccountId}:${kind}/${organizationId}/${id}`;

  const accountOf = (account: Account) => ({
    Id: account.id,
    Arn: arn('account', account.id),
    Email: `aws+${account.name}@example.com`,
    Name: account.name,
    Status: 'ACTIVE',
    State: 'ACTIVE',
    JoinedMethod: account.id === managementAccountId ? 'CREATED' : 'INVITED',
    JoinedTimestamp: JOINED_AT,
  });
  const ouOf = (ou: OrganizationalUnit) => ({ Id: ou.id, Arn: arn('ou', ou.id), Name: ou.name });
  const parentOf = (id: string) => ({ Id: id, Type: id === rootId ? 'ROOT' : 'ORGANIZATIONAL_UNIT' });

  const requireParent = (id: string): void => {
    if (id !== rootId && !ous.some((ou) => ou.id === id))
      throw new AwsServiceError('ParentNotFoundException', `We can't find a root or OU with the ParentId ${id}.`);
  };

  const operations: Record<string, (input: unknown) => object> = {
    ListRoots: (input) => {
      const request = validate(input, rules.list);
      const root = { Id: rootId, Arn: arn('root', rootId), Name: 'Root', PolicyTypes: [] };
      const { page: roots, nextToken: next } = page([root], request);
      return { Roots: roots, ...(next ? { NextToken: next } : {}) };
    },
    ListAccounts: (input) => {
      const request = validate(input, rules.list);
      const { page: found, nextToken: next } = page(accounts, request);
      return { Accounts: found.map(accountOf), ...(next ? { NextToken: next } : {}) };
    },
    DescribeAccount: (input) => {
      const request = validate(input, rules.describeAccount);
      const account = accounts.find((candidate) => candidate.id === request.AccountId);
      if (!account) {
        throw new AwsServiceError(
          'AccountNotFoundException',
          `You specified an account that doesn't exist: ${request.AccountId}.`,
        );
      }
      return { Account: accountOf(account) };
    },
    ListParents: (input) => {
      const request = validate(input, rules.listParents);
      const child =
        accounts.find((candidate) => candidate.id === request.ChildId) ??
        ous.find((candidate) => candidate.id === request.ChildId);
      if (!child) {
        throw new AwsServiceError(
          'ChildNotFoundException',
          `We can't find an OU or account with the ChildId ${request.ChildId}.`,
        );
      }
      const { page: parents, nextToken: next } = page([parentOf(child.parentId)], request);
      return { Parents: parents, ...(next ? { NextToken: next } : {}) };
    },
    ListChildren: (input) => {
      const request = validate(input, rules.listChildren);
      requireParent(request.ParentId);
      const children = (request.ChildType === 'ACCOUNT' ? accounts : ous)
        .filter((candidate) => candidate.parentId === request.ParentId)
        .map((candidate) => ({ Id: candidate.id, Type: request.ChildType }));
      const { page: found, nextToken: next } = page(children, request);
      return { Children: found, ...(next ? { NextToken: next } : {}) };
    },
    ListAccountsForParent: (input) => {
      const request = validate(input, rules.forParent);
      requireParent(request.ParentId);
      const inParent = accounts.filter((account) => account.parentId === request.ParentId);
      const { page: found, nextToken: next } = page(inParent, request);
      return { Accounts: found.map(accountOf), ...(next ? { NextToken: next } : {}) };
    },
    ListOrganizationalUnitsForParent: (input) => {
      const request = validate(input, rules.forParent);
      requireParent(request.ParentId);
      const inParent = ous.filter((ou) => ou.parentId === request.ParentId);
      const { page: found, nextToken: next } = page(inParent, request);
      return { OrganizationalUnits: found.map(ouOf), ...(next ? { NextToken: next } : {}) };
    },
    DescribeOrganizationalUnit: (input) => {
      const request = validate(input, rules.describeOu);
      const ou = ous.find((candidate) => candidate.id === request.OrganizationalUnitId);
      if (!ou) {
        throw new AwsServiceError(
          'OrganizationalUnitNotFoundException',
          `We can't find an OU with the OrganizationalUnitId ${request.OrganizationalUnitId}.`,
        );
      }
      return { OrganizationalUnit: ouOf(ou) };
    },
  };

  return {
    targetPrefix: 'AWSOrganizationsV20161128',
    serviceName: 'organizations',
    contentType: 'application/x-amz-json-1.1',
    handle: (operation: string, input: unknown): Promise<EmulatorResponse> =>
      runOperation(operations, operation, (run) => run(input)),
  };
};
