// AWS Proton clients, in their own module so that only submit (the look-up) and accept bundle them.
import { ProtonClient } from '@aws-sdk/client-proton';
import { lazy } from './lazy.js';

// Step Functions owns retries and backoff for provisioning (visible in history, bounded, no Lambda time spent
// waiting), so the provisioning client makes exactly one attempt per invocation.
export const protonClient = lazy(() => new ProtonClient({ maxAttempts: 1 }));
/** Read-only look-ups at submit time keep the SDK's own retries: a person is waiting on the answer. */
export const protonLookupClient = lazy(() => new ProtonClient({}));
