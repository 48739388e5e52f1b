import { createHash } from 'node:crypto';

/** sha256, hex: what the database keeps of a secret handed out (manage, account, refresh, door-link and API tokens, check-in codes). */
export const sha256Hex = (value: string): string => createHash('sha256').update(value).digest('hex');
