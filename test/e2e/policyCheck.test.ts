// A policy that names what the directory does not have stops the local stack's start, naming the rule and the value,
// instead of serving requests that could never be routed as written.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { startLocalStack } from '../../local/stack.js';
import { newDataDir } from './harness.js';

describe('local stack start with a policy the directory contradicts', () => {
  it('fails loudly, naming the rule, the group, the OU and the permission set', async () => {
    // Prepare
    const dataDir = newDataDir();
    const policyFile = join(dataDir, 'policy.json');
    writeFileSync(
      policyFile,
      JSON.stringify({
        rules: [
          {
            action: 'sso:CreateAccountAssignment',
            match: { TargetId: ['111111111111'] },
            approvers: ['bob@example.com'],
          },
          {
            action: 'sso:CreateAccountAssignment',
            requesters: ['group:Enginers'],
            match: { OrganizationalUnit: ['ou-ab12-99999999'], PermissionSetName: ['Admin'] },
            approvers: ['bob@example.com'],
          },
        ],
      }),
    );
    // Act
    const start = startLocalStack({ port: 0, awsPort: 0, dataDir, quiet: true, policyFile });
    // Assess
    await expect(start).rejects.toThrow(
      /rules\[1\] \(sso:CreateAccountAssignment\): requesters group "Enginers" does not exist/,
    );
    await expect(start).rejects.toThrow(/rules\[1\].*OrganizationalUnit ou-ab12-99999999 does not exist/);
    await expect(start).rejects.toThrow(/rules\[1\].*PermissionSetName Admin is not a permission set/);
  });
});
