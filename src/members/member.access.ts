import { Injectable } from '@nestjs/common';

import { AccessService, type OrganisationScope } from '../access/access.service';
import type { Caller } from '../access/caller';
import type { ResourceAccess } from '../access/resource-access';
import { forbidden, notFound } from '../common/problem';
import { Transactions, type Tx } from '../database/transactions';
import type { Member } from './member.entity';
import { MembersRepository } from './members.repository';
import type { Membership } from './membership.entity';
import { MembershipsRepository } from './memberships.repository';

/**
 * What one may do with a member record besides seeing it:
 * - `manage`: correct the person's data, export it (the person, a platform
 *   admin, or member.manage in one of the organisations whose membership the
 *   caller sees);
 * - `invite`: invite the record to a login (member.manage in one of those
 *   organisations: the invitation names it);
 * - `erase`: the person, a platform admin, or member.manage in EVERY
 *   organisation the record has a membership in;
 * - `contact`: see its e-mail and phone (ACCESS.md rule 5: the person, a
 *   platform admin, or member.read in one of the organisations whose
 *   membership the caller sees).
 */
export type MemberAction = 'manage' | 'invite' | 'erase' | 'contact';

/** What the caller may see of one member, loaded (`MemberAccess.load`). */
export interface LoadedMember {
  member: Member;
  /** Every membership of the person (for the checks); never returned as is. */
  allMemberships: Membership[];
  /** The memberships the caller may see. */
  memberships: Membership[];
  /** Platform admin or the person themselves: everything is visible. */
  everything: boolean;
  self: boolean;
  /** The caller's member.read scope (organisation ids), for consents and audit entries. */
  scope: OrganisationScope;
  /** Whether the caller may do `action` to this record (the same rule as `MemberAccess.allowed`). */
  may(action: MemberAction): Promise<boolean>;
  /** The organisations of the visible memberships where the caller has member.manage, oldest membership first. */
  managed(): Promise<string[]>;
}

const inScope = (scope: OrganisationScope, organisationId: string | null) => scope.all || (organisationId !== null && scope.ids.includes(organisationId));

/**
 * Object-level access to member records. A member none of whose memberships
 * is inside the caller's member.read scope does not exist for the caller
 * (404): the answer never confirms that the person exists elsewhere. The
 * person themselves and a platform admin see everything.
 *
 * The rule is written once (`judge`): `allowed` applies it to ids, and
 * `load` — which the module's single-record routes use, in their
 * transaction and with the record locked where they change it — to the rows
 * it loads, keeping the memberships for the response. The directory applies
 * the same member.read scope (`readScope`) inside its own statement.
 */
@Injectable()
export class MemberAccess implements ResourceAccess<MemberAction> {
  constructor(
    private readonly access: AccessService,
    private readonly transactions: Transactions,
    private readonly members: MembersRepository,
    private readonly memberships: MembershipsRepository,
  ) {}

  /** The organisations whose members the caller may list and read. */
  readScope(caller: Caller): Promise<OrganisationScope> {
    return this.access.organisationScope(caller, 'member.read');
  }

  async allowed(caller: Caller, action: MemberAction | 'see', ids: readonly string[]): Promise<Set<string>> {
    const out = new Set<string>();
    if (ids.length === 0) return out;
    for (const row of await this.memberships.organisationsOf(this.transactions.auto, ids)) {
      const judged = await this.judge(
        caller,
        row.id,
        row.organisation_ids.map((organisationId) => ({ organisationId })),
      );
      if (judged.see && (action === 'see' || (await judged.may(action)))) out.add(row.id);
    }
    return out;
  }

  /**
   * The record with what the caller may see of it, read in `tx` (with
   * `lock`, the member row is locked until `tx` ends); 404 when they may not
   * see it.
   */
  async load(tx: Tx, caller: Caller, memberId: string, lock = false): Promise<LoadedMember> {
    const member = await this.members.findById(tx, memberId, lock);
    if (!member) throw notFound('member');
    const allMemberships = await this.memberships.ofMember(tx, memberId);
    const judged = await this.judge(caller, memberId, allMemberships);
    if (!judged.see) throw notFound('member');
    return { member, allMemberships, memberships: judged.visible, everything: judged.everything, self: judged.self, scope: judged.scope, may: judged.may, managed: judged.managed };
  }

  /** 403 with `detail` unless the caller may do `action` to the loaded record (they see it: `load` answered 404 otherwise). */
  async require(a: LoadedMember, action: MemberAction, detail: string): Promise<void> {
    if (!(await a.may(action))) throw forbidden(detail);
  }

  /** The rule, on one record's memberships (all of them). */
  private async judge<M extends { organisationId: string }>(caller: Caller, memberId: string, all: M[]) {
    const self = caller.user?.memberIds.includes(memberId) === true;
    const everything = self || this.access.isPlatformAdmin(caller);
    const scope: OrganisationScope = everything ? { all: true } : await this.readScope(caller);
    const visible = all.filter((m) => inScope(scope, m.organisationId));
    const can = (permission: 'member.read' | 'member.manage', m: M) => this.access.canOnOrganisation(caller, permission, m.organisationId);
    const managed = async () => {
      const out: string[] = [];
      for (const m of visible) if (await can('member.manage', m)) out.push(m.organisationId);
      return out;
    };
    const some = async (permission: 'member.read' | 'member.manage') => {
      for (const m of visible) if (await can(permission, m)) return true;
      return false;
    };
    const may = async (action: MemberAction): Promise<boolean> => {
      switch (action) {
        case 'manage':
          return everything || (await some('member.manage'));
        case 'invite':
          return (await managed()).length > 0;
        case 'erase':
          if (everything) return true;
          for (const m of all) if (!(await can('member.manage', m))) return false;
          return true;
        case 'contact':
          return everything || (await some('member.read'));
      }
    };
    return { see: everything || visible.length > 0, self, everything, scope, visible, may, managed };
  }
}
