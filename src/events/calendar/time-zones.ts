import type { ICalTemporalInstantStub, ICalTemporalPlainDateStub, ICalTemporalPlainDateTimeStub, ICalTemporalZonedDateTimeStub } from 'ical-generator';

/**
 * Time-zone arithmetic from the runtime's own tz database (Intl), so that
 * calendar feeds carry correct local times and a VTIMEZONE for any IANA zone
 * without a second tz database to keep up to date.
 */

const wallFormatters = new Map<string, Intl.DateTimeFormat>();
const offsetFormatters = new Map<string, Intl.DateTimeFormat>();

function wallFormatter(timeZone: string): Intl.DateTimeFormat {
  let f = wallFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
    wallFormatters.set(timeZone, f);
  }
  return f;
}

export interface WallTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The wall-clock time in `timeZone` at the instant `date`. */
export function wallTime(date: Date, timeZone: string): WallTime {
  const parts: Record<string, number> = {};
  for (const p of wallFormatter(timeZone).formatToParts(date)) if (p.type !== 'literal') parts[p.type] = Number(p.value);
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour, minute: parts.minute, second: parts.second };
}

/** Offset from UTC in minutes (Lima: -300) at the instant `date`. */
export function utcOffsetMinutes(date: Date, timeZone: string): number {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
    offsetFormatters.set(timeZone, f);
  }
  const name = f.formatToParts(date).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /^GMT([+-])(\d{2}):?(\d{2})?(?::?(\d{2}))?$/.exec(name);
  if (!m) return 0; // "GMT": UTC itself
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

function basic(w: WallTime): string {
  return `${pad(w.year, 4)}${pad(w.month)}${pad(w.day)}T${pad(w.hour)}${pad(w.minute)}${pad(w.second)}`;
}

/** The instant at which `timeZone`'s clocks show `w` (the later one in a repeated hour). */
function instantOfWall(w: WallTime, timeZone: string): Date {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  let guess = asUtc - utcOffsetMinutes(new Date(asUtc), timeZone) * 60_000;
  guess = asUtc - utcOffsetMinutes(new Date(guess), timeZone) * 60_000;
  return new Date(guess);
}

function plainDateTime(date: Date, timeZone: string): ICalTemporalPlainDateTimeStub {
  const w = wallTime(date, timeZone);
  const iso = `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}`;
  const plainDate: ICalTemporalPlainDateStub = { year: w.year, month: w.month, day: w.day, toJSON: () => iso.slice(0, 10), toString: () => iso.slice(0, 10) };
  return {
    ...w,
    toJSON: () => iso,
    toString: () => iso,
    toPlainDate: () => plainDate,
    toZonedDateTime: (other) => zonedDateTime(other === timeZone ? date : instantOfWall(w, other), other),
  };
}

/**
 * An instant seen in an IANA zone, shaped as the Temporal.ZonedDateTime that
 * ical-generator accepts: with the event's TZID it renders the local time of
 * that zone (a native Date would render the server's local time).
 */
export function zonedDateTime(date: Date, timeZone: string): ICalTemporalZonedDateTimeStub {
  const w = wallTime(date, timeZone);
  const instant: ICalTemporalInstantStub = {
    epochMilliseconds: date.getTime(),
    toJSON: () => date.toISOString(),
    toString: () => date.toISOString(),
    toZonedDateTimeISO: (other) => zonedDateTime(date, other),
  };
  return {
    ...w,
    timeZoneId: timeZone,
    toInstant: () => instant,
    toPlainDateTime: () => plainDateTime(date, timeZone),
    withTimeZone: (other) => zonedDateTime(date, other),
    toJSON: () => `${date.toISOString()}[${timeZone}]`,
    toString: () => `${date.toISOString()}[${timeZone}]`,
  };
}

function offsetText(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `${sign}${pad(Math.floor(abs / 60))}${pad(abs % 60)}`;
}

const DAY_MS = 86_400_000;
const cache = new Map<string, string>();

/**
 * An RFC 5545 VTIMEZONE for `timeZone` covering the years `fromYear` to
 * `toYear`: one observance for the offset in force at the start, then one per
 * transition found in the range (each with its own DTSTART, no RRULE, which
 * is exact whatever the zone's rules were or will be in those years).
 */
export function vtimezone(timeZone: string, fromYear: number, toYear: number): string {
  const key = `${timeZone}|${fromYear}|${toYear}`;
  const hit = cache.get(key);
  if (hit) return hit;

  const start = Date.UTC(fromYear, 0, 1);
  const end = Date.UTC(toYear + 1, 0, 1);
  const observances: { at: number; from: number; to: number }[] = [];
  let previous = utcOffsetMinutes(new Date(start), timeZone);
  observances.push({ at: start, from: previous, to: previous });
  for (let t = start + DAY_MS; t <= end; t += DAY_MS) {
    const offset = utcOffsetMinutes(new Date(t), timeZone);
    if (offset === previous) continue;
    // Narrow the change down to the minute.
    let lo = t - DAY_MS;
    let hi = t;
    while (hi - lo > 60_000) {
      const mid = lo + Math.floor((hi - lo) / 120_000) * 60_000;
      if (utcOffsetMinutes(new Date(mid), timeZone) === previous) lo = mid;
      else hi = mid;
    }
    observances.push({ at: hi, from: previous, to: offset });
    previous = offset;
  }
  const standard = Math.min(...observances.map((o) => o.to));
  const lines = ['BEGIN:VTIMEZONE', `TZID:${timeZone}`];
  for (const o of observances) {
    const kind = o.to > standard ? 'DAYLIGHT' : 'STANDARD';
    // DTSTART of an observance is the local time of the onset, in the offset before it.
    const local = wallTime(new Date(o.at + o.from * 60_000), 'UTC');
    lines.push(`BEGIN:${kind}`, `DTSTART:${basic(local)}`, `TZOFFSETFROM:${offsetText(o.from)}`, `TZOFFSETTO:${offsetText(o.to)}`, `END:${kind}`);
  }
  lines.push('END:VTIMEZONE');
  const text = lines.join('\r\n');
  if (cache.size > 500) cache.clear();
  cache.set(key, text);
  return text;
}
