import fc from 'fast-check';

import { attack, type PartnerAnswer } from '../../test/support/disclosure';
import { MEMBERSHIP_STATUSES, type MembershipStatus } from './membership.entity';
import { protectPartner, protectReferrals, protectTurnout, type ExactStats } from './stats-suppression';

interface Person {
  status: MembershipStatus;
  region: string | null;
  month: string | null;
}

/** The exact counts of a population of people with one membership each, as MemberStatsService counts them. */
function countsOf(people: Person[]): ExactStats {
  const tally = <K>(keys: K[]) => {
    const m = new Map<K, number>();
    for (const k of keys) m.set(k, (m.get(k) ?? 0) + 1);
    return [...m].sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : String(a) < String(b) ? -1 : 1));
  };
  return {
    total: people.length,
    byStatus: Object.fromEntries(MEMBERSHIP_STATUSES.map((s) => [s, people.filter((p) => p.status === s).length])) as Record<MembershipStatus, number>,
    byRegion: tally(people.filter((p) => p.status === 'active').map((p) => p.region)).map(([region, count]) => ({ region, count })),
    growth: tally(people.filter((p) => p.month !== null).map((p) => p.month!)).map(([month, joined]) => ({ month, joined })),
  };
}

const people = (n: number, person: Partial<Person>): Person[] => Array.from({ length: n }, () => ({ status: 'active', region: 'Lima', month: '2026-01', ...person }));

/** The rule before the fix: each count under 5 shown as "<5", nothing else. */
const naive = (e: ExactStats): PartnerAnswer => {
  const show = (n: number) => (n < 5 ? '<5' : n);
  return {
    total: show(e.total),
    byStatus: Object.fromEntries(Object.entries(e.byStatus).map(([s, n]) => [s, show(n)])),
    byRegion: e.byRegion.map((r) => ({ region: r.region, count: show(r.count) })),
    growth: e.growth.map((g) => ({ month: g.month, joined: show(g.joined) })),
  };
};

describe('coalition statistics: suppression', () => {
  it('the attack finds what the old rule gave away: one member in Tumbes, by active minus the regions shown', () => {
    const exact = countsOf([...people(20, {}), ...people(10, { region: 'Cusco' }), ...people(1, { region: 'Tumbes' })]);
    expect(attack(naive(exact))).toContainEqual({ cells: ['byRegion.Tumbes'], value: 1 });
    expect(attack(protectPartner(exact))).toEqual([]);
  });

  it('withholds the smallest other region beside a small one, and says so', () => {
    const exact = countsOf([...people(20, {}), ...people(10, { region: 'Cusco' }), ...people(1, { region: 'Tumbes' })]);
    expect(protectPartner(exact)).toEqual({
      total: 31,
      byStatus: { applied: '<5', active: 31, suspended: '<5', lapsed: '<5', resigned: '<5', expelled: '<5' },
      byRegion: [
        { region: 'Cusco', count: 'suppressed' },
        { region: 'Lima', count: 20 },
        { region: 'Tumbes', count: '<5' },
      ],
      growth: [{ month: '2026-01', joined: 31 }],
    });
  });

  it('withholds the total when only it and the active members would be left to difference a small status', () => {
    const exact = countsOf([...people(30, {}), ...people(2, { status: 'applied', month: null })]);
    // The statuses other than active hold 2 people together, and the two without a join date are 2 too.
    expect(attack(naive(exact))).toContainEqual({ cells: ['byStatus.applied', 'byStatus.suspended', 'byStatus.lapsed', 'byStatus.resigned', 'byStatus.expelled'], value: 2 });
    const shown = protectPartner(exact);
    expect(shown.total).toBe('suppressed');
    expect(shown.byStatus).toMatchObject({ active: 30, applied: '<5' });
    expect(shown.byRegion).toEqual([{ region: 'Lima', count: 30 }]);
    expect(attack(shown)).toEqual([]);
  });

  it('does not let five small regions of one member each be read off as ones', () => {
    const exact = countsOf([...people(40, {}), ...['Tumbes', 'Puno', 'Moquegua', 'Pasco', 'Tacna'].flatMap((region) => people(1, { region })), ...people(8, { region: 'Cusco' })]);
    expect(attack(naive(exact)).filter((f) => f.cells.length === 1 && f.value === 1)).toHaveLength(5);
    expect(attack(protectPartner(exact))).toEqual([]);
  });

  it('shows under 5 people as "<5" only, with no region or month listed', () => {
    expect(protectPartner(countsOf(people(4, { region: 'Tumbes' })))).toEqual({
      total: '<5',
      byStatus: { applied: '<5', active: '<5', suspended: '<5', lapsed: '<5', resigned: '<5', expelled: '<5' },
      byRegion: [],
      growth: [],
    });
  });

  it('over random populations: no count under 5 can be worked out, and every number shown is exact', () => {
    const person = fc.record<Person>({
      status: fc.constantFrom<MembershipStatus>('active', 'active', 'active', 'active', 'applied', 'suspended', 'lapsed', 'resigned', 'expelled'),
      region: fc.constantFrom('Lima', 'Lima', 'Cusco', 'Tumbes', 'Puno', null),
      month: fc.constantFrom('2025-11', '2025-12', '2026-01', '2026-01', null),
    });
    fc.assert(
      fc.property(fc.array(person, { maxLength: 45 }), (population) => {
        const exact = countsOf(population);
        const shown = protectPartner(exact);
        expect(attack(shown)).toEqual([]);
        const agrees = (s: unknown, n: number) => (typeof s === 'number' ? s === n : s === '<5' ? n < 5 : s === 'suppressed' && n >= 5);
        expect(agrees(shown.total, exact.total)).toBe(true);
        for (const s of MEMBERSHIP_STATUSES) expect(agrees(shown.byStatus[s], exact.byStatus[s])).toBe(true);
        if (shown.byRegion.length) expect(shown.byRegion.every((r, i) => r.region === exact.byRegion[i].region && agrees(r.count, exact.byRegion[i].count))).toBe(true);
        if (shown.growth.length) expect(shown.growth.every((g, i) => g.month === exact.growth[i].month && agrees(g.joined, exact.growth[i].joined))).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe('protectTurnout (coalition turnout per partner)', () => {
  it('shows counts of 5 and more, "<5" under it, and withholds what would give a small count away', () => {
    expect(protectTurnout({ going: 40, attended: 30, noShow: 10 })).toEqual({ going: 40, attended: 30, noShow: 10 });
    expect(protectTurnout({ going: 12, attended: 9, noShow: 3 })).toEqual({ going: 12, attended: 'suppressed', noShow: '<5' });
    expect(protectTurnout({ going: 4, attended: 4, noShow: 0 })).toEqual({ going: '<5', attended: '<5', noShow: '<5' });
    // Nobody came: shown as "<5" like any count under 5; that it is 0 follows, and names no one (the rule protects 1 to 4).
    expect(protectTurnout({ going: 20, attended: 0, noShow: 20 })).toEqual({ going: 20, attended: '<5', noShow: 20 });
  });

  it('never lets a count of 1 to 4 be read or worked out from what it shows', () => {
    fc.assert(
      fc.property(fc.nat(60), fc.nat(60), (attended, noShow) => {
        const shown = protectTurnout({ going: attended + noShow, attended, noShow });
        const cells = [shown.attended, shown.noShow];
        for (const c of [shown.going, ...cells]) if (typeof c === 'number') expect(c >= 5 || c === 0).toBe(true);
        // With the total and one cell shown, the other is their difference: it must not be 1 to 4.
        if (typeof shown.going === 'number') {
          for (const [i, c] of cells.entries()) {
            const other = cells[1 - i];
            if (typeof c === 'number' && typeof other !== 'number') expect([1, 2, 3, 4]).not.toContain(shown.going - c);
          }
        }
      }),
    );
  });
});

describe('protectReferrals (a promoter’s referrals to another host’s event)', () => {
  it('shows counts of 5 and more, "<5" under it, and withholds what would give a small count away', () => {
    expect(protectReferrals({ going: 20, waitlisted: 6, attended: 9, noShow: 5 })).toEqual({ signups: 40, going: 20, waitlisted: 6, attended: 9, noShow: 5 });
    expect(protectReferrals({ going: 3, waitlisted: 0, attended: 0, noShow: 0 })).toEqual({ signups: '<5', going: '<5', waitlisted: '<5', attended: '<5', noShow: '<5' });
    // 12 signups, 10 going: the other three add up to 2 — so going is withheld.
    expect(protectReferrals({ going: 10, waitlisted: 2, attended: 0, noShow: 0 })).toEqual({ signups: 12, going: 'suppressed', waitlisted: '<5', attended: '<5', noShow: '<5' });
  });

  it('never lets a count of 1 to 4, or a sum of hidden counts, be worked out from what it shows', () => {
    const MAX = 25;
    fc.assert(
      fc.property(fc.nat(MAX), fc.nat(MAX), fc.nat(MAX), fc.nat(MAX), (going, waitlisted, attended, noShow) => {
        const shown = protectReferrals({ going, waitlisted, attended, noShow });
        const cells = [shown.going, shown.waitlisted, shown.attended, shown.noShow];
        for (const c of [shown.signups, ...cells]) if (typeof c === 'number') expect(c >= 5 || c === 0).toBe(true);
        // The reader knows the rule: a withheld cell is at least 5 and no larger than the smallest number shown.
        const numbers = cells.filter((c): c is number => typeof c === 'number');
        const ceiling = numbers.length ? Math.min(...numbers) : MAX * 4;
        const ranges = cells.map((c) => (c === '<5' ? [0, 4] : c === 'suppressed' ? [5, ceiling] : [c, c]));
        const hidden = cells.map((c, i) => (typeof c === 'number' ? -1 : i)).filter((i) => i >= 0);
        // Every filling of the hidden cells that agrees with what is shown.
        const fillings: number[][] = [];
        const fill = (i: number, acc: number[]) => {
          if (i === 4) {
            if (typeof shown.signups !== 'number' || acc.reduce((a, b) => a + b, 0) === shown.signups) fillings.push(acc);
            return;
          }
          for (let v = ranges[i][0]; v <= ranges[i][1]; v++) fill(i + 1, [...acc, v]);
        };
        fill(0, []);
        // No selection of hidden cells has the same sum, 1 to 4, in every filling.
        for (let mask = 1; mask < 1 << hidden.length; mask++) {
          const sums = new Set(fillings.map((f) => hidden.filter((_, k) => mask & (1 << k)).reduce((a, i) => a + f[i], 0)));
          if (sums.size === 1) expect([1, 2, 3, 4]).not.toContain([...sums][0]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
