import { createHmac, timingSafeEqual } from 'node:crypto';

/** `sha256=` + hex HMAC-SHA256 of the exact raw body: WhatsApp's X-Hub-Signature-256, and the HTTP gateway's X-Convoca-Signature. */
export function bodySignature(secret: string, rawBody: Buffer): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody).digest('hex')}`;
}

/** Compares in constant time; a missing or malformed header is simply not valid. */
export function validBodySignature(secret: string, rawBody: Buffer, given: string): boolean {
  const expected = Buffer.from(bodySignature(secret, rawBody));
  const actual = Buffer.from(given.trim().toLowerCase());
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}
