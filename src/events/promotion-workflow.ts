/** A promotion's statuses (issue 22): live, or stopped by either side, or refused by the host. */
export const PROMOTION_STATUSES = ['active', 'ended', 'refused'] as const;
export type PromotionStatus = (typeof PROMOTION_STATUSES)[number];

/** Who acts on a promotion: the event's managers (the host), or the promoter's organisers or coordinators. */
export type PromotionSide = 'host' | 'promoter';

/**
 * Who may move a promotion from what to what. Either side may end a live
 * one; the host may refuse it, live or ended — a refusal is the host's
 * "not this partner, not this event": the promoter cannot promote the
 * event again, while after an end it can (with a new ref). Nothing leaves
 * `refused`.
 */
export const PROMOTION_TRANSITIONS: Record<PromotionSide, Partial<Record<PromotionStatus, readonly PromotionStatus[]>>> = {
  host: { active: ['ended', 'refused'], ended: ['refused'] },
  promoter: { active: ['ended'] },
};

export function promotionMayMove(side: PromotionSide, from: PromotionStatus, to: PromotionStatus): boolean {
  return PROMOTION_TRANSITIONS[side][from]?.includes(to) ?? false;
}

/** Whether a promoter whose latest promotion of the event is in this status (null: none) may promote it (again). */
export function mayPromote(latest: PromotionStatus | null): boolean {
  return latest !== 'refused';
}
