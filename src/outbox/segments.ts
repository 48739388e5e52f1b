/**
 * How many SMS segments a text is billed as (issue 24). A text written only
 * in the GSM 03.38 alphabet (GSM-7) takes 160 septets in one segment, 153
 * per segment once split; the extension table's characters (€ [ ] { } ~ ^ |
 * \ and the form feed) take two septets each. Any other character — á, í, ó,
 * ú, ¡ are not in it (é, ñ, ü, ¿ are) — makes the whole text UCS-2: 70
 * UTF-16 code units in one segment, 67 per segment once split, an emoji
 * outside the Basic Multilingual Plane counting two. A split never cuts a
 * character in two: an escape pair, or a surrogate pair, moves whole to the
 * next segment.
 */
const GSM7_BASIC = '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';
const GSM7_EXTENSION = '\f^{}\\[~]|€';

const BASIC = new Set(GSM7_BASIC);
const EXTENSION = new Set(GSM7_EXTENSION);

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SegmentCount {
  encoding: SmsEncoding;
  segments: number;
}

/** Packs units (septets, or UTF-16 code units) of indivisible characters into segments of `single` (one) or `part` (several) units. */
function pack(sizes: number[], single: number, part: number): number {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total === 0) return 1;
  if (total <= single) return 1;
  let segments = 1;
  let used = 0;
  for (const size of sizes) {
    if (used + size > part) {
      segments++;
      used = 0;
    }
    used += size;
  }
  return segments;
}

export function countSegments(text: string): SegmentCount {
  const chars = [...text];
  if (chars.every((c) => BASIC.has(c) || EXTENSION.has(c))) {
    return {
      encoding: 'GSM-7',
      segments: pack(
        chars.map((c) => (EXTENSION.has(c) ? 2 : 1)),
        160,
        153,
      ),
    };
  }
  return {
    encoding: 'UCS-2',
    segments: pack(
      chars.map((c) => c.length),
      70,
      67,
    ),
  };
}
