// The AWS Organizations client, in its own module so that only the functions that read the directory bundle it.
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { lazy } from './lazy.js';

// Organizations is a global service: the SDK's endpoint rules send every region's calls to its one endpoint. Reads
// keep the SDK's normal retries; Organizations throttles at a few requests per second, which the retries absorb.
export const organizationsClient = lazy(() => new OrganizationsClient({}));
