// Every reader of a request speaks in its `display` snapshot's names, and in ids exactly as before for requests
// stored without one: the SSO summary, GET /requests/{id}'s view, and the CSV's appended columns.
import { describe, expect, it } from '@jest/globals';
import { protonAcceptEnvironmentAccountConnection } from '../../../functions/actions/protonAcceptEnvironmentAccountConnection.js';
import {
  type SsoAssignmentParameters,
  ssoCreateAccountAssignment,
} from '../../../functions/actions/ssoCreateAccountAssignment.js';
import { CSV_COLUMNS, NAME_COLUMNS, csvHeader, csvRow, withNames } from '../../../functions/requests/csv.js';
import { askParts, askText } from '../../../functions/requests/displayNames.js';
import type { RequestDisplay } from '../../../functions/requests/model.js';
import { toRequestView } from '../../../functions/requests/view.js';
import { storedRequest } from '../../fixtures/requests.js';

const PARAMETERS: SsoAssignmentParameters = {
  InstanceArn: 'arn:aws:sso:::instance/ssoins-1111111111111111',
  PermissionSetArn: 'arn:aws:sso:::permissionSet/ssoins-1111111111111111/ps-2222222222222222',
  PrincipalId: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
  PrincipalType: 'USER',
  TargetId: '111122223333',
  TargetType: 'AWS_ACCOUNT',
};

const ALICE: RequestDisplay = {
  requester: { id: 'alice@example.com', name: 'Alice Liddell' },
  principal: { type: 'USER', id: PARAMETERS.PrincipalId, name: 'Alice Liddell', userName: 'alice' },
  permissionSet: { arn: PARAMETERS.PermissionSetArn, name: 'PowerUser', description: 'Build and operate' },
  account: { id: '111122223333', name: 'payments-prod' },
};

describe('summarize', () => {
  it('names the permission set, the account with its id, and the principal with their user name', () => {
    // Act
    const summary = ssoCreateAccountAssignment.summarize(PARAMETERS, {}, ALICE);
    // Assess
    expect(summary).toBe('PowerUser on payments-prod (111122223333) for Alice Liddell (alice)');
  });

  it('keeps the text it always had for a request without names', () => {
    // Act
    const summary = ssoCreateAccountAssignment.summarize(PARAMETERS, {});
    // Assess
    expect(summary).toBe(
      'Assign permission set ps-2222222222222222 to user f81d4fae-7dec-11d0-a765-00a0c91e6bf6 on account 111122223333',
    );
  });

  it('falls back to the id for each name that could not be resolved, and names a group as a group', () => {
    // Prepare: the account name was unavailable at submit (the snapshot stores the id as the name)
    const display: RequestDisplay = {
      requester: { id: 'alice@example.com', name: 'alice@example.com' },
      principal: { type: 'GROUP', id: '9a8b7c6d-0000-4000-8000-000000000001', name: 'Engineers' },
      account: { id: '111122223333', name: '111122223333' },
    };
    // Act
    const summary = ssoCreateAccountAssignment.summarize({ ...PARAMETERS, PrincipalType: 'GROUP' }, {}, display);
    // Assess
    expect(summary).toBe('ps-2222222222222222 on 111122223333 for group Engineers');
  });

  it('leaves the Proton summary as it was: its names are the connection facts', () => {
    // Act
    const summary = protonAcceptEnvironmentAccountConnection.summarize(
      { id: '3f1c1a52-6a7b-4c1e-9d35-0b6f5c2a9e10' },
      { environmentName: 'payments-prod', environmentAccountId: '111122223333' },
      { requester: { id: 'alice@example.com', name: 'Alice Liddell' } },
    );
    // Assess
    expect(summary).toBe(
      'Accept AWS Proton environment account connection 3f1c1a52-6a7b-4c1e-9d35-0b6f5c2a9e10 (environment payments-prod, account 111122223333)',
    );
  });
});

describe('the ask approvers read', () => {
  it('is "Alice Liddell asks for PowerUser on payments-prod (111122223333) for 2 h" for her own grant', () => {
    // Act
    const parts = askParts({ requester: 'alice@example.com', display: ALICE, durationMinutes: 120 });
    // Assess
    expect(parts && askText(parts)).toBe('Alice Liddell asks for PowerUser on payments-prod (111122223333) for 2 h');
  });

  it('names the principal when the grant is for someone else, and leaves out a duration that is not set', () => {
    // Prepare
    const display: RequestDisplay = {
      ...ALICE,
      principal: { type: 'GROUP', id: '9a8b7c6d-0000-4000-8000-000000000001', name: 'On-call' },
    };
    // Act
    const forGroup = askParts({ requester: 'alice@example.com', display, durationMinutes: 90 });
    const permanent = askParts({ requester: 'alice@example.com', display });
    // Assess
    expect(forGroup && askText(forGroup)).toBe(
      'Alice Liddell asks for PowerUser on payments-prod (111122223333) for group On-call, for 1 h 30 min',
    );
    expect(permanent && askText(permanent)).toBe(
      'Alice Liddell asks for PowerUser on payments-prod (111122223333) for group On-call',
    );
  });

  it('is not made for a request without names for both the permission set and the account', () => {
    // Act / Assess
    expect(askParts({ requester: 'alice@example.com' })).toBeUndefined();
    expect(askParts({ requester: 'alice@example.com', display: { requester: ALICE.requester } })).toBeUndefined();
  });
});

describe('GET /requests/{id} view', () => {
  it('carries the display snapshot, and none for a request stored before names', () => {
    // Act
    const named = toRequestView(storedRequest('PENDING_APPROVAL', { display: ALICE }));
    const old = toRequestView(storedRequest('PENDING_APPROVAL'));
    // Assess
    expect(named.display).toEqual(ALICE);
    expect('display' in old).toBe(false);
  });
});

describe('CSV name columns', () => {
  it('appends principal, permissionSet and accountName after the existing columns', () => {
    // Act
    const header = csvHeader({ names: true });
    // Assess
    expect(NAME_COLUMNS).toEqual(['principal', 'permissionSet', 'accountName']);
    expect(header).toBe(`${CSV_COLUMNS.join(',')},principal,permissionSet,accountName`);
  });

  it('fills them from the snapshot, with the principal id an auditor needs, and leaves them empty without names', () => {
    // Prepare
    const named = storedRequest('COMPLETED', { display: ALICE });
    const old = storedRequest('COMPLETED');
    // Act
    const namedCells = csvRow(named, { names: true }).split(',');
    const oldCells = csvRow(old, { names: true }).split(',');
    // Assess
    expect(namedCells.slice(CSV_COLUMNS.length)).toEqual([
      `Alice Liddell (alice) [${PARAMETERS.PrincipalId}]`,
      'PowerUser',
      'payments-prod',
    ]);
    expect(oldCells.slice(CSV_COLUMNS.length)).toEqual(['', '', '']);
    expect(csvRow(named)).toBe(csvRow(old));
  });

  it('neutralises a hostile name as any other cell', () => {
    // Prepare
    const hostile = storedRequest('COMPLETED', {
      display: {
        ...ALICE,
        permissionSet: { arn: PARAMETERS.PermissionSetArn, name: '=HYPERLINK("http://evil.example","x")' },
        account: { id: '111122223333', name: '@SUM(1+1)' },
      },
    });
    // Act
    const row = csvRow(hostile, { names: true });
    // Assess
    expect(row.endsWith(`,"'=HYPERLINK(""http://evil.example"",""x"")",'@SUM(1+1)`)).toBe(true);
  });

  it('are in an export once any of its rows has names, and not while none has', () => {
    // Act / Assess
    expect(withNames([storedRequest('COMPLETED'), storedRequest('DENIED')])).toBe(false);
    expect(withNames([storedRequest('COMPLETED'), storedRequest('DENIED', { display: ALICE })])).toBe(true);
  });
});
