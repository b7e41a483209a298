// The bulk scenario's world: N principals in LOCAL_FIXTURES, one account and permission set, a policy whose SSO
// rule covers them all, and the request bodies.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultFixtures } from '../../local/emulators/fixtures.js';

export const REQUESTER = 'alice@example.com';
export const APPROVER = 'bob@example.com';
export const AUDITOR = 'dana@example.com';

export const INSTANCE_ARN = defaultFixtures.sso.instanceArn;
export const PERMISSION_SET_ARN = defaultFixtures.sso.permissionSets[0] as string;
export const ACCOUNT_ID = defaultFixtures.sso.accounts[0] as string;

/** N distinct user ids in Identity Center's format, deterministic so runs compare. */
export const principalIds = (count: number): string[] =>
  Array.from({ length: count }, (_, i) => `f81d4fae-7dec-11d0-a765-00a0c91e${i.toString(16).padStart(4, '0')}`);

export const fixturesJson = (principals: readonly string[], provisioningSeconds: number): string =>
  JSON.stringify({
    sso: {
      instanceArn: INSTANCE_ARN,
      permissionSets: [PERMISSION_SET_ARN],
      principals: principals.map((id) => ({ id, type: 'USER' })),
      accounts: [ACCOUNT_ID],
      provisioningSeconds,
    },
  });

/** Writes the policy into `dir` and returns its path. One approver decides; the approval window never closes during a run. */
export const writePolicy = (dir: string): string => {
  const file = join(dir, 'policy.bulk.json');
  const policy = {
    approvalTimeoutSeconds: 86_400,
    people: [{ id: REQUESTER }, { id: APPROVER }, { id: AUDITOR }],
    auditors: [AUDITOR],
    rules: [
      {
        action: 'sso:CreateAccountAssignment',
        match: { TargetId: [ACCOUNT_ID] },
        approvers: [APPROVER],
        minApprovals: 1,
      },
    ],
  };
  writeFileSync(file, `${JSON.stringify(policy, null, 2)}\n`);
  return file;
};

/** A request body; with `durationMinutes` the grant is time-bound and revoked when it ends. */
export const requestBody = (principalId: string, durationMinutes?: number) => ({
  action: 'sso:CreateAccountAssignment',
  parameters: {
    InstanceArn: INSTANCE_ARN,
    PermissionSetArn: PERMISSION_SET_ARN,
    PrincipalId: principalId,
    PrincipalType: 'USER',
    TargetId: ACCOUNT_ID,
    TargetType: 'AWS_ACCOUNT',
  },
  justification: 'bulk onboarding benchmark',
  ...(durationMinutes !== undefined ? { durationMinutes } : {}),
});
