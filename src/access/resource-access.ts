import { forbidden, notFound } from '../common/problem';
import type { Caller } from './caller';

/**
 * The one shape of object-level access, for every kind of resource (events,
 * members, campaigns, demands, pacts, …): for each thing one may do with
 * such a resource, one check that takes ids and answers the ones the caller
 * may do it to. A single read asks with one id; a list filters with the
 * same rule — the kind's visibility is written once, as the SQL predicate
 * its repository uses for both.
 *
 * Every kind has a `see` action: what the caller may not see does not exist
 * for them (404, the same answer as for an unknown id — nothing tells them
 * it is there). Other actions on what they do see answer 403.
 */
export interface ResourceAccess<A extends string> {
  allowed(caller: Caller, action: A | 'see', ids: readonly string[]): Promise<Set<string>>;
}

/**
 * Throws unless the caller may do `action` to `id`: 404 (`kind`, as any
 * unknown id) when they may not see it, 403 (`detail`) when they see it but
 * may not do this.
 */
export async function requireAccess<A extends string>(access: ResourceAccess<A>, caller: Caller, id: string, action: A | 'see', kind: string, detail?: string): Promise<void> {
  if (action !== 'see' && (await access.allowed(caller, action, [id])).has(id)) return;
  if (!(await access.allowed(caller, 'see', [id])).has(id)) throw notFound(kind);
  if (action !== 'see') throw forbidden(detail);
}
