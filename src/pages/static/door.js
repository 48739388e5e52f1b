// The door page (issue 21; README, "Check-in at the door"). It checks people in against the event's manifest kept
// on this phone, with or without a network, and sends what it did to the server as one batch whenever it can.
// Plain JavaScript, no build step, nothing from another host. jsQR (a file of ours) is loaded only to scan where
// the browser has no BarcodeDetector. Everything shown is set as text, never as HTML.
'use strict';
(() => {
  const root = document.getElementById('door');
  const $ = (id) => document.getElementById(id);
  const M = JSON.parse($('door-messages').textContent);
  const eventId = root.dataset.event;
  const lang = root.dataset.lang;
  const base = '/checkin/' + eventId;
  /** How often a queue that could not be sent is tried again, and how often the list is refreshed while online. */
  const RETRY_MS = 15000;
  const REFRESH_MS = 120000;
  /** The most scans the server takes in one request (MAX_BATCH). */
  const BATCH = 500;

  const state = { secret: null, kept: null, scans: [], byToken: new Map(), byCode: new Map(), byId: new Map(), sending: false, stopped: false, unreachable: false, latest: null };

  const msg = (key, values) => M[key].replace(/\{(\w+)\}/g, (all, name) => (values && values[name] != null ? String(values[name]) : all));
  /** A time of day, in the event's own time zone (the door's clock may be set to another). */
  const time = (iso) => new Date(iso).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit', timeZone: state.kept ? state.kept.event.timezone : undefined });

  // ------------------------------------------------------------------ storage (IndexedDB)
  // 'kept': the manifest (as the server signed it, with the event and a form token) and the door link, by event;
  // 'scans': every scan this door made, sent or not: the queue is the scans not yet sent.

  let opening;
  function database() {
    opening = opening || new Promise((resolve, reject) => {
      const request = indexedDB.open('convoca-door', 1);
      request.onupgradeneeded = () => {
        request.result.createObjectStore('kept');
        request.result.createObjectStore('scans', { keyPath: 'clientId' }).createIndex('event', 'eventId');
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
    return opening;
  }

  async function store(name, mode, work) {
    const db = await database();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(name, mode);
      const request = work(tx.objectStore(name));
      tx.oncomplete = () => resolve(request ? request.result : undefined);
      tx.onerror = tx.onabort = () => reject(tx.error);
    });
  }
  const read = (key) => store('kept', 'readonly', (s) => s.get(key));
  const keep = (key, value) => store('kept', 'readwrite', (s) => s.put(value, key));
  const forget = (key) => store('kept', 'readwrite', (s) => s.delete(key));
  const saveScans = (list) => store('scans', 'readwrite', (s) => void list.forEach((scan) => s.put(scan)));
  const scansOf = (id) => store('scans', 'readonly', (s) => s.index('event').getAll(id));
  const expired = (kept) => Date.parse(kept.manifest.expiresAt) <= Date.now();

  /** Lists of events whose check-in window has closed are of no more use at any door: gone from this phone. */
  async function dropExpired() {
    const keys = await store('kept', 'readonly', (s) => s.getAllKeys());
    for (const key of keys.filter((k) => String(k).startsWith('manifest:'))) {
      const kept = await read(key);
      if (!kept || !expired(kept)) continue;
      const id = String(key).slice('manifest:'.length);
      const old = await scansOf(id);
      await store('scans', 'readwrite', (s) => void old.forEach((scan) => s.delete(scan.clientId)));
      await forget(key);
      await forget('door:' + id);
    }
  }

  // ------------------------------------------------------------------ codes, as CheckInCodes hashes them

  async function sha256Hex(text) {
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  /** A QR code's text (`CVK1:` and the token, or the bare token), or a short code as typed: case, spaces, the hyphen, O/0 and I/L/1 do not matter. */
  function parse(input) {
    const text = String(input).trim();
    const token = /^(?:CVK1:)?([A-Za-z0-9_-]{22})$/.exec(text);
    if (token) return { token: token[1] };
    const code = text.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
    return /^[0-9A-HJKMNP-TV-Z]{10}$/.test(code) ? { code } : null;
  }

  function index() {
    state.byToken.clear();
    state.byCode.clear();
    state.byId.clear();
    for (const entry of state.kept.manifest.entries) {
      if (entry.tokenHash) state.byToken.set(entry.tokenHash, entry);
      if (entry.codeHash) state.byCode.set(entry.codeHash, entry);
      state.byId.set(entry.signupId, entry);
    }
  }

  // ------------------------------------------------------------------ checking in

  /** This door's own check-in of a signup, if it made one (its answer may since have turned it into a conflict). */
  const ownScan = (signupId) => state.scans.find((s) => s.signupId === signupId && s.local === 'checked_in');

  async function checkIn(input) {
    if (state.stopped || !state.kept) return;
    const what = parse(input);
    if (!what) return show('invalid', 'bad', msg('resultInvalid'));
    const hash = await sha256Hex(what.token || what.code);
    const entry = what.token ? state.byToken.get(hash) : state.byCode.get(hash);
    if (entry) return admit(entry, what);
    // Not on the list this door holds: perhaps a signup made since. Online, the server says; offline, nobody can.
    if (navigator.onLine) return record(what, null, 'unknown');
    show('unknown', 'bad', msg('resultUnknown'));
  }

  /** Someone on the list, by code, QR code or name: let in once, as far as this door can tell. */
  function admit(entry, item) {
    const mine = ownScan(entry.signupId);
    const name = entry.name || '—';
    if (mine) {
      const a = mine.answer;
      if (a && a.result === 'conflict') return show('conflict', 'bad', describe('conflict', a, mine));
      return show('already', 'warn', msg('resultAlready', { name, time: time(mine.at) }));
    }
    if (entry.status === 'attended') return show('conflict', 'bad', msg('resultConflictBefore', { name }));
    if (entry.status === 'cancelled') return show('cancelled', 'bad', msg('resultCancelled', { name }));
    if (entry.status === 'waitlisted') return show('waitlisted', 'bad', msg('resultWaitlisted', { name }));
    return record(item, entry, 'checked_in');
  }

  /** A scan: kept on the phone first, then sent (at once when online). */
  async function record(item, entry, local) {
    const scan = {
      clientId: crypto.randomUUID(),
      eventId,
      at: new Date().toISOString(),
      item,
      signupId: entry ? entry.signupId : null,
      shiftId: entry ? entry.shiftId : item.shiftId || null,
      name: entry ? entry.name : item.walkIn ? item.walkIn.name : null,
      local,
      sent: false,
      answer: null,
    };
    state.scans.push(scan);
    state.latest = scan;
    await saveScans([scan]);
    if (local === 'checked_in') {
      const key = item.walkIn ? 'resultWalkIn' : navigator.onLine ? 'resultCheckedIn' : 'resultQueued';
      show(item.walkIn ? 'walk_in' : 'checked_in', 'ok', msg(key, { name: scan.name || '—' }));
    } else show('checking', 'warn', M.checking);
    render();
    send();
  }

  /** What the server said of a scan, in words. */
  function describe(result, a, scan) {
    const name = scan.name || a.name || '—';
    switch (result) {
      case 'checked_in':
        if (scan.item.walkIn) return msg(a.overCapacity ? 'resultOverCapacity' : 'resultWalkIn', { name });
        return msg('resultCheckedIn', { name });
      case 'conflict':
        return a.conflict ? msg('resultConflict', { name, door: a.conflict.door || M.hostDoor, time: time(a.conflict.at) }) : msg('resultConflictBefore', { name });
      case 'unknown':
        return msg('resultUnknown');
      case 'cancelled':
        return msg('resultCancelled', { name });
      case 'waitlisted':
        return msg('resultWaitlisted', { name });
      default:
        return msg('resultLate', { name });
    }
  }

  /** A scan's answer: kept with it; anything but the check-in this door expected is said, and listed to look at. */
  function settle(scan, a) {
    const result = a.result === 'already' ? a.firstResult : a.result;
    scan.sent = true;
    scan.answeredAt = Date.now();
    scan.answer = { result, name: a.name, conflict: a.conflict || null, overCapacity: !!a.overCapacity };
    if (!scan.signupId && a.signupId) scan.signupId = a.signupId;
    if (!scan.name && a.name) scan.name = a.name;
    if (result === 'checked_in' && scan.local === 'unknown') scan.local = 'checked_in';
    const expected = result === 'checked_in' && scan.local === 'checked_in' && !a.overCapacity;
    const text = describe(result, a, scan);
    if (state.latest === scan && (!expected || scan.local === 'unknown')) show(result, result === 'checked_in' ? (a.overCapacity ? 'warn' : 'ok') : 'bad', text);
    if (!expected) attention(result, text, scan.at);
  }

  function attention(result, text, at) {
    const list = $('door-attention-list');
    const li = document.createElement('li');
    li.dataset.result = result;
    li.textContent = time(at) + ' · ' + text;
    list.prepend(li);
    while (list.children.length > 50) list.lastElementChild.remove();
    $('door-attention').hidden = false;
  }

  // ------------------------------------------------------------------ the server

  /** A call to the page's JSON routes: the answer, or null when it could not be had (the caller keeps what it has). */
  async function call(method, path, body, retried) {
    const headers = { accept: 'application/json' };
    if (state.secret) headers['x-door-link'] = state.secret;
    if (body) {
      headers['content-type'] = 'application/json';
      headers['x-csrf-token'] = (state.kept && state.kept.csrf) || '';
    }
    let response;
    try {
      response = await fetch(base + path, { method, headers, body: body ? JSON.stringify(body) : undefined, credentials: 'same-origin', cache: 'no-store' });
    } catch {
      state.unreachable = true; // no network: tried again later
      return null;
    }
    state.unreachable = false;
    if (response.ok) return response.json();
    // A form token a day old: a fresh one comes with the list.
    if (response.status === 403 && body && !retried && (await loadManifest())) return call(method, path, body, true);
    if (response.status === 401 || response.status === 403 || response.status === 404) {
      if (state.secret) stop(msg('revoked'), 'revoked');
      else needAccess();
    } else if (response.status === 410) stop(msg('closed'), 'closed');
    else if (response.status === 409) stop(msg('notAtTheDoor'), 'not-at-the-door');
    return null;
  }

  async function loadManifest() {
    const asked = Date.now();
    const fresh = await call('GET', '/manifest');
    if (!fresh) return false;
    state.kept = { manifest: fresh.manifest, event: fresh.event, door: fresh.door, csrf: fresh.csrf, fetchedAt: asked };
    await keep('manifest:' + eventId, state.kept);
    index();
    root.dataset.manifest = 'stored';
    showApp();
    render();
    return true;
  }

  /** Sends the queue, oldest first, in batches; what is not answered stays queued. */
  async function send() {
    if (state.sending || state.stopped || !navigator.onLine || !state.kept) return;
    state.sending = true;
    try {
      for (;;) {
        const queue = state.scans.filter((s) => !s.sent).slice(0, BATCH);
        if (!queue.length) break;
        const body = { items: queue.map((s) => Object.assign({ clientId: s.clientId, at: s.at }, s.item)) };
        if (!state.kept.door.link) body.door = M.hostDoor;
        const answer = await call('POST', '/check-ins', body);
        if (!answer) break;
        answer.items.forEach((a, i) => settle(queue[i], a));
        await saveScans(queue);
      }
    } finally {
      state.sending = false;
      render();
    }
  }

  // ------------------------------------------------------------------ what the page shows

  function show(result, tone, text) {
    const box = $('door-result');
    box.dataset.result = result;
    box.className = 'door-result ' + tone;
    box.textContent = text;
  }

  function stop(text, why) {
    state.stopped = true;
    root.dataset.stopped = why;
    $('door-stop').textContent = text;
    $('door-stop').hidden = false;
    for (const control of $('door-app').querySelectorAll('input, button, select')) control.disabled = true;
  }

  function needAccess() {
    state.stopped = true;
    root.dataset.stopped = 'access';
    $('door-loading').hidden = true;
    $('door-app').hidden = true;
    $('door-access').hidden = false;
  }

  function showApp() {
    $('door-loading').hidden = true;
    $('door-app').hidden = false;
  }

  function render() {
    const kept = state.kept;
    if (!kept) return;
    const queued = state.scans.filter((s) => !s.sent).length;
    root.dataset.queued = String(queued);
    root.dataset.online = navigator.onLine ? 'yes' : 'no';
    const e = kept.event;
    const when = new Date(e.startsAt).toLocaleString(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: e.timezone });
    $('door-event').textContent = e.title + ' · ' + when;
    const net = $('door-net');
    net.className = 'door-net ' + (navigator.onLine ? 'online' : 'offline');
    net.textContent = [
      navigator.onLine ? M.online : M.offline,
      msg('queued', { count: queued }),
      queued && state.unreachable ? M.retry : '',
      msg('listAt', { time: time(new Date(kept.fetchedAt).toISOString()) }),
      kept.door.label ? msg('doorName', { label: kept.door.label }) : '',
    ]
      .filter(Boolean)
      .join(' · ');
    renderCounts();
    renderShifts();
    // The matches say who is in now; not rebuilt under the keyboard of someone working through them.
    if (!$('door-matches').contains(document.activeElement)) find();
  }

  /** The server's counts when the list came, and this door's check-ins since (queued, or answered after it). */
  function renderCounts() {
    const kept = state.kept;
    const pools = new Map([[null, { name: kept.event.shifts.length ? M.noShift : M.wholeEvent, going: kept.manifest.counts.going, attended: kept.manifest.counts.attended }]]);
    for (const shift of kept.event.shifts) {
      const c = kept.manifest.counts.perShift.find((p) => p.shiftId === shift.id);
      pools.set(shift.id, { name: shift.name, going: c ? c.going : 0, attended: c ? c.attended : 0 });
    }
    for (const s of state.scans) {
      const counted = s.sent ? s.answer && s.answer.result === 'checked_in' && s.answeredAt > kept.fetchedAt : s.local === 'checked_in';
      const pool = pools.get(s.shiftId || null);
      if (counted && pool) pool.attended += 1;
    }
    const body = $('door-counts');
    body.textContent = '';
    for (const [id, pool] of pools) {
      if (id === null && kept.event.shifts.length && !pool.going && !pool.attended) continue;
      const tr = document.createElement('tr');
      const th = document.createElement('th');
      th.scope = 'row';
      th.textContent = pool.name;
      tr.append(th);
      for (const n of [pool.attended, pool.going]) {
        const td = document.createElement('td');
        td.textContent = String(n);
        tr.append(td);
      }
      body.append(tr);
    }
  }

  function renderShifts() {
    const select = $('door-walkin-shift');
    const shifts = state.kept.event.shifts;
    $('door-walkin-shift-field').hidden = !shifts.length;
    if (select.options.length === shifts.length + 1) return;
    for (const shift of shifts) select.append(new Option(shift.name, shift.id));
  }

  const fold = (text) => (text || '').normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();

  /** Who on the list has a name with what was typed in it, with a button to check them in. */
  function find() {
    const list = $('door-matches');
    const typed = fold($('door-find').value.trim());
    list.textContent = '';
    if (typed.length < 2 || !state.kept) return;
    const found = state.kept.manifest.entries.filter((e) => e.name && fold(e.name).includes(typed)).slice(0, 20);
    if (!found.length) {
      const li = document.createElement('li');
      li.textContent = M.noMatch;
      list.append(li);
      return;
    }
    for (const entry of found) {
      const li = document.createElement('li');
      const name = document.createElement('span');
      name.textContent = entry.name;
      li.append(name);
      const status = ownScan(entry.signupId) || entry.status === 'attended' ? M.statusAttended : entry.status === 'waitlisted' ? M.statusWaitlisted : entry.status === 'cancelled' ? M.statusCancelled : '';
      if (status) {
        const note = document.createElement('span');
        note.className = 'muted';
        note.textContent = ' · ' + status;
        li.append(note);
      }
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'secondary';
      button.textContent = M.checkIn;
      button.setAttribute('aria-label', msg('checkInPerson', { name: entry.name }));
      button.disabled = state.stopped;
      button.addEventListener('click', () => admit(entry, { signupId: entry.signupId }));
      li.append(button);
      list.append(li);
    }
  }

  // ------------------------------------------------------------------ the camera

  let scanning = null;

  function loadScript(src) {
    return new Promise((resolve) => {
      const script = document.createElement('script');
      script.src = src;
      script.onload = script.onerror = () => resolve();
      document.head.append(script);
    });
  }

  /** A function that reads a QR code off the video, or null: the browser's BarcodeDetector, else jsQR on a frame. */
  async function detector(video) {
    if ('BarcodeDetector' in window) {
      try {
        if ((await window.BarcodeDetector.getSupportedFormats()).includes('qr_code')) {
          const detector = new window.BarcodeDetector({ formats: ['qr_code'] });
          return async () => {
            const [found] = await detector.detect(video);
            return found ? found.rawValue : null;
          };
        }
      } catch {
        // Fall through to jsQR.
      }
    }
    if (!window.jsQR) await loadScript(root.dataset.decoder);
    const decode = window.jsQR && (window.jsQR.default || window.jsQR);
    if (!decode) return null;
    const canvas = document.createElement('canvas');
    const context = canvas.getContext('2d', { willReadFrequently: true });
    return async () => {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (!width || !height) return null;
      const scale = Math.min(1, 640 / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = decode(image.data, image.width, image.height, { inversionAttempts: 'dontInvert' });
      return found ? found.data : null;
    };
  }

  async function startScan() {
    if (scanning || state.stopped) return;
    const video = $('door-video');
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
    } catch {
      return show('camera', 'bad', M.cameraError);
    }
    scanning = { stream };
    video.srcObject = stream;
    $('door-scanner').hidden = false;
    await video.play().catch(() => undefined);
    const read = await detector(video);
    if (!read) {
      stopScan();
      return show('camera', 'bad', M.cameraError);
    }
    const tick = async () => {
      if (!scanning) return;
      const text = await read().catch(() => null);
      if (text && parse(text)) {
        stopScan();
        await checkIn(text);
        $('door-code').focus();
      } else setTimeout(tick, 150);
    };
    tick();
  }

  function stopScan() {
    if (!scanning) return;
    for (const track of scanning.stream.getTracks()) track.stop();
    scanning = null;
    $('door-video').srcObject = null;
    $('door-scanner').hidden = true;
  }

  // ------------------------------------------------------------------ offline: the service worker

  function registerWorker() {
    if (!('serviceWorker' in navigator)) return;
    navigator.serviceWorker.onmessage = (event) => {
      if (event.data && event.data.kept) root.dataset.shell = 'kept';
    };
    navigator.serviceWorker
      .register(root.dataset.worker, { scope: '/checkin/' })
      .then(() => navigator.serviceWorker.ready)
      // This page's first load came before the worker: it asks for its own address to be kept.
      .then((registration) => registration.active.postMessage({ keep: location.pathname + location.search }))
      .catch(() => undefined);
  }

  // ------------------------------------------------------------------ start

  async function start() {
    // A volunteer's door link: kept on this phone, then out of the address bar (and of any bookmark or screenshot).
    const link = /^#door=([A-Za-z0-9_-]{20,200})$/.exec(location.hash);
    if (link) {
      await keep('door:' + eventId, link[1]);
      history.replaceState(null, '', location.pathname + location.search);
    }
    await dropExpired();
    state.secret = (await read('door:' + eventId)) || null;
    state.kept = (await read('manifest:' + eventId)) || null;
    state.scans = (await scansOf(eventId)).sort((a, b) => a.at.localeCompare(b.at));
    if (state.kept) {
      index();
      root.dataset.manifest = 'stored';
      showApp();
      render();
    } else $('door-loading').hidden = false;
    registerWorker();
    if (navigator.onLine || !state.kept) await loadManifest();
    send();
  }

  $('door-code-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = $('door-code');
    const value = input.value;
    input.value = '';
    input.focus();
    checkIn(value);
  });
  $('door-walkin').addEventListener('submit', (event) => {
    event.preventDefault();
    const name = $('door-walkin-name').value.trim();
    if (!name) return show('name_needed', 'bad', M.resultNameNeeded);
    const shiftId = $('door-walkin-shift').value;
    $('door-walkin-name').value = '';
    record(Object.assign({ walkIn: { name } }, shiftId ? { shiftId } : {}), null, 'checked_in');
  });
  $('door-find').addEventListener('input', find);
  // A door link opened in a tab already on this page: a fragment change, no new load.
  addEventListener('hashchange', () => {
    if (/^#door=/.test(location.hash)) location.reload();
  });
  $('door-scan').addEventListener('click', startScan);
  $('door-scan-stop').addEventListener('click', stopScan);
  addEventListener('online', () => {
    render();
    send();
  });
  addEventListener('offline', render);
  setInterval(() => {
    if (!navigator.onLine || state.sending) return;
    if (!state.kept && !state.stopped) loadManifest();
    else send();
  }, RETRY_MS);
  setInterval(() => {
    if (navigator.onLine && !document.hidden && !state.sending && !state.stopped) loadManifest();
  }, REFRESH_MS);

  start().catch(() => stop(msg('retry'), 'error'));
})();
