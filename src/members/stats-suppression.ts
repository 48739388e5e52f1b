import type { Count, MemberStats } from './members.views';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from './membership.entity';

/**
 * Statistical disclosure control for the coalition statistics
 * (GET /coalitions/:id/stats): what a coordinator is shown of a partner's
 * exact counts, so that no count of 1 to 4 people — one cell, or any sum of
 * cells the answer hides — can be read or worked out from it.
 *
 * Three breakdowns add up to something, and are protected each against what
 * it adds up to:
 * - `byStatus` adds up to `total` (everyone has a status; a person counted
 *   under two statuses of two sub-organisations only makes the reader's sum
 *   wrong, never more exact);
 * - `byRegion` (active members only) adds up to `byStatus.active`;
 * - `growth` adds up to `total` minus the people with no join date (an
 *   unlisted cell of 0 or more, which is a group of people too).
 *
 * The rule, per breakdown:
 * 1. Primary suppression: a cell under 5 is shown as `"<5"` (0–4, or 1–4 for
 *    a listed region or month: only those with people are listed).
 * 2. Complementary suppression: while a reader who knows the breakdown's
 *    total, every cell shown, and what `"<5"` and `"suppressed"` say of a
 *    cell could pin down some hidden cell or sum of hidden cells as 1 to 4
 *    (`disclosive`), the smallest cell still shown is withheld too, as
 *    `"suppressed"` (at least 5). A status of `active` is never withheld for
 *    another: its regions would go with it.
 * 3. When nothing is left to withhold, the breakdown's total goes instead:
 *    `total` becomes `"suppressed"` (for `byStatus`), or the breakdown is
 *    left out (`byRegion`, `growth`: an empty list).
 * - A partner with fewer than 5 people shows `"<5"` everywhere and lists no
 *   region or month (how many rows there are would bound the total).
 * - `byRegion` is listed only when `byStatus.active` is shown as a number:
 *   it would otherwise add up to it.
 * - Zeros are not shown as 0 but as `"<5"`, like any count under 5, unless
 *   they are not listed at all (a region or month with no one).
 *
 * Each partner is protected on its own counts alone: the same partner shows
 * the same cells in every coalition, and the answer holds no sum over the
 * partners (a coalition-wide total would let the partners' hidden cells be
 * differenced out of it).
 */
export const SUPPRESS_BELOW = 5;
export const SMALL = '<5' as const;
export const SUPPRESSED = 'suppressed' as const;

/** A partner's exact counts, as counted in SQL. */
export interface ExactStats {
  total: number;
  byStatus: Record<MembershipStatus, number>;
  byRegion: { region: string | null; count: number }[];
  growth: { month: string; joined: number }[];
}

/** What a reader can tell of a cell they are not shown: it holds between `lo` and `hi` people (`hi` may be Infinity). */
export interface Bounds {
  lo: number;
  hi: number;
}

const small = (n: number) => n >= 1 && n < SUPPRESS_BELOW;

/** Whether some non-empty selection of `values` adds up to 1–4. */
function someSumIsSmall(values: number[]): boolean {
  let reachable = 1; // bit s set: some selection adds up to s (0 ≤ s ≤ 4)
  for (const v of values) if (v < SUPPRESS_BELOW) reachable |= (reachable << v) & 0b11111;
  return (reachable & 0b11110) !== 0;
}

/**
 * Whether someone who knows that the hidden cells of a breakdown add up to
 * `residual` (its total minus every cell shown), and each lies within its
 * bounds, can pin down one of them, or a sum of some of them, as 1 to 4.
 *
 * With one sum over cells known only within bounds, a selection of the cells
 * is pinned down exactly when (a) every cell outside it is pinned down itself
 * (its lower and upper bounds meet) — then the selection holds the residual
 * minus those; (b) the residual is the least the hidden cells can hold —
 * then each holds its least; (c) the residual is the most they can hold; or
 * (d) every cell of the selection is pinned down itself. Anywhere in between,
 * each selection can still be one more or one less.
 */
export function disclosive(residual: number, hidden: Bounds[]): boolean {
  const fixed = hidden.filter((b) => b.lo === b.hi).map((b) => b.lo);
  // (a) The residual minus any selection of the pinned-down cells (none: the hidden cells together).
  const fixedSums = new Set([0]);
  for (const v of fixed) for (const s of [...fixedSums]) if (s + v <= residual) fixedSums.add(s + v);
  for (const s of fixedSums) if (small(residual - s)) return true;
  const lo = hidden.reduce((sum, b) => sum + b.lo, 0);
  const hi = hidden.reduce((sum, b) => sum + b.hi, 0);
  // The reader's sum does not hold (people counted under two statuses): nothing follows from it.
  if (residual < lo || residual > hi) return false;
  if (residual === lo && someSumIsSmall(hidden.map((b) => b.lo))) return true; // (b)
  if (residual === hi && someSumIsSmall(hidden.map((b) => b.hi))) return true; // (c)
  return someSumIsSmall(fixed); // (d)
}

/** One breakdown of a partner's counts. */
interface Breakdown {
  values: number[];
  /** What a reader knows a `"<5"` cell holds at least: 1 for a listed region or month, 0 for a status. */
  least: 0 | 1;
  /** What the cells add up to, as shown; null when that is not shown (then nothing is to be worked out). */
  total: number | null;
  /** Hidden cells the breakdown always has besides its own (growth: the people with no join date). */
  unlisted?: Bounds[];
  /** Cells never withheld to protect others. */
  keep?: (index: number) => boolean;
}

/** The cells as shown, or null when withholding every cell that may be withheld still leaves a count of 1–4 to be worked out. */
export function protectBreakdown(b: Breakdown): Count[] | null {
  const shown: Count[] = b.values.map((v) => (v < SUPPRESS_BELOW ? SMALL : v));
  if (b.total === null) return shown;
  for (;;) {
    const candidates = b.values.map((_, i) => i).filter((i) => typeof shown[i] === 'number' && !b.keep?.(i));
    // Withheld cells are never larger than a cell that could have been withheld and is shown: a reader who knows the rule knows that too.
    const ceiling = Math.min(...candidates.map((i) => b.values[i]));
    const hidden: Bounds[] = [...(b.unlisted ?? [])];
    let residual = b.total;
    shown.forEach((s) => {
      if (s === SMALL) hidden.push({ lo: b.least, hi: SUPPRESS_BELOW - 1 });
      else if (s === SUPPRESSED) hidden.push({ lo: SUPPRESS_BELOW, hi: ceiling });
      else residual -= s;
    });
    if (!disclosive(residual, hidden)) return shown;
    if (!candidates.length) return null;
    const next = candidates.reduce((a, i) => (b.values[i] < b.values[a] ? i : a));
    shown[next] = SUPPRESSED;
  }
}

/** What a coordinator is shown of a partner's exact counts (the rule above). */
export function protectPartner(exact: ExactStats): MemberStats {
  const statuses = MEMBERSHIP_STATUSES;
  if (exact.total < SUPPRESS_BELOW) {
    return { total: SMALL, byStatus: Object.fromEntries(statuses.map((s) => [s, SMALL])) as Record<MembershipStatus, Count>, byRegion: [], growth: [] };
  }
  const statusValues = statuses.map((s) => exact.byStatus[s]);
  const keepActive = (i: number) => statuses[i] === 'active';
  let total: Count = exact.total;
  let statusCells = protectBreakdown({ values: statusValues, least: 0, total, keep: keepActive });
  if (!statusCells) {
    total = SUPPRESSED;
    statusCells = protectBreakdown({ values: statusValues, least: 0, total: null })!;
  }
  const active = statusCells[statuses.indexOf('active')];
  const regionCells = typeof active === 'number' ? protectBreakdown({ values: exact.byRegion.map((r) => r.count), least: 1, total: active }) : null;
  const growthCells = protectBreakdown({
    values: exact.growth.map((g) => g.joined),
    least: 1,
    total: typeof total === 'number' ? total : null,
    unlisted: [{ lo: 0, hi: Infinity }],
  });
  return {
    total,
    byStatus: Object.fromEntries(statuses.map((s, i) => [s, statusCells[i]])) as Record<MembershipStatus, Count>,
    byRegion: regionCells ? exact.byRegion.map((r, i) => ({ region: r.region, count: regionCells[i] })) : [],
    growth: growthCells ? exact.growth.map((g, i) => ({ month: g.month, joined: growthCells[i] })) : [],
  };
}

/** A partner's turnout at a coalition's events, exact: seats held at the end = checked in + never came. */
export interface ExactTurnout {
  going: number;
  attended: number;
  noShow: number;
}

/**
 * What a coordinator is shown of a partner's turnout (GET
 * /coalitions/:id/turnout), by the same rule as the member statistics:
 * `attended` and `noShow` add up to `going`, so they are one breakdown
 * protected against that total (a count under 5 as `"<5"`, any cell that
 * would let one be worked out withheld as `"suppressed"`, else `going`
 * itself); fewer than 5 people holding seats shows `"<5"` everywhere. Each
 * partner alone, and no sum over the partners: nothing to difference.
 */
export function protectTurnout(exact: ExactTurnout): { going: Count; attended: Count; noShow: Count } {
  if (exact.going < SUPPRESS_BELOW) return { going: SMALL, attended: SMALL, noShow: SMALL };
  const values = [exact.attended, exact.noShow];
  let going: Count = exact.going;
  let cells = protectBreakdown({ values, least: 0, total: going });
  if (!cells) {
    going = SUPPRESSED;
    cells = protectBreakdown({ values, least: 0, total: null })!;
  }
  return { going, attended: cells[0], noShow: cells[1] };
}

/** A promoter's referrals to one event, exact: the signups made through its links, by their status now (issue 22). */
export interface ExactReferrals {
  going: number;
  waitlisted: number;
  attended: number;
  noShow: number;
}

/**
 * What a promoter is shown of its own referrals to another host's event
 * (GET /events/:id/promotions/stats), by the same rule: the four statuses
 * add up to `signups`, so they are one breakdown protected against that
 * total (a count under 5 as `"<5"`, any count that would let one be worked
 * out withheld as `"suppressed"`, else `signups` itself); fewer than 5
 * referrals show `"<5"` everywhere. Each promoter alone, and never the people.
 */
export function protectReferrals(exact: ExactReferrals): { signups: Count; going: Count; waitlisted: Count; attended: Count; noShow: Count } {
  const values = [exact.going, exact.waitlisted, exact.attended, exact.noShow];
  const total = values.reduce((a, b) => a + b, 0);
  if (total < SUPPRESS_BELOW) return { signups: SMALL, going: SMALL, waitlisted: SMALL, attended: SMALL, noShow: SMALL };
  let signups: Count = total;
  let cells = protectBreakdown({ values, least: 0, total });
  if (!cells) {
    signups = SUPPRESSED;
    cells = protectBreakdown({ values, least: 0, total: null })!;
  }
  return { signups, going: cells[0], waitlisted: cells[1], attended: cells[2], noShow: cells[3] };
}
