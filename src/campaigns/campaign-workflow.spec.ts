import { CAMPAIGN_TRANSITIONS, campaignTransitionError } from './campaign-workflow';
import { CAMPAIGN_STATUSES } from './campaign.entity';

describe('campaign workflow', () => {
  it('never goes back to draft once public', () => {
    expect(CAMPAIGN_STATUSES.filter((s) => CAMPAIGN_TRANSITIONS[s].includes('draft'))).toEqual([]);
    expect(campaignTransitionError('active', 'draft')?.code).toBe('campaign-public');
    expect(campaignTransitionError('closed', 'draft')?.code).toBe('campaign-public');
  });

  it('allows every other change', () => {
    const allowed = CAMPAIGN_STATUSES.flatMap((from) => CAMPAIGN_STATUSES.filter((to) => to !== 'draft' || from === 'draft').map((to) => [from, to] as const));
    for (const [from, to] of allowed) expect(campaignTransitionError(from, to)).toBeNull();
  });
});
