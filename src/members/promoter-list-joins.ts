import { Injectable, type OnModuleInit } from '@nestjs/common';

import type { Caller } from '../access/caller';
import type { Tx } from '../database/transactions';
import type { DomainEvent, DomainEventSubscriber } from '../domain-events/domain-event';
import { DomainEvents } from '../domain-events/domain-events';
import { PromoterListJoinRequested } from '../events/promotion-events';
import { OrganisationsService } from '../organisations/organisations.service';
import { DEFAULT_NOTICE_VERSION, noMembersIn } from './members.service';
import { MembershipsService } from './memberships.service';

/**
 * A signup form's name is one field; a record has a given and a family name.
 * The first word is taken as the given name, the rest as the family name
 * ("Rosa Quispe Mamani" → "Rosa", "Quispe Mamani"); a single word is the given
 * name, with "—" for the family name (a record's names are never empty: its
 * CSV export must import again). The organisation corrects them if need be,
 * as it would a typo on its own form.
 */
export function splitName(name: string): { givenName: string; familyName: string } {
  const words = name.trim().split(/\s+/);
  return { givenName: words[0], familyName: words.length > 1 ? words.slice(1).join(' ') : '—' };
}

/**
 * "Also join the promoter's list" (issue 22): a guest signing up through a
 * promoter's link ticked the box, and the signup announced it in its
 * transaction (PromoterListJoinRequested). The person's own record in the
 * PROMOTER's data controller is made — or found, and then left as it is —
 * by the public membership application's path (MembershipsService
 * .recordApplication): an `applied` membership in the promoting
 * organisation, the consent given to it with its notice version, and the
 * address confirmation. The record carries nothing of the signup or its
 * host, and nothing here reads the host's records.
 */
@Injectable()
export class PromoterListJoins implements DomainEventSubscriber, OnModuleInit {
  constructor(
    private readonly changes: DomainEvents,
    private readonly memberships: MembershipsService,
    private readonly organisations: OrganisationsService,
  ) {}

  onModuleInit(): void {
    this.changes.subscribe(this, (e) => e instanceof PromoterListJoinRequested);
  }

  async handle(tx: Tx, actor: Caller, event: DomainEvent): Promise<void> {
    const join = event as PromoterListJoinRequested;
    const org = await this.organisations.get(join.organisationId, tx);
    // The events module offered the box only for an organisation taking members; checked again in this transaction.
    if (noMembersIn(org)) return;
    await this.memberships.recordApplication(tx, actor, org, {
      ...splitName(join.person.name),
      email: join.person.email,
      phone: join.person.phone,
      preferredLanguage: join.person.locale,
      consent: { dataProcessing: true, contactByEmail: false, contactBySms: false, contactByWhatsapp: false, noticeVersion: join.noticeVersion ?? DEFAULT_NOTICE_VERSION },
    });
  }
}
