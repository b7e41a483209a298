// Whether Identity Center lists one principal's assignment of a permission set on an account: the one answer that
// the pre-existence check, the revocation's "already gone" check, the verification and the reconciler all rely on,
// so it is read one way. ListAccountAssignments pages through every assignment of the permission set on the
// account; this follows NextToken until the principal is found or the pages end.
import { ListAccountAssignmentsCommand, type SSOAdminClient } from '@aws-sdk/client-sso-admin';
import type { SsoAssignmentParameters } from '../actions/ssoCreateAccountAssignment.js';

/** The model's largest page, so a long listing costs as few of Identity Center's calls as it can. */
const PAGE = 100;

export const assignmentListed = async (ssoAdmin: SSOAdminClient, p: SsoAssignmentParameters): Promise<boolean> => {
  let NextToken: string | undefined;
  do {
    const page = await ssoAdmin.send(
      new ListAccountAssignmentsCommand({
        InstanceArn: p.InstanceArn,
        AccountId: p.TargetId,
        PermissionSetArn: p.PermissionSetArn,
        MaxResults: PAGE,
        NextToken,
      }),
    );
    if (
      (page.AccountAssignments ?? []).some(
        (x) => x.PrincipalId === p.PrincipalId && x.PrincipalType === p.PrincipalType,
      )
    )
      return true;
    NextToken = page.NextToken;
  } while (NextToken);
  return false;
};
