// The door page's service worker (issue 21), served at /checkin/sw.js with scope /checkin/. The server writes two
// lines before this file: ASSETS, the files the door page loads, and VERSION, which changes with any of them (or
// with this file), so that a new version is a new worker, which drops the old copies.
//
// It keeps the page and its files so that a door opens with no network. The list of signups and the queue of
// check-ins are the page's own (IndexedDB): the JSON routes never go through here, and nothing is ever sent from here.
/* global ASSETS, VERSION */
const CACHE = 'convoca-door-' + VERSION;
const PAGE = /^\/checkin\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.addAll(ASSETS))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((key) => key.startsWith('convoca-door-') && key !== CACHE).map((key) => caches.delete(key))))
      .then(() => self.clients.claim()),
  );
});

// A door page's first load came before this worker: the page asks for its own address to be kept, and is told when it is.
self.addEventListener('message', (event) => {
  const url = event.data && event.data.keep;
  if (typeof url !== 'string' || !PAGE.test(new URL(url, self.location.origin).pathname)) return;
  event.waitUntil(
    caches
      .open(CACHE)
      .then((cache) => cache.add(url))
      .then(() => event.source && event.source.postMessage({ kept: url }))
      .catch(() => undefined),
  );
});

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (ASSETS.includes(url.pathname)) event.respondWith(caches.match(request).then((kept) => kept || fetch(request)));
  else if (PAGE.test(url.pathname)) event.respondWith(page(event));
});

// The page: the kept copy at once when there is one (a door in a basement must open), brought up to date behind it.
async function page(event) {
  const cache = await caches.open(CACHE);
  const kept = (await cache.match(event.request, { ignoreVary: true })) || (await cache.match(event.request, { ignoreSearch: true, ignoreVary: true }));
  const fresh = fetch(event.request).then((response) => (response.ok ? cache.put(event.request, response.clone()).then(() => response) : response));
  if (!kept) return fresh;
  event.waitUntil(fresh.catch(() => undefined));
  return kept;
}
