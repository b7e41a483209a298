// Approval links carry a compact token: base64url(JSON {r: requestId, a: approver, e: expiry}) + "." +
// base64url(HMAC-SHA256 of that payload). The link proves who it was sent to and until when; it is not
// the Step Functions task token and cannot be turned into one.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidLinkError, LinkExpiredError } from '../shared/errors.js';

export interface LinkClaims {
  requestId: string;
  approver: string;
  /** Expiry, epoch milliseconds. */
  expiresAt: number;
}

const MAX_TOKEN_LENGTH = 2048;

const mac = (payload: string, secret: string): Buffer => createHmac('sha256', secret).update(payload).digest();

export const signLink = (claims: LinkClaims, secret: string): string => {
  const payload = Buffer.from(
    JSON.stringify({ r: claims.requestId, a: claims.approver, e: claims.expiresAt }),
  ).toString('base64url');
  return `${payload}.${mac(payload, secret).toString('base64url')}`;
};

/** Verifies signature first, then expiry, so a forged link never learns whether it would have expired. */
export const verifyLink = (token: string, secret: string, nowMs: number): LinkClaims => {
  const invalid = () => new InvalidLinkError('This approval link is not valid');
  if (token.length > MAX_TOKEN_LENGTH) throw invalid();
  const [payload, signature, ...rest] = token.split('.');
  if (!payload || !signature || rest.length > 0) throw invalid();
  const expected = mac(payload, secret);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  const { r, a, e } = (parsed ?? {}) as { r?: unknown; a?: unknown; e?: unknown };
  if (typeof r !== 'string' || typeof a !== 'string' || typeof e !== 'number') throw invalid();
  if (nowMs >= e) throw new LinkExpiredError('This approval link has expired');
  return { requestId: r, approver: a, expiresAt: e };
};
