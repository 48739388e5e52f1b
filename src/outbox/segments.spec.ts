import { countSegments } from './segments';

describe('SMS segment counting', () => {
  it('counts plain GSM-7 text: 160 characters in one segment, 153 per segment beyond', () => {
    expect(countSegments('Hola')).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(countSegments('a'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(countSegments('a'.repeat(161))).toEqual({ encoding: 'GSM-7', segments: 2 });
    expect(countSegments('a'.repeat(306))).toEqual({ encoding: 'GSM-7', segments: 2 });
    expect(countSegments('a'.repeat(307))).toEqual({ encoding: 'GSM-7', segments: 3 });
    expect(countSegments('')).toEqual({ encoding: 'GSM-7', segments: 1 });
  });

  it('keeps Spanish in GSM-7 when its accents are in the alphabet (é, ñ, ü, ¿, ¡)', () => {
    const text = '¿Vienes mañana? Pingüino, café y ¡ñandú no! '.replace('ú', 'u');
    expect(countSegments(text).encoding).toBe('GSM-7');
    expect(countSegments('é'.repeat(160))).toEqual({ encoding: 'GSM-7', segments: 1 });
  });

  it('makes Spanish with á, í, ó or ú UCS-2: 70 characters in one segment, 67 per segment beyond', () => {
    expect(countSegments('Inscripción confirmada')).toEqual({ encoding: 'UCS-2', segments: 1 });
    const seventy = 'Marcha por la educación pública en la Plaza San Martín, Lima. Te espera';
    expect([...seventy].length).toBe(71);
    expect(countSegments(seventy.slice(0, 70))).toEqual({ encoding: 'UCS-2', segments: 1 });
    expect(countSegments(seventy)).toEqual({ encoding: 'UCS-2', segments: 2 });
    expect(countSegments('á'.repeat(134))).toEqual({ encoding: 'UCS-2', segments: 2 });
    expect(countSegments('á'.repeat(135))).toEqual({ encoding: 'UCS-2', segments: 3 });
  });

  it('counts the extension table’s characters as two septets', () => {
    expect(countSegments('€'.repeat(80))).toEqual({ encoding: 'GSM-7', segments: 1 });
    expect(countSegments('€'.repeat(81))).toEqual({ encoding: 'GSM-7', segments: 2 });
    // 152 septets, then an escape pair that would straddle the boundary: it moves whole to the next segment.
    expect(countSegments('a'.repeat(152) + '€' + 'a'.repeat(152))).toEqual({ encoding: 'GSM-7', segments: 3 });
  });

  it('counts an emoji as two UTF-16 units and never splits it', () => {
    expect(countSegments('Nos vemos ✊')).toEqual({ encoding: 'UCS-2', segments: 1 }); // U+270A: one unit
    expect(countSegments('🙂'.repeat(35))).toEqual({ encoding: 'UCS-2', segments: 1 });
    expect(countSegments('🙂'.repeat(36))).toEqual({ encoding: 'UCS-2', segments: 2 });
    // 66 units, then an emoji that does not fit in the 67-unit part: it starts the next one.
    expect(countSegments('a'.repeat(66) + '🙂' + 'a'.repeat(66))).toEqual({ encoding: 'UCS-2', segments: 3 });
  });
});
