import { createHmac, randomBytes } from 'node:crypto';

/**
 * Signing as https://www.standardwebhooks.com says: the secret is `whsec_`
 * followed by the base64 of random bytes; a message is signed as
 * `v1,` + base64(HMAC-SHA256(base64-decoded secret, `${id}.${timestamp}.${body}`)),
 * where `id` is the `webhook-id` header (the same on every retry of a
 * delivery), `timestamp` the `webhook-timestamp` header (seconds since the
 * epoch, of this attempt) and `body` the exact bytes sent. While a rotated
 * secret is still honoured, `webhook-signature` carries one signature per
 * secret, separated by a space: a receiver accepts the message when any
 * matches a secret it knows.
 */
export const SECRET_PREFIX = 'whsec_';
/** Random bytes in a secret: the specification asks for 24 to 64. */
const SECRET_BYTES = 32;

export function newSecret(): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

export function signature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64')}`;
}

/** The three headers of one attempt, signed with every secret given (the current one first). */
export function signedHeaders(secrets: string[], id: string, timestamp: number, body: string): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': secrets.map((s) => signature(s, id, timestamp, body)).join(' '),
  };
}
