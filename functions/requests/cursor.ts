// Paging cursors are opaque to callers but carry DynamoDB's position. They are signed and bound to the
// query (its index, filters and caller), so a tampered cursor, or one from another query or another
// person, is refused instead of reading from a position nobody was given.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { ValidationError } from '../shared/errors.js';

export type Position = Record<string, string>;

const MAX_CURSOR_LENGTH = 4096;

const invalid = () => new ValidationError([{ path: 'cursor', message: 'is not a valid cursor for this query' }]);

// Derived, so a cursor signature can never be replayed as an approval-link signature or the reverse.
const cursorKey = (secret: string): Buffer =>
  createHmac('sha256', secret).update('access-approvals/cursor/v1').digest();

export const queryFingerprint = (parts: unknown): string =>
  createHash('sha256').update(JSON.stringify(parts)).digest('base64url');

export const encodeCursor = (position: Position, fingerprint: string, secret: string): string => {
  const payload = Buffer.from(JSON.stringify({ p: position, q: fingerprint })).toString('base64url');
  return `${payload}.${createHmac('sha256', cursorKey(secret)).update(payload).digest('base64url')}`;
};

export const decodeCursor = (cursor: string, fingerprint: string, secret: string): Position => {
  if (cursor.length > MAX_CURSOR_LENGTH) throw invalid();
  const [payload, signature, ...rest] = cursor.split('.');
  if (!payload || !signature || rest.length > 0) throw invalid();
  const expected = createHmac('sha256', cursorKey(secret)).update(payload).digest();
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
  let decoded: { p?: unknown; q?: unknown };
  try {
    decoded = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { p?: unknown; q?: unknown };
  } catch {
    throw invalid();
  }
  if (decoded.q !== fingerprint || !decoded.p || typeof decoded.p !== 'object') throw invalid();
  const position = decoded.p as Record<string, unknown>;
  if (!Object.values(position).every((v) => typeof v === 'string')) throw invalid();
  return position as Position;
};
