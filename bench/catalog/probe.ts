// The directory listings a cold catalog function cannot avoid, made with the real SDK clients against the local
// endpoint: every user and group (Identity Store), the OU tree with its accounts (Organizations, 20 per page at most)
// and every permission set with its name (SSO Admin). Timed and counted, they are the floor under a cold start at this
// scale, whatever the directory implementation caches afterwards; and they show the emulators keep up with it.
import { IdentitystoreClient, ListGroupsCommand, ListUsersCommand } from '@aws-sdk/client-identitystore';
import {
  ListAccountsForParentCommand,
  ListOrganizationalUnitsForParentCommand,
  ListRootsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { DescribePermissionSetCommand, ListPermissionSetsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { now, sleep } from '../lib/timing.js';

/** How long the probe waits after a ThrottlingException before asking again. */
const THROTTLE_WAIT_MS = 50;

export interface ProbeStep {
  step: string;
  calls: number;
  items: number;
  ms: number;
  /** Calls answered ThrottlingException (counted in `calls` too). */
  throttled?: number;
}

const clientConfig = (endpoint: string) => ({
  endpoint,
  region: 'us-east-1',
  credentials: { accessKeyId: 'bench', secretAccessKey: 'bench' },
  maxAttempts: 1,
});

/** Runs `fn`, counting the pages it fetched through `page()`. */
const step = async (name: string, fn: (page: () => void) => Promise<number>): Promise<ProbeStep> => {
  let calls = 0;
  const start = now();
  const items = await fn(() => {
    calls += 1;
  });
  return { step: name, calls, items, ms: now() - start };
};

export const probeDirectory = async (
  endpoint: string,
  ids: { identityStoreId: string; instanceArn: string },
): Promise<ProbeStep[]> => {
  const identityStore = new IdentitystoreClient(clientConfig(endpoint));
  const organizations = new OrganizationsClient(clientConfig(endpoint));
  const ssoAdmin = new SSOAdminClient(clientConfig(endpoint));
  const { identityStoreId: IdentityStoreId, instanceArn: InstanceArn } = ids;
  try {
    const users = await step('identitystore ListUsers, all pages of 100', async (page) => {
      let count = 0;
      let NextToken: string | undefined;
      do {
        page();
        const out = await identityStore.send(new ListUsersCommand({ IdentityStoreId, MaxResults: 100, NextToken }));
        count += out.Users?.length ?? 0;
        NextToken = out.NextToken;
      } while (NextToken);
      return count;
    });
    const groups = await step('identitystore ListGroups, all pages of 100', async (page) => {
      let count = 0;
      let NextToken: string | undefined;
      do {
        page();
        const out = await identityStore.send(new ListGroupsCommand({ IdentityStoreId, MaxResults: 100, NextToken }));
        count += out.Groups?.length ?? 0;
        NextToken = out.NextToken;
      } while (NextToken);
      return count;
    });
    const tree = await step('organizations ListRoots + OUs and accounts per parent, pages of 20', async (page) => {
      page();
      const roots = await organizations.send(new ListRootsCommand({}));
      const queue = (roots.Roots ?? []).flatMap((root) => (root.Id ? [root.Id] : []));
      let accounts = 0;
      for (let parent = queue.shift(); parent !== undefined; parent = queue.shift()) {
        let NextToken: string | undefined;
        do {
          page();
          const out = await organizations.send(
            new ListOrganizationalUnitsForParentCommand({ ParentId: parent, MaxResults: 20, NextToken }),
          );
          for (const ou of out.OrganizationalUnits ?? []) if (ou.Id) queue.push(ou.Id);
          NextToken = out.NextToken;
        } while (NextToken);
        do {
          page();
          const out = await organizations.send(
            new ListAccountsForParentCommand({ ParentId: parent, MaxResults: 20, NextToken }),
          );
          accounts += out.Accounts?.length ?? 0;
          NextToken = out.NextToken;
        } while (NextToken);
      }
      return accounts;
    });
    let throttled = 0;
    const sets = await step('sso-admin ListPermissionSets + DescribePermissionSet each', async (page) => {
      const arns: string[] = [];
      let NextToken: string | undefined;
      do {
        page();
        const out = await ssoAdmin.send(new ListPermissionSetsCommand({ InstanceArn, MaxResults: 100, NextToken }));
        arns.push(...(out.PermissionSets ?? []));
        NextToken = out.NextToken;
      } while (NextToken);
      // One at a time, waiting out throttling: Identity Center's 20 TPS across its APIs (enforced by the emulator)
      // is what bounds this step, not the emulator's speed.
      for (const PermissionSetArn of arns) {
        for (;;) {
          page();
          try {
            await ssoAdmin.send(new DescribePermissionSetCommand({ InstanceArn, PermissionSetArn }));
            break;
          } catch (error) {
            if ((error as Error).name !== 'ThrottlingException') throw error;
            throttled += 1;
            await sleep(THROTTLE_WAIT_MS);
          }
        }
      }
      return arns.length;
    });
    return [users, groups, tree, { ...sets, throttled }];
  } finally {
    identityStore.destroy();
    organizations.destroy();
    ssoAdmin.destroy();
  }
};
