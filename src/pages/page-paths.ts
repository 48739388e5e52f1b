/**
 * The pages' paths, which the API's `/api/v1` prefix leaves alone (app.ts).
 * Each is a whole first segment that no API route starts with
 * (route-policy test), so excluding them can never move an API route.
 */
export const PAGE_PATHS = ['e/{*rest}', 'o/{*rest}', 'c/{*rest}', 'account{/*rest}', 'signups/manage{/*rest}', 'checkin/{*rest}', 'assets/{*rest}'];

/** Whether a request path is a page's (where form bodies are accepted). */
export function isPagePath(url: string): boolean {
  return /^\/(e|o|c|account|signups\/manage|checkin|assets)(\/|\?|$)/.test(url);
}

/** The old event link that e-mails and calendar files carried before the pages: answered with 301 to `/e/{id}`. */
export const LEGACY_EVENT_PATH = '/events/:id';
