import { describe, expect, it } from '@jest/globals';
import { signLink, verifyLink } from '../../../functions/approvals/linkToken.js';

const secret = 'test-secret-not-used-anywhere-else';
const claims = { requestId: 'r-1', approver: 'bob@example.com', expiresAt: 2_000_000 };

describe('approval link tokens', () => {
  it('round-trips the signed claims', () => {
    // Act
    const verified = verifyLink(signLink(claims, secret), secret, 1_000_000);
    // Assess
    expect(verified).toEqual(claims);
  });

  it.each([
    [
      'tampered payload',
      (t: string) =>
        `${Buffer.from(JSON.stringify({ r: 'r-1', a: 'eve@example.com', e: 2_000_000 })).toString('base64url')}.${t.split('.')[1]}`,
    ],
    ['truncated signature', (t: string) => t.slice(0, -3)],
    ['no signature', (t: string) => t.split('.')[0]!],
    ['extra segment', (t: string) => `${t}.x`],
    ['empty', () => ''],
    ['oversized', () => 'a'.repeat(5000)],
  ])('rejects a %s as invalid (403)', (_case, mutate) => {
    // Prepare
    const token = mutate(signLink(claims, secret));
    // Act / Assess
    expect(() => verifyLink(token, secret, 1_000_000)).toThrow(
      expect.objectContaining({ statusCode: 403, code: 'InvalidLink' }),
    );
  });

  it('rejects a link signed with another secret', () => {
    // Act / Assess
    expect(() => verifyLink(signLink(claims, 'other-secret'), secret, 1_000_000)).toThrow(
      expect.objectContaining({ code: 'InvalidLink' }),
    );
  });

  it('rejects an expired link with 410', () => {
    // Act / Assess
    expect(() => verifyLink(signLink(claims, secret), secret, 2_000_000)).toThrow(
      expect.objectContaining({ statusCode: 410 }),
    );
  });

  it('does not contain the approver or request in a form that can be altered', () => {
    // Prepare
    const token = signLink(claims, secret);
    // Assess: the payload is readable (it is not a secret) but any change breaks the signature
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual({
      r: 'r-1',
      a: 'bob@example.com',
      e: 2_000_000,
    });
  });
});
