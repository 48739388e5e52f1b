import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** A file the pages load from us: its bytes, its type, and a URL that changes when it does (so it can be cached for a year). */
export interface Asset {
  url: string;
  body: Buffer;
  type: string;
}

const hashOf = (body: Buffer | string) => createHash('sha256').update(body).digest('hex').slice(0, 10);

function asset(file: string, type: string, path = join(__dirname, 'static', file)): Asset {
  const body = readFileSync(path);
  const dot = file.lastIndexOf('.');
  return { url: `/assets/${file.slice(0, dot)}.${hashOf(body)}${file.slice(dot)}`, body, type };
}

const JS = 'text/javascript; charset=utf-8';
const CSS = 'text/css; charset=utf-8';

/** The one stylesheet, and the one script (only old e-mail links that carry their token in the fragment need it). */
export const STYLESHEET = asset('app.css', CSS);
export const FRAGMENT_SCRIPT = asset('fragment.js', JS);

/** The door page (check-in, issue 21): its script, its styles, and the QR decoder its script loads only to scan without BarcodeDetector. */
export const DOOR_SCRIPT = asset('door.js', JS);
export const DOOR_STYLESHEET = asset('door.css', CSS);
/** jsQR (Apache-2.0), as its package ships it: one file, no dependency; served from here, never from a CDN. */
export const QR_DECODER = asset('jsQR.js', JS, require.resolve('jsqr'));

/** What the door page's service worker keeps for offline use: everything the page loads. */
export const DOOR_ASSETS = [STYLESHEET, DOOR_STYLESHEET, DOOR_SCRIPT, QR_DECODER];

/**
 * The door page's service worker, served at `/checkin/sw.js` (its scope is
 * the folder it is served from): static/door-sw.js after a first line that
 * names the files to keep, so that a new version of any of them is a new
 * worker, which drops the old copies.
 */
export const DOOR_WORKER: Asset = (() => {
  const urls = DOOR_ASSETS.map((a) => a.url);
  const source = readFileSync(join(__dirname, 'static', 'door-sw.js'), 'utf8');
  const version = hashOf(`${urls.join('\n')}\n${source}`);
  const body = Buffer.from(`const ASSETS = ${JSON.stringify(urls)};\nconst VERSION = '${version}';\n${source}`);
  return { url: '/checkin/sw.js', body, type: JS };
})();

export const ASSETS: ReadonlyMap<string, Asset> = new Map([STYLESHEET, FRAGMENT_SCRIPT, ...DOOR_ASSETS].map((a) => [a.url, a]));
