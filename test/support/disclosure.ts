/**
 * The differencing attack on the coalition statistics, by brute force: given
 * one partner's answer, list every count under 5 a reader can work out.
 *
 * The reader knows how the breakdowns add up — the statuses to the total
 * (each person has one status here), the regions to the active members, the
 * months plus the people with no join date to the total — and reads `"<5"`
 * as 0–4 (1–4 for a listed region or month) and `"suppressed"` as 5 or more.
 * They try every set of hidden counts that fits all of that at once; a hidden
 * cell, or a sum of hidden cells of one breakdown, that comes out the same
 * in every one of them, and is 1 to 4, is a finding. (Empty lists say
 * nothing: the reader cannot tell withheld from none.)
 *
 * Independent of src/members/stats-suppression.ts on purpose: it enumerates
 * instead of reasoning about bounds, and knows nothing of how cells were
 * chosen.
 */
export type Shown = number | '<5' | 'suppressed';

export interface PartnerAnswer {
  total: Shown;
  byStatus: Record<string, Shown>;
  byRegion: { region: string | null; count: Shown }[];
  growth: { month: string; joined: Shown }[];
}

export interface Finding {
  cells: string[];
  value: number;
}

interface Cell {
  name: string;
  lo: number;
  hi: number;
  /** Shown as a number (or fixed by the caller): not one of the hidden cells. */
  shown: boolean;
}

/** Cells of `"suppressed"` are at most this (the populations tested are far smaller). */
const CAP = 150;

function range(name: string, shown: Shown, least: number): Cell {
  if (typeof shown === 'number') return { name, lo: shown, hi: shown, shown: true };
  return shown === '<5' ? { name, lo: least, hi: 4, shown: false } : { name, lo: 5, hi: CAP, shown: false };
}

/** Per subset (bitmask) of the cells that can hold under 5: the least and the most it held over all assignments seen. */
class Extremes {
  readonly min: number[];
  readonly max: number[];
  constructor(readonly cells: Cell[]) {
    this.min = new Array<number>(1 << cells.length).fill(Infinity);
    this.max = new Array<number>(1 << cells.length).fill(-Infinity);
  }
  merge(other: Extremes): void {
    for (let m = 1; m < this.min.length; m++) {
      this.min[m] = Math.min(this.min[m], other.min[m]);
      this.max[m] = Math.max(this.max[m], other.max[m]);
    }
  }
  findings(): Finding[] {
    const out: Finding[] = [];
    for (let m = 1; m < this.min.length; m++) {
      if (this.min[m] === this.max[m] && this.min[m] >= 1 && this.min[m] <= 4) out.push({ cells: this.cells.filter((_, i) => m & (1 << i)).map((c) => c.name), value: this.min[m] });
    }
    return out;
  }
}

/**
 * Every assignment of `cells` within their ranges adding up to `sum`; the
 * extremes of each subset of the hidden cells that can hold under 5, or null
 * if no assignment fits.
 */
function solve(cells: Cell[], sum: number): Extremes | null {
  const hidden = cells.filter((c) => !c.shown);
  const shownSum = cells.filter((c) => c.shown).reduce((s, c) => s + c.lo, 0);
  const smallable = hidden.map((c, i) => ({ c, i })).filter(({ c }) => c.lo < 5);
  const ext = new Extremes(smallable.map(({ c }) => c));
  const restLo = hidden.map((_, i) => hidden.slice(i).reduce((s, c) => s + c.lo, 0)).concat(0);
  const restHi = hidden.map((_, i) => hidden.slice(i).reduce((s, c) => s + c.hi, 0)).concat(0);
  const values = new Array<number>(hidden.length).fill(0);
  const sums = new Array<number>(1 << smallable.length).fill(0);
  let feasible = false;
  const walk = (i: number, left: number) => {
    if (i === hidden.length) {
      if (left !== 0) return;
      feasible = true;
      for (let m = 1; m < sums.length; m++) {
        const low = 31 - Math.clz32(m & -m);
        sums[m] = sums[m & (m - 1)] + values[smallable[low].i];
        if (sums[m] < ext.min[m]) ext.min[m] = sums[m];
        if (sums[m] > ext.max[m]) ext.max[m] = sums[m];
      }
      return;
    }
    const c = hidden[i];
    for (let v = Math.max(c.lo, left - restHi[i + 1]); v <= Math.min(c.hi, left - restLo[i + 1]); v++) {
      values[i] = v;
      walk(i + 1, left - v);
    }
  };
  walk(0, sum - shownSum);
  return feasible ? ext : null;
}

/** Every count under 5 that can be worked out from one partner's answer. */
export function attack(answer: PartnerAnswer): Finding[] {
  const total = range('total', answer.total, 0);
  const active = range('byStatus.active', answer.byStatus.active, 0);
  const statusCells = Object.entries(answer.byStatus).map(([s, n]) => range(`byStatus.${s}`, n, 0));
  const regionCells = answer.byRegion.map((r) => range(`byRegion.${r.region}`, r.count, 1));
  const growthCells = answer.growth.map((g) => range(`growth.${g.month}`, g.joined, 1));
  let byStatus: Extremes | null = null;
  let byRegion: Extremes | null = null;
  let growth: Extremes | null = null;
  const seen = { t: new Set<number>(), a: new Set<number>() };
  for (let t = total.lo; t <= total.hi; t++) {
    for (let a = active.lo; a <= Math.min(active.hi, t); a++) {
      const s = solve(
        statusCells.map((c) => (c.name === active.name ? { ...c, lo: a, hi: a, shown: true } : c)),
        t,
      );
      const r = regionCells.length ? solve(regionCells, a) : null;
      const g = growthCells.length ? solve([...growthCells, { name: 'no join date', lo: 0, hi: t, shown: false }], t) : null;
      if (!s || (regionCells.length && !r) || (growthCells.length && !g)) continue;
      if (byStatus) byStatus.merge(s);
      else byStatus = s;
      if (r) {
        if (byRegion) byRegion.merge(r);
        else byRegion = r;
      }
      if (g) {
        if (growth) growth.merge(g);
        else growth = g;
      }
      seen.t.add(t);
      seen.a.add(a);
    }
  }
  const pinned = [
    ...([
      [total, seen.t],
      [active, seen.a],
    ] as const),
  ].filter(([c, values]) => !c.shown && values.size === 1 && [...values][0] >= 1 && [...values][0] <= 4);
  return [...pinned.map(([c, values]) => ({ cells: [c.name], value: [...values][0] })), ...[byStatus, byRegion, growth].flatMap((e) => e?.findings() ?? [])];
}
