import type { PartnerStatus } from './coalition-partner.entity';

/** Partner status workflow. Withdrawn is final for the row; inviting again reopens it (history stays in the audit log). */
export const PARTNER_TRANSITIONS: Record<PartnerStatus, readonly PartnerStatus[]> = {
  invited: ['active', 'withdrawn'],
  active: ['suspended', 'withdrawn'],
  suspended: ['active', 'withdrawn'],
  withdrawn: [],
};

/** The message refusing a change of status, or null when it is allowed (or no change). */
export function partnerTransitionError(from: PartnerStatus, to: PartnerStatus): string | null {
  if (from === to || PARTNER_TRANSITIONS[from].includes(to)) return null;
  return `A partner cannot go from ${from} to ${to}.`;
}

/** What the partner's own org_admin may do (the rest is for the coalition's coordinators): accept an invitation, or withdraw. */
export function partnerMayAnswer(from: PartnerStatus, to: PartnerStatus): boolean {
  return to === 'withdrawn' || (from === 'invited' && to === 'active');
}
