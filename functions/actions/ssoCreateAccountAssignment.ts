// sso:CreateAccountAssignment — constraints from the IAM Identity Center API reference. AWS matches
// these patterns against the whole value, so they are anchored here.
import { accountLabel, permissionSetName, principalLabel } from '../requests/displayNames.js';
import type { RequestDisplay } from '../requests/model.js';
import type { ActionDefinition } from './types.js';
import { SSO_ASSIGNMENT_ACTION } from './actionNames.js';

export interface SsoAssignmentParameters extends Record<string, string> {
  InstanceArn: string;
  PermissionSetArn: string;
  PrincipalId: string;
  PrincipalType: 'USER' | 'GROUP';
  TargetId: string;
  TargetType: 'AWS_ACCOUNT';
}

const psId = (p: SsoAssignmentParameters): string => p.PermissionSetArn.split('/').pop() ?? p.PermissionSetArn;
const principalIds = (p: SsoAssignmentParameters): string => `${p.PrincipalType.toLowerCase()} ${p.PrincipalId}`;

/**
 * "PowerUser on payments-prod (111122223333) for Alice Liddell (alice)": the snapshot's names, each part falling back
 * to its id on its own, since a name that could not be resolved at submit is simply absent (DESIGN.md, "Names
 * everywhere").
 */
const namedSummary = (p: SsoAssignmentParameters, display: RequestDisplay): string =>
  `${display.permissionSet ? permissionSetName(display.permissionSet) : psId(p)} on ${
    display.account ? accountLabel(display.account) : `account ${p.TargetId}`
  } for ${display.principal ? principalLabel(display.principal) : principalIds(p)}`;

export const ssoCreateAccountAssignment: ActionDefinition<SsoAssignmentParameters> = {
  name: SSO_ASSIGNMENT_ACTION,
  parameterSchema: {
    type: 'object',
    additionalProperties: false,
    required: ['InstanceArn', 'PermissionSetArn', 'PrincipalId', 'PrincipalType', 'TargetId', 'TargetType'],
    properties: {
      InstanceArn: {
        type: 'string',
        minLength: 10,
        maxLength: 1224,
        pattern: '^arn:aws:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$',
      },
      PermissionSetArn: {
        type: 'string',
        minLength: 10,
        maxLength: 1224,
        pattern: '^arn:aws:sso:::permissionSet/(sso)?ins-[a-zA-Z0-9-.]{16}/ps-[a-zA-Z0-9-./]{16}$',
      },
      PrincipalId: {
        type: 'string',
        minLength: 1,
        maxLength: 47,
        pattern: '^([0-9a-f]{10}-|)[A-Fa-f0-9]{8}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{4}-[A-Fa-f0-9]{12}$',
      },
      PrincipalType: { type: 'string', enum: ['USER', 'GROUP'] },
      TargetId: { type: 'string', pattern: '^\\d{12}$' },
      TargetType: { type: 'string', enum: ['AWS_ACCOUNT'] },
    },
  },
  // OrganizationalUnit (the account or any OU above it, up to the root) and PermissionSetName are resolved through the
  // directory by policy/eligibility.ts; AccountName is deliberately absent, as account owners can rename accounts.
  policyKeys: [
    'InstanceArn',
    'PermissionSetArn',
    'PrincipalId',
    'PrincipalType',
    'TargetId',
    'OrganizationalUnit',
    'PermissionSetName',
  ],
  summarize: (p, _facts, display) =>
    display
      ? namedSummary(p, display)
      : `Assign permission set ${psId(p)} to ${principalIds(p)} on account ${p.TargetId}`,
  targetId: (p) => p.TargetId,
  revocable: true,
};
