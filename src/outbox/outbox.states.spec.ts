import { OUTBOX_STATES } from './outbox-message.entity';
import { afterAttempt, afterErasure, mayMove, OUTBOX_TRANSITIONS, retryDelayMs } from './outbox.states';

describe('outbox message states', () => {
  it('moves a pending message only; sent and failed are final', () => {
    expect(Object.keys(OUTBOX_TRANSITIONS).sort()).toEqual([...OUTBOX_STATES].sort());
    expect(mayMove('pending', 'sent')).toBe(true);
    expect(mayMove('pending', 'failed')).toBe(true);
    expect(mayMove('pending', 'pending')).toBe(true);
    for (const to of OUTBOX_STATES) {
      expect(mayMove('sent', to)).toBe(false);
      expect(mayMove('failed', to)).toBe(false);
    }
  });

  it('is sent when delivered, retried until the last attempt, then failed', () => {
    expect(afterAttempt(true, 1, 3)).toBe('sent');
    expect(afterAttempt(true, 3, 3)).toBe('sent');
    expect(afterAttempt(false, 1, 3)).toBe('pending');
    expect(afterAttempt(false, 2, 3)).toBe('pending');
    expect(afterAttempt(false, 3, 3)).toBe('failed');
    expect(afterAttempt(false, 1, 1)).toBe('failed');
  });

  it('never sends a pending message once its recipient is erased, and keeps what happened to the others', () => {
    expect(afterErasure('pending')).toBe('failed');
    expect(afterErasure('sent')).toBe('sent');
    expect(afterErasure('failed')).toBe('failed');
    for (const state of OUTBOX_STATES) expect(afterErasure(state) === state || mayMove(state, afterErasure(state))).toBe(true);
  });

  it('doubles the wait after each failure, up to six hours', () => {
    expect(retryDelayMs(1, 1000)).toBe(1000);
    expect(retryDelayMs(2, 1000)).toBe(2000);
    expect(retryDelayMs(5, 1000)).toBe(16_000);
    expect(retryDelayMs(40, 60_000)).toBe(6 * 3600_000);
  });
});
