// Slack signs every request it sends us: `v0=` + hex HMAC-SHA256(signing secret, `v0:{timestamp}:{raw body}`).
// The signature is the only thing that tells a real click from anyone who found the URL, and the timestamp
// window is what stops a captured request from being replayed later.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { InvalidSlackSignatureError } from '../shared/errors.js';
import { rawBody, type PublicHttpEvent } from '../shared/http.js';

/** Slack's own recommendation; also bounds how long a captured request stays replayable. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;
const VERSION = 'v0';
const SIGNATURE_PATTERN = /^v0=[0-9a-f]{64}$/;
// Epoch seconds; anything longer is not a timestamp Slack sends and would lose precision as a number.
const TIMESTAMP_PATTERN = /^\d{1,12}$/;

export interface SignedSlackRequest {
  /** X-Slack-Signature */
  signature: string | undefined;
  /** X-Slack-Request-Timestamp, epoch seconds */
  timestamp: string | undefined;
  /** The body exactly as received: re-encoding parsed form data would change the bytes that were signed. */
  rawBody: string;
}

export const slackSignature = (secret: string, timestamp: string, rawBody: string): string =>
  `${VERSION}=${createHmac('sha256', secret).update(`${VERSION}:${timestamp}:${rawBody}`).digest('hex')}`;

/**
 * Throws InvalidSlackSignatureError unless the request carries a well-formed, current timestamp and a
 * signature that matches. Every failure gives the same message, so a caller learns nothing about which check
 * failed.
 */
export const verifySlackSignature = (request: SignedSlackRequest, secret: string, nowMs: number): void => {
  const invalid = () => new InvalidSlackSignatureError('The Slack request signature is missing or does not verify');
  const { signature, timestamp, rawBody } = request;
  if (!signature || !timestamp || !TIMESTAMP_PATTERN.test(timestamp) || !SIGNATURE_PATTERN.test(signature))
    throw invalid();
  // Both directions: a timestamp from the future would otherwise stay replayable for longer than the window.
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > MAX_CLOCK_SKEW_SECONDS) throw invalid();
  const expected = Buffer.from(slackSignature(secret, timestamp, rawBody), 'utf8');
  const given = Buffer.from(signature, 'utf8');
  // The pattern check fixes the length, so timingSafeEqual never sees buffers of different sizes.
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
};

/**
 * What Slack signed, as API Gateway (payload 2.0) hands it over: header names lower-cased, the body exactly as
 * received (decoded when base64), and when API Gateway received it, from which every 3 s deadline counts.
 */
export const signedSlackRequest = (
  event: Pick<PublicHttpEvent, 'headers' | 'body' | 'isBase64Encoded' | 'requestContext'>,
): SignedSlackRequest & { receivedAtMs: number } => ({
  signature: event.headers['x-slack-signature'],
  timestamp: event.headers['x-slack-request-timestamp'],
  rawBody: rawBody(event),
  receivedAtMs: event.requestContext.timeEpoch,
});
