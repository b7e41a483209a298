import { describe, expect, it } from '@jest/globals';
import { ListEnvironmentAccountConnectionsCommand, ProtonClient } from '@aws-sdk/client-proton';
import { mockClient } from 'aws-sdk-client-mock';
import { listPendingConnections } from '../../../functions/catalog/pendingConnections.js';

const summary = (id: string, environmentName: string) => ({
  id,
  environmentName,
  environmentAccountId: '111111111111',
  arn: `arn:aws:proton:us-east-1:999999999999:environment-account-connection/${id}`,
  managementAccountId: '999999999999',
  roleArn: 'arn:aws:iam::111111111111:role/ProtonEnvironmentRole',
  status: 'PENDING' as const,
  requestedAt: new Date(0),
  lastModifiedAt: new Date(0),
});

describe('listPendingConnections', () => {
  it('asks AWS for PENDING connections sent to this management account and reads every page', async () => {
    // Prepare
    const proton = mockClient(ProtonClient);
    proton
      .on(ListEnvironmentAccountConnectionsCommand)
      .resolvesOnce({ environmentAccountConnections: [summary('a', 'dev')], nextToken: 't1' })
      .resolvesOnce({ environmentAccountConnections: [summary('b', 'prod')] });
    // Act
    const connections = await listPendingConnections(new ProtonClient({}));
    // Assess
    expect(connections).toEqual([
      { id: 'a', environmentName: 'dev', environmentAccountId: '111111111111' },
      { id: 'b', environmentName: 'prod', environmentAccountId: '111111111111' },
    ]);
    const inputs = proton.commandCalls(ListEnvironmentAccountConnectionsCommand).map((call) => call.args[0].input);
    expect(inputs).toEqual([
      { requestedBy: 'MANAGEMENT_ACCOUNT', statuses: ['PENDING'], maxResults: 100 },
      { requestedBy: 'MANAGEMENT_ACCOUNT', statuses: ['PENDING'], maxResults: 100, nextToken: 't1' },
    ]);
    proton.restore();
  });

  it('fails rather than answer part of the list when the token never moves', async () => {
    // Prepare
    const proton = mockClient(ProtonClient);
    proton
      .on(ListEnvironmentAccountConnectionsCommand)
      .resolves({ environmentAccountConnections: [], nextToken: 'same' });
    // Act
    const attempt = listPendingConnections(new ProtonClient({}));
    // Assess
    await expect(attempt).rejects.toThrow(/did not end/);
    expect(proton.commandCalls(ListEnvironmentAccountConnectionsCommand)).toHaveLength(2);
    proton.restore();
  });
});
