import type { FastifyReply } from 'fastify';
import type { VNode } from 'preact';
import { renderToString } from 'preact-render-to-string';

/**
 * How long a shared or browser cache may keep an anonymous public page: a
 * minute, so a published change or a filled seat shows soon, while a link
 * shared to a thousand phones at once mostly hits the cache.
 */
export const PUBLIC_MAX_AGE_SECONDS = 60;

export type PageCache = 'public' | 'private';

export interface PageOptions {
  status?: number;
  /** `public`: the same for every anonymous reader (cacheable briefly); `private`: personal or a form answer (never stored). */
  cache: PageCache;
  /** Origins allowed to show this page in an `<iframe>` (the organisation's embed list); none by default. */
  frameAncestors?: readonly string[];
  /**
   * The page's script talks to us (`connect-src 'self'`) and registers a
   * service worker of ours (`worker-src 'self'`): the door page only.
   */
  app?: boolean;
}

/**
 * The pages' Content-Security-Policy: nothing inline, nothing from another
 * host (a visit to a political event page is itself sensitive: no CDN, no
 * font, no map tile, no analytics), forms only to ourselves.
 */
export function contentSecurityPolicy(frameAncestors: readonly string[] = [], app = false): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    ...(app ? ["connect-src 'self'", "worker-src 'self'"] : []),
    "form-action 'self'",
    "base-uri 'none'",
    `frame-ancestors ${frameAncestors.length ? frameAncestors.join(' ') : "'none'"}`,
  ].join('; ');
}

/** The headers every page answers with (the API's are set first, in app.ts, and these replace them). */
export function pageHeaders(options: PageOptions): Record<string, string> {
  const embeddable = !!options.frameAncestors?.length;
  return {
    'content-type': 'text/html; charset=utf-8',
    'content-security-policy': contentSecurityPolicy(options.frameAncestors, options.app),
    // Links in pages can carry a token (manage, reset): no page ever tells another site where the reader came from.
    'referrer-policy': 'no-referrer',
    'cache-control': options.cache === 'public' ? `public, max-age=${PUBLIC_MAX_AGE_SECONDS}` : 'no-store',
    vary: 'Accept-Language, Cookie',
    // The older header for browsers without frame-ancestors; an embeddable page relies on the CSP alone.
    ...(embeddable ? {} : { 'x-frame-options': 'DENY' }),
  };
}

/** A page's HTML: `<!doctype html>` and the rendered tree. */
export const pageHtml = (page: VNode): string => `<!doctype html>${renderToString(page)}`;

/** Sends a page (`pageHtml`), with the page headers. */
export function sendPage(reply: FastifyReply, page: VNode, options: PageOptions): string {
  void reply.status(options.status ?? 200).headers(pageHeaders(options));
  if (options.frameAncestors?.length) reply.removeHeader('x-frame-options');
  return pageHtml(page);
}
