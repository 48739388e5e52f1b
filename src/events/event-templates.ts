import { registerTemplates, type Locale } from '../outbox/templates';
import { QR_PREFIX } from './check-in-codes';

/**
 * E-mail notices of the events module, Spanish (default) and English.
 * Payload fields (all strings): `name`, `title`, `startsAt`, `endsAt` (ISO),
 * `timezone`, `place` (empty when the recipient may not see the address),
 * `shift`, `status` (going|waitlisted), `reason`, `url` (the event page),
 * `manageUrl` (guests: the page to view or cancel, its token in the path),
 * `checkinToken` and `checkinCode` (a seat holder's check-in code: the QR
 * code and the short code; see CheckInCodes).
 * Times are formatted in the event's own time zone, in the reader's language.
 */
type Payload = Record<string, unknown>;
type Templates = Parameters<typeof registerTemplates>[0];

const s = (p: Payload, key: string): string => (typeof p[key] === 'string' ? p[key] : '');

const DATE_LOCALES: Record<Locale, string> = { es: 'es-PE', en: 'en-GB' };

export function formatWhen(p: Payload, locale: Locale): string {
  const start = new Date(s(p, 'startsAt'));
  const end = new Date(s(p, 'endsAt'));
  const timeZone = s(p, 'timezone') || 'America/Lima';
  if (Number.isNaN(start.getTime())) return '';
  const day = new Intl.DateTimeFormat(DATE_LOCALES[locale], { timeZone, dateStyle: 'full', timeStyle: 'short' }).format(start);
  const until = Number.isNaN(end.getTime()) ? '' : new Intl.DateTimeFormat(DATE_LOCALES[locale], { timeZone, timeStyle: 'short' }).format(end);
  return `${day}${until ? ` – ${until}` : ''} (${timeZone})`;
}

function details(p: Payload, locale: Locale): string[] {
  const es = locale === 'es';
  return [
    `${es ? 'Cuándo' : 'When'}: ${formatWhen(p, locale)}`,
    ...(s(p, 'place') ? [`${es ? 'Dónde' : 'Where'}: ${s(p, 'place')}`] : []),
    ...(s(p, 'shift') ? [`${es ? 'Turno' : 'Shift'}: ${s(p, 'shift')}`] : []),
  ];
}

/** A seat holder's check-in code: the short code in words (both parts), the QR code as an image (the HTML part). */
function doorCode(p: Payload, locale: Locale): { paragraphs: string[]; qr?: { text: string; alt: string } } {
  const code = s(p, 'checkinCode');
  const token = s(p, 'checkinToken');
  if (!code) return { paragraphs: [] };
  const es = locale === 'es';
  return {
    paragraphs: [
      es
        ? `Tu código de ingreso: ${code}. En la puerta muestra el código QR de este correo, o dicta el código.`
        : `Your check-in code: ${code}. At the door, show the QR code in this e-mail, or read out the code.`,
    ],
    ...(token ? { qr: { text: `${QR_PREFIX}${token}`, alt: es ? `Código QR de ingreso (${code})` : `Check-in QR code (${code})` } } : {}),
  };
}

/** The details, then (for a seat holder) the check-in code. */
function withCode(p: Payload, locale: Locale, paragraphs: string[]): { paragraphs: string[]; qr?: { text: string; alt: string } } {
  const door = doorCode(p, locale);
  return { ...door, paragraphs: [...paragraphs, ...door.paragraphs] };
}

const hello = (p: Payload, locale: Locale) => (s(p, 'name') ? `${locale === 'es' ? 'Hola' : 'Hello'} ${s(p, 'name')}:` : locale === 'es' ? 'Hola:' : 'Hello,');

/** Guests get their view/cancel link; members the event page. */
function action(p: Payload, locale: Locale): { label: string; url: string } {
  if (s(p, 'manageUrl')) return { label: locale === 'es' ? 'Ver o cancelar mi inscripción' : 'View or cancel my signup', url: s(p, 'manageUrl') };
  return { label: locale === 'es' ? 'Ver el evento' : 'See the event', url: s(p, 'url') };
}

export const EVENT_TEMPLATES: Templates = {
  'event.signup_confirmation': {
    es: (p) => ({
      subject: s(p, 'status') === 'waitlisted' ? `Lista de espera: ${s(p, 'title')}` : `Inscripción confirmada: ${s(p, 'title')}`,
      ...withCode(p, 'es', [
        hello(p, 'es'),
        s(p, 'status') === 'waitlisted'
          ? `El cupo de «${s(p, 'title')}» está completo: quedaste en la lista de espera. Si se libera un lugar te lo asignamos en orden de llegada y te avisamos.`
          : `Tu inscripción a «${s(p, 'title')}» está confirmada.`,
        ...details(p, 'es'),
      ]),
      action: action(p, 'es'),
    }),
    en: (p) => ({
      subject: s(p, 'status') === 'waitlisted' ? `Waiting list: ${s(p, 'title')}` : `Signup confirmed: ${s(p, 'title')}`,
      ...withCode(p, 'en', [
        hello(p, 'en'),
        s(p, 'status') === 'waitlisted'
          ? `“${s(p, 'title')}” is full: you are on the waiting list. If a place frees up it goes to the next in line, and we will tell you.`
          : `Your signup for “${s(p, 'title')}” is confirmed.`,
        ...details(p, 'en'),
      ]),
      action: action(p, 'en'),
    }),
  },
  'event.waitlist_promoted': {
    es: (p) => ({
      subject: `Tienes lugar: ${s(p, 'title')}`,
      ...withCode(p, 'es', [hello(p, 'es'), `Se liberó un lugar en «${s(p, 'title')}» y ahora es tuyo: tu inscripción está confirmada.`, ...details(p, 'es')]),
      action: action(p, 'es'),
    }),
    en: (p) => ({
      subject: `You have a place: ${s(p, 'title')}`,
      ...withCode(p, 'en', [hello(p, 'en'), `A place freed up at “${s(p, 'title')}” and it is yours: your signup is confirmed.`, ...details(p, 'en')]),
      action: action(p, 'en'),
    }),
  },
  'event.changed': {
    es: (p) => ({
      subject: `Cambio de hora o lugar: ${s(p, 'title')}`,
      paragraphs: [hello(p, 'es'), `«${s(p, 'title')}» cambió de hora o de lugar. Así queda:`, ...details(p, 'es')],
      action: action(p, 'es'),
    }),
    en: (p) => ({
      subject: `Time or place changed: ${s(p, 'title')}`,
      paragraphs: [hello(p, 'en'), `“${s(p, 'title')}” has a new time or place. It is now:`, ...details(p, 'en')],
      action: action(p, 'en'),
    }),
  },
  'event.cancelled': {
    es: (p) => ({
      subject: `Cancelado: ${s(p, 'title')}`,
      paragraphs: [hello(p, 'es'), `«${s(p, 'title')}», previsto para ${formatWhen(p, 'es')}, fue cancelado.`, ...(s(p, 'reason') ? [`Motivo: ${s(p, 'reason')}`] : [])],
    }),
    en: (p) => ({
      subject: `Cancelled: ${s(p, 'title')}`,
      paragraphs: [hello(p, 'en'), `“${s(p, 'title')}”, planned for ${formatWhen(p, 'en')}, has been cancelled.`, ...(s(p, 'reason') ? [`Reason: ${s(p, 'reason')}`] : [])],
    }),
  },
  'event.reminder': {
    es: (p) => ({
      subject: `Recordatorio: ${s(p, 'title')}`,
      ...withCode(p, 'es', [hello(p, 'es'), `Te esperamos en «${s(p, 'title')}».`, ...details(p, 'es')]),
      action: action(p, 'es'),
    }),
    en: (p) => ({
      subject: `Reminder: ${s(p, 'title')}`,
      ...withCode(p, 'en', [hello(p, 'en'), `See you at “${s(p, 'title')}”.`, ...details(p, 'en')]),
      action: action(p, 'en'),
    }),
  },
};

export function registerEventTemplates(): void {
  registerTemplates(EVENT_TEMPLATES);
}
