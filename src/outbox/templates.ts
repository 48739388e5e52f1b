import { qrPng } from '../common/qr';

/**
 * E-mail templates, Spanish (default) and English. Each renders to plain
 * text and HTML from the message payload; every value is escaped in HTML.
 */
export type Locale = 'es' | 'en';

interface Content {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /**
   * A QR code to show in the HTML part, as an inline image (a PNG attached
   * with a Content-ID: mail programs block images from the web, not these).
   * `text` is what it encodes; the text part never has it, so whatever it
   * stands for must also be in a paragraph (a check-in's short code).
   */
  qr?: { text: string; alt: string };
}

/** A file sent with a message; `cid` makes it an inline image the HTML part shows as `cid:…`. */
export interface MailAttachment {
  filename: string;
  contentType: string;
  content: Buffer;
  cid?: string;
}

export interface Rendered {
  subject: string;
  text: string;
  html: string;
  attachments?: MailAttachment[];
}

/** The Content-ID of a message's QR code. */
export const QR_CID = 'qr@convoca';
/** Its side, in CSS pixels (the PNG has up to twice as many, for sharp screens). */
const QR_SIDE = 200;

type Payload = Record<string, unknown>;
const s = (p: Payload, key: string): string => (typeof p[key] === 'string' ? p[key] : '');

const TEMPLATES: Record<string, Record<Locale, (p: Payload) => Content>> = {
  'account.password_reset': {
    es: (p) => ({
      subject: 'Restablecer tu contraseña de Convoca',
      paragraphs: ['Alguien (esperamos que tú) pidió restablecer la contraseña de tu cuenta.', 'El enlace vale una hora y sirve una sola vez. Si no lo pediste, ignora este correo.'],
      action: { label: 'Elegir una nueva contraseña', url: s(p, 'url') },
    }),
    en: (p) => ({
      subject: 'Reset your Convoca password',
      paragraphs: ['Someone (we hope you) asked to reset the password of your account.', 'The link is valid for one hour and works once. If you did not ask for it, ignore this e-mail.'],
      action: { label: 'Choose a new password', url: s(p, 'url') },
    }),
  },
  'account.invitation': {
    es: (p) => ({
      subject: `${s(p, 'organisation')} te invita a Convoca`,
      paragraphs: [
        `Hola ${s(p, 'name')}:`,
        `${s(p, 'organisation')} te invita a crear tu cuenta en Convoca. El enlace vale siete días y sirve una sola vez.`,
        'Si ya tienes una cuenta con esta dirección, escribe su contraseña en el enlace: la membresía se añade a tu cuenta.',
      ],
      action: { label: 'Crear mi cuenta', url: s(p, 'url') },
    }),
    en: (p) => ({
      subject: `${s(p, 'organisation')} invites you to Convoca`,
      paragraphs: [
        `Hello ${s(p, 'name')},`,
        `${s(p, 'organisation')} invites you to create your Convoca account. The link is valid for seven days and works once.`,
        'If you already have an account with this address, type its password at the link: the membership is added to your account.',
      ],
      action: { label: 'Create my account', url: s(p, 'url') },
    }),
  },
  'account.staff_invitation': {
    es: (p) => ({
      subject: 'Tu cuenta de Convoca',
      paragraphs: [
        'Un administrador de Convoca creó una cuenta para esta dirección de correo.',
        'Elige tu contraseña con el enlace; vale siete días y sirve una sola vez. Si no esperabas este correo, ignóralo.',
      ],
      action: { label: 'Elegir mi contraseña', url: s(p, 'url') },
    }),
    en: (p) => ({
      subject: 'Your Convoca account',
      paragraphs: [
        'A Convoca administrator created an account for this e-mail address.',
        'Choose your password at the link; it is valid for seven days and works once. If you did not expect this e-mail, ignore it.',
      ],
      action: { label: 'Choose my password', url: s(p, 'url') },
    }),
  },
  'account.member_link': {
    es: (p) => ({
      subject: 'Vincular tus membresías a tu cuenta de Convoca',
      paragraphs: [
        'Pediste vincular a tu cuenta las membresías registradas con esta dirección de correo.',
        'Abre el enlace con tu sesión iniciada; vale 24 horas y sirve una sola vez. Si no lo pediste, ignora este correo.',
      ],
      action: { label: 'Vincular mis membresías', url: s(p, 'url') },
    }),
    en: (p) => ({
      subject: 'Link your memberships to your Convoca account',
      paragraphs: [
        'You asked to link to your account the memberships recorded with this e-mail address.',
        'Open the link while logged in; it is valid for 24 hours and works once. If you did not ask for it, ignore this e-mail.',
      ],
      action: { label: 'Link my memberships', url: s(p, 'url') },
    }),
  },
  'account.registration': {
    es: (p) => ({
      subject: 'Crea tu cuenta de Convoca',
      paragraphs: ['Pediste una cuenta para esta dirección de correo.', 'El enlace vale 24 horas y sirve una sola vez.'],
      action: { label: 'Crear mi cuenta', url: s(p, 'url') },
    }),
    en: (p) => ({
      subject: 'Create your Convoca account',
      paragraphs: ['You asked for an account for this e-mail address.', 'The link is valid for 24 hours and works once.'],
      action: { label: 'Create my account', url: s(p, 'url') },
    }),
  },
  'membership.application_confirm': {
    es: (p) => ({
      subject: `Confirma tu solicitud a ${s(p, 'organisation')}`,
      paragraphs: [`Hola ${s(p, 'name')}:`, `Recibimos tu solicitud de afiliación a ${s(p, 'organisation')}. Confirma tu correo para que la revisen.`],
      action: { label: 'Confirmar mi correo', url: s(p, 'url') },
    }),
    en: (p) => ({
      subject: `Confirm your application to ${s(p, 'organisation')}`,
      paragraphs: [`Hello ${s(p, 'name')},`, `We received your membership application to ${s(p, 'organisation')}. Confirm your e-mail so that it can be reviewed.`],
      action: { label: 'Confirm my e-mail', url: s(p, 'url') },
    }),
  },
  /** Operator test message. */
  'system.test': {
    es: (p) => ({ subject: `Prueba ${s(p, 'n')}`, paragraphs: ['Mensaje de prueba de Convoca.'] }),
    en: (p) => ({ subject: `Test ${s(p, 'n')}`, paragraphs: ['Convoca test message.'] }),
  },
};

export function hasTemplate(key: string): boolean {
  return key in TEMPLATES;
}

/** Registers templates of another feature (events add their notices this way). */
export function registerTemplates(templates: Record<string, Record<Locale, (p: Payload) => Content>>): void {
  Object.assign(TEMPLATES, templates);
}

const escapeHtml = (v: string) => v.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** A message as sent: subject, text part, HTML part, and the QR code's image when it has one (drawn here, at send time). */
export function render(key: string, locale: string, payload: Payload): Rendered {
  const byLocale = TEMPLATES[key];
  if (!byLocale) throw new Error(`unknown e-mail template ${key}`);
  const content = (byLocale[locale as Locale] ?? byLocale.es)(payload);
  const text = [...content.paragraphs, ...(content.action ? [`${content.action.label}: ${content.action.url}`] : []), '', '— Convoca'].join('\n\n');
  const html = [
    '<!doctype html><html><body style="font-family:sans-serif;line-height:1.5">',
    ...content.paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`),
    content.qr ? `<p><img src="cid:${QR_CID}" width="${QR_SIDE}" height="${QR_SIDE}" alt="${escapeHtml(content.qr.alt)}"></p>` : '',
    content.action ? `<p><a href="${escapeHtml(content.action.url)}">${escapeHtml(content.action.label)}</a></p>` : '',
    '<p style="color:#666">— Convoca</p></body></html>',
  ].join('');
  if (!content.qr) return { subject: content.subject, text, html };
  const image = qrPng(content.qr.text, 2 * QR_SIDE);
  return { subject: content.subject, text, html, attachments: [{ filename: 'qr.png', contentType: 'image/png', content: image, cid: QR_CID }] };
}
