import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import MessageFormat, { type MessageFunction } from '@messageformat/core';

type PrimitiveType = string | number | boolean | null | undefined;

/**
 * The pages' languages: one JSON file per language in `locales/` (ICU
 * MessageFormat: plurals, selects, numbers), found at start. Spanish is the
 * default and the reference: every other file must carry all of its keys
 * (i18n.spec.ts), so a Quechua translation is one more file, `qu.json`.
 */
export const DEFAULT_LOCALE = 'es';
const LOCALES_DIR = join(__dirname, 'locales');

type Tree = { [key: string]: string | Tree };

function flatten(tree: Tree, prefix = '', out = new Map<string, string>()): Map<string, string> {
  for (const [key, value] of Object.entries(tree)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof value === 'string') out.set(path, value);
    else flatten(value, path, out);
  }
  return out;
}

/** Every language file, by its tag (the file name). */
export const CATALOGUES: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map(
  readdirSync(LOCALES_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => [f.slice(0, -'.json'.length), flatten(JSON.parse(readFileSync(join(LOCALES_DIR, f), 'utf8')) as Tree)]),
);
export const LOCALES = [...CATALOGUES.keys()];

/**
 * The language of a page: `?lang=` when it names one of ours, else the
 * first of `Accept-Language` we have (by quality, primary subtag), else
 * Spanish.
 */
export function chooseLocale(lang: unknown, acceptLanguage: string | undefined): { locale: string; explicit: boolean } {
  if (typeof lang === 'string' && CATALOGUES.has(lang)) return { locale: lang, explicit: true };
  const wanted = (acceptLanguage ?? '')
    .split(',')
    .slice(0, 20)
    .map((part, i) => {
      const [tag, ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)).find(Boolean);
      return { tag: tag.trim().toLowerCase().split('-')[0], q: q ? Number(q[1]) : 1, i };
    })
    .filter((w) => w.q > 0 && CATALOGUES.has(w.tag))
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return { locale: wanted[0]?.tag ?? DEFAULT_LOCALE, explicit: false };
}

const formatters = new Map<string, MessageFormat>();
const compiled = new Map<string, MessageFunction<'string'>>();

function formatter(locale: string): MessageFormat {
  let mf = formatters.get(locale);
  if (!mf) formatters.set(locale, (mf = new MessageFormat(locale)));
  return mf;
}

const dateTimeFormats = new Map<string, Intl.DateTimeFormat>();

/**
 * An `Intl.DateTimeFormat` made once per language, options and time zone,
 * then reused: making one costs some thirty times more than formatting with
 * it, and an event page wrote five dates and times (about a third of the
 * page's CPU when each made its own). The keys are bounded: the options come
 * from this code, the zones are checked IANA names (an unknown one throws
 * before anything is kept).
 */
export function dateTimeFormat(locale: string, options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${locale}\u0000${JSON.stringify(options)}`;
  let format = dateTimeFormats.get(key);
  if (!format) dateTimeFormats.set(key, (format = new Intl.DateTimeFormat(locale, options)));
  return format;
}

const listFormats = new Map<string, Intl.ListFormat>();

/** What a page writes with: messages, dates and numbers in one language. */
export class Translator {
  constructor(
    readonly locale: string,
    /** The language was chosen with `?lang=`: links keep it. */
    readonly explicit = false,
  ) {}

  /** The message `key` (dotted path in the language file), with its placeholders filled. A key missing here falls back to Spanish. */
  t(key: string, values?: Record<string, PrimitiveType>): string {
    const id = `${this.locale}\u0000${key}`;
    let format = compiled.get(id);
    if (!format) {
      const own = CATALOGUES.get(this.locale)?.get(key);
      const source = own ?? CATALOGUES.get(DEFAULT_LOCALE)?.get(key);
      if (source === undefined) throw new Error(`No message ${key}`);
      format = formatter(own === undefined ? DEFAULT_LOCALE : this.locale).compile(source);
      compiled.set(id, format);
    }
    return String(format(values ?? {}));
  }

  /** "sábado, 12 de diciembre de 2026": the date written out, in the event's time zone. */
  date(at: Date, timeZone: string): string {
    return dateTimeFormat(this.locale, { dateStyle: 'full', timeZone }).format(at);
  }

  time(at: Date, timeZone: string): string {
    return dateTimeFormat(this.locale, { timeStyle: 'short', timeZone }).format(at);
  }

  /** "18:00 – 20:00 (hora de Perú)" or across days "12 dic., 18:00 – 13 dic., 02:00 (…)". */
  timeRange(from: Date, to: Date, timeZone: string): string {
    const sameDay = this.date(from, timeZone) === this.date(to, timeZone);
    const range = dateTimeFormat(this.locale, sameDay ? { hour: 'numeric', minute: '2-digit', timeZone } : { dateStyle: 'medium', timeStyle: 'short', timeZone }).formatRange(from, to);
    const zone = dateTimeFormat(this.locale, { timeZone, timeZoneName: 'longGeneric' })
      .formatToParts(from)
      .find((p) => p.type === 'timeZoneName')?.value;
    return zone ? `${range} (${zone})` : range;
  }

  /** "A, B y C": a list of names joined as the language joins them. */
  list(items: string[]): string {
    let format = listFormats.get(this.locale);
    if (!format) listFormats.set(this.locale, (format = new Intl.ListFormat(this.locale, { type: 'conjunction' })));
    return format.format(items);
  }

  /** A link within the pages, keeping `?lang=` when the reader chose it. */
  href(path: string): string {
    if (!this.explicit) return path;
    return `${path}${path.includes('?') ? '&' : '?'}lang=${this.locale}`;
  }
}
