import { MASKED } from '../domain-events/changes';
import type { DomainEvent } from '../domain-events/domain-event';

/**
 * A guest signing up through a promoter's link ticked "also join the
 * promoter's list" (issue 22): announced in the signup's transaction, before
 * its one statement, so that both commit or neither does. The members
 * module's subscriber makes (or finds) the person's own record in the
 * promoter's data controller with this consent, as a public membership
 * application does; the events module never knows how. Its audit entry is
 * the promoter's (`organisationId`), names the promotion and no one: nothing
 * of it reaches the host, whose signup row does not say whether the box was
 * ticked.
 */
export class PromoterListJoinRequested implements DomainEvent {
  readonly action = 'event_promotion.join_list';
  readonly entity = 'event_promotion';
  readonly coalitionId = null;
  readonly changes = { person: { from: null, to: MASKED } };

  constructor(
    /** The promotion whose link was followed. */
    readonly entityId: string,
    /** The promoting organisation: the record is made in its data controller. */
    readonly organisationId: string,
    /** What the person typed on the signup form, and the language of their e-mails. */
    readonly person: { name: string; email: string; phone: string | null; locale: 'es' | 'en' },
    /** The privacy notice the form showed (its version goes with the consent recorded for the promoter). */
    readonly noticeVersion: string | null,
  ) {}
}
