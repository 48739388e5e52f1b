import type { Locale } from './templates';

/**
 * Text templates (SMS and WhatsApp, issue 24), Spanish (default) and
 * English: the same keys as the e-mails they stand in for, short. `body` is
 * the SMS (and the WhatsApp text of a free-form reply); `whatsapp` names the
 * approved WhatsApp template and its body parameters, in order — a
 * business-initiated WhatsApp message must be a template the operator had
 * approved under that name (README: *Text channels*). A text without
 * `whatsapp` is a reply to a person's own message (help, opt-out
 * confirmation, the answer to SI/NO): free-form, inside WhatsApp's 24-hour
 * window.
 */
export interface TextContent {
  body: string;
  whatsapp?: { name: string; params: string[] };
}

type Payload = Record<string, unknown>;
export type TextTemplates = Record<string, Record<Locale, (p: Payload) => TextContent>>;

const SIGNATURE = 'Convoca';

const TEXT_TEMPLATES: TextTemplates = {
  /** The answer to BAJA/STOP: one, naming no organisation. */
  'text.opt_out_confirmation': {
    es: () => ({ body: `${SIGNATURE}: listo, no recibirás más mensajes por este medio en este número.` }),
    en: () => ({ body: `${SIGNATURE}: done, you will get no more messages here on this number.` }),
  },
  /** The answer to a reply that matches no question. */
  'text.help': {
    es: () => ({ body: `${SIGNATURE}: responde SI o NO a nuestro último recordatorio para confirmar o cancelar, o BAJA para no recibir más mensajes.` }),
    en: () => ({ body: `${SIGNATURE}: reply YES or NO to our last reminder to confirm or cancel, or STOP to get no more messages.` }),
  },
};

export function hasTextTemplate(key: string): boolean {
  return key in TEXT_TEMPLATES;
}

/** Registers text templates of another feature (events add their notices this way). */
export function registerTextTemplates(templates: TextTemplates): void {
  Object.assign(TEXT_TEMPLATES, templates);
}

export function renderText(key: string, locale: string, payload: Payload): TextContent {
  const byLocale = TEXT_TEMPLATES[key];
  if (!byLocale) throw new Error(`unknown text template ${key}`);
  return (byLocale[locale as Locale] ?? byLocale.es)(payload);
}

/** The signature every text starts with. */
export const TEXT_SIGNATURE = SIGNATURE;
