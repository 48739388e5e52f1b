import request from 'supertest';

import { OutboxService } from '../src/outbox/outbox.service';
import { OutboxWorker } from '../src/outbox/outbox.worker';
import { bootTestApp, type TestApp } from './support/app';
import { startService } from './support/process';
import { startSmtpSink, type SmtpSink } from './support/smtp-sink';
import { buildWorld, type World } from './support/world';

const insertTestMessages = (t: TestApp, n: number, prefix: string) =>
  t.db.query(
    `INSERT INTO outbox_messages (template, recipient, payload, dedupe_key)
     SELECT 'system.test', 'person' || g || '@example.org', jsonb_build_object('n', g::text), $2 || g FROM generate_series(1, $1) g`,
    [n, prefix],
  );

// The crash test spawns worker processes: slow on a busy machine.
jest.setTimeout(150_000);

describe('transactional outbox', () => {
  let sink: SmtpSink;
  let t: TestApp;
  let w: World;

  beforeAll(async () => {
    sink = await startSmtpSink();
    // The worker loop is off here; tests drive deliveries explicitly.
    t = await bootTestApp({ env: { SMTP_URL: sink.url, OUTBOX_MAX_ATTEMPTS: '3', OUTBOX_RETRY_BASE_MS: '1' } });
    w = await buildWorld(t);
  });
  afterAll(async () => {
    await t.close();
    await sink.close();
  });
  beforeEach(async () => {
    sink.mails.length = 0;
    sink.failNext(0);
    await t.db.query("DELETE FROM outbox_messages WHERE template = 'system.test'");
  });

  it('writes a message only if its transaction commits, and only once per dedupe key', async () => {
    const outbox = t.app.get(OutboxService);
    const message = { template: 'system.test', recipient: 'a@example.org', payload: { n: '1' }, dedupeKey: 'test:rollback' };
    await expect(
      t.db.transaction(async (em) => {
        await outbox.enqueue(em, message);
        throw new Error('the change failed');
      }),
    ).rejects.toThrow('the change failed');
    expect(await t.db.query("SELECT id FROM outbox_messages WHERE dedupe_key = 'test:rollback'")).toEqual([]);

    expect(await t.db.transaction((em) => outbox.enqueue(em, { ...message, dedupeKey: 'test:once' }))).toBe(true);
    expect(await t.db.transaction((em) => outbox.enqueue(em, { ...message, dedupeKey: 'test:once' }))).toBe(false);
    expect(await t.db.query("SELECT count(*)::int AS n FROM outbox_messages WHERE dedupe_key = 'test:once'")).toEqual([{ n: 1 }]);
  });

  it('two workers racing over 500 due messages deliver each exactly once', async () => {
    await insertTestMessages(t, 500, 'race:');
    const second = await bootTestApp({ database: t.database, env: { SMTP_URL: sink.url } });
    try {
      await Promise.all([t.app.get(OutboxWorker).deliverDue(), second.app.get(OutboxWorker).deliverDue()]);
    } finally {
      await second.close();
    }
    expect(sink.mails).toHaveLength(500);
    expect(new Set(sink.mails.map((m) => m.messageId)).size).toBe(500);
    expect(await t.db.query("SELECT state, count(*)::int AS n FROM outbox_messages WHERE template = 'system.test' GROUP BY state")).toEqual([{ state: 'sent', n: 500 }]);
  });

  it('retries a message SMTP refuses, then marks it failed, never losing it', async () => {
    await insertTestMessages(t, 1, 'flaky:');
    sink.failNext(Infinity);
    const worker = t.app.get(OutboxWorker);
    for (let i = 0; i < 3; i++) {
      await t.db.query("UPDATE outbox_messages SET next_attempt_at = now() WHERE state = 'pending'");
      await worker.deliverDue();
    }
    const [row] = await t.db.query("SELECT state, attempts, last_error FROM outbox_messages WHERE dedupe_key = 'flaky:1'");
    expect(row).toMatchObject({ state: 'failed', attempts: 3 });
    expect(row.last_error).toContain('451');
    expect(row.last_error).not.toContain('rosa@example.org'); // addresses are redacted from stored errors
  });

  it('recovers after a temporary refusal with exponential backoff', async () => {
    await insertTestMessages(t, 1, 'retry:');
    sink.failNext(1);
    const worker = t.app.get(OutboxWorker);
    for (let round = 0; round < 5 && sink.mails.length === 0; round++) await worker.deliverDue();
    expect(sink.mails.map((m) => m.subject)).toEqual(['Prueba 1']);
    expect(await t.db.query("SELECT state, attempts FROM outbox_messages WHERE dedupe_key = 'retry:1'")).toEqual([{ state: 'sent', attempts: 2 }]);
  });

  it('renders Spanish by default and English on request, as text and HTML', async () => {
    await t.db.query(`INSERT INTO outbox_messages (template, recipient, locale, payload, dedupe_key) VALUES
      ('system.test', 'es@example.org', 'es', '{"n":"es"}', 'lang:es'), ('system.test', 'en@example.org', 'en', '{"n":"en"}', 'lang:en')`);
    await t.app.get(OutboxWorker).deliverDue();
    expect(sink.mails.map((m) => m.subject).sort()).toEqual(['Prueba es', 'Test en']);
    expect(sink.mails[0].raw).toMatch(/text\/plain/);
    expect(sink.mails[0].raw).toMatch(/text\/html/);
  });

  it('lets platform admins list messages with addresses masked and no bodies', async () => {
    await insertTestMessages(t, 3, 'list:');
    const res = await request(t.http).get('/api/v1/outbox?limit=2').set(w.users.platform.auth);
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(2);
    expect(res.body.nextCursor).toEqual(expect.any(String));
    expect(res.body.items[0].recipient).toMatch(/^p\*\*\*@example\.org$/);
    expect(res.body.items[0]).not.toHaveProperty('payload');
    expect((await request(t.http).get('/api/v1/outbox').set(w.users.adminA.auth)).status).toBe(403);
    expect((await request(t.http).get('/api/v1/outbox')).status).toBe(401);
  });

  it('loses nothing when the worker process is killed mid-batch, and resends at most the messages in flight', async () => {
    await insertTestMessages(t, 200, 'kill:');
    sink.setDelay(20);
    const env = { DATABASE_URL: t.database.url, SMTP_URL: sink.url, OUTBOX_POLL_MS: '50', JWT_SECRET: 'x'.repeat(40), LOG_LEVEL: 'warn' };
    try {
      const first = startService(env, 'src/worker.ts');
      await sink.waitFor((mails) => mails.length >= 40, 30_000);
      first.child.kill('SIGKILL');
      await first.exited;
      const beforeRestart = sink.mails.length;
      expect(beforeRestart).toBeLessThan(200);

      const second = startService(env, 'src/worker.ts');
      try {
        await sink.waitFor(() => new Set(sink.mails.map((m) => m.messageId)).size === 200, 60_000);
        // Mail received is not yet mail settled: wait until every row is marked sent.
        const start = Date.now();
        while ((await t.db.query("SELECT count(*)::int AS n FROM outbox_messages WHERE template = 'system.test' AND state <> 'sent'"))[0].n > 0) {
          if (Date.now() - start > 30_000) break;
          await new Promise((r) => setTimeout(r, 50));
        }
      } finally {
        second.child.kill('SIGTERM');
        await second.exited;
      }
    } finally {
      sink.setDelay(0);
    }
    const rows = await t.db.query("SELECT state, count(*)::int AS n FROM outbox_messages WHERE template = 'system.test' GROUP BY state");
    expect(rows).toEqual([{ state: 'sent', n: 200 }]);
    // At-least-once: only the messages whose SMTP answer came back after the kill
    // (at most one per delivery lane) may arrive twice.
    expect(sink.mails.length - 200).toBeLessThanOrEqual(4);
  });
});
