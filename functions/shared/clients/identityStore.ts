// The Identity Store client, in its own module so that only the functions that read the directory bundle it.
import { IdentitystoreClient } from '@aws-sdk/client-identitystore';
import { lazy } from './lazy.js';

// Directory reads are plain reads with nobody else to retry them, so this client keeps the SDK's normal retries
// (standard mode, 3 attempts with backoff on throttling), unlike the provisioning clients.
export const identityStoreClient = lazy(() => new IdentitystoreClient({}));
