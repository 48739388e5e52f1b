import * as argon2 from 'argon2';

/** OWASP (2024) argon2id minimum: 19 MiB, 2 iterations, 1 lane. */
export const ARGON2_OPTIONS = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export const PASSWORD_MIN_LENGTH = 12;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, ARGON2_OPTIONS);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false; // a malformed stored hash is a failed login, not a 500
  }
}

export function needsRehash(hash: string): boolean {
  try {
    return argon2.needsRehash(hash, ARGON2_OPTIONS);
  } catch {
    return true;
  }
}

let dummy: Promise<string> | undefined;
/**
 * Verifying against this when the e-mail is unknown makes a failed login take
 * as long as a wrong password, so timing does not reveal who has an account.
 */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword('convoca-dummy-password-for-timing');
  await verifyPassword(await dummy, password);
}
