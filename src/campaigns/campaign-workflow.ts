import type { CampaignStatus } from './campaign.entity';

/**
 * draft → active | closed; active ↔ closed. Once public, a campaign is part
 * of the record: it can close, not vanish back into a draft.
 */
export const CAMPAIGN_TRANSITIONS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ['active', 'closed'],
  active: ['closed'],
  closed: ['active'],
};

/** The refusal of a change of status (code and message), or null when it is allowed (or no change). */
export function campaignTransitionError(from: CampaignStatus, to: CampaignStatus): { code: string; detail: string } | null {
  if (from === to || CAMPAIGN_TRANSITIONS[from].includes(to)) return null;
  return { code: 'campaign-public', detail: 'A campaign that was active cannot become a draft again; close it instead.' };
}
