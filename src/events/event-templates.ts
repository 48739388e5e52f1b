import { registerTemplates, type Locale } from '../outbox/templates';
import { registerTextTemplates, TEXT_SIGNATURE, type TextTemplates } from '../outbox/text-templates';
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

/** The start in a few words, for a text: "lun. 8 mar., 3:00 p. m." in the event's time zone. */
export function formatWhenShort(p: Payload, locale: Locale): string {
  const start = new Date(s(p, 'startsAt'));
  if (Number.isNaN(start.getTime())) return '';
  const timeZone = s(p, 'timezone') || 'America/Lima';
  return new Intl.DateTimeFormat(DATE_LOCALES[locale], { timeZone, weekday: 'short', day: 'numeric', month: 'short', hour: 'numeric', minute: '2-digit' }).format(start);
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

/** The two-hour reminder's e-mail: written for texts only, it is mailed when a text cannot go (the budget is spent). */
EVENT_TEMPLATES['event.final_reminder'] = {
  es: (p) => ({
    subject: `En dos horas: ${s(p, 'title')}`,
    ...withCode(p, 'es', [hello(p, 'es'), `«${s(p, 'title')}» empieza pronto.`, ...details(p, 'es')]),
    action: action(p, 'es'),
  }),
  en: (p) => ({
    subject: `In two hours: ${s(p, 'title')}`,
    ...withCode(p, 'en', [hello(p, 'en'), `“${s(p, 'title')}” starts soon.`, ...details(p, 'en')]),
    action: action(p, 'en'),
  }),
};

/** A sentence of a text, ending in one full stop (a time such as "3:00 p. m." has its own). */
const sentence = (text: string) => (/[.!?]$/.test(text) ? text : `${text}.`);
/** A text's parts: the words joined, empty ones left out. */
const line = (...parts: string[]) => parts.filter(Boolean).join(' ');
/** The link a text carries: a guest's manage page (view or cancel), a member's event page. */
const link = (p: Payload) => s(p, 'manageUrl') || s(p, 'url');
const code = (p: Payload, locale: Locale) => (s(p, 'checkinCode') ? (locale === 'es' ? `Código de ingreso: ${s(p, 'checkinCode')}.` : `Check-in code: ${s(p, 'checkinCode')}.`) : '');
const at = (p: Payload, locale: Locale) => (s(p, 'place') ? `${locale === 'es' ? 'Lugar' : 'Place'}: ${s(p, 'place')}.` : '');
/** An approved WhatsApp template's name: `convoca_` and the key's words (README: *Text channels*). */
const wa = (key: string, params: string[]) => ({ name: `convoca_${key.replace(/\./g, '_')}`, params });

/**
 * The same notices as texts (SMS, WhatsApp), short: the event, when, what to
 * do. The day-before reminder asks the question a reply answers (SI / NO);
 * the confirmation says how to stop (BAJA). Names no organisation.
 */
export const EVENT_TEXT_TEMPLATES: TextTemplates = {
  'event.signup_confirmation': {
    es: (p) => {
      const waiting = s(p, 'status') === 'waitlisted';
      const what = waiting ? `estás en la lista de espera de «${s(p, 'title')}»` : `inscripción confirmada a «${s(p, 'title')}»`;
      return {
        body: line(sentence(`${TEXT_SIGNATURE}: ${what}, ${formatWhenShort(p, 'es')}`), code(p, 'es'), link(p), 'BAJA: no recibir más.'),
        whatsapp: wa(waiting ? 'event.signup_waitlisted' : 'event.signup_confirmation', [s(p, 'title'), formatWhenShort(p, 'es'), s(p, 'checkinCode'), link(p)]),
      };
    },
    en: (p) => {
      const waiting = s(p, 'status') === 'waitlisted';
      const what = waiting ? `you are on the waiting list for “${s(p, 'title')}”` : `signup confirmed for “${s(p, 'title')}”`;
      return {
        body: line(sentence(`${TEXT_SIGNATURE}: ${what}, ${formatWhenShort(p, 'en')}`), code(p, 'en'), link(p), 'STOP: no more texts.'),
        whatsapp: wa(waiting ? 'event.signup_waitlisted' : 'event.signup_confirmation', [s(p, 'title'), formatWhenShort(p, 'en'), s(p, 'checkinCode'), link(p)]),
      };
    },
  },
  'event.waitlist_promoted': {
    es: (p) => ({
      body: line(`${TEXT_SIGNATURE}: se liberó un lugar en «${s(p, 'title')}» (${formatWhenShort(p, 'es')}) y es tuyo.`, code(p, 'es'), link(p)),
      whatsapp: wa('event.waitlist_promoted', [s(p, 'title'), formatWhenShort(p, 'es'), s(p, 'checkinCode'), link(p)]),
    }),
    en: (p) => ({
      body: line(`${TEXT_SIGNATURE}: a place freed up at “${s(p, 'title')}” (${formatWhenShort(p, 'en')}) and it is yours.`, code(p, 'en'), link(p)),
      whatsapp: wa('event.waitlist_promoted', [s(p, 'title'), formatWhenShort(p, 'en'), s(p, 'checkinCode'), link(p)]),
    }),
  },
  /** The day before: the question a reply answers. */
  'event.reminder': {
    es: (p) => ({
      body: line(sentence(`${TEXT_SIGNATURE}: «${s(p, 'title')}» es ${formatWhenShort(p, 'es')}`), '¿Vienes? Responde SI para confirmar o NO para cancelar.', link(p)),
      whatsapp: wa('event.reminder', [s(p, 'title'), formatWhenShort(p, 'es'), link(p)]),
    }),
    en: (p) => ({
      body: line(sentence(`${TEXT_SIGNATURE}: “${s(p, 'title')}” is on ${formatWhenShort(p, 'en')}`), 'Coming? Reply YES to confirm or NO to cancel.', link(p)),
      whatsapp: wa('event.reminder', [s(p, 'title'), formatWhenShort(p, 'en'), link(p)]),
    }),
  },
  /** Two hours before: the place. */
  'event.final_reminder': {
    es: (p) => ({
      body: line(sentence(`${TEXT_SIGNATURE}: «${s(p, 'title')}» empieza ${formatWhenShort(p, 'es')}`), at(p, 'es'), code(p, 'es')),
      whatsapp: wa('event.final_reminder', [s(p, 'title'), formatWhenShort(p, 'es'), s(p, 'place'), s(p, 'checkinCode')]),
    }),
    en: (p) => ({
      body: line(sentence(`${TEXT_SIGNATURE}: “${s(p, 'title')}” starts ${formatWhenShort(p, 'en')}`), at(p, 'en'), code(p, 'en')),
      whatsapp: wa('event.final_reminder', [s(p, 'title'), formatWhenShort(p, 'en'), s(p, 'place'), s(p, 'checkinCode')]),
    }),
  },
  'event.changed': {
    es: (p) => ({
      body: line(sentence(`${TEXT_SIGNATURE}: «${s(p, 'title')}» cambió de hora o lugar: ${formatWhenShort(p, 'es')}`), at(p, 'es'), link(p)),
      whatsapp: wa('event.changed', [s(p, 'title'), formatWhenShort(p, 'es'), s(p, 'place'), link(p)]),
    }),
    en: (p) => ({
      body: line(sentence(`${TEXT_SIGNATURE}: “${s(p, 'title')}” has a new time or place: ${formatWhenShort(p, 'en')}`), at(p, 'en'), link(p)),
      whatsapp: wa('event.changed', [s(p, 'title'), formatWhenShort(p, 'en'), s(p, 'place'), link(p)]),
    }),
  },
  'event.cancelled': {
    es: (p) => ({
      body: line(`${TEXT_SIGNATURE}: «${s(p, 'title')}» (${formatWhenShort(p, 'es')}) fue cancelado.`, s(p, 'reason') ? `Motivo: ${s(p, 'reason')}` : ''),
      whatsapp: wa('event.cancelled', [s(p, 'title'), formatWhenShort(p, 'es'), s(p, 'reason')]),
    }),
    en: (p) => ({
      body: line(`${TEXT_SIGNATURE}: “${s(p, 'title')}” (${formatWhenShort(p, 'en')}) has been cancelled.`, s(p, 'reason') ? `Reason: ${s(p, 'reason')}` : ''),
      whatsapp: wa('event.cancelled', [s(p, 'title'), formatWhenShort(p, 'en'), s(p, 'reason')]),
    }),
  },
  /** The answers to SI and NO: replies to the person's own text (free-form). */
  'event.answer_confirmed': {
    es: (p) => ({ body: `${TEXT_SIGNATURE}: gracias, te esperamos en «${s(p, 'title')}».` }),
    en: (p) => ({ body: `${TEXT_SIGNATURE}: thank you, see you at “${s(p, 'title')}”.` }),
  },
  'event.answer_cancelled': {
    es: (p) => ({ body: `${TEXT_SIGNATURE}: cancelamos tu inscripción a «${s(p, 'title')}». Tu lugar pasa a quien espera.` }),
    en: (p) => ({ body: `${TEXT_SIGNATURE}: your signup for “${s(p, 'title')}” is cancelled. Your place goes to the next in line.` }),
  },
};

export function registerEventTemplates(): void {
  registerTemplates(EVENT_TEMPLATES);
  registerTextTemplates(EVENT_TEXT_TEMPLATES);
}
