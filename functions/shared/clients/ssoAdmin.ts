// The IAM Identity Center (SSO Admin) client, in its own module so that only the assignment tasks bundle it.
import { SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { lazy } from './lazy.js';

// Step Functions owns retries and backoff for provisioning, so this client makes exactly one attempt per call.
export const ssoAdminClient = lazy(() => new SSOAdminClient({ maxAttempts: 1 }));
