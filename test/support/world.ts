import request from 'supertest';

import type { ScopedRole } from '../../src/access/permissions';
import { RoleAssignment } from '../../src/access/role-assignment.entity';
import { hashPassword } from '../../src/auth/passwords';
import { CoalitionPartner } from '../../src/coalitions/coalition-partner.entity';
import { Coalition } from '../../src/coalitions/coalition.entity';
import { Demand } from '../../src/demands/demand.entity';
import { EventShift } from '../../src/events/event-shift.entity';
import { Event } from '../../src/events/event.entity';
import { Member } from '../../src/members/member.entity';
import { Membership, type MembershipStatus } from '../../src/members/membership.entity';
import { Organisation } from '../../src/organisations/organisation.entity';
import { Pact } from '../../src/pacts/pact.entity';
import { User } from '../../src/users/user.entity';
import type { TestApp } from './app';

export const PASSWORD = 'correct horse battery staple';
let passwordHash: Promise<string> | undefined;
let seq = 0;
export const unique = (prefix: string) => `${prefix}-${process.pid}-${++seq}`;

/** Small factories: rows straight into the database, then real logins through the API. */
export async function makeOrganisation(t: TestApp, fields: Partial<Organisation> = {}): Promise<Organisation> {
  const slug = fields.slug ?? unique('org');
  return t.db.getRepository(Organisation).save({ slug, name: slug, kind: 'party', ...fields });
}

export async function makeCoalition(t: TestApp, partners: Organisation[] = [], fields: Partial<Coalition> = {}): Promise<Coalition> {
  const slug = fields.slug ?? unique('coalition');
  const c = await t.db.getRepository(Coalition).save({ slug, name: slug, status: 'active', ...fields });
  for (const org of partners) {
    await t.db.getRepository(CoalitionPartner).save({ coalitionId: c.id, organisationId: org.id, role: 'founder', status: 'active', joinedOn: '2026-01-01' });
  }
  return c;
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
  refreshToken: string;
  auth: { Authorization: string };
}

export async function makeUser(t: TestApp, roles: { role: ScopedRole; organisation?: Organisation; coalition?: Coalition }[] = [], fields: Partial<User> = {}): Promise<TestUser> {
  passwordHash ??= hashPassword(PASSWORD);
  const email = fields.email ?? `${unique('user')}@example.org`;
  // A login as an operator makes it (first admin, CLI): its address counts as confirmed.
  const user = await t.db.getRepository(User).save({ email, passwordHash: await passwordHash, emailConfirmedAt: new Date(), ...fields });
  for (const r of roles) {
    await t.db.getRepository(RoleAssignment).save({ userId: user.id, role: r.role, organisationId: r.organisation?.id ?? null, coalitionId: r.coalition?.id ?? null });
  }
  const { token, refreshToken } = await login(t, email);
  return { id: user.id, email, token, refreshToken, auth: { Authorization: `Bearer ${token}` } };
}

export async function login(t: TestApp, email: string, password = PASSWORD): Promise<{ token: string; refreshToken: string }> {
  const res = await request(t.http).post('/api/v1/auth/login').send({ email, password });
  if (res.status !== 200) throw new Error(`login failed for ${email}: ${res.status} ${JSON.stringify(res.body)}`);
  return { token: res.body.accessToken, refreshToken: res.body.refreshToken };
}

/**
 * The reference structure for access tests: party P with its current A,
 * another party B, coalition C of A and B, and one user per kind of caller.
 */
export interface World {
  P: Organisation;
  A: Organisation;
  B: Organisation;
  C: Coalition;
  users: {
    plain: TestUser;
    organiserA: TestUser;
    adminA: TestUser;
    adminP: TestUser;
    adminB: TestUser;
    coordinator: TestUser;
    platform: TestUser;
  };
}

export async function buildWorld(t: TestApp): Promise<World> {
  const P = await makeOrganisation(t, { slug: unique('p'), kind: 'party' });
  const A = await makeOrganisation(t, { slug: unique('a'), kind: 'current', parentId: P.id });
  const B = await makeOrganisation(t, { slug: unique('b'), kind: 'party' });
  const C = await makeCoalition(t, [A, B]);
  const users = {
    plain: await makeUser(t),
    organiserA: await makeUser(t, [{ role: 'organiser', organisation: A }]),
    adminA: await makeUser(t, [{ role: 'org_admin', organisation: A }]),
    adminP: await makeUser(t, [{ role: 'org_admin', organisation: P }]),
    adminB: await makeUser(t, [{ role: 'org_admin', organisation: B }]),
    coordinator: await makeUser(t, [{ role: 'coordinator', coalition: C }]),
    platform: await makeUser(t, [], { isPlatformAdmin: true }),
  };
  return { P, A, B, C, users };
}

/** Rows in the audit log for one entity id. */
export async function auditEntriesFor(t: TestApp, entityId: string): Promise<{ action: string; changes: Record<string, unknown> | null }[]> {
  return t.db.query('SELECT action, changes FROM audit_log WHERE entity_id = $1 ORDER BY id', [entityId]);
}

/** An event row straight into the database: published, public, a week ahead, unless told otherwise. */
export async function makeEvent(t: TestApp, fields: Partial<Event> & { coHosts?: Organisation[] } = {}): Promise<Event> {
  const { coHosts = [], ...rest } = fields;
  const startsAt = rest.startsAt ?? new Date(Date.now() + 7 * 86_400_000);
  const status = rest.status ?? 'published';
  const event = await t.db.getRepository(Event).save({
    title: unique('event'),
    kind: 'rally',
    status,
    visibility: 'public',
    startsAt,
    endsAt: new Date(startsAt.getTime() + 3 * 3600_000),
    publishedAt: status === 'draft' ? null : new Date(),
    ...rest,
  } as Partial<Event>);
  for (const org of coHosts) await t.db.query('INSERT INTO event_hosts (event_id, organisation_id) VALUES ($1, $2)', [event.id, org.id]);
  return event;
}

/** A shift of an event, straight into the database. */
export async function makeShift(t: TestApp, event: Event, fields: Partial<EventShift> = {}): Promise<EventShift> {
  return t.db.getRepository(EventShift).save({ eventId: event.id, name: unique('shift'), startsAt: event.startsAt, endsAt: event.endsAt, ...fields });
}

/** A guest signup body that passes validation. */
export const guest = (fields: Record<string, unknown> = {}) => ({
  name: 'Rosa Quispe',
  email: `${unique('guest')}@example.org`,
  consent: { dataProcessing: true },
  ...fields,
});
/** A demand straight into the database, appended to its owner's platform (code `D<position>` unless given). */
export async function makeDemand(t: TestApp, owner: { coalition?: Coalition; organisation?: Organisation }, fields: Partial<Demand> = {}): Promise<Demand> {
  const column = owner.coalition ? 'owner_coalition_id' : 'owner_organisation_id';
  const [{ next }] = await t.db.query<{ next: number }[]>(`SELECT COALESCE(max(position), 0) + 1 AS next FROM demands WHERE ${column} = $1`, [(owner.coalition ?? owner.organisation)!.id]);
  const adopted = fields.status === 'adopted' || fields.status === 'achieved';
  return t.db.getRepository(Demand).save({
    ownerCoalitionId: owner.coalition?.id ?? null,
    ownerOrganisationId: owner.organisation?.id ?? null,
    code: `D${next}`,
    title: unique('demand'),
    position: next,
    status: 'draft',
    adoptedOn: adopted ? '2026-05-01' : null,
    ...fields,
  });
}

/** A pact straight into the database (status draft unless given). */
export async function makePact(t: TestApp, owner: { coalition?: Coalition; organisation?: Organisation }, counterpart: Organisation, fields: Partial<Pact> = {}): Promise<Pact> {
  return t.db.getRepository(Pact).save({
    ownerCoalitionId: owner.coalition?.id ?? null,
    ownerOrganisationId: owner.organisation?.id ?? null,
    counterpartOrganisationId: counterpart.id,
    title: unique('pact'),
    kind: 'electoral_support',
    ...fields,
  });
}

/**
 * A member record (issue 4) with memberships, straight into the database;
 * `email` defaults to a unique address. The record belongs to the data
 * controller of its first membership (issue 17): every membership must be
 * inside it.
 */
export async function makeMember(
  t: TestApp,
  memberships: (Organisation | { organisation: Organisation; status?: MembershipStatus; joinedOn?: string | null; title?: string | null })[],
  fields: Partial<Member> = {},
): Promise<Member & { membershipIds: string[] }> {
  const first = memberships[0];
  const firstOrg = first && ('organisation' in first ? first.organisation : first);
  const controllerId = fields.controllerId ?? (firstOrg ? await controllerOf(t, firstOrg) : undefined);
  if (!controllerId) throw new Error('makeMember needs a membership or a controllerId');
  const member = await t.db.getRepository(Member).save({
    givenName: 'Ana',
    familyName: unique('Flores'),
    email: `${unique('member')}@example.org`,
    ...fields,
    controllerId,
  });
  const membershipIds: string[] = [];
  for (const m of memberships) {
    const spec = 'organisation' in m ? m : { organisation: m };
    const status = spec.status ?? 'active';
    const saved = await t.db.getRepository(Membership).save({
      memberId: member.id,
      organisationId: spec.organisation.id,
      status,
      source: 'manual',
      title: spec.title ?? null,
      joinedOn: spec.joinedOn !== undefined ? spec.joinedOn : status === 'applied' ? null : '2026-01-15',
    });
    membershipIds.push(saved.id);
  }
  return Object.assign(member, { membershipIds });
}

/** The data controller of an organisation: its top-level ancestor. */
export async function controllerOf(t: TestApp, org: Organisation): Promise<string> {
  const [{ root }] = await t.db.query<{ root: string }[]>('SELECT organisation_root($1) AS root', [org.id]);
  return root;
}

/** Links a login to a member record (the person's own account; as following an invitation does). */
export async function linkMember(t: TestApp, user: TestUser, member: Member): Promise<void> {
  await t.db.query('INSERT INTO member_logins (member_id, user_id, controller_id) SELECT id, $1, controller_id FROM members WHERE id = $2', [user.id, member.id]);
}
