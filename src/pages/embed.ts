import { EMBED_ORIGIN_PATTERN } from '../organisations/dto/organisation.dto';
import type { PageContext } from './page-context';

/**
 * A page asked for with `?embed=1`: shown bare (no header, no footer) and
 * framable by the sites the hosting organisation lists, or — when it lists
 * none (or the page has no organisation: a coalition's event) — as the
 * ordinary page, which no site may frame. The origins are checked again
 * here, whatever the database holds: they go into a header as they are.
 */
export function embedding(page: PageContext, origins: readonly string[] | null | undefined): { page: PageContext; frameAncestors: string[] } {
  const allowed = page.embed ? (origins ?? []).filter((o) => EMBED_ORIGIN_PATTERN.test(o)) : [];
  return allowed.length ? { page, frameAncestors: allowed } : { page: page.embed ? { ...page, embed: false } : page, frameAncestors: [] };
}
