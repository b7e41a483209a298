// The catalog's shared Proton listing: concurrent callers share one listing (all pages), a settled listing is served
// for its TTL and then read again, and a failed listing is not kept.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { ListEnvironmentAccountConnectionsCommand, ProtonClient } from '@aws-sdk/client-proton';
import { mockClient } from 'aws-sdk-client-mock';
import { createPendingConnectionsCache } from '../../../functions/catalog/pendingConnections.js';
import { awsError } from '../../fixtures/awsErrors.js';

const summary = (id: string) => ({
  id,
  environmentName: `env-${id}`,
  environmentAccountId: '111111111111',
  arn: `arn:aws:proton:us-east-1:999999999999:environment-account-connection/${id}`,
  managementAccountId: '999999999999',
  roleArn: 'arn:aws:iam::111111111111:role/ProtonEnvironmentRole',
  status: 'PENDING' as const,
  requestedAt: new Date(0),
  lastModifiedAt: new Date(0),
});

const proton = mockClient(ProtonClient);
const client = new ProtonClient({ region: 'us-east-1' });
let now = 0;
const clock = { now: () => new Date(now) };
const listings = () => proton.commandCalls(ListEnvironmentAccountConnectionsCommand).length;

beforeEach(() => {
  proton.reset();
  now = Date.parse('2026-12-01T00:00:00Z');
});
afterEach(() => {
  proton.reset();
});

describe('createPendingConnectionsCache', () => {
  it('shares one listing among 20 concurrent callers, every page read once', async () => {
    // Prepare: two pages
    proton
      .on(ListEnvironmentAccountConnectionsCommand)
      .resolvesOnce({ environmentAccountConnections: [summary('a')], nextToken: 't1' })
      .resolvesOnce({ environmentAccountConnections: [summary('b')] });
    const pending = createPendingConnectionsCache({ proton: () => client, clock, ttlMs: 0 });

    // Act
    const answers = await Promise.all(Array.from({ length: 20 }, () => pending()));

    // Assess
    expect(listings()).toBe(2);
    expect(new Set(answers.map((a) => a.map((c) => c.id).join()))).toEqual(new Set(['a,b']));
  });

  it('with ttlMs 0, reads again on the next call once a listing has settled', async () => {
    // Prepare
    proton.on(ListEnvironmentAccountConnectionsCommand).resolves({ environmentAccountConnections: [summary('a')] });
    const pending = createPendingConnectionsCache({ proton: () => client, clock, ttlMs: 0 });
    // Act
    await pending();
    await pending();
    // Assess
    expect(listings()).toBe(2);
  });

  it('serves a settled listing for its TTL, then reads again', async () => {
    // Prepare
    proton.on(ListEnvironmentAccountConnectionsCommand).resolves({ environmentAccountConnections: [summary('a')] });
    const pending = createPendingConnectionsCache({ proton: () => client, clock, ttlMs: 30_000 });

    // Act + Assess
    await pending();
    now += 29_999;
    await pending();
    expect(listings()).toBe(1);
    now += 2;
    await pending();
    expect(listings()).toBe(2);
  });

  it('does not keep a failed listing: the next caller asks again', async () => {
    // Prepare
    proton
      .on(ListEnvironmentAccountConnectionsCommand)
      .rejectsOnce(awsError('ThrottlingException'))
      .resolves({ environmentAccountConnections: [summary('a')] });
    const pending = createPendingConnectionsCache({ proton: () => client, clock, ttlMs: 30_000 });

    // Act
    await expect(pending()).rejects.toThrow('ThrottlingException');
    const second = await pending();

    // Assess
    expect(second.map((c) => c.id)).toEqual(['a']);
    expect(listings()).toBe(2);
  });
});
