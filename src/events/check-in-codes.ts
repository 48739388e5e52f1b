import { createHmac, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';

import { sha256Hex } from '../common/hash';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

/** Crockford's base32: no I, L, O or U, so a code read out loud or typed from paper is hard to get wrong. */
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** Characters of a check-in token: 22 base64url characters, 128 bits (and 4 more, cut). */
export const TOKEN_LENGTH = 22;
/** Characters of a short code, without its hyphen: 10 × 5 = 50 bits. */
export const CODE_LENGTH = 10;

/**
 * What a signup's QR code carries: its check-in token after a short tag
 * naming the kind of code and its version, so that a door page can tell a
 * Convoca check-in code from any other QR code held up to it (the door page
 * also takes the bare token, and the short code).
 */
export const QR_PREFIX = 'CVK1:';

/**
 * A short code as typed or read out, in the one form it is hashed in: upper
 * case, hyphens and spaces dropped, and the letters Crockford's alphabet
 * reads as digits (O as 0, I and L as 1) turned into them. Null when what is
 * left cannot be a code.
 */
export function normaliseCode(input: string): string | null {
  const code = input.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return code.length === CODE_LENGTH && [...code].every((c) => CROCKFORD.includes(c)) ? code : null;
}

/** The first `chars` × 5 bits of `bytes` in Crockford's base32. */
function crockford(bytes: Buffer, chars: number): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += CROCKFORD[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
    if (out.length === chars) break;
  }
  return out;
}

/**
 * The check-in code of each signup: derived, never stored in the clear, so
 * that whatever shows it — the signup answer, the confirmation e-mail, a
 * guest's manage page, a member's own signups — derives it again from the
 * signup's id, and the database keeps only its hash (`event_signups.
 * checkin_token_hash`, `checkin_code_hash`).
 *
 * - the token (for a QR code): base64url(HMAC-SHA256(key, 'checkin:' + id)),
 *   its first 22 characters (128 bits);
 * - the short code (to read out or type): 10 Crockford base32 characters of
 *   HMAC-SHA256(key, 'code:' + id), shown as `XXXXX-XXXXX` (50 bits; unique
 *   per event, which is all it needs to be: a door checks in one event);
 *
 * with key = HMAC-SHA256(JWT_SECRET, 'convoca-checkin'). A new JWT_SECRET
 * gives every signup new codes: those already sent no longer match their
 * stored hashes (README, Check-in at the door).
 *
 * The manifest a door takes offline is signed with a second key derived the
 * same way (HMAC-SHA256(JWT_SECRET, 'convoca-checkin-manifest')).
 */
@Injectable()
export class CheckInCodes {
  private readonly key: Buffer;
  private readonly manifestKey: Buffer;

  constructor(@Inject(APP_CONFIG) config: Pick<AppConfig, 'jwtSecret'>) {
    this.key = checkInKey(config.jwtSecret);
    this.manifestKey = createHmac('sha256', config.jwtSecret).update('convoca-checkin-manifest').digest();
  }

  /** The signup's check-in token (what a QR code carries). */
  tokenFor(signupId: string): string {
    return tokenFor(this.key, signupId);
  }

  /** What the signup's QR code carries: `CVK1:` and its token. */
  qrTextFor(signupId: string): string {
    return `${QR_PREFIX}${this.tokenFor(signupId)}`;
  }

  /** The signup's short code, `XXXXX-XXXXX`. */
  shortCodeFor(signupId: string): string {
    const code = shortCodeFor(this.key, signupId);
    return `${code.slice(0, 5)}-${code.slice(5)}`;
  }

  /** What is stored of a token, or of a short code (normalised first; null when it cannot be a code). */
  hash(value: { token: string } | { code: string }): string | null {
    if ('token' in value) return sha256Hex(value.token);
    const code = normaliseCode(value.code);
    return code === null ? null : sha256Hex(code);
  }

  /** Both hashes of a signup, as its row stores them. */
  hashesFor(signupId: string): { tokenHash: string; codeHash: string } {
    return { tokenHash: sha256Hex(this.tokenFor(signupId)), codeHash: sha256Hex(shortCodeFor(this.key, signupId)) };
  }

  /** The manifest's signature: HMAC-SHA256 over the sha256 (hex) of its canonical JSON, base64url. */
  signDigest(digestHex: string): string {
    return createHmac('sha256', this.manifestKey).update(`convoca-manifest:${digestHex}`).digest('base64url');
  }

  /** Whether `signature` is ours for a manifest whose canonical JSON hashes to `digestHex` (in constant time). */
  verifyDigest(digestHex: string, signature: string): boolean {
    const expected = Buffer.from(this.signDigest(digestHex));
    const given = Buffer.from(signature);
    return expected.length === given.length && timingSafeEqual(expected, given);
  }
}

/** The derivation key (exported for the spec: the migration that filled the codes of existing signups derives them alike). */
export const checkInKey = (jwtSecret: string): Buffer => createHmac('sha256', jwtSecret).update('convoca-checkin').digest();

const tokenFor = (key: Buffer, signupId: string): string => createHmac('sha256', key).update(`checkin:${signupId}`).digest('base64url').slice(0, TOKEN_LENGTH);

const shortCodeFor = (key: Buffer, signupId: string): string => crockford(createHmac('sha256', key).update(`code:${signupId}`).digest(), CODE_LENGTH);

/**
 * JSON with the keys of every object in code-point order and no whitespace:
 * one text for one value, whoever writes it (the server signing a manifest,
 * a door page checking the copy it keeps). Arrays keep their order; dates
 * must already be strings; undefined properties are left out, as
 * JSON.stringify does.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v === undefined ? null : v)).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}
