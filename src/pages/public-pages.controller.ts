import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { Public } from '../access/public.decorator';
import { CoalitionsService } from '../coalitions/coalitions.service';
import { SLUG_PATTERN, UUID_PATTERN } from '../common/dto-fields';
import { AppError, notFound } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { DemandsService } from '../demands/demands.service';
import { EventQueryDto, parseNear } from '../events/dto/event.dto';
import { EventsService } from '../events/events.service';
import { ApplicationDto } from '../members/dto/member.dto';
import { noMembersIn } from '../members/members.service';
import { MembershipsService } from '../members/memberships.service';
import type { Organisation } from '../organisations/organisation.entity';
import { OrganisationsService } from '../organisations/organisations.service';
import { embedding } from './embed';
import { formValues, refuseBots, serviceFieldErrors, validateForm } from './forms';
import type { Translator } from './i18n';
import { Page, PageGuard, type PageContext } from './page-context';
import { PageErrorFilter } from './page-error.filter';
import { sendPage } from './page-response';
import { CoalitionPage } from './views/coalition';
import { JOIN_NOTICE_VERSION, JoinPage, JoinReceivedPage, type JoinFormState } from './views/join';
import { OrganisationPage, type OrganisationFilters } from './views/organisation';

/** Events per page of an organisation's or a coalition's list. */
const EVENTS_PER_PAGE = 20;
const FILTER_FIELDS = ['region', 'kind', 'near', 'lat', 'lng', 'radiusKm', 'cursor'] as const;
const JOIN_FIELDS = ['givenName', 'familyName', 'email', 'phone', 'region', 'locality', 'consent', 'contactByEmail', 'noticeVersion', 'website'] as const;

/** A slug in a page's path: anything else (an id included: one address per page) is a page that does not exist. */
const isSlug = (value: string) => value.length <= 64 && SLUG_PATTERN.test(value) && !UUID_PATTERN.test(value);

/** A list read for a page: a cursor that is not one of ours is a link to a page that does not exist. */
async function listPage<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof AppError && err.code === 'invalid-cursor') throw notFound('page');
    throw err;
  }
}

/** The organisation page's filters as the list takes them, the form's values, and the reader's mistakes. */
function readFilters(t: Translator, query: unknown): { filters: OrganisationFilters; near?: string; radiusKm?: string; cursor?: string; errors: Record<string, string> } {
  const v = formValues(query, FILTER_FIELDS);
  const errors: Record<string, string> = {};
  // The form sends lat and lng; a shared link (or one written like the API's) may say near=lat,lng.
  const typed = v.near || (v.lat || v.lng ? `${v.lat ?? ''},${v.lng ?? ''}` : undefined);
  const point = typed ? parseNear(typed) : null;
  if (typed && !point) errors.near = t.t('organisation.nearInvalid');
  const near = point ? `${point.lat},${point.lng}` : typed;
  const radiusKm = v.radiusKm || undefined;
  if (radiusKm && !near) errors.near = t.t('organisation.nearInvalid');
  if (near && !radiusKm) errors.radiusKm = t.t('organisation.radiusInvalid');
  // The form shows the point as two numbers, whichever way it came.
  const lat = point ? String(point.lat) : v.lat;
  const lng = point ? String(point.lng) : v.lng;
  return { filters: { region: v.region || undefined, kind: v.kind || undefined, lat, lng, radiusKm }, near, radiusKm, cursor: v.cursor || undefined, errors };
}

/**
 * The public pages of organisations (with their membership form) and
 * coalitions: the same services and rules as the JSON API, rendered on the
 * server, working without JavaScript.
 */
@ApiExcludeController()
@Controller()
@Public()
@UseGuards(PageGuard)
@UseFilters(PageErrorFilter)
export class PublicPagesController {
  private readonly base: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly organisations: OrganisationsService,
    private readonly coalitions: CoalitionsService,
    private readonly demands: DemandsService,
    private readonly events: EventsService,
    private readonly memberships: MembershipsService,
  ) {
    this.base = config.publicUrl.replace(/\/$/, '');
  }

  /** An organisation of this platform; unknown and external ones (counterparts with no life here) are 404. */
  private async organisation(slug: string): Promise<Organisation> {
    if (!isSlug(slug)) throw notFound('organisation');
    const org = await this.organisations.get(slug);
    if (org.external) throw notFound('organisation');
    return org;
  }

  /** One that takes members (not dissolved): the join form's. */
  private async joinable(slug: string): Promise<Organisation> {
    const org = await this.organisation(slug);
    if (noMembersIn(org)) throw notFound('organisation accepting applications');
    return org;
  }

  @Get('o/:slug')
  async organisationPage(@Page() reader: PageContext, @Param('slug') slug: string, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const org = await this.organisation(slug);
    const { page, frameAncestors } = embedding(reader, org.embedOrigins);
    const { t } = page;
    const read = readFilters(t, query);
    const listQuery = { region: read.filters.region, kind: read.filters.kind, near: read.near, radiusKm: read.radiusKm };
    const errors = { ...read.errors };
    let dto: EventQueryDto | null = null;
    if (!Object.keys(errors).length) {
      // With the events it promotes (issue 22), each marked and linked with its ref.
      const checked = await validateForm(t, EventQueryDto, { organisation: org.slug, ...listQuery, includePromoted: 'true', cursor: read.cursor, limit: String(EVENTS_PER_PAGE) });
      // A cursor is ours or the link is broken: that page does not exist.
      if (checked.errors.cursor) throw notFound('page');
      if (checked.errors.near) errors.near = t.t('organisation.nearInvalid');
      if (checked.errors.radiusKm) errors.radiusKm = t.t('organisation.radiusInvalid');
      if (checked.errors.region) errors.region = checked.errors.region;
      if (checked.errors.kind) errors.kind = checked.errors.kind;
      dto = Object.keys(errors).length ? null : checked.dto;
    }
    const [events, regions, children, parent] = await Promise.all([
      dto ? listPage(this.events.list(page.caller, dto)) : null,
      this.events.upcomingRegions(page.caller, { organisation: org.slug, includePromoted: true }),
      this.organisations.children(org.id),
      org.parentId ? this.organisations.get(org.parentId) : null,
    ]);
    const status = events ? 200 : 400;
    const html = OrganisationPage({
      page,
      org,
      parent: parent && !parent.external ? parent : null,
      children: children.filter((c) => !c.external),
      events,
      regions,
      filters: read.filters,
      listQuery,
      errors,
      acceptsMembers: !noMembersIn(org),
      url: `${this.base}/o/${org.slug}`,
    });
    // Anonymous readers all see the same page: cached briefly. A member may see members-only events: their own.
    return sendPage(reply, html, { status, cache: page.user || status !== 200 ? 'private' : 'public', frameAncestors });
  }

  @Get('o/:slug/join')
  async joinForm(@Page() page: PageContext, @Param('slug') slug: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const org = await this.joinable(slug);
    return sendPage(reply, JoinPage({ page, org }), { cache: 'private' });
  }

  @Post('o/:slug/join')
  @HttpCode(200)
  async join(@Page() page: PageContext, @Param('slug') slug: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { t } = page;
    const org = await this.joinable(slug);
    const values = formValues(body, JOIN_FIELDS);
    refuseBots(values);
    const input = {
      givenName: values.givenName || undefined,
      familyName: values.familyName || undefined,
      email: values.email || undefined,
      phone: values.phone || undefined,
      region: values.region || undefined,
      locality: values.locality || undefined,
      preferredLanguage: t.locale === 'en' ? 'en' : 'es',
      consent: { dataProcessing: values.consent === 'yes', contactByEmail: values.contactByEmail === 'yes', noticeVersion: values.noticeVersion || JOIN_NOTICE_VERSION },
    };
    const checked = await validateForm(t, ApplicationDto, input);
    const errors: Record<string, string> = { ...checked.errors };
    for (const f of ['givenName', 'familyName', 'email'] as const) if (!values[f]) errors[f] = t.t('field.required');
    if (errors.consent) errors.consent = t.t('join.consentRequired');
    const again = (form: JoinFormState, status: number) => sendPage(reply, JoinPage({ page, org, form }), { status, cache: 'private' });
    if (Object.keys(errors).length) return again({ values, errors }, 400);
    try {
      await this.memberships.apply(page.caller, org.id, checked.dto);
    } catch (err) {
      const fieldErrors = serviceFieldErrors(t, err, JOIN_FIELDS);
      if (fieldErrors) return again({ values, errors: fieldErrors }, 400);
      throw err;
    }
    return sendPage(reply, JoinReceivedPage({ page, org }), { cache: 'private' });
  }

  @Get('c/:slug')
  async coalitionPage(@Page() page: PageContext, @Param('slug') slug: string, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (!isSlug(slug)) throw notFound('coalition');
    const coalition = await this.coalitions.get(slug);
    const { cursor } = formValues(query, ['cursor']);
    const checked = await validateForm(page.t, EventQueryDto, { coalition: coalition.slug, includePromoted: 'true', cursor: cursor || undefined, limit: String(EVENTS_PER_PAGE) });
    if (Object.keys(checked.errors).length) throw notFound('page');
    const [partners, platform, events] = await Promise.all([
      this.coalitions.partners(page.caller, coalition.id),
      this.demands.coalitionPlatform(coalition.id),
      listPage(this.events.list(page.caller, checked.dto)),
    ]);
    const html = CoalitionPage({
      page,
      coalition,
      // Its coordinators would see every partnership: the page shows the active ones, to everyone alike.
      partners: partners.filter((p) => p.status === 'active'),
      platform,
      events,
      url: `${this.base}/c/${coalition.slug}`,
    });
    return sendPage(reply, html, { cache: page.user ? 'private' : 'public' });
  }
}
