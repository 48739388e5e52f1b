import MessageFormat from '@messageformat/core';

import { CATALOGUES, chooseLocale, DEFAULT_LOCALE, Translator } from './i18n';

describe('page languages', () => {
  const reference = CATALOGUES.get(DEFAULT_LOCALE)!;

  it.each([...CATALOGUES.keys()])('%s carries every message of the Spanish file, each a valid ICU message', (locale) => {
    const catalogue = CATALOGUES.get(locale)!;
    expect([...reference.keys()].filter((k) => !catalogue.has(k))).toEqual([]);
    expect([...catalogue.keys()].filter((k) => !reference.has(k))).toEqual([]);
    for (const message of catalogue.values()) expect(() => new MessageFormat(locale).compile(message)).not.toThrow();
  });

  it('takes ?lang= first, then the best Accept-Language we have, then Spanish', () => {
    expect(chooseLocale('en', 'es')).toEqual({ locale: 'en', explicit: true });
    expect(chooseLocale('xx', 'fr;q=0.9, en-GB;q=0.8, es;q=0.1')).toEqual({ locale: 'en', explicit: false });
    expect(chooseLocale(undefined, 'de, fr')).toEqual({ locale: 'es', explicit: false });
    expect(chooseLocale(undefined, undefined)).toEqual({ locale: 'es', explicit: false });
  });

  it('writes plurals and dates in the reader’s language, in the event’s time zone', () => {
    const es = new Translator('es');
    const en = new Translator('en');
    expect(es.t('event.spotsLeft', { count: 1 })).toBe('Queda 1 cupo');
    expect(en.t('event.spotsLeft', { count: 3 })).toBe('3 places left');
    const at = new Date('2026-12-12T23:00:00Z');
    expect(es.date(at, 'America/Lima')).toBe('sábado, 12 de diciembre de 2026');
    expect(en.date(at, 'Asia/Tokyo')).toBe('Sunday, December 13, 2026');
  });
});
