import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A file the pages load from us: its bytes, its type, and a URL that changes when it does (so it can be cached for a year). */
export interface Asset {
  url: string;
  body: Buffer;
  type: string;
}

function asset(file: string, type: string): Asset {
  const body = readFileSync(join(__dirname, 'static', file));
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 10);
  const dot = file.lastIndexOf('.');
  return { url: `/assets/${file.slice(0, dot)}.${hash}${file.slice(dot)}`, body, type };
}

/** The one stylesheet, and the one script (only old e-mail links that carry their token in the fragment need it). */
export const STYLESHEET = asset('app.css', 'text/css; charset=utf-8');
export const FRAGMENT_SCRIPT = asset('fragment.js', 'text/javascript; charset=utf-8');
export const ASSETS: ReadonlyMap<string, Asset> = new Map([STYLESHEET, FRAGMENT_SCRIPT].map((a) => [a.url, a]));
