// The IAM Identity Center (SSO Admin) clients, in their own module so that only the functions that call Identity
// Center bundle them.
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { lazy } from './lazy.js';

// Step Functions owns retries and backoff for provisioning, so this client makes exactly one attempt per call.
export const ssoAdminClient = lazy(() => new SSOAdminClient({ maxAttempts: 1 }));

// Directory reads (ListInstances, ListPermissionSets, DescribePermissionSet) have no state machine behind them to
// retry, so they use a client of their own with the SDK's retries, in adaptive mode: Identity Center's 20 requests per
// second are shared with provisioning, and a throttled read slows the client's own sending rate down.
export const ssoAdminReadClient = lazy(() => new SSOAdminClient({ retryMode: 'adaptive' }));
