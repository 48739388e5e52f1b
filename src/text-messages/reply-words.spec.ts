import { meaningOf } from './reply-words';

describe('text reply words', () => {
  it('reads BAJA, STOP and their usual variants as an opt-out, whatever the case, accents, spaces and punctuation', () => {
    for (const text of ['BAJA', 'baja', ' Baja. ', 'STOP', 'stop!', 'StopAll', 'UNSUBSCRIBE', 'Cancelar suscripción', 'CANCELAR  SUSCRIPCION', 'Alto', 'dar de baja', 'No más']) {
      expect({ text, meaning: meaningOf(text) }).toEqual({ text, meaning: 'opt-out' });
    }
  });

  it('reads SI and NO (with or without the accent, in Spanish or English) as the answers', () => {
    for (const text of ['SI', 'Sí', 'sí!', ' si ', 'YES', 'confirmo', '1']) expect({ text, meaning: meaningOf(text) }).toEqual({ text, meaning: 'confirm' });
    for (const text of ['NO', 'no.', 'No voy', 'cancelar', 'CANCEL', '2']) expect({ text, meaning: meaningOf(text) }).toEqual({ text, meaning: 'cancel' });
  });

  it('knows nothing else: a sentence, an empty text, a word inside another', () => {
    for (const text of ['', '   ', 'Hola, ¿a qué hora es?', 'sin duda', 'STOPPED', 'bajada', 'si no llueve']) expect({ text, meaning: meaningOf(text) }).toEqual({ text, meaning: 'unknown' });
  });
});
