import type { SchemaObject } from '@nestjs/swagger';

/**
 * Example values for the OpenAPI document, in one place: one story told
 * across every schema — the Peruvian coalition VENCEREMOS, its partner Voces
 * del Pueblo (Lima), a march in Plaza San Martín, a pact with Juntos por el
 * Perú. A property's own `@ApiProperty({ example })` wins; these fill the
 * rest, first by `Schema.property`, then by property name, then by kind
 * (ids, timestamps, enums). Request examples built from them must pass the
 * DTOs' validation (test/openapi.e2e-spec.ts checks it).
 */

/** Ids of the story (UUID v4, so that every `@IsUUID()` accepts them). */
export const IDS = {
  organisation: '3f6c1a2e-8b4d-4c1e-9a7f-2d5e8b1c4a90', // Voces del Pueblo
  coHost: '9e4b7c21-5d3a-4f8e-a1b2-6c7d8e9f0a13', // Sindicato de Trabajadores de Lima
  counterpart: '5b2e8f1d-6c3a-4d9e-8f7a-1e2d3c4b5a69', // Juntos por el Perú (external)
  coalition: '7a1d9e3c-2f4b-4e8a-b6c5-9d0e1f2a3b4c', // VENCEREMOS
  campaign: 'c4e8a2f6-1b3d-4a5c-9e7f-0d2b4c6e8a1f',
  event: 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a5b',
  shift: 'a9b8c7d6-e5f4-4a3b-9c2d-1e0f9a8b7c6d',
  signup: 'd4c3b2a1-f6e5-4d7c-8b9a-0f1e2d3c4b5a',
  member: '2c5e8b1f-4a7d-4e0c-b3f6-9a2d5c8e1b4f',
  membership: '6f1a4d7c-0b3e-4a6f-9c2b-5e8d1a4c7f0b',
  user: '8b3e6a9d-2c5f-4b8e-a1d4-7c0f3b6e9a2d',
  granter: '1d4a7c0f-3b6e-4d9a-8c2f-5b8e1a4d7c0f',
  demand: 'f0e1d2c3-b4a5-4968-8776-a5b4c3d2e1f0',
  pact: 'b7a6c5d4-e3f2-4a1b-8c9d-e0f1a2b3c4d5',
  import: '4e7b0a3d-6c9f-4e2b-a5d8-1c4f7a0d3b6e',
  roleAssignment: '0a3d6c9f-2e5b-4a8d-b1c4-f7a0d3b6e9c2',
  auditEntry: '5c8f1b4e-7a0d-4c3f-9b6e-2d5a8c1f4b7e',
  outboxMessage: '3b6e9c2f-5a8d-4b1e-8c4f-7a0d3b6e9c2f',
  promotion: '6d9a2c5f-8b1e-4d4a-9f7c-0e3b6a9d2c5f', // Voces del Pueblo promoting the march
} as const;

/** Used where a path takes an id, e.g. in the `instance` of a problem example. */
export const EXAMPLE_UUID = IDS.event;

const AT = '2026-06-08T16:00:00-05:00';
const CREATED_AT = '2026-05-30T10:15:00-05:00';
const UPDATED_AT = '2026-06-01T18:40:00-05:00';
const ACCESS_TOKEN = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiI4YjNlNmE5ZC0yYzVmLTRiOGUtYTFkNC03YzBmM2I2ZTlhMmQifQ.dGhpcy1pcy1hbi1leGFtcGxl';
const SECRET_TOKEN = 'kX3v9Qm2Rb7Ht5Wy8Lp4Nz6Jc1Fd0Gs_aE-uT2oY';

/** Which id `id` is, by the schema it sits in (first match wins). */
const ID_BY_SCHEMA: [RegExp, string][] = [
  [/^(Organisation|Counterpart)(Ref|View)$|^OrganisationRef$|^PromoterRef$/, IDS.organisation],
  [/^Promotion/, IDS.promotion],
  [/^CoalitionRef$|^Coalition(View)?$/, IDS.coalition],
  [/Campaign/, IDS.campaign],
  [/Shift/, IDS.shift],
  [/Signup|ViewerSignup/, IDS.signup],
  [/^Event/, IDS.event],
  [/Demand|LinkedDemand/, IDS.demand],
  [/Pact/, IDS.pact],
  [/Import/, IDS.import],
  [/Directory(Item)?$|^Member(View)?$|Erasure/, IDS.member],
  [/Membership/, IDS.membership],
  [/^User|Me/, IDS.user],
  [/RoleAssignment/, IDS.roleAssignment],
  [/Audit/, IDS.auditEntry],
  [/Outbox/, IDS.outboxMessage],
];

/** Values that depend on the exact schema. */
const BY_SCHEMA: Record<string, unknown> = {
  'RevisionView.id': '1207',
  'CounterpartRef.id': IDS.counterpart,
  'CounterpartRef.slug': 'juntos-por-el-peru',
  'CounterpartRef.name': 'Juntos por el Perú',
  'CounterpartRef.shortName': 'JP',
  'CounterpartRef.external': true,
  'CoalitionRef.slug': 'venceremos',
  'CoalitionRef.name': 'Alianza VENCEREMOS',
  'ConditionDemandRef.code': 'D3',
  'OwnSignupView.shiftName': 'Primeros auxilios',
  'ImportView.failure': null,
  'UpdatePactDto.status': 'negotiating',
  'UpdatePartnerDto.status': 'active',
  'UpdateDemandDto.status': 'proposed',
  'UpdateMembershipDto.status': 'active',
  'UpdateOrganisationDto.status': 'active',
  'MemberExport.scope': 'all',
  'PromoterRef.name': 'Voces del Pueblo',
  'PromoterRef.kind': 'organisation',
  'ApplicationReceived.detail': 'If the address is new, a confirmation e-mail is on its way.',
};

/** Values that depend on what the schema is about (a title is a campaign's or a pact's). */
const BY_TOPIC: [RegExp, Record<string, unknown>][] = [
  [/Partner/, { role: 'member' }],
  [/Shift/, { name: 'Primeros auxilios', shiftName: 'Primeros auxilios', description: 'Brigada de primeros auxilios junto al escenario' }],
  [/Campaign/, { title: 'Defender el voto popular — segunda vuelta', description: 'Vigilancia electoral y movilización en Lima y Cusco hasta la proclamación.' }],
  [/Demand/, { title: 'Derogación de las leyes procrimen' }],
  [/Pact/, { title: 'Apoyo en segunda vuelta', description: 'VENCEREMOS apoya a Juntos por el Perú en la segunda vuelta si asume tres de sus demandas.' }],
  [/Membership/, { title: 'secretaria de prensa' }],
  [/Coalition/, { description: 'Frente de partidos y movimientos por la voluntad popular.' }],
  [/Event/, { description: 'Concentración y marcha pacífica desde la Plaza San Martín hasta el Congreso.' }],
];

/** Values by property name, whatever the schema. */
const BY_NAME: Record<string, unknown> = {
  // people and logins
  givenName: 'Rosa',
  familyName: 'Quispe Mamani',
  name: 'Rosa Quispe',
  email: 'rosa.quispe@example.org',
  phone: '+51987654321',
  password: 'una frase larga y secreta 2026',
  currentPassword: 'una frase larga y secreta 2026',
  newPassword: 'otra frase larga y secreta 2026',
  isPlatformAdmin: false,
  disabled: false,
  emailVerified: true,
  emailConfirmed: true,
  linked: 1,
  erased: false,
  erasedAt: null,
  languages: ['es', 'qu'],
  preferredLanguage: 'es',
  locale: 'es',
  role: 'org_admin',
  // tokens
  accessToken: ACCESS_TOKEN,
  refreshToken: SECRET_TOKEN,
  token: SECRET_TOKEN,
  manageToken: SECRET_TOKEN,
  expiresIn: 900,
  // organisations and coalitions
  slug: 'voces-del-pueblo',
  shortName: 'VP',
  description: 'Movimiento de base de Lima Metropolitana por el agua y el transporte público.',
  notes: 'Firmó la carta de adhesión el 2026-05-28',
  external: false,
  country: 'PE',
  region: 'Lima',
  locality: 'Cercado de Lima',
  // campaigns, events, signups
  title: 'Marcha por la voluntad popular',
  venue: 'Plaza San Martín',
  address: 'Jr. de la Unión 1000',
  lat: -12.0513,
  lng: -77.0347,
  onlineUrl: null,
  locationHidden: false,
  capacity: 500,
  goingCount: 120,
  spotsLeft: 380,
  signupsOpen: true,
  canManage: false,
  canHandleSignups: false,
  cancelReason: null,
  revision: 0,
  seq: '42',
  source: 'web',
  reason: 'Suspendida por el paro de transportes',
  dataProcessing: true,
  contactByEmail: true,
  contactBySms: false,
  contactByWhatsapp: false,
  noticeVersion: '2026-01',
  consentContactByEmail: true,
  consentContactBySms: false,
  consentContactByWhatsapp: false,
  consentNoticeVersion: '2026-01',
  eventTitle: 'Marcha por la voluntad popular',
  // demands and pacts
  code: 'D3',
  body: 'Derogar las leyes que debilitaron la lucha contra el crimen organizado.',
  category: 'justicia',
  position: 3,
  endorsementCount: 4,
  note: 'Aceptada en la carta del 2026-05-28',
  startsOn: '2026-06-07',
  endsOn: '2026-07-28',
  signedOn: '2026-05-20',
  pending: 2,
  accepted: 5,
  rejected: 0,
  fulfilled: 1,
  breached: 0,
  // memberships, imports, statistics, audit
  duesPaidUntil: '2026-12-31',
  endedOn: null,
  membershipsEnded: 2,
  filename: 'afiliados-lima.csv',
  bytes: 48213,
  rowsTotal: 412,
  attempts: 1,
  errorsTruncated: false,
  line: 17,
  field: 'email',
  message: 'email must be an e-mail address',
  total: 412,
  suppressionThreshold: 5,
  action: 'member.update',
  entity: 'member',
  fields: ['phone', 'region'],
  template: 'event.signup_confirmed',
  recipient: 'r***@example.org',
  lastError: null,
  nextCursor: 'WyIyMDI2LTA2LTA4VDIxOjAwOjAwLjAwMFoiXQ',
};

/** `…Id` and `…Ids` properties, by the thing they name. */
const ID_BY_NAME: Record<string, string> = {
  organisationId: IDS.organisation,
  controllerId: IDS.organisation,
  hostOrganisationId: IDS.organisation,
  ownerOrganisationId: IDS.organisation,
  parentId: IDS.organisation,
  counterpartOrganisationId: IDS.counterpart,
  coHostOrganisationId: IDS.coHost,
  coalitionId: IDS.coalition,
  ownerCoalitionId: IDS.coalition,
  campaignId: IDS.campaign,
  eventId: IDS.event,
  shiftId: IDS.shift,
  signupId: IDS.signup,
  promotionId: IDS.promotion,
  memberId: IDS.member,
  membershipId: IDS.membership,
  userId: IDS.user,
  demandId: IDS.demand,
  pactId: IDS.pact,
  entityId: IDS.member,
  grantedBy: IDS.granter,
  endorsedBy: IDS.granter,
  revisedBy: IDS.granter,
};

/**
 * Left out of the request examples assembled from these values: the second
 * of two mutually exclusive owners (the examples show an organisation's).
 */
export const LEFT_OUT_OF_REQUEST_EXAMPLES = new Set([
  'GrantRoleDto.coalitionId',
  'CreateCampaignDto.coalitionId',
  'CreateEventDto.coalitionId',
  'CreateDemandDto.coalitionId',
  'ReorderDemandsDto.coalitionId',
  'CreatePactDto.coalitionId',
  // The example organisation is top level, and is not moved.
  'CreateOrganisationDto.parentId',
  'UpdateOrganisationDto.parentId',
]);

/** The example for one property of one schema, or undefined when none fits; always one of its enum values, if it has some. */
export function exampleFor(schemaName: string, property: string, schema: SchemaObject): unknown {
  const example = lookUp(schemaName, property, schema);
  return Array.isArray(schema.enum) && !schema.enum.includes(example) ? schema.enum[0] : example;
}

function lookUp(schemaName: string, property: string, schema: SchemaObject): unknown {
  const key = `${schemaName}.${property}`;
  if (key in BY_SCHEMA) return BY_SCHEMA[key];
  const topic = BY_TOPIC.find(([pattern, values]) => pattern.test(schemaName) && property in values);
  if (topic) return topic[1][property];
  if (property === 'id') return ID_BY_SCHEMA.find(([pattern]) => pattern.test(schemaName))?.[1];
  if (property in ID_BY_NAME) return ID_BY_NAME[property];
  if (property.endsWith('Ids') && property.slice(0, -1) in ID_BY_NAME) return [ID_BY_NAME[property.slice(0, -1)]];
  if (property === 'ids') return [IDS.demand];
  if (property in BY_NAME) return BY_NAME[property];
  if (schema.format === 'date-time' || property.endsWith('At') || property === 'at') {
    if (property === 'createdAt' || property === 'recordedAt' || property === 'at') return CREATED_AT;
    if (property === 'updatedAt') return UPDATED_AT;
    if (property === 'endsAt') return '2026-06-08T20:00:00-05:00';
    return AT;
  }
  return undefined;
}
