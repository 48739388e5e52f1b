import { Agent, request } from 'node:http';
import type { Client } from 'pg';

import { orgId, sqlArray } from './seed';
import { REGIONS } from './synthetic';

/**
 * Seeds `count` published public events hosted by the organisations seeded by
 * `seedMembers` (set-based, one statement), starting over the next year, and
 * `burstEvents` more with `seats` seats each, starting in a week, for the
 * signup burst. Returns the burst events' ids.
 */
export async function seedEvents(db: Client, sizes: { events: number; organisations: number; burstEvents: number; seats: number }): Promise<string[]> {
  await db.query(
    `INSERT INTO events (host_organisation_id, title, kind, status, visibility, starts_at, ends_at, venue, locality, region, published_at)
     SELECT md5('bench-org-' || (1 + g % $2::int))::uuid, 'Asamblea ' || g, 'assembly', 'published', 'public',
            now() + interval '1 hour' + g * interval '50 minutes', now() + interval '3 hours' + g * interval '50 minutes',
            'Local ' || g, 'Distrito ' || (g % 200), (${sqlArray(REGIONS)})[1 + g % ${REGIONS.length}], now()
       FROM generate_series(1, $1::int) g`,
    [sizes.events, sizes.organisations],
  );
  const { rows } = await db.query<{ id: string }>(
    `INSERT INTO events (host_organisation_id, title, kind, status, visibility, starts_at, ends_at, capacity, published_at)
     SELECT ${orgId(1)}, 'Marcha ' || g, 'march', 'published', 'public', now() + interval '7 days', now() + interval '7 days 4 hours', $2::int, now()
       FROM generate_series(1, $1::int) g
     RETURNING id`,
    [sizes.burstEvents, sizes.seats],
  );
  await db.query('ANALYZE events');
  return rows.map((r) => r.id);
}

export interface BurstResult {
  signups: number;
  ms: number;
  perSec: number;
  /** Transport errors and answers other than 201. */
  errors: number;
  statuses: Record<string, number>;
}

/**
 * Fires `perEvent` guest signups at each event, all at once, over at most
 * `connections` keep-alive sockets. Each signup comes from its own address
 * (X-Forwarded-For; the API runs with TRUST_PROXY): a mobilisation's signups
 * come from thousands of phones, and the per-address limit is not what is
 * measured here.
 */
export async function signupBurst(base: string, events: string[], perEvent: number, connections: number, tag: string): Promise<BurstResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: connections });
  const url = new URL(base);
  const statuses: Record<string, number> = {};
  let errors = 0;
  const one = (eventId: string, n: number) =>
    new Promise<void>((resolve) => {
      const body = JSON.stringify({ name: `Guest ${n}`, email: `${tag}.${n}@burst.bench.example`, consent: { dataProcessing: true } });
      const req = request(
        {
          agent,
          host: url.hostname,
          port: url.port,
          method: 'POST',
          path: `${url.pathname}/events/${eventId}/signups`,
          headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-forwarded-for': `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}` },
        },
        (res) => {
          statuses[res.statusCode ?? 0] = (statuses[res.statusCode ?? 0] ?? 0) + 1;
          if (res.statusCode !== 201) errors++;
          res.resume();
          res.on('end', resolve);
        },
      );
      req.on('error', () => {
        errors++;
        statuses.error = (statuses.error ?? 0) + 1;
        resolve();
      });
      req.end(body);
    });
  const t = performance.now();
  await Promise.all(events.flatMap((eventId, e) => Array.from({ length: perEvent }, (_, i) => one(eventId, e * perEvent + i + 1))));
  const ms = performance.now() - t;
  agent.destroy();
  const signups = events.length * perEvent;
  return { signups, ms, perSec: signups / (ms / 1000), errors, statuses };
}

/**
 * The physical floor of a signup: the conditional seat UPDATE and the signup
 * INSERT in one transaction, from `clients` connections (as many as the API's
 * pool), nothing else.
 */
export async function rawSignupLoop(clients: Client[], events: string[], perEvent: number): Promise<BurstResult> {
  const jobs = events.flatMap((eventId, e) => Array.from({ length: perEvent }, (_, i) => ({ eventId, n: e * perEvent + i + 1 })));
  let next = 0;
  let errors = 0;
  const t = performance.now();
  await Promise.all(
    clients.map(async (c) => {
      for (let job = jobs[next++]; job; job = jobs[next++]) {
        try {
          await c.query('BEGIN');
          const seated = await c.query('UPDATE events SET going_count = going_count + 1 WHERE id = $1 AND (capacity IS NULL OR going_count < capacity) RETURNING id', [job.eventId]);
          await c.query(
            `INSERT INTO event_signups (event_id, guest_name, guest_email, status, source, consent_data_processing_at, waitlisted_at)
             VALUES ($1, $2, $3, $4, 'guest_form', now(), $5)`,
            [job.eventId, `Raw ${job.n}`, `raw.${job.n}@burst.bench.example`, seated.rowCount ? 'going' : 'waitlisted', seated.rowCount ? null : new Date()],
          );
          await c.query('COMMIT');
        } catch {
          errors++;
          await c.query('ROLLBACK').catch(() => undefined);
        }
      }
    }),
  );
  const ms = performance.now() - t;
  return { signups: jobs.length, ms, perSec: jobs.length / (ms / 1000), errors, statuses: {} };
}

/** Going / waitlisted signups per event and the events' own counters. */
export async function seatCounts(db: Client, events: string[]): Promise<{ going: number; waitlisted: number; overbooked: number; counterMismatch: number }> {
  const { rows } = await db.query<{ going: string; waitlisted: string; overbooked: string; mismatch: string }>(
    `SELECT coalesce(sum(going), 0) AS going, coalesce(sum(waitlisted), 0) AS waitlisted,
            count(*) FILTER (WHERE going > capacity) AS overbooked, count(*) FILTER (WHERE going <> going_count) AS mismatch
       FROM (SELECT e.id, e.capacity, e.going_count,
                    (SELECT count(*) FROM event_signups s WHERE s.event_id = e.id AND s.status = 'going') AS going,
                    (SELECT count(*) FROM event_signups s WHERE s.event_id = e.id AND s.status = 'waitlisted') AS waitlisted
               FROM events e WHERE e.id = ANY($1::uuid[])) x`,
    [events],
  );
  return { going: Number(rows[0].going), waitlisted: Number(rows[0].waitlisted), overbooked: Number(rows[0].overbooked), counterMismatch: Number(rows[0].mismatch) };
}
