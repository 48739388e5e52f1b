import type { OutboxState } from './outbox-message.entity';

/**
 * Where a message may go from each state. A pending message stays pending
 * while it is retried, until it is sent or given up (too many attempts, or
 * its recipient erased); sent and failed are final.
 */
export const OUTBOX_TRANSITIONS: Record<OutboxState, readonly OutboxState[]> = {
  pending: ['pending', 'sent', 'failed'],
  sent: [],
  failed: [],
};

export function mayMove(from: OutboxState, to: OutboxState): boolean {
  return OUTBOX_TRANSITIONS[from].includes(to);
}

/** The state of a pending message after its `attempts`-th delivery attempt (counting this one). */
export function afterAttempt(delivered: boolean, attempts: number, maxAttempts: number): OutboxState {
  if (delivered) return 'sent';
  return attempts >= maxAttempts ? 'failed' : 'pending';
}

/** The state of a message whose recipient is erased: one never sent is never sent. */
export function afterErasure(state: OutboxState): OutboxState {
  return state === 'pending' ? 'failed' : state;
}

const MAX_BACKOFF_MS = 6 * 3600_000;

/** How long a message waits after its `attempts`-th failed attempt: doubling from `baseMs`, at most six hours. */
export function retryDelayMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** (attempts - 1), MAX_BACKOFF_MS);
}
