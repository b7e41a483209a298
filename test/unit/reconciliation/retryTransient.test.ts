// The reconciler's client retries transient answers itself, each attempt through the middleware inside it (where the
// Identity Center budget sits), and gives up after its attempts or at once on an error no retry can fix.
import { describe, expect, it } from '@jest/globals';
import { ListPermissionSetsCommand, SSOAdminClient } from '@aws-sdk/client-sso-admin';
import { retryTransient } from '../../../functions/reconciliation/retryTransient.js';

const INSTANCE = 'arn:aws:sso:::instance/ssoins-1111111111111111';

/** A client whose calls end at a scripted answer in place of the network, counting what reaches the inner step. */
const scripted = (answers: Array<Error | 'ok'>) => {
  const client = new SSOAdminClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
    maxAttempts: 1,
  });
  let inner = 0;
  client.middlewareStack.add(
    () => async () => {
      inner += 1;
      const answer = answers.shift() ?? 'ok';
      if (answer instanceof Error) throw answer;
      return { output: { PermissionSets: [], $metadata: {} }, response: {} };
    },
    { step: 'initialize', priority: 'low', name: 'scriptedAnswer' },
  );
  return { client, inner: () => inner };
};

const named = (name: string): Error => Object.assign(new Error(name), { name });

describe('retryTransient', () => {
  it('retries throttling and busy answers, sleeping a capped, jittered backoff, until a call succeeds', async () => {
    // Prepare
    const { client, inner } = scripted([named('ThrottlingException'), named('IdentityCenterBusy'), 'ok']);
    const sleeps: number[] = [];
    retryTransient(client, {
      attempts: 5,
      baseSeconds: 1,
      maxDelaySeconds: 8,
      timeScale: 0.5,
      random: () => 1,
      sleep: async (ms) => void sleeps.push(ms),
    });

    // Act
    const result = await client.send(new ListPermissionSetsCommand({ InstanceArn: INSTANCE }));

    // Assess
    expect(result.PermissionSets).toEqual([]);
    expect(inner()).toBe(3);
    expect(sleeps).toEqual([500, 1000]);
  });

  it('throws the last transient error after its attempts', async () => {
    // Prepare
    const { client, inner } = scripted(Array.from({ length: 10 }, () => named('ThrottlingException')));
    retryTransient(client, { attempts: 3, baseSeconds: 1, maxDelaySeconds: 8, timeScale: 1, sleep: async () => {} });

    // Act
    const error = (await client
      .send(new ListPermissionSetsCommand({ InstanceArn: INSTANCE }))
      .catch((e) => e)) as Error;

    // Assess
    expect(error.name).toBe('ThrottlingException');
    expect(inner()).toBe(3);
  });

  it('does not retry an error a retry cannot fix', async () => {
    // Prepare
    const { client, inner } = scripted([named('AccessDeniedException')]);
    retryTransient(client, { attempts: 5, baseSeconds: 1, maxDelaySeconds: 8, timeScale: 1, sleep: async () => {} });

    // Act
    const error = (await client
      .send(new ListPermissionSetsCommand({ InstanceArn: INSTANCE }))
      .catch((e) => e)) as Error;

    // Assess
    expect(error.name).toBe('AccessDeniedException');
    expect(inner()).toBe(1);
  });
});
