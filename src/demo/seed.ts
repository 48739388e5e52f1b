import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { INestApplicationContext } from '@nestjs/common';

import type { Caller } from '../access/caller';
import type { ScopedRole } from '../access/permissions';
import { RolesService } from '../access/roles.service';
import { CampaignsService } from '../campaigns/campaigns.service';
import { CoalitionsService } from '../coalitions/coalitions.service';
import { csvCell, csvLine } from '../common/csv';
import { Transactions } from '../database/transactions';
import { DemandsService } from '../demands/demands.service';
import { EventsService } from '../events/events.service';
import { MemberAccountsService } from '../members/member-accounts.service';
import { MemberImportService } from '../members/member-import.service';
import type { MembershipStatus } from '../members/membership.entity';
import type { Organisation } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { PactsService } from '../pacts/pacts.service';
import { UsersService } from '../users/users.service';
import { DemoRepository } from './demo.repository';

/** Every demo login has this password (printed by `npm run demo`). */
export const DEMO_PASSWORD = 'venceremos-demo-2026';

export interface DemoLogin {
  email: string;
  role: string;
}

/** What the demo prints after seeding. */
export interface DemoScenario {
  logins: DemoLogin[];
  coordinatorEmail: string;
  coalitionSlug: string;
  secondRound: string;
  marchDay: string;
  /** The draft rally the tour publishes. */
  draftEvent: { id: string; title: string };
  /** The published march in Lima: the event page the tour opens. */
  marchEvent: { id: string; title: string };
  /** The organisation whose public page and join form the tour opens. */
  organisationSlug: string;
  members: number;
}

const LIMA_OFFSET = '-05:00'; // Peru keeps no summer time

/** YYYY-MM-DD of a UTC date. */
const day = (d: Date) => d.toISOString().slice(0, 10);

/**
 * The second round is set on the first Sunday at least two weeks from today,
 * so that the mobilisation of the Monday after is always in the future.
 */
export function demoDates(today = new Date()): { secondRound: string; marchDay: string; campaignStart: string } {
  const base = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() + 14));
  const sunday = new Date(base.getTime() + ((7 - base.getUTCDay()) % 7) * 86_400_000);
  return { secondRound: day(sunday), marchDay: day(new Date(sunday.getTime() + 86_400_000)), campaignStart: day(today) };
}

// ------------------------------------------------------------ synthetic people

const GIVEN = [
  'Rosa',
  'Juan',
  'María',
  'Luis',
  'Carmen',
  'José',
  'Ana',
  'Jorge',
  'Lucía',
  'Carlos',
  'Elena',
  'Miguel',
  'Sonia',
  'Pedro',
  'Gladys',
  'Víctor',
  'Yolanda',
  'Raúl',
  'Flor',
  'Hugo',
  'Norma',
  'César',
  'Julia',
  'Wilfredo',
];
const FAMILY = [
  'Quispe',
  'Mamani',
  'Huamán',
  'Flores',
  'Condori',
  'Rojas',
  'Chávez',
  'Ramos',
  'Vargas',
  'Torres',
  'Sánchez',
  'Díaz',
  'Mendoza',
  'Castillo',
  'Apaza',
  'Ccori',
  'Paredes',
  'Gutiérrez',
  'Villanueva',
  'Choque',
];
/** Regions with a weight: where the members live. */
const REGIONS: [string, number][] = [
  ['Lima', 30],
  ['Arequipa', 14],
  ['Cusco', 14],
  ['Piura', 10],
  ['Puno', 9],
  ['Junín', 7],
  ['La Libertad', 6],
  ['Ayacucho', 5],
  ['Cajamarca', 5],
];
const STATUSES: [MembershipStatus, number][] = [
  ['active', 82],
  ['applied', 8],
  ['lapsed', 6],
  ['suspended', 4],
];

/** A small deterministic generator (mulberry32): the same people at every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function weighted<T>(next: () => number, table: [T, number][]): T {
  const total = table.reduce((s, [, w]) => s + w, 0);
  let r = next() * total;
  for (const [value, w] of table) if ((r -= w) < 0) return value;
  return table[table.length - 1][0];
}

const ascii = (s: string) =>
  s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();

interface Person {
  givenName: string;
  familyName: string;
  email: string;
  phone: string;
  region: string;
  status: MembershipStatus;
}

/** `count` synthetic people; person n has the address given.family.n@example.org. */
export function syntheticPeople(count: number, seed = 2026): Person[] {
  const next = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const givenName = GIVEN[Math.floor(next() * GIVEN.length)];
    const familyName = `${FAMILY[Math.floor(next() * FAMILY.length)]} ${FAMILY[Math.floor(next() * FAMILY.length)]}`;
    return {
      givenName,
      familyName,
      email: `${ascii(givenName)}.${ascii(familyName).replace(/\s+/g, '.')}.${i + 1}@example.org`,
      phone: `+519${String(10_000_000 + Math.floor(next() * 89_999_999)).slice(0, 8)}`,
      region: weighted(next, REGIONS),
      status: weighted(next, STATUSES),
    };
  });
}

function membersCsv(people: Person[], status?: MembershipStatus): string {
  let csv = csvLine(['given_name', 'family_name', 'email', 'phone', 'region', 'status']);
  for (const p of people) csv += csvLine([csvCell(p.givenName), csvCell(p.familyName), csvCell(p.email), csvCell(p.phone), csvCell(p.region), status ?? p.status]);
  return csv;
}

// ------------------------------------------------------------ the scenario

/**
 * Seeds the reference scenario of DOMAIN.md through the services the API
 * uses, so the demo data obeys the same rules (workflows, audit entries):
 * the VENCEREMOS coalition of Voces del Pueblo and Nuevo Perú (with its
 * current SÚMATE), Juntos por el Perú as an external counterpart, the five
 * demands adopted and endorsed, the conditional-support pact, the campaign
 * "Defend the popular vote" with the march in Lima the day after the second
 * round and rallies in three other regions, ~300 members and a login per role.
 */
export async function seedDemo(app: INestApplicationContext, today = new Date()): Promise<DemoScenario> {
  const tx = app.get(Transactions).auto;
  const fixtures = new DemoRepository();
  const users = app.get(UsersService);
  const roles = app.get(RolesService);
  const organisations = app.get(OrganisationsService);
  const coalitions = app.get(CoalitionsService);
  const demands = app.get(DemandsService);
  const pacts = app.get(PactsService);
  const campaigns = app.get(CampaignsService);
  const events = app.get(EventsService);
  const imports = app.get(MemberImportService);
  const memberAccounts = app.get(MemberAccountsService);

  // The platform admin does the seeding, as an operator would through the API.
  const adminEmail = 'admin@convoca.example.org';
  await users.ensurePlatformAdmin(adminEmail, DEMO_PASSWORD);
  const { id: adminId } = (await users.findByEmail(adminEmail))!;
  const admin: Caller = { user: { id: adminId, email: adminEmail, isPlatformAdmin: true, memberIds: [], sessionId: randomUUID(), roles: [] }, requestId: 'demo-seed', ip: '127.0.0.1' };

  // Organisations
  const vp = await organisations.create(admin, {
    slug: 'voces-del-pueblo',
    name: 'Voces del Pueblo',
    shortName: 'VP',
    kind: 'party',
    region: 'Lima',
    description: 'Left party born from the 2022 regional assemblies.',
    contactEmail: 'contacto@vocesdelpueblo.example.org',
  });
  const np = await organisations.create(admin, { slug: 'nuevo-peru', name: 'Nuevo Perú por el Buen Vivir', shortName: 'NP', kind: 'party', region: 'Lima' });
  const sumate = await organisations.create(admin, {
    slug: 'sumate',
    name: 'SÚMATE',
    kind: 'current',
    parentId: np.id,
    description: 'Internal current of Nuevo Perú; its members are NP members too.',
  });
  const jp = await organisations.create(admin, {
    slug: 'juntos-por-el-peru',
    name: 'Juntos por el Perú',
    shortName: 'JP',
    kind: 'party',
    external: true,
    description: 'In the second round; not on this platform.',
  });

  // The coalition and its partners (invited, then accepted)
  const coalition = await coalitions.create(admin, {
    slug: 'venceremos',
    name: 'Alianza VENCEREMOS',
    status: 'active',
    foundedOn: day(new Date(today.getTime() - 60 * 86_400_000)),
    description: 'Voces del Pueblo and Nuevo Perú por el Buen Vivir.',
  });
  for (const org of [vp, np]) {
    await coalitions.addPartner(admin, coalition.id, { organisationId: org.id, role: 'founder' });
    await coalitions.updatePartner(admin, coalition.id, org.id, { status: 'active' });
  }

  // The platform: five demands, proposed, adopted, endorsed by both partners
  const platform = [
    ['Repeal the pro-crime laws', 'justice', 'Repeal the laws of 2023–2024 that weakened the fight against organised crime and corruption.'],
    ['Annul the tax exemptions for agro-exporters', 'economy', 'End the special tax regime of the large agro-export companies.'],
    ['Justice and reparations for the victims’ families', 'human rights', 'Truth, justice and reparations for the families of those killed in the protests.'],
    ['Review the mining concessions', 'environment', 'An independent review of mining concessions in headwaters and indigenous territories.'],
    ['A Constituent Assembly', 'democracy', 'A popular consultation on a Constituent Assembly.'],
  ] as const;
  const demandIds: string[] = [];
  for (const [title, category, body] of platform) {
    const d = await demands.create(admin, { coalitionId: coalition.id, title, category, body });
    await demands.update(admin, d.id, { status: 'proposed' });
    await demands.update(admin, d.id, { status: 'adopted' });
    for (const org of [vp, np]) await demands.endorse(admin, d.id, { organisationId: org.id, note: `Endorsed by the national assembly of ${org.shortName}.` });
    demandIds.push(d.id);
  }

  // The conditional support offered to Juntos por el Perú for the second round
  const pact = await pacts.create(admin, {
    coalitionId: coalition.id,
    counterpartOrganisationId: jp.id,
    title: 'Conditional support in the second round',
    kind: 'electoral_support',
    description: 'VENCEREMOS supports JP in the second round if it accepts the coalition’s demands.',
  });
  await pacts.update(admin, pact.id, { status: 'negotiating' });
  const conditions = ['accepted', 'accepted', 'accepted', 'pending', 'rejected'] as const;
  for (const [i, status] of conditions.entries()) await pacts.putCondition(admin, pact.id, demandIds[i], { status, note: status === 'rejected' ? 'JP refuses a Constituent Assembly for now.' : null });

  // The campaign and its events: the march in Lima the day after the second round, rallies in three regions
  const { secondRound, marchDay, campaignStart } = demoDates(today);
  const campaign = await campaigns.create(admin, {
    coalitionId: coalition.id,
    title: 'Defend the popular vote',
    description: `Whoever wins the second round (${secondRound}), we mobilise the very next day.`,
    startsOn: campaignStart,
    endsOn: day(new Date(Date.parse(marchDay) + 30 * 86_400_000)),
    status: 'active',
    demandIds,
  });
  const at = (time: string) => `${marchDay}T${time}:00${LIMA_OFFSET}`;
  const mobilisations: {
    host: { hostOrganisationId: string; coHostOrganisationIds?: string[] } | { coalitionId: string; coHostOrganisationIds?: string[] };
    title: string;
    kind: 'march' | 'rally';
    region: string;
    locality: string;
    venue: string;
    capacity: number | null;
    publish: boolean;
  }[] = [
    {
      host: { coalitionId: coalition.id, coHostOrganisationIds: [vp.id, np.id] },
      title: 'March in defence of the popular vote — Lima',
      kind: 'march',
      region: 'Lima',
      locality: 'Cercado de Lima',
      venue: 'Plaza San Martín',
      capacity: null,
      publish: true,
    },
    {
      host: { hostOrganisationId: vp.id },
      title: 'Rally for the popular vote — Arequipa',
      kind: 'rally',
      region: 'Arequipa',
      locality: 'Arequipa',
      venue: 'Plaza de Armas de Arequipa',
      capacity: 800,
      publish: true,
    },
    {
      host: { hostOrganisationId: np.id, coHostOrganisationIds: [sumate.id] },
      title: 'Rally for the popular vote — Cusco',
      kind: 'rally',
      region: 'Cusco',
      locality: 'Cusco',
      venue: 'Plaza de Armas del Cusco',
      capacity: 600,
      publish: true,
    },
    {
      host: { coalitionId: coalition.id },
      title: 'Rally for the popular vote — Piura',
      kind: 'rally',
      region: 'Piura',
      locality: 'Piura',
      venue: 'Plaza de Armas de Piura',
      capacity: 500,
      publish: false,
    },
  ];
  let draftEvent: DemoScenario['draftEvent'] | null = null;
  let marchEvent: DemoScenario['marchEvent'] | null = null;
  for (const m of mobilisations) {
    const event = await events.create(admin, {
      ...m.host,
      campaignId: campaign.id,
      title: m.title,
      description: 'Bring water, a hat and your ID. Marshals wear green armbands.',
      kind: m.kind,
      visibility: 'public',
      startsAt: at(m.kind === 'march' ? '16:00' : '17:00'),
      endsAt: at('20:00'),
      timezone: 'America/Lima',
      venue: m.venue,
      locality: m.locality,
      region: m.region,
      country: 'PE',
      capacity: m.capacity,
      demandIds,
    });
    await events.createShift(admin, event.id, {
      name: 'Marshals',
      description: 'Keep the march together and safe; briefing one hour before.',
      startsAt: at('15:00'),
      endsAt: at('20:30'),
      capacity: m.kind === 'march' ? 40 : 15,
    });
    await events.createShift(admin, event.id, {
      name: 'First aid',
      description: 'Health workers and first-aiders.',
      startsAt: at('15:30'),
      endsAt: at('20:30'),
      capacity: m.kind === 'march' ? 12 : 6,
    });
    if (m.publish) await events.publish(admin, event.id);
    else draftEvent = { id: event.id, title: event.title };
    if (m.kind === 'march') marchEvent = { id: event.id, title: event.title };
  }

  // Members: ~300 synthetic people, imported with the CSV import (the same code as the upload route)
  const people = syntheticPeople(300);
  people[0].status = 'active'; // the member who gets a login (below)
  const vpPeople = people.slice(0, 160);
  const npPeople = people.slice(140); // 20 people belong to both parties
  const sumatePeople = npPeople.slice(0, 45); // SÚMATE's members are NP members too
  const load = async (org: Organisation, list: Person[], status?: MembershipStatus) => {
    await imports.accept(admin, org, { filename: `demo-${org.slug}.csv`, content: Readable.from([Buffer.from(membersCsv(list, status))]) });
    await imports.idle();
  };
  await load(vp, vpPeople);
  await load(np, npPeople);
  await load(sumate, sumatePeople, 'active');

  // One login per role. Nobody sets a password for someone else, so each login is made the way people get
  // theirs: the invitation e-mailed to the address (here read from the outbox, as no SMTP is configured) is
  // followed with the demo password.
  const acceptInvitation = async (template: string, recipient: string) => {
    const url = await fixtures.latestLink(tx, template, recipient);
    await memberAccounts.accept({ user: null, requestId: 'demo-seed', ip: '127.0.0.1' }, url.slice(url.lastIndexOf('/') + 1), DEMO_PASSWORD);
  };
  const logins: DemoLogin[] = [{ email: adminEmail, role: 'platform admin' }];
  const login = async (email: string, role: ScopedRole, scope: { organisationId: string } | { coalitionId: string }, label: string) => {
    const user = await users.create(admin, { email });
    await acceptInvitation('account.staff_invitation', email);
    await roles.grant(admin, { userId: user.id, role, ...scope });
    logins.push({ email, role: label });
  };
  const coordinatorEmail = 'coordinacion@venceremos.example.org';
  await login(coordinatorEmail, 'coordinator', { coalitionId: coalition.id }, 'coordinator of VENCEREMOS (partners in aggregate only)');
  await login('admin@vocesdelpueblo.example.org', 'org_admin', { organisationId: vp.id }, 'org_admin of Voces del Pueblo');
  await login('admin@nuevoperu.example.org', 'org_admin', { organisationId: np.id }, 'org_admin of Nuevo Perú (and SÚMATE)');
  await login('organiza@sumate.example.org', 'organiser', { organisationId: sumate.id }, 'organiser of SÚMATE');
  // A member with a login, invited by their organisation: the first person of Voces del Pueblo
  const first = vpPeople[0];
  const memberId = await fixtures.memberId(tx, vp.id, first.email);
  await memberAccounts.invite(admin, memberId);
  await acceptInvitation('account.invitation', first.email);
  logins.push({ email: first.email, role: `member of Voces del Pueblo (${first.givenName} ${first.familyName})` });

  if (!draftEvent || !marchEvent) throw new Error('the demo scenario has no draft event or no march');
  const members = await fixtures.memberCount(tx);
  return { logins, coordinatorEmail, coalitionSlug: coalition.slug, secondRound, marchDay, draftEvent, marchEvent, organisationSlug: 'voces-del-pueblo', members };
}
