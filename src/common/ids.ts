import { UUID_PATTERN } from './dto-fields';

/** Organisations and coalitions answer to their id or their slug in paths. */
export function idOrSlugWhere(value: string): { id: string } | { slug: string } {
  return UUID_PATTERN.test(value) ? { id: value } : { slug: value.toLowerCase() };
}
