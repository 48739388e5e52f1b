import { createHmac, timingSafeEqual } from 'node:crypto';
import { createParamDecorator, HttpException, Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';

import { callerOf, type AuthUser, type Caller, type RequestWithCaller } from '../access/caller';
import { AuthService } from '../auth/auth.service';
import { BROWSER_SESSION_SECONDS } from '../auth/tokens.service';
import type { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { chooseLocale, Translator } from './i18n';

/** What every page handler gets: who reads, in which language, and the token its forms carry. */
export interface PageContext {
  caller: Caller;
  user: AuthUser | null;
  t: Translator;
  /** The anti-forgery token for this reader's forms (bound to their session when logged in). */
  csrf: string;
  /** `?embed=1`: the page is shown inside another site's `<iframe>` (no header, no footer; links open a new tab). */
  embed: boolean;
  /** The path and query this page was asked for (the language switch keeps them). */
  url: string;
}

type PageRequest = RequestWithCaller & { page?: PageContext };

/** One cookie's value from the Cookie header (ours are JWTs: no quoting, no escapes). */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * The anti-forgery token a post carries: a form's `_csrf` field, or (the
 * door page's JSON requests, whose body is the API's own shape) the
 * `X-CSRF-Token` header.
 */
function formToken(request: FastifyRequest): unknown {
  const field = (request.body as Record<string, unknown> | undefined)?._csrf;
  if (field !== undefined) return field;
  const header = request.headers['x-csrf-token'];
  return typeof header === 'string' ? header : undefined;
}

/** A form that did not come from our own page: refused before anything is read or written. */
export class FormRefused extends HttpException {
  constructor() {
    super('form-refused', 403);
  }
}

/** The cookie names: `__Host-` (HTTPS only, this host only, path /) whenever the cookie is Secure. */
export const sessionCookieName = (secure: boolean) => (secure ? '__Host-convoca_session' : 'convoca_session');

/** Cookies are Secure in production and whenever the public address is HTTPS; plain HTTP in development and tests on localhost. */
export const secureCookies = (config: AppConfig) => config.env === 'production' || config.publicUrl.startsWith('https:');

/** How long a form stays valid after the page that carries it was made. */
const FORM_TTL_MS = 24 * 3600_000;

/** The key of the pages' anti-forgery tokens, derived from the service's secret. */
export const formTokenKey = (secret: string): Buffer => createHmac('sha256', secret).update('convoca-pages-csrf').digest();

/** A form token's MAC: of the reader's binding (their session, or "anonymous") and the hour it was made in (base 36). */
const formMac = (key: Buffer, binding: string, hour: string): string => createHmac('sha256', key).update(`${binding}\u0000${hour}`).digest('base64url');

/** The anti-forgery token a page made at `at` puts in its forms, hour-granular: `hour.mac`. */
export function formTokenAt(key: Buffer, binding: string, at: number): string {
  const hour = Math.floor(at / 3600_000).toString(36);
  return `${hour}.${formMac(key, binding, hour)}`;
}

/**
 * Resolves the reader of every page (the cookie session, the language) and
 * stops forged forms. A form post must come from one of our pages (the
 * browser's `Sec-Fetch-Site`, or `Origin` where that is missing) and carry
 * the token the page put in it: an HMAC of the reader's session (or of
 * "anonymous") and the time it was made, so a public page can still be
 * cached (the anonymous token is the same for everyone within the hour),
 * and a logged-in reader's token is useless to anyone else.
 */
@Injectable()
export class PageGuard implements CanActivate {
  private readonly key: Buffer;
  private readonly cookieName: string;
  private readonly origin: string;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly auth: AuthService,
  ) {
    this.key = formTokenKey(config.jwtSecret);
    this.cookieName = sessionCookieName(secureCookies(config));
    this.origin = new URL(config.publicUrl).origin;
  }

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<PageRequest>();
    const cookie = readCookie(request.headers.cookie, this.cookieName);
    // The pages never take a Bearer token: only their own cookie (the API guard may have read a header).
    request.user = cookie ? ((await this.auth.browserSessionUser(cookie)) ?? undefined) : undefined;
    request.caller = undefined;
    const caller = callerOf(request);
    const query = request.query as Record<string, unknown>;
    const { locale, explicit } = chooseLocale(query.lang ?? (request.body as Record<string, unknown> | undefined)?.lang, request.headers['accept-language']);
    const binding = caller.user?.sessionId ?? 'anonymous';
    request.page = { caller, user: caller.user, t: new Translator(locale, explicit), csrf: formTokenAt(this.key, binding, Date.now()), embed: query.embed === '1', url: request.url };
    if (request.method === 'POST' && !(this.sameOrigin(request) && this.validToken(binding, formToken(request)))) {
      throw new FormRefused();
    }
    return true;
  }

  /** Browsers say where a request comes from; a request from another site is refused whatever it carries. */
  private sameOrigin(request: FastifyRequest): boolean {
    const site = request.headers['sec-fetch-site'];
    if (typeof site === 'string') return site === 'same-origin';
    const origin = request.headers.origin;
    // `null` is what a browser sends under `Referrer-Policy: no-referrer` when it has no Sec-Fetch-Site; the token still decides.
    return typeof origin !== 'string' || origin === 'null' || origin === this.origin;
  }

  private validToken(binding: string, token: unknown): boolean {
    if (typeof token !== 'string' || token.length > 100) return false;
    const [hour, mac] = token.split('.');
    if (!hour || !mac || !/^[0-9a-z]{1,10}$/.test(hour)) return false;
    const issued = parseInt(hour, 36) * 3600_000;
    if (Date.now() - issued > FORM_TTL_MS || issued - Date.now() > 3600_000) return false;
    const expected = Buffer.from(formMac(this.key, binding, hour));
    const given = Buffer.from(mac);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }

  /** Starts the reader's cookie session after a login on a page: HttpOnly, SameSite=Lax, Secure (and `__Host-`) over HTTPS. */
  setSession(reply: FastifyReply, value: string): void {
    void reply.header('set-cookie', this.cookie(value, BROWSER_SESSION_SECONDS));
  }

  clearSession(reply: FastifyReply): void {
    void reply.header('set-cookie', this.cookie('', 0));
  }

  private cookie(value: string, maxAge: number): string {
    const secure = this.cookieName.startsWith('__Host-') ? '; Secure' : '';
    return `${this.cookieName}=${value}; Path=/; Max-Age=${maxAge}; HttpOnly; SameSite=Lax${secure}`;
  }
}

/** `@Page() page: PageContext` in a page handler (PageGuard made it). */
export const Page = createParamDecorator((_data: unknown, ctx: ExecutionContext): PageContext => {
  const page = ctx.switchToHttp().getRequest<PageRequest>().page;
  if (!page) throw new Error('PageGuard did not run on this route');
  return page;
});
