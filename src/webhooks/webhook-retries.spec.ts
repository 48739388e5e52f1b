import { webhookRetryDelayMs } from './webhook-retries';

describe('webhook retries', () => {
  it('double from the base, at most an hour apart', () => {
    expect([1, 2, 3, 4].map((n) => webhookRetryDelayMs(n, 30_000))).toEqual([30_000, 60_000, 120_000, 240_000]);
    expect(webhookRetryDelayMs(8, 30_000)).toBe(3600_000);
    expect(webhookRetryDelayMs(500, 30_000)).toBe(3600_000);
  });
});
