// The budget middleware on a real SSOAdminClient: every command takes a token for its instance before it is sent, a
// refused token means no call at all, and a server fault is reported back to the budget. The network is replaced by
// a stub at the end of the client's middleware stack, so everything the middleware does runs as in production.
import { describe, expect, it } from '@jest/globals';
import {
  DescribeAccountAssignmentCreationStatusCommand,
  ListInstancesCommand,
  SSOAdminClient,
} from '@aws-sdk/client-sso-admin';
import type { IdentityCenterBudget, TakeOptions } from '../../../functions/provisioning/identityCenterBudget.js';
import { budgeted, NO_INSTANCE_KEY } from '../../../functions/shared/clients/identityCenterBudgetMiddleware.js';
import { IdentityCenterBusyError } from '../../../functions/shared/errors.js';

const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111111111111111';
const CONFIGURED = 'arn:aws:sso:::instance/ssoins-2222222222222222';

/** A client whose calls never leave the process: `answer` plays Identity Center. */
const clientAnswering = (answer: (commandName: string) => unknown) => {
  const sent: string[] = [];
  const client = new SSOAdminClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  client.middlewareStack.add(
    (_next, context) => async () => {
      sent.push(String(context.commandName));
      return { output: { $metadata: {}, ...(answer(String(context.commandName)) as object) }, response: {} };
    },
    { step: 'finalizeRequest', priority: 'low', name: 'identityCenterStub' },
  );
  return { client, sent };
};

const fakeBudget = (refuse = false) => {
  const log: string[] = [];
  const budget = {
    take: async (instanceArn: string, options: TakeOptions) => {
      log.push(`take ${instanceArn} ${options.maxWaitMs} probe:${options.probe ? 'yes' : 'no'}`);
      if (refuse) throw new IdentityCenterBusyError('no capacity', 2);
    },
    serverFault: async (instanceArn: string) => void log.push(`serverFault ${instanceArn}`),
  } as IdentityCenterBudget;
  return { budget, log };
};

describe('budgeted SSO Admin client', () => {
  it("takes a token for the command's own instance before sending it", async () => {
    // Prepare
    const { client, sent } = clientAnswering(() => ({ AccountAssignmentCreationStatus: { Status: 'SUCCEEDED' } }));
    const { budget, log } = fakeBudget();
    budgeted(client, budget, { maxWaitMs: 1000, instanceArn: CONFIGURED, probe: async () => undefined });

    // Act
    const out = await client.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: INSTANCE,
        AccountAssignmentCreationRequestId: 'op-1',
      }),
    );

    // Assess
    expect(out.AccountAssignmentCreationStatus?.Status).toBe('SUCCEEDED');
    expect(log).toEqual([`take ${INSTANCE} 1000 probe:yes`]);
    expect(sent).toEqual(['DescribeAccountAssignmentCreationStatusCommand']);
  });

  it('uses the configured instance, else one shared key, for commands that name none', async () => {
    // Prepare
    const configured = clientAnswering(() => ({ Instances: [] }));
    const unconfigured = clientAnswering(() => ({ Instances: [] }));
    const first = fakeBudget();
    const second = fakeBudget();
    budgeted(configured.client, first.budget, { maxWaitMs: 2000, instanceArn: CONFIGURED });
    budgeted(unconfigured.client, second.budget, { maxWaitMs: 2000 });

    // Act
    await configured.client.send(new ListInstancesCommand({}));
    await unconfigured.client.send(new ListInstancesCommand({}));

    // Assess: with no instance there is nothing to probe with, so the call itself is the probe
    expect(first.log).toEqual([`take ${CONFIGURED} 2000 probe:yes`]);
    expect(second.log).toEqual([`take ${NO_INSTANCE_KEY} 2000 probe:no`]);
  });

  it('sends nothing when the budget has no capacity, and IdentityCenterBusy reaches the caller', async () => {
    // Prepare
    const { client, sent } = clientAnswering(() => ({}));
    const { budget } = fakeBudget(true);
    budgeted(client, budget, { maxWaitMs: 1000 });

    // Act
    const call = client.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: INSTANCE,
        AccountAssignmentCreationRequestId: 'x',
      }),
    );

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'IdentityCenterBusy', retryAfterSeconds: 2 });
    expect(sent).toEqual([]);
  });

  it('reports a server fault to the budget and passes the AWS error through with its name', async () => {
    // Prepare
    const { client } = clientAnswering(() => {
      throw Object.assign(new Error('internal'), {
        name: 'InternalServerException',
        $metadata: { httpStatusCode: 500 },
      });
    });
    const { budget, log } = fakeBudget();
    budgeted(client, budget, { maxWaitMs: 1000 });

    // Act
    const call = client.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: INSTANCE,
        AccountAssignmentCreationRequestId: 'x',
      }),
    );

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'InternalServerException' });
    expect(log).toEqual([`take ${INSTANCE} 1000 probe:yes`, `serverFault ${INSTANCE}`]);
  });

  it('does not pause the budget for errors on the caller side (throttling, conflict)', async () => {
    // Prepare
    const { client } = clientAnswering(() => {
      throw Object.assign(new Error('slow down'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } });
    });
    const { budget, log } = fakeBudget();
    budgeted(client, budget, { maxWaitMs: 1000 });

    // Act
    const call = client.send(
      new DescribeAccountAssignmentCreationStatusCommand({
        InstanceArn: INSTANCE,
        AccountAssignmentCreationRequestId: 'x',
      }),
    );

    // Assess
    await expect(call).rejects.toMatchObject({ name: 'ThrottlingException' });
    expect(log).toEqual([`take ${INSTANCE} 1000 probe:yes`]);
  });
});
