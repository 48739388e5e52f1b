import { crc32, deflateSync } from 'node:zlib';
import { create } from 'qrcode';

/** Modules of white border a reader needs around a QR code (the standard asks for four). */
export const QR_MARGIN = 4;

/** Error correction M (15 %): a phone screen with a crack or glare still reads. */
const LEVEL = 'M';

/** The QR code of `text`: its dark modules, by row and column, and its side in modules (no border). */
function modules(text: string): { size: number; dark: (row: number, col: number) => boolean } {
  const { modules: m } = create(text, { errorCorrectionLevel: LEVEL });
  return { size: m.size, dark: (row, col) => !!m.get(row, col) };
}

/**
 * A QR code as one SVG path of its dark modules, each row's runs merged
 * (`M x y h n v1 h -n z`), and the side of the square in modules, quiet zone
 * included: the pages draw it inline, with no style attribute and no script
 * (their CSP), and it stays sharp at any size.
 */
export function qrPath(text: string): { side: number; d: string } {
  const { size, dark } = modules(text);
  let d = '';
  for (let y = 0; y < size; y++) {
    let x = 0;
    while (x < size) {
      if (!dark(y, x)) {
        x++;
        continue;
      }
      const start = x;
      while (x < size && dark(y, x)) x++;
      d += `M${start + QR_MARGIN} ${y + QR_MARGIN}h${x - start}v1h-${x - start}z`;
    }
  }
  return { side: size + 2 * QR_MARGIN, d };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngChunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const head = Buffer.alloc(4);
  head.writeUInt32BE(data.length);
  const tail = Buffer.alloc(4);
  tail.writeUInt32BE(crc32(body));
  return Buffer.concat([head, body, tail]);
}

/**
 * A QR code as a PNG at most `width` pixels wide (each module a whole
 * number of pixels, so the edges stay sharp), black on white: what an e-mail
 * carries inline. 8-bit greyscale, compressed by node's zlib — a few
 * milliseconds, where a pure-JavaScript encoder took a large part of a second.
 */
export function qrPng(text: string, width = 240): Buffer {
  const { size, dark } = modules(text);
  const side = size + 2 * QR_MARGIN;
  const scale = Math.max(1, Math.floor(width / side));
  const pixels = side * scale;
  const stride = pixels + 1; // each row starts with its filter type: 0, none
  const raw = Buffer.alloc(stride * pixels, 0xff);
  for (let y = 0; y < pixels; y++) {
    raw[y * stride] = 0;
    const row = Math.floor(y / scale) - QR_MARGIN;
    if (row < 0 || row >= size) continue;
    for (let col = 0; col < size; col++) {
      if (dark(row, col)) raw.fill(0, y * stride + 1 + (col + QR_MARGIN) * scale, y * stride + 1 + (col + QR_MARGIN + 1) * scale);
    }
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(pixels, 0);
  header.writeUInt32BE(pixels, 4);
  header[8] = 8; // bits per sample
  header[9] = 0; // greyscale; compression, filter and interlace methods 0
  return Buffer.concat([PNG_SIGNATURE, pngChunk('IHDR', header), pngChunk('IDAT', deflateSync(raw)), pngChunk('IEND', Buffer.alloc(0))]);
}
