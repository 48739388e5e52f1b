import { Body, Controller, Get, HttpCode, Param, Post, Query, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';

import type { Caller } from '../access/caller';
import { Public } from '../access/public.decorator';
import { AccountsService } from '../auth/accounts.service';
import { AuthService } from '../auth/auth.service';
import { AcceptInvitationDto, EmailDto, LoginDto, TokenPasswordDto } from '../auth/dto/auth.dto';
import { isCommonPassword } from '../auth/password-policy';
import { PASSWORD_MIN_LENGTH } from '../auth/passwords';
import { TokensService } from '../auth/tokens.service';
import { UUID_PATTERN } from '../common/dto-fields';
import { MAX_PAGE_SIZE, PageQuery } from '../common/pagination';
import { AppError, notFound } from '../common/problem';
import { UpdateSignupDto } from '../events/dto/signup.dto';
import type { OwnSignupView } from '../events/events.views';
import { SignupsService } from '../events/signups.service';
import { MemberAccountsService } from '../members/member-accounts.service';
import { formValues, LINK_SECRET_PATTERN, validateForm } from './forms';
import type { Translator } from './i18n';
import { Page, PageGuard, type PageContext } from './page-context';
import { PageErrorFilter } from './page-error.filter';
import { sendPage } from './page-response';
import { ConfirmEmailPage, ForgotPasswordPage, LinkMembershipsPage, LoginPage, SetPasswordPage, type AccountFormState, type SetPasswordKind } from './views/account';
import { MySignupsPage } from './views/account-signups';
import { FragmentLinkPage } from './views/fragment-link';

const CURSOR_PATTERN = /^[A-Za-z0-9_-]{1,512}$/;
const SIGNUPS_PER_PAGE = 50;
const HOME = '/account/signups';

/** Why an invitation cannot be followed (the service's 409 codes), in the reader's words. */
const INVITATION_CONFLICTS: Record<string, string> = {
  'member-changed': 'account.conflict.memberChanged',
  'already-has-login': 'account.conflict.alreadyHasLogin',
  'already-linked-here': 'account.conflict.alreadyLinkedHere',
  'login-disabled': 'account.conflict.loginDisabled',
  'login-changed': 'account.conflict.memberChanged',
};

/**
 * Where to go after logging in: a path of this site (`/…`), never `//host`
 * or `/\host` (which browsers read as another site), nothing with a control
 * character. Anything else: the person's signups.
 */
export function safeNext(next: unknown): string | null {
  if (typeof next !== 'string' || next.length > 2000 || !/^\/(?![/\\])/.test(next)) return null;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return null;
  const base = 'http://same.invalid';
  return new URL(next, base).origin === base ? next : null;
}

/** A password as typed (never trimmed: spaces count), or '' when missing. */
function passwordOf(body: unknown): string {
  const v = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).password : undefined;
  return typeof v === 'string' ? v : '';
}

/** The message next to a new password the policy refuses (the API's rules: src/auth/password-policy.ts). */
function passwordMessage(t: Translator, password: string): string {
  if (!password) return t.t('field.required');
  if (password.length > 256) return t.t('field.tooLong');
  if (password.length < PASSWORD_MIN_LENGTH) return t.t('account.passwordShort', { min: PASSWORD_MIN_LENGTH });
  if (isCommonPassword(password)) return t.t('account.passwordCommon');
  return t.t('field.invalid');
}

function checkToken(token: string): void {
  if (!LINK_SECRET_PATTERN.test(token)) throw notFound('link');
}

/*
 * Every form handler declares `@Body()`, even a button's that reads nothing
 * from it: the API's guard refuses a body on a route that takes none
 * (src/common/request-input.ts), and a form always carries `_csrf`.
 */

/** 303 See Other: after a form, the browser follows with a GET (the POST is never repeated by a reload). */
function seeOther(reply: FastifyReply, location: string): string {
  void reply.status(303).headers({ location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  return '';
}

/**
 * A person's own pages: log in and out, choose a password from an e-mailed
 * link (invitation, registration, reset), confirm an address, link
 * memberships, and "my signups". The same services, checks and limits as the
 * API (src/auth, src/members/member-accounts.service.ts, the signups'
 * service); the session is the pages' cookie. Opening a link never acts: the
 * page's button does (mail scanners follow links).
 */
@ApiExcludeController()
@Controller('account')
@Public()
@UseGuards(PageGuard)
@UseFilters(PageErrorFilter)
export class AccountPagesController {
  constructor(
    private readonly guard: PageGuard,
    private readonly auth: AuthService,
    private readonly accounts: AccountsService,
    private readonly memberAccounts: MemberAccountsService,
    private readonly sessions: TokensService,
    private readonly signups: SignupsService,
  ) {}

  /** The login page, coming back to `path` afterwards. */
  private toLogin(reply: FastifyReply, page: PageContext, path: string): string {
    return seeOther(reply, page.t.href(`/account/login?next=${encodeURIComponent(path)}`));
  }

  /** Starts the cookie session of a login that just proved itself (a password, an e-mailed link); a session the browser held before ends. */
  private async logIn(reply: FastifyReply, page: PageContext, cookie: string, next: string | null): Promise<string> {
    if (page.user) await this.auth.logoutBrowser(page.user);
    this.guard.setSession(reply, cookie);
    return seeOther(reply, next ?? page.t.href(HOME));
  }

  @Get()
  home(@Page() page: PageContext, @Res({ passthrough: true }) reply: FastifyReply): string {
    return seeOther(reply, page.t.href(HOME));
  }

  // ---------------------------------------------------------------- log in, log out

  @Get('login')
  loginForm(@Page() page: PageContext, @Query('next') next: unknown, @Res({ passthrough: true }) reply: FastifyReply): string {
    const target = safeNext(next);
    if (page.user) return seeOther(reply, target ?? page.t.href(HOME));
    return sendPage(reply, LoginPage({ page, next: target ?? undefined }), { cache: 'private' });
  }

  @Post('login')
  @HttpCode(200)
  async login(@Page() page: PageContext, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { t } = page;
    const values = formValues(body, ['email', 'next']);
    const password = passwordOf(body);
    const next = safeNext(values.next);
    const render = (form: AccountFormState, status: number) => sendPage(reply, LoginPage({ page, next: next ?? undefined, form }), { status, cache: 'private' });
    const { errors } = await validateForm(t, LoginDto, { email: values.email || undefined, password: password || undefined });
    if (!values.email) errors.email = t.t('field.required');
    if (!password) errors.password = t.t('field.required');
    const kept = { email: values.email ?? '' };
    if (Object.keys(errors).length) return render({ values: kept, errors }, 400);
    let cookie: string;
    try {
      // The API's login: the same check, the same failure counters and lockout (a 429 is the error page).
      cookie = await this.auth.loginBrowser(values.email, password, page.caller.ip);
    } catch (err) {
      if (err instanceof AppError && err.status === 401) return render({ values: kept, errors: {}, formError: t.t('account.wrongCredentials') }, 401);
      throw err;
    }
    return this.logIn(reply, page, cookie, next);
  }

  @Post('logout')
  @HttpCode(200)
  async logout(@Page() page: PageContext, @Body() _form: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (page.user) await this.auth.logoutBrowser(page.user);
    this.guard.clearSession(reply);
    return seeOther(reply, page.t.href('/account/login'));
  }

  // ---------------------------------------------------------------- forgotten password

  @Get('forgot-password')
  forgotForm(@Page() page: PageContext, @Res({ passthrough: true }) reply: FastifyReply): string {
    return sendPage(reply, ForgotPasswordPage({ page }), { cache: 'private' });
  }

  @Post('forgot-password')
  @HttpCode(200)
  async forgot(@Page() page: PageContext, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    const { t } = page;
    const values = formValues(body, ['email']);
    const { errors } = await validateForm(t, EmailDto, { email: values.email || undefined });
    if (!values.email) errors.email = t.t('field.required');
    if (Object.keys(errors).length) return sendPage(reply, ForgotPasswordPage({ page, form: { values, errors } }), { status: 400, cache: 'private' });
    // The same answer whether or not the address has a login (its limits: a 429 is the error page).
    await this.accounts.requestPasswordReset(values.email, page.caller.ip);
    return sendPage(reply, ForgotPasswordPage({ page, sent: true }), { cache: 'private' });
  }

  // ---------------------------------------------------------------- choosing a password from an e-mailed link

  /** Mailed before the pages, with the token after `#`: a script moves it into the path. */
  @Get('accept-invitation')
  invitationFragment(@Page() page: PageContext, @Res({ passthrough: true }) reply: FastifyReply): string {
    return sendPage(reply, FragmentLinkPage({ page, title: page.t.t('account.inviteTitle') }), { cache: 'private' });
  }

  @Get('accept-invitation/:token')
  invitationForm(@Page() page: PageContext, @Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    checkToken(token);
    return this.setPasswordPage(reply, page, 'invitation', token);
  }

  /** Invitations (a member's, a staff login's) and registrations: the API's `POST /auth/accept-invitation`, then the cookie. */
  @Post('accept-invitation/:token')
  @HttpCode(200)
  async acceptInvitation(@Page() page: PageContext, @Param('token') token: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    checkToken(token);
    const { t } = page;
    const password = passwordOf(body);
    const { errors } = await validateForm(t, AcceptInvitationDto, { token, password: password || undefined });
    if (errors.password) return this.setPasswordPage(reply, page, 'invitation', token, { values: {}, errors: { password: passwordMessage(t, password) } }, 400);
    let userId: string;
    try {
      userId = await this.memberAccounts.acceptLogin(page.caller, token, password);
    } catch (err) {
      const refused = this.refusedPassword(t, err, password);
      if (!refused) throw err;
      return this.setPasswordPage(reply, page, 'invitation', token, refused.form, refused.status);
    }
    return this.logIn(reply, page, await this.sessions.startBrowserSession(userId), null);
  }

  @Get('reset-password')
  resetFragment(@Page() page: PageContext, @Res({ passthrough: true }) reply: FastifyReply): string {
    return sendPage(reply, FragmentLinkPage({ page, title: page.t.t('account.resetTitle') }), { cache: 'private' });
  }

  @Get('reset-password/:token')
  resetForm(@Page() page: PageContext, @Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    checkToken(token);
    return this.setPasswordPage(reply, page, 'reset', token);
  }

  /** The API's `POST /auth/password-reset/confirm` (every session of the login ends), then a new cookie session. */
  @Post('reset-password/:token')
  @HttpCode(200)
  async reset(@Page() page: PageContext, @Param('token') token: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    checkToken(token);
    const { t } = page;
    const password = passwordOf(body);
    // The password policy is the request class's, as for the API.
    const { errors } = await validateForm(t, TokenPasswordDto, { token, password: password || undefined });
    if (errors.password) return this.setPasswordPage(reply, page, 'reset', token, { values: {}, errors: { password: passwordMessage(t, password) } }, 400);
    let userId: string;
    try {
      userId = await this.accounts.confirmPasswordReset(page.caller, token, password);
    } catch (err) {
      const refused = this.refusedPassword(t, err, password);
      if (!refused) throw err;
      return this.setPasswordPage(reply, page, 'reset', token, refused.form, refused.status);
    }
    return this.logIn(reply, page, await this.sessions.startBrowserSession(userId), null);
  }

  private setPasswordPage(reply: FastifyReply, page: PageContext, kind: SetPasswordKind, token: string, form?: AccountFormState, status = 200): string {
    return sendPage(reply, SetPasswordPage({ page, kind, token, form }), { status, cache: 'private' });
  }

  /** A refusal of the set-password services, as the form shows it; null for what the error page shows (429, the unexpected). */
  private refusedPassword(t: Translator, err: unknown, password: string): { form: AccountFormState; status: number } | null {
    if (!(err instanceof AppError)) return null;
    if (err.status === 400 && err.code === 'invalid-token') return { form: { values: {}, errors: {}, formError: t.t('account.invalidLink'), dead: true }, status: 400 };
    if (err.status === 400 && err.errors?.some((e) => e.field === 'password')) return { form: { values: {}, errors: { password: passwordMessage(t, password) } }, status: 400 };
    // The address already has a confirmed login, and this is not its password (counted as a failed login).
    if (err.status === 401) return { form: { values: {}, errors: { password: t.t('account.existingLoginWrong') } }, status: 401 };
    if (err.status === 409) return { form: { values: {}, errors: {}, formError: t.t(INVITATION_CONFLICTS[err.code] ?? 'account.conflict.other'), dead: true }, status: 409 };
    return null;
  }

  // ---------------------------------------------------------------- confirming an address, linking memberships

  @Get('confirm-email')
  confirmEmailFragment(@Page() page: PageContext, @Res({ passthrough: true }) reply: FastifyReply): string {
    return sendPage(reply, FragmentLinkPage({ page, title: page.t.t('account.confirmEmailTitle') }), { cache: 'private' });
  }

  @Get('confirm-email/:token')
  confirmEmailForm(@Page() page: PageContext, @Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    checkToken(token);
    return sendPage(reply, ConfirmEmailPage({ page, token }), { cache: 'private' });
  }

  /** The API's `POST /auth/verify-email`. */
  @Post('confirm-email/:token')
  @HttpCode(200)
  async confirmEmail(@Page() page: PageContext, @Param('token') token: string, @Body() _form: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    checkToken(token);
    try {
      await this.memberAccounts.verifyEmail(page.caller, token);
    } catch (err) {
      if (!(err instanceof AppError && err.status === 400)) throw err;
      return sendPage(reply, ConfirmEmailPage({ page, token, formError: page.t.t('account.invalidLink') }), { status: 400, cache: 'private' });
    }
    return sendPage(reply, ConfirmEmailPage({ page, token, done: true }), { cache: 'private' });
  }

  @Get('link-memberships')
  linkFragment(@Page() page: PageContext, @Res({ passthrough: true }) reply: FastifyReply): string {
    return sendPage(reply, FragmentLinkPage({ page, title: page.t.t('account.linkTitle') }), { cache: 'private' });
  }

  @Get('link-memberships/:token')
  linkForm(@Page() page: PageContext, @Param('token') token: string, @Res({ passthrough: true }) reply: FastifyReply): string {
    checkToken(token);
    if (!page.user) return this.toLogin(reply, page, `/account/link-memberships/${token}`);
    return sendPage(reply, LinkMembershipsPage({ page, token }), { cache: 'private' });
  }

  /** The API's `POST /me/links/confirm`: followed while logged in to the login that asked for it. */
  @Post('link-memberships/:token')
  @HttpCode(200)
  async linkMemberships(@Page() page: PageContext, @Param('token') token: string, @Body() _form: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    checkToken(token);
    if (!page.user) return this.toLogin(reply, page, `/account/link-memberships/${token}`);
    let linked: number;
    try {
      ({ linked } = await this.memberAccounts.confirmLinks(page.caller, token));
    } catch (err) {
      if (!(err instanceof AppError && err.status === 400)) throw err;
      return sendPage(reply, LinkMembershipsPage({ page, token, formError: page.t.t('account.invalidLink') }), { status: 400, cache: 'private' });
    }
    return sendPage(reply, LinkMembershipsPage({ page, token, linked }), { cache: 'private' });
  }

  // ---------------------------------------------------------------- my signups

  @Get('signups')
  async mySignups(@Page() page: PageContext, @Query('cursor') cursor: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (!page.user) return this.toLogin(reply, page, HOME);
    return this.signupsPage(reply, page, typeof cursor === 'string' && CURSOR_PATTERN.test(cursor) ? cursor : undefined);
  }

  /** The API's member self-cancel (`PATCH /events/:id/signups/:signupId {status: cancelled}`), for one of the reader's own signups only. */
  @Post('signups/:id/cancel')
  @HttpCode(200)
  async cancelSignup(@Page() page: PageContext, @Param('id') id: string, @Body() _form: unknown, @Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    if (!page.user) return this.toLogin(reply, page, HOME);
    if (!UUID_PATTERN.test(id)) throw notFound('signup');
    const own = await this.ownSignup(page.caller, id);
    if (!own) throw notFound('signup');
    try {
      await this.signups.update(page.caller, own.event.id, own.id, Object.assign(new UpdateSignupDto(), { status: 'cancelled' as const }));
    } catch (err) {
      // No longer cancellable (attended, the event over): said on the list.
      if (!(err instanceof AppError && err.status === 409)) throw err;
      return this.signupsPage(reply, page, undefined, { formError: page.t.t('account.cancelRefused') }, 409);
    }
    return this.signupsPage(reply, page, undefined, { cancelled: own.event.title });
  }

  private async signupsPage(reply: FastifyReply, page: PageContext, cursor: string | undefined, notice: { cancelled?: string; formError?: string } = {}, status = 200): Promise<string> {
    const list = await this.signups.mine(page.caller, Object.assign(new PageQuery(), { limit: SIGNUPS_PER_PAGE, cursor }));
    const noMember = !page.user?.memberIds.length;
    return sendPage(reply, MySignupsPage({ page, signups: list.items, nextCursor: list.nextCursor, noMember, ...notice }), { status, cache: 'private' });
  }

  /** One of the caller's own signups (any of their member records), found in their own list: nobody else's is ever acted on here. */
  private async ownSignup(caller: Caller, id: string): Promise<OwnSignupView | null> {
    let cursor: string | undefined;
    do {
      const list = await this.signups.mine(caller, Object.assign(new PageQuery(), { limit: MAX_PAGE_SIZE, cursor }));
      const found = list.items.find((s) => s.id === id);
      if (found) return found;
      cursor = list.nextCursor ?? undefined;
    } while (cursor);
    return null;
  }
}
