import { mayPromote, PROMOTION_STATUSES, promotionMayMove } from './promotion-workflow';

describe('promotion workflow', () => {
  it('lets either side end a live promotion, and only the host refuse one', () => {
    expect(PROMOTION_STATUSES.filter((s) => promotionMayMove('host', 'active', s))).toEqual(['ended', 'refused']);
    expect(PROMOTION_STATUSES.filter((s) => promotionMayMove('promoter', 'active', s))).toEqual(['ended']);
  });

  it('lets the host turn an ended promotion into a refusal, and nothing leave a refusal', () => {
    expect(promotionMayMove('host', 'ended', 'refused')).toBe(true);
    expect(promotionMayMove('promoter', 'ended', 'refused')).toBe(false);
    for (const side of ['host', 'promoter'] as const) for (const to of PROMOTION_STATUSES) expect(promotionMayMove(side, 'refused', to)).toBe(false);
    expect(promotionMayMove('host', 'ended', 'active')).toBe(false);
  });

  it('lets a promoter promote again after an end, never after a refusal', () => {
    expect(mayPromote(null)).toBe(true);
    expect(mayPromote('ended')).toBe(true);
    expect(mayPromote('refused')).toBe(false);
  });
});
