import type { Tx } from '../database/transactions';
import { type DirectoryFilter, MemberSearchRepository } from './member-search.repository';

/*
 * TEMPORARY, for bench/run.ts only (outside the members module): its pg-loop
 * baseline still imports these four names. Once it calls
 * `new MemberSearchRepository().directoryPage(db, filter)` instead (issue 19
 * report), delete this file: nothing else may use it.
 */
const search = new MemberSearchRepository();

export const isBroadScope = (db: Tx, organisationIds: string[]): Promise<boolean> => search.isBroadScope(db, organisationIds);
export const expandSearch = (db: Tx, q: string): Promise<string[][]> => search.expandSearch(db, q);
export const commonWords = (db: Tx): Promise<Map<string, number>> => search.commonWords(db);

/** The directory statement for `f`, as the repository would run it (caught from its one `query` call, made synchronously). */
export function directorySql(f: DirectoryFilter): { text: string; values: unknown[] } {
  let statement: { text: string; values: unknown[] } | null = null;
  const catcher = {
    query: (text: string, values: unknown[]) => {
      statement = { text, values };
      return Promise.resolve([]);
    },
  };
  void search.directoryPage(catcher as unknown as Tx, f);
  if (!statement) throw new Error('the directory statement was not built synchronously');
  return statement;
}
