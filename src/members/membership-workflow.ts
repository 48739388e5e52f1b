import type { MembershipStatus } from './membership.entity';

/**
 * What an org_admin may change a membership's status to. `resigned` and
 * `expelled` are final: a person who comes back applies again (the row, and
 * its history in the audit log, stay).
 */
export const TRANSITIONS: Record<MembershipStatus, readonly MembershipStatus[]> = {
  applied: ['active', 'resigned'],
  active: ['suspended', 'lapsed', 'resigned', 'expelled'],
  suspended: ['active', 'resigned', 'expelled'],
  lapsed: ['active', 'resigned'],
  resigned: [],
  expelled: [],
};

/** Statuses after which the membership has ended (`endedOn` is set). */
export const ENDED_STATUSES: readonly MembershipStatus[] = ['lapsed', 'resigned', 'expelled'];

/**
 * The statuses an erasure leaves as they are (final ones); every other
 * membership of the erased person ends as `resigned` — a lapsed one too.
 */
export const KEPT_BY_ERASURE: readonly MembershipStatus[] = ENDED_STATUSES.filter((s) => s !== 'lapsed');

/** Null when a membership may go from `from` to `to`; otherwise the 409's detail. */
export function transitionError(from: MembershipStatus, to: MembershipStatus): string | null {
  if (from === to || TRANSITIONS[from].includes(to)) return null;
  const allowed = TRANSITIONS[from];
  return `A membership cannot go from ${from} to ${to}${allowed.length ? ` (allowed: ${allowed.join(', ')})` : ` (${from} is final)`}.`;
}

/**
 * The dates a status change sets: becoming active keeps (or sets, to
 * `today`) the joining date and clears the end; ending sets the end to
 * `today`; other moves leave the dates alone.
 */
export function datesOnStatus(to: MembershipStatus, dates: { joinedOn: string | null; endedOn: string | null }, today: string): { joinedOn: string | null; endedOn: string | null } {
  if (to === 'active') return { joinedOn: dates.joinedOn ?? today, endedOn: null };
  if (ENDED_STATUSES.includes(to)) return { joinedOn: dates.joinedOn, endedOn: today };
  return dates;
}
