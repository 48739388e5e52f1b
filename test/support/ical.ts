/**
 * A small, strict RFC 5545 reader for tests: it throws on anything a
 * calendar client could choke on (line endings and length, content-line
 * syntax, component nesting, required and single-valued properties, value
 * formats, TZIDs without their VTIMEZONE, unescaped TEXT), and can turn a
 * DTSTART;TZID=… back into an instant using the feed's own VTIMEZONE.
 */

export interface ICalProperty {
  name: string;
  params: Record<string, string>;
  value: string;
}

export interface ICalComponent {
  name: string;
  properties: ICalProperty[];
  components: ICalComponent[];
}

const NAME = /^(?:[A-Za-z0-9-]+)$/;
const UTC_DATE_TIME = /^\d{8}T\d{6}Z$/;
const LOCAL_DATE_TIME = /^\d{8}T\d{6}$/;
const OFFSET = /^[+-]\d{4}$/;
/** TEXT: backslash, semicolon and comma must be escaped (§3.3.11). */
const TEXT = /^(?:[^\\;,]|\\[\\;,nN])*$/;
const TEXT_PROPERTIES = ['SUMMARY', 'DESCRIPTION', 'LOCATION', 'NAME', 'X-WR-CALNAME', 'X-WR-CALDESC', 'COMMENT'];

class ICalError extends Error {}

function fail(message: string): never {
  throw new ICalError(`invalid iCalendar: ${message}`);
}

/** Splits `NAME;P=v;Q="a;b":value` respecting quoted parameter values. */
function parseLine(line: string, n: number): ICalProperty {
  let i = 0;
  const readName = () => {
    const start = i;
    while (i < line.length && /[A-Za-z0-9-]/.test(line[i])) i++;
    const name = line.slice(start, i);
    if (!NAME.test(name)) fail(`line ${n}: bad name in "${line}"`);
    return name;
  };
  const name = readName().toUpperCase();
  const params: Record<string, string> = {};
  while (line[i] === ';') {
    i++;
    const pname = readName().toUpperCase();
    if (line[i] !== '=') fail(`line ${n}: parameter ${pname} without "="`);
    i++;
    let value: string;
    if (line[i] === '"') {
      const end = line.indexOf('"', i + 1);
      if (end < 0) fail(`line ${n}: unterminated quoted parameter`);
      value = line.slice(i + 1, end);
      i = end + 1;
    } else {
      const start = i;
      while (i < line.length && !';:,"'.includes(line[i])) i++;
      value = line.slice(start, i);
    }
    while (line[i] === ',') {
      // multi-valued parameter: keep the first, skip the others
      i++;
      while (i < line.length && !';:'.includes(line[i])) i++;
    }
    params[pname] = value;
  }
  if (line[i] !== ':') fail(`line ${n}: expected ":" in "${line}"`);
  return { name, params, value: line.slice(i + 1) };
}

export function props(c: ICalComponent, name: string): ICalProperty[] {
  return c.properties.filter((p) => p.name === name);
}

export function prop(c: ICalComponent, name: string): ICalProperty | undefined {
  return props(c, name)[0];
}

export function children(c: ICalComponent, name: string): ICalComponent[] {
  return c.components.filter((x) => x.name === name);
}

function once(c: ICalComponent, name: string, required: boolean): ICalProperty | undefined {
  const found = props(c, name);
  if (found.length > 1) fail(`${c.name} has ${found.length} ${name}`);
  if (required && found.length === 0) fail(`${c.name} lacks ${name}`);
  return found[0];
}

function checkDateTime(c: ICalComponent, p: ICalProperty, zones: Set<string>): void {
  if (p.params.VALUE === 'DATE') {
    if (!/^\d{8}$/.test(p.value)) fail(`${c.name} ${p.name} is not a DATE: ${p.value}`);
    return;
  }
  if (p.params.TZID !== undefined) {
    if (!LOCAL_DATE_TIME.test(p.value)) fail(`${c.name} ${p.name};TZID must be a local date-time, got ${p.value}`);
    if (!zones.has(p.params.TZID)) fail(`${c.name} ${p.name} names TZID ${p.params.TZID} without a VTIMEZONE`);
  } else if (!UTC_DATE_TIME.test(p.value) && !LOCAL_DATE_TIME.test(p.value)) {
    fail(`${c.name} ${p.name} is not a date-time: ${p.value}`);
  }
}

function validate(cal: ICalComponent): void {
  if (cal.name !== 'VCALENDAR') fail(`top component is ${cal.name}`);
  if (once(cal, 'VERSION', true)!.value !== '2.0') fail('VERSION is not 2.0');
  once(cal, 'PRODID', true);
  const zones = new Set<string>();
  for (const tz of children(cal, 'VTIMEZONE')) {
    const id = once(tz, 'TZID', true)!.value;
    zones.add(id);
    const observances = tz.components.filter((x) => x.name === 'STANDARD' || x.name === 'DAYLIGHT');
    if (!observances.length || observances.length !== tz.components.length) fail(`VTIMEZONE ${id} needs STANDARD/DAYLIGHT components only`);
    for (const o of observances) {
      if (!LOCAL_DATE_TIME.test(once(o, 'DTSTART', true)!.value)) fail(`VTIMEZONE ${id} observance DTSTART must be local`);
      if (!OFFSET.test(once(o, 'TZOFFSETFROM', true)!.value) || !OFFSET.test(once(o, 'TZOFFSETTO', true)!.value)) fail(`VTIMEZONE ${id} has a bad offset`);
    }
  }
  for (const ev of children(cal, 'VEVENT')) {
    once(ev, 'UID', true);
    const stamp = once(ev, 'DTSTAMP', true)!;
    if (!UTC_DATE_TIME.test(stamp.value)) fail(`DTSTAMP must be UTC, got ${stamp.value}`);
    checkDateTime(ev, once(ev, 'DTSTART', true)!, zones);
    const end = once(ev, 'DTEND', false);
    if (end) checkDateTime(ev, end, zones);
    for (const name of ['CREATED', 'LAST-MODIFIED']) {
      const p = once(ev, name, false);
      if (p && !UTC_DATE_TIME.test(p.value)) fail(`${name} must be UTC, got ${p.value}`);
    }
    const status = once(ev, 'STATUS', false);
    if (status && !['TENTATIVE', 'CONFIRMED', 'CANCELLED'].includes(status.value)) fail(`VEVENT STATUS ${status.value}`);
    const seq = once(ev, 'SEQUENCE', false);
    if (seq && !/^\d+$/.test(seq.value)) fail(`SEQUENCE ${seq.value}`);
    const geo = once(ev, 'GEO', false);
    if (geo && !/^-?\d+(\.\d+)?;-?\d+(\.\d+)?$/.test(geo.value)) fail(`GEO ${geo.value}`);
    for (const name of ['SUMMARY', 'DESCRIPTION', 'LOCATION', 'URL', 'CLASS', 'TRANSP', 'UID']) if (props(ev, name).length > 1) fail(`VEVENT has several ${name}`);
  }
  const walk = (c: ICalComponent) => {
    for (const p of c.properties) if (TEXT_PROPERTIES.includes(p.name) && !TEXT.test(p.value)) fail(`${p.name} has unescaped TEXT: ${p.value}`);
    c.components.forEach(walk);
  };
  walk(cal);
}

/** Parses and validates; throws with the first violation found. */
export function parseICalendar(text: string): ICalComponent {
  if (!text.endsWith('\r\n')) fail('does not end with CRLF');
  const physical = text.slice(0, -2).split('\r\n');
  physical.forEach((l, i) => {
    if (l.includes('\n') || l.includes('\r')) fail(`line ${i + 1}: bare line break`);
    if (Buffer.byteLength(l, 'utf8') > 75) fail(`line ${i + 1} is ${Buffer.byteLength(l, 'utf8')} octets (max 75)`);
  });
  const logical: string[] = [];
  for (const l of physical) {
    if (l.startsWith(' ') || l.startsWith('\t')) {
      if (!logical.length) fail('continuation line first');
      logical[logical.length - 1] += l.slice(1);
    } else logical.push(l);
  }
  const stack: ICalComponent[] = [];
  let root: ICalComponent | null = null;
  logical.forEach((line, i) => {
    const p = parseLine(line, i + 1);
    if (p.name === 'BEGIN') {
      const c: ICalComponent = { name: p.value.toUpperCase(), properties: [], components: [] };
      if (stack.length) stack[stack.length - 1].components.push(c);
      else if (root) fail('more than one top-level component');
      else root = c;
      stack.push(c);
    } else if (p.name === 'END') {
      const c = stack.pop();
      if (!c || c.name !== p.value.toUpperCase()) fail(`END:${p.value} does not close ${c?.name ?? 'anything'}`);
    } else {
      if (!stack.length) fail(`property ${p.name} outside any component`);
      stack[stack.length - 1].properties.push(p);
    }
  });
  if (stack.length) fail(`${stack[stack.length - 1].name} not closed`);
  if (!root) fail('empty');
  validate(root);
  return root;
}

const local = (v: string) => Date.UTC(+v.slice(0, 4), +v.slice(4, 6) - 1, +v.slice(6, 8), +v.slice(9, 11), +v.slice(11, 13), +v.slice(13, 15));
const offsetMinutes = (v: string) => (v[0] === '-' ? -1 : 1) * (Number(v.slice(1, 3)) * 60 + Number(v.slice(3, 5)));

/** The instant of a DATE-TIME property, resolving a TZID with the calendar's VTIMEZONE (observance onsets as given). */
export function instantOf(cal: ICalComponent, p: ICalProperty): Date {
  if (p.value.endsWith('Z')) return new Date(local(p.value.slice(0, -1)));
  const tzid = p.params.TZID;
  if (!tzid) throw new Error(`${p.name} is a floating time`);
  const tz = children(cal, 'VTIMEZONE').find((z) => prop(z, 'TZID')!.value === tzid)!;
  const wall = local(p.value);
  const observances = tz.components
    .map((o) => ({ onset: local(prop(o, 'DTSTART')!.value), to: offsetMinutes(prop(o, 'TZOFFSETTO')!.value) }))
    .filter((o) => o.onset <= wall)
    .sort((a, b) => b.onset - a.onset);
  if (!observances.length) throw new Error(`no observance of ${tzid} covers ${p.value}`);
  return new Date(wall - observances[0].to * 60_000);
}
