// sso:CreateAccountAssignment — constraints from the IAM Identity Center API reference. AWS matches
// these patterns against the whole value, so they are anchored here.
import type { ActionDefinition } from './types.js';

export interface SsoAssignmentParameters extends Record<string, string> {
  InstanceArn: string;
  PermissionSetArn: string;
  PrincipalId: string;
  PrincipalType: 'USER' | 'GROUP';
  TargetId: string;
  TargetType: 'AWS_ACCOUNT';
}

export const ssoCreateAccountAssignment: ActionDefinition<SsoAssignmentParameters> = {
  name: 'sso:CreateAccountAssignment',
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
  summarize: (p) =>
    `Assign permission set ${p.PermissionSetArn.split('/').pop() ?? p.PermissionSetArn} to ${p.PrincipalType.toLowerCase()} ${p.PrincipalId} on account ${p.TargetId}`,
  targetId: (p) => p.TargetId,
  revocable: true,
};
