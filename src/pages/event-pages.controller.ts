import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import { Public } from '../access/public.decorator';
import { definedOnly, UUID_PATTERN } from '../common/dto-fields';
import { AppError, notFound } from '../common/problem';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { CreateSignupDto, UTM_MAX_LENGTH } from '../events/dto/signup.dto';
import { EventsService } from '../events/events.service';
import type { EventView } from '../events/events.views';
import { PromotionsService } from '../events/promotions.service';
import { SignupsService } from '../events/signups.service';
import { OrganisationsService } from '../organisations/organisations.service';
import { embedding } from './embed';
import { formValues, LINK_SECRET_PATTERN, refuseBots, serviceFieldErrors, validateForm } from './forms';
import { Page, PageGuard, type PageContext } from './page-context';
import { PageErrorFilter } from './page-error.filter';
import { sendPage } from './page-response';
import { EventPage, SIGNUP_NOTICE_VERSION, type SignupFormState, type SignupReferral } from './views/event';
import { FragmentLinkPage } from './views/fragment-link';
import { JOIN_NOTICE_VERSION } from './views/join';
import { ManagePage, SignupResultPage } from './views/signup-result';

/** What a promoter's link may carry (issue 22): its ref, and the utm values, kept as they came. */
const UTM_FIELDS = ['utm_source', 'utm_medium', 'utm_campaign'] as const;
const LINK_FIELDS = ['ref', ...UTM_FIELDS] as const;
const SIGNUP_FIELDS = [
  'name',
  'email',
  'phone',
  'shiftId',
  'consent',
  'contactByEmail',
  'contactBySms',
  'contactByWhatsapp',
  'noticeVersion',
  'website',
  ...LINK_FIELDS,
  'joinPromoter',
  'joinNoticeVersion',
] as const;

/** A link's utm values as the form carries them: empty ones left out, each cut to the longest kept (a page never fails on them). */
function utmOf(values: Record<string, string>): Record<string, string> {
  return Object.fromEntries(UTM_FIELDS.filter((f) => values[f]).map((f) => [f, values[f].slice(0, UTM_MAX_LENGTH)]));
}

/**
 * The event page, its signup form and a guest's manage page: the same
 * services and access rules as the JSON API (404 for an event the reader may
 * not see), rendered on the server, working without JavaScript.
 */
@ApiExcludeController()
@Controller()
@Public()
@UseGuards(PageGuard)
@UseFilters(PageErrorFilter)
export class EventPagesController {
  private readonly base: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly events: EventsService,
    private readonly signups: SignupsService,
    private readonly organisations: OrganisationsService,
    private readonly promotions: PromotionsService,
  ) {
    this.base = config.publicUrl.replace(/\/$/, '');
  }

  /** A published (or since cancelled or completed) event the reader may see; drafts and anything else are 404. */
  private async event(page: PageContext, id: string): Promise<EventView> {
    if (!UUID_PATTERN.test(id)) throw notFound('event');
    const event = await this.events.get(page.caller, id);
    if (event.status === 'draft') throw notFound('event');
    return event;
  }

  private async render(
    page: PageContext,
    reply: FastifyReply,
    event: EventView,
    form?: SignupFormState,
    status = 200,
    frameAncestors: string[] = [],
    link: Record<string, string> = {},
  ): Promise<string> {
    // The event was read for this reader just before (`event`): its shifts without reading it again.
    const shifts = await this.events.shiftsOf(event);
    const referral = await this.referral(event.id, link.ref);
    // Anonymous readers of a public event all see the same page: it may be cached briefly. A member sees their own.
    const cache = page.user || event.visibility !== 'public' || form ? 'private' : 'public';
    return sendPage(reply, EventPage({ page, event, shifts, url: `${this.base}/e/${event.id}`, base: this.base, form, referral, utm: utmOf(link) }), { status, cache, frameAncestors });
  }

  /**
   * The promoter behind a link's ref, when it names a live promotion of this
   * event (issue 22): the page names it, and offers to join its list when it
   * is an organisation taking members. Anything else is no ref: the page is
   * the plain one, never an error.
   */
  private async referral(eventId: string, ref: string | undefined): Promise<SignupReferral | null> {
    const found = await this.promotions.promoterForRef(eventId, ref);
    if (!found) return null;
    return { ref: found.ref, promoter: found.promoter, offersJoin: found.promoter.kind === 'organisation' && found.acceptsMembers, noticeVersion: JOIN_NOTICE_VERSION };
  }

  /** `?embed=1`: framable by the sites its host organisation lists (a coalition's event: none, so the ordinary page). */
  private async framing(reader: PageContext, event: EventView): Promise<{ page: PageContext; frameAncestors: string[] }> {
    const host = reader.embed && event.hostOrganisation ? await this.organisations.get(event.hostOrganisation.id) : null;
    return embedding(reader, host?.embedOrigins);
  }

  @Get('e/:id')
  async show(@Page() reader: PageContext, @Param('id') id: string, @Query() query: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const event = await this.event(reader, id);
    const { page, frameAncestors } = await this.framing(reader, event);
    return this.render(page, reply, event, undefined, 200, frameAncestors, formValues(query, LINK_FIELDS));
  }

  @Post('e/:id')
  @HttpCode(200)
  async signUp(@Page() reader: PageContext, @Param('id') id: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const event = await this.event(reader, id);
    // A form sent from an embedded page answers inside the same frame.
    const { page, frameAncestors } = await this.framing(reader, event);
    const { t } = page;
    const values = formValues(body, SIGNUP_FIELDS);
    refuseBots(values);
    const errors: Record<string, string> = {};
    // Where the reader came from: the ref (one longer than any ref is none) and the utm values, as the page carried them.
    const utm = utmOf(values);
    const link = {
      ref: values.ref && values.ref.length <= 64 ? values.ref : undefined,
      utmSource: utm.utm_source,
      utmMedium: utm.utm_medium,
      utmCampaign: utm.utm_campaign,
    };
    const again = (form: SignupFormState, status: number, shown: EventView = event) => this.render(page, reply, shown, form, status, frameAncestors, values);
    let dto: CreateSignupDto;
    if (page.user) {
      dto = Object.assign(new CreateSignupDto(), values.shiftId ? { shiftId: values.shiftId } : {}, definedOnly(link));
    } else {
      const join = values.joinPromoter === 'yes';
      const input = {
        ...definedOnly(link),
        ...(join ? { joinPromoter: true, joinNoticeVersion: values.joinNoticeVersion || JOIN_NOTICE_VERSION } : {}),
        name: values.name || undefined,
        email: values.email || undefined,
        phone: values.phone || undefined,
        shiftId: values.shiftId || undefined,
        locale: t.locale === 'en' ? 'en' : 'es',
        consent: {
          dataProcessing: values.consent === 'yes',
          contactByEmail: values.contactByEmail === 'yes',
          contactBySms: values.contactBySms === 'yes',
          contactByWhatsapp: values.contactByWhatsapp === 'yes',
          noticeVersion: values.noticeVersion || SIGNUP_NOTICE_VERSION,
        },
      };
      const checked = await validateForm(t, CreateSignupDto, input);
      Object.assign(errors, checked.errors);
      for (const f of ['name', 'email'] as const) if (!values[f]) errors[f] = t.t('field.required');
      dto = checked.dto;
    }
    if (Object.keys(errors).length) return again({ values, errors }, 400);
    try {
      const answer = await this.signups.signUp(page.caller, event.id, dto);
      return sendPage(reply, SignupResultPage({ page, event, status: answer.status === 'waitlisted' ? 'waitlisted' : 'going', manageToken: answer.manageToken }), { cache: 'private', frameAncestors });
    } catch (err) {
      const fieldErrors = serviceFieldErrors(t, err, SIGNUP_FIELDS);
      if (fieldErrors) return again({ values, errors: fieldErrors }, 400);
      // Already signed up, or signups closed meanwhile: said on the form, the input kept.
      if (err instanceof AppError && err.status === 409) return again({ values, errors: { form: t.t('signup.conflict', { code: err.code.replace(/-/g, '_') }) } }, 409, await this.event(page, id));
      throw err;
    }
  }

  /** Links mailed before the pages existed: the token in the fragment (see FragmentLinkPage). */
  @Get('signups/manage')
  fragmentLink(@Page() page: PageContext, @Res({ passthrough: true }) reply: FastifyReply): string {
    return sendPage(reply, FragmentLinkPage({ page, title: page.t.t('manage.title') }), { cache: 'private' });
  }

  @Get('signups/manage/:token')
  async manage(@Page() page: PageContext, @Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (!LINK_SECRET_PATTERN.test(token)) throw notFound('signup');
    const { signup, event, checkIn } = await this.signups.lookup(page.caller, token);
    return sendPage(reply, ManagePage({ page, token, event, status: signup.status, checkIn: event.status === 'published' ? checkIn : null }), { cache: 'private' });
  }

  @Post('signups/manage/:token/cancel')
  @HttpCode(200)
  // The form's only fields are the anti-forgery token and the language (PageGuard reads them).
  async cancel(@Page() page: PageContext, @Param('token') token: string, @Body() _form: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (!LINK_SECRET_PATTERN.test(token)) throw notFound('signup');
    await this.signups.cancelByToken(page.caller, token);
    const { signup, event } = await this.signups.lookup(page.caller, token);
    return sendPage(reply, ManagePage({ page, token, event, status: signup.status, justCancelled: true }), { cache: 'private' });
  }
}
