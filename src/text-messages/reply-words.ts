/**
 * What a text reply means (issue 24), read case- and accent-insensitively,
 * trimmed, punctuation and repeated spaces ignored: an opt-out (BAJA, STOP
 * and their usual variants), an answer to the day-before question (SI / NO
 * and their usual forms), or nothing we know (the help text answers it).
 * CANCEL alone is not an opt-out here, though some carriers treat it so: our
 * question asks NO, and people answer a "cancel?" question with it.
 */
export type ReplyMeaning = 'opt-out' | 'confirm' | 'cancel' | 'unknown';

const OPT_OUT = new Set([
  'BAJA',
  'DAR DE BAJA',
  'DARME DE BAJA',
  'DARSE DE BAJA',
  'BAJA SMS',
  'BAJA WHATSAPP',
  'STOP',
  'STOPALL',
  'STOP ALL',
  'UNSUBSCRIBE',
  'UNSUSCRIBIR',
  'DESUSCRIBIR',
  'DESUSCRIBIRME',
  'CANCELAR SUSCRIPCION',
  'ANULAR SUSCRIPCION',
  'ALTO',
  'PARAR',
  'DETENER',
  'NO MAS',
  'NO MAS MENSAJES',
  'END',
  'QUIT',
  'OPTOUT',
  'OPT OUT',
]);
const CONFIRM = new Set(['SI', 'S', 'SII', 'SIP', 'YES', 'Y', 'OK', 'CONFIRMO', 'CONFIRMAR', 'CONFIRMADO', 'VOY', 'SI VOY', 'ASISTIRE', '1']);
const CANCEL = new Set(['NO', 'N', 'NO VOY', 'CANCELAR', 'CANCELO', 'CANCEL', 'ANULAR', 'NO PUEDO', '2']);

/** Upper case, accents and punctuation gone, spaces collapsed: "  ¡Sí! " → "SI", "Cancelar suscripción" → "CANCELAR SUSCRIPCION". */
export function normaliseReply(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{Mn}/gu, '')
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

export function meaningOf(text: string): ReplyMeaning {
  const words = normaliseReply(text);
  if (OPT_OUT.has(words)) return 'opt-out';
  if (CONFIRM.has(words)) return 'confirm';
  if (CANCEL.has(words)) return 'cancel';
  return 'unknown';
}
