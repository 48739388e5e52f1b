import type { Event } from '../src/events/event.entity';
import { bootTestApp, type TestApp } from './support/app';
import { freePort, productionEnv, startService, until, waitForOk, type ServiceProcess } from './support/process';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { buildWorld, guest, makeEvent, type World } from './support/world';

// Three processes started from dist/ on a shared machine.
jest.setTimeout(120_000);

interface Answer {
  api: number;
  status: number;
  body: { id?: string; status?: string; manageToken?: string; code?: string };
}

/**
 * Scaling past one machine (issue 23): two API processes and a separate
 * outbox worker, as `npm start` with OUTBOX_WORKER=false and `npm run
 * worker` run them, on one database, under a burst of guest signups split
 * across both APIs — some people twice at the same instant, one copy on each
 * API — then a round of cancellations, also split. Every invariant is
 * checked on the rows and on what the SMTP server received.
 */
describe('two API processes and a separate worker on one database', () => {
  let t: TestApp;
  let w: World;
  let sink: SmtpSink;
  const apis: { base: string; service: ServiceProcess }[] = [];
  let worker: ServiceProcess;
  let ipSeq = 0;
  /** Each request from its own address (TRUST_PROXY): the per-address limits are tested elsewhere. */
  const ip = () => `10.23.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}`;

  beforeAll(async () => {
    // The in-process app only arranges and inspects: it runs no outbox worker.
    t = await bootTestApp();
    w = await buildWorld(t);
    sink = await startSmtpSink();
    const common = { TRUST_PROXY: 'true', OUTBOX_WORKER: 'false', LOG_LEVEL: 'warn' };
    for (let i = 0; i < 2; i++) {
      const port = await freePort();
      apis.push({ base: `http://127.0.0.1:${port}`, service: startService(productionEnv(t.database.url, port, common)) });
    }
    worker = startService(productionEnv(t.database.url, await freePort(), { SMTP_URL: sink.url, OUTBOX_POLL_MS: '50', LOG_LEVEL: 'info' }), 'src/worker.ts');
    await Promise.all(apis.map((a) => waitForOk(`${a.base}/health/ready`, 90_000, a.service)));
    await until('the worker to start', async () => (worker.child.exitCode !== null ? Promise.reject(new Error(worker.output())) : worker.output().includes('workers running') ? true : undefined));
  });
  afterAll(async () => {
    for (const p of [...apis.map((a) => a.service), worker]) {
      if (p && p.child.exitCode === null && p.child.signalCode === null) {
        p.child.kill('SIGTERM');
        await p.exited;
      }
    }
    await sink?.close();
    await t?.close();
  });

  async function post(api: number, path: string, body: unknown): Promise<Answer> {
    const res = await fetch(`${apis[api].base}/api/v1${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-forwarded-for': ip() },
      body: JSON.stringify(body),
    });
    return { api, status: res.status, body: (await res.json()) as Answer['body'] };
  }

  it('keeps capacity, order, one live signup per person, one confirmation delivered once and one audit entry per change', async () => {
    const capacities = [12, 20, 30];
    const perEvent = 100;
    const twice = 10; // people per event who send the same signup to both APIs at the same instant
    const events: Event[] = [];
    for (const capacity of capacities) events.push(await makeEvent(t, { hostOrganisationId: w.A.id, capacity }));

    // ── The burst: every signup at once, alternating between the two APIs.
    const attempts = events
      .flatMap((event, e) =>
        Array.from({ length: perEvent }, (_, i) => {
          const body = guest({ name: `Guest ${e}-${i}` });
          const sends = i < twice ? [0, 1] : [i % 2];
          return sends.map((api) => ({ event, send: () => post(api, `/events/${event.id}/signups`, body) }));
        }),
      )
      .flat();
    const answers = await Promise.all(attempts.map(async (a) => ({ ...a, answer: await a.send() })));
    expect(answers.filter((a) => a.answer.status !== 201 && a.answer.status !== 409).map((a) => a.answer)).toEqual([]);
    const made = answers.filter((a) => a.answer.status === 201);
    const refused = answers.filter((a) => a.answer.status === 409);
    // Each person's signup taken exactly once: the copies sent to the other API at the same instant were refused as duplicates.
    expect(made).toHaveLength(capacities.length * perEvent);
    expect(refused).toHaveLength(capacities.length * twice);
    expect(new Set(refused.map((a) => a.answer.body.code))).toEqual(new Set(['already-signed-up']));
    for (const api of [0, 1]) expect(made.filter((a) => a.answer.api === api).length).toBeGreaterThan(capacities.length * perEvent * 0.3);

    // ── Cancellations, also split: the first four seat holders of each event (their seats go to the first in line) and the last three in line.
    const signupRows = () =>
      t.db.query<{ id: string; event_id: string; email: string; status: string }[]>(
        `SELECT id, event_id, lower(guest_email::text) AS email, status FROM event_signups WHERE event_id = ANY($1) ORDER BY seq`,
        [events.map((e) => e.id)],
      );
    const token = new Map(made.map((a) => [a.answer.body.id, a.answer.body.manageToken]));
    const before = await signupRows();
    const cancelled = events.flatMap((event) => {
      const of = (status: string) => before.filter((r) => r.event_id === event.id && r.status === status).map((r) => r.id);
      return [...of('going').slice(0, 4), ...of('waitlisted').slice(-3)];
    });
    const cancels = await Promise.all(cancelled.map((id, i) => post(i % 2, '/signups/cancel', { token: token.get(id) })));
    expect(cancels.map((c) => ({ status: c.status, id: c.body.id, state: c.body.status }))).toEqual(cancelled.map((id) => ({ status: 200, id, state: 'cancelled' })));

    // ── The rows.
    const rows = await signupRows();
    // Exactly the acknowledged signups: a refused request left no row.
    expect(rows.map((r) => r.id).sort()).toEqual(made.map((a) => a.answer.body.id).sort());
    expect(rows.filter((r) => cancelled.includes(r.id)).every((r) => r.status === 'cancelled')).toBe(true);
    for (const [e, event] of events.entries()) {
      const live = rows.filter((r) => r.event_id === event.id && r.status !== 'cancelled');
      const going = live.filter((r) => r.status === 'going');
      // Demand exceeded every capacity: exactly full, the first `capacity` live signups by arrival holding the seats, the rest waiting.
      expect(live.length).toBeGreaterThan(capacities[e]);
      expect(live.map((r) => r.status)).toEqual(live.map((_, i) => (i < capacities[e] ? 'going' : 'waitlisted')));
      // The seat counter agrees with the rows.
      const [{ going_count }] = await t.db.query<{ going_count: number }[]>('SELECT going_count FROM events WHERE id = $1', [event.id]);
      expect(going_count).toBe(going.length);
      // One live signup per person and event.
      expect(new Set(live.map((r) => r.email)).size).toBe(live.length);
    }

    // ── One confirmation per signup in the outbox, written with it.
    const confirmations = await t.db.query<{ dedupe_key: string; n: number }[]>(`SELECT dedupe_key, count(*)::int AS n FROM outbox_messages WHERE dedupe_key = ANY($1) GROUP BY dedupe_key`, [
      rows.map((r) => `event_signup:${r.id}`),
    ]);
    expect(confirmations).toHaveLength(rows.length);
    expect(confirmations.every((c) => c.n === 1)).toBe(true);

    // ── The worker delivers every message to these people (confirmations, seat offers, cancellations) exactly once.
    const emails = [...new Set(rows.map((r) => r.email))];
    const outbox = async () =>
      t.db.query<{ id: string; recipient: string; state: string }[]>('SELECT id, lower(recipient) AS recipient, state FROM outbox_messages WHERE lower(recipient) = ANY($1)', [emails]);
    const sent = await until('every message to the burst sent', async () => {
      const messages = await outbox();
      return messages.every((m) => m.state === 'sent') ? messages : undefined;
    });
    const received = sink.mails.filter((m) => m.to.some((to) => emails.includes(to.toLowerCase())));
    expect(received.map((m) => m.messageId).sort()).toEqual(sent.map((m) => `<${m.id}@convoca>`).sort());
    const count = (list: string[]) => list.reduce((n, r) => n.set(r, (n.get(r) ?? 0) + 1), new Map<string, number>());
    expect(count(received.map((m) => m.to[0].toLowerCase()))).toEqual(count(sent.map((m) => m.recipient)));

    // ── One audit entry per signup, per cancellation and per seat handed on from the waiting list.
    const audit = await t.db.query<{ action: string; entity_id: string }[]>(`SELECT action, entity_id FROM audit_log WHERE entity = 'event_signup' AND entity_id = ANY($1)`, [rows.map((r) => r.id)]);
    const entries = (action: string) => audit.filter((a) => a.action === action).map((a) => a.entity_id);
    expect(entries('event_signup.create').sort()).toEqual(rows.map((r) => r.id).sort());
    expect(entries('event_signup.cancel').sort()).toEqual([...cancelled].sort());
    const promoted = await t.db.query<{ id: string }[]>('SELECT id FROM event_signups WHERE event_id = ANY($1) AND promoted_at IS NOT NULL', [events.map((e) => e.id)]);
    expect(promoted).toHaveLength(capacities.length * 4);
    expect(entries('event_signup.promote').sort()).toEqual(promoted.map((p) => p.id).sort());
  });
});
