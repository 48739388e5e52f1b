/**
 * When a failed delivery is tried again, and when the worker gives up.
 * Retries double from WEBHOOK_RETRY_BASE_MS up to an hour apart; a delivery
 * is failed for good a day after it was queued (or replayed), and an
 * endpoint whose every attempt has failed for a day is disabled (its owner's
 * admins get an e-mail; re-enable it with PATCH and replay what it missed).
 */
const MAX_BACKOFF_MS = 3600_000;

/** A day: how long a delivery is retried, and how long an endpoint may fail before it is disabled. */
export const GIVE_UP_SECONDS = 24 * 3600;

/** How long the previous secret keeps signing after a rotation. */
export const ROTATION_OVERLAP_SECONDS = 24 * 3600;

/** How long a delivery waits after its `attempts`-th failed attempt: doubling from `baseMs`, at most an hour. */
export function webhookRetryDelayMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.min(attempts - 1, 30), MAX_BACKOFF_MS);
}
