import { createHmac } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { slackSignature, verifySlackSignature } from '../../../functions/slack/signature.js';

const secret = 'slack-test-secret-not-used-anywhere-else';
const nowMs = 1_700_000_000_000;
const timestamp = String(nowMs / 1000);
const rawBody = `payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', actions: [{ action_id: 'approve', value: 'r-1' }] }))}`;

// Computed here from Slack's documented recipe, not with the code under test.
const sign = (body: string, ts: string, key = secret): string =>
  `v0=${createHmac('sha256', key).update(`v0:${ts}:${body}`).digest('hex')}`;

const invalidSignature = expect.objectContaining({ statusCode: 401, code: 'InvalidSignature' });

describe('Slack request signatures', () => {
  it('accepts a request signed with the signing secret over the raw body', () => {
    // Prepare
    const request = { signature: sign(rawBody, timestamp), timestamp, rawBody };
    // Act / Assess
    expect(() => verifySlackSignature(request, secret, nowMs)).not.toThrow();
  });

  it("signs the way Slack documents it (v0= + hex HMAC-SHA256 of 'v0:{timestamp}:{body}')", () => {
    // Act
    const signature = slackSignature(secret, timestamp, rawBody);
    // Assess
    expect(signature).toBe(sign(rawBody, timestamp));
  });

  it.each([
    [
      'a tampered body',
      { signature: sign(rawBody, timestamp), timestamp, rawBody: rawBody.replace('approve', 'deny') },
    ],
    [
      'a body re-encoded after signing',
      { signature: sign(rawBody, timestamp), timestamp, rawBody: `payload=${decodeURIComponent(rawBody.slice(8))}` },
    ],
    ['the wrong secret', { signature: sign(rawBody, timestamp, 'another-secret'), timestamp, rawBody }],
    [
      'a timestamp changed after signing',
      { signature: sign(rawBody, timestamp), timestamp: String(Number(timestamp) + 1), rawBody },
    ],
    ['no signature header', { signature: undefined, timestamp, rawBody }],
    ['an empty signature header', { signature: '', timestamp, rawBody }],
    ['no timestamp header', { signature: sign(rawBody, timestamp), timestamp: undefined, rawBody }],
    ['a non-numeric timestamp', { signature: sign(rawBody, 'soon'), timestamp: 'soon', rawBody }],
    ['a fractional timestamp', { signature: sign(rawBody, `${timestamp}.5`), timestamp: `${timestamp}.5`, rawBody }],
    ['another signature version', { signature: sign(rawBody, timestamp).replace('v0=', 'v1='), timestamp, rawBody }],
    ['a truncated signature', { signature: sign(rawBody, timestamp).slice(0, -2), timestamp, rawBody }],
    [
      'an upper-case signature',
      { signature: `v0=${sign(rawBody, timestamp).slice(3).toUpperCase()}`, timestamp, rawBody },
    ],
  ])('rejects %s with 401', (_case, request) => {
    // Act / Assess
    expect(() => verifySlackSignature(request, secret, nowMs)).toThrow(invalidSignature);
  });

  it.each([
    ['more than 5 minutes old', -301],
    ['more than 5 minutes in the future', 301],
  ])('rejects a correctly signed request whose timestamp is %s', (_case, offsetSeconds) => {
    // Prepare
    const ts = String(nowMs / 1000 + offsetSeconds);
    // Act / Assess
    expect(() => verifySlackSignature({ signature: sign(rawBody, ts), timestamp: ts, rawBody }, secret, nowMs)).toThrow(
      invalidSignature,
    );
  });

  it.each([-300, 300])('accepts a timestamp exactly %i seconds away', (offsetSeconds) => {
    // Prepare
    const ts = String(nowMs / 1000 + offsetSeconds);
    // Act / Assess
    expect(() =>
      verifySlackSignature({ signature: sign(rawBody, ts), timestamp: ts, rawBody }, secret, nowMs),
    ).not.toThrow();
  });

  it('gives the same message whichever check failed, so a caller learns nothing from it', () => {
    // Prepare
    const messages = [
      { signature: undefined, timestamp, rawBody },
      { signature: sign(rawBody, timestamp, 'another-secret'), timestamp, rawBody },
      { signature: sign(rawBody, '1'), timestamp: '1', rawBody },
    ].map((request) => {
      try {
        verifySlackSignature(request, secret, nowMs);
        return 'accepted';
      } catch (error) {
        return (error as Error).message;
      }
    });
    // Assess
    expect(new Set(messages).size).toBe(1);
    expect(messages[0]).not.toBe('accepted');
  });
});
