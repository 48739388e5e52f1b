import request from 'supertest';

import type { TestApp } from './app';
import type { World } from './world';

export const CALLERS = ['anon', 'plain', 'organiserA', 'adminA', 'adminP', 'adminB', 'coordinator', 'platform'] as const;
export type Who = (typeof CALLERS)[number];

export interface Call {
  method: 'get' | 'post' | 'patch' | 'put' | 'delete';
  path: string;
  body?: object;
}

/** One row of a permission matrix: a request (built fresh per caller) and the status each caller must get. */
export interface MatrixRow {
  route: string;
  call: (who: Who) => Promise<Call> | Call;
  expect: Record<Who, number>;
}

/** `row('PATCH /x', call, 401, 403, ...)` with statuses in CALLERS order, so the table reads as a table. */
export function row(route: string, call: MatrixRow['call'], ...statuses: number[]): MatrixRow {
  if (statuses.length !== CALLERS.length) throw new Error(`${route}: ${statuses.length} statuses for ${CALLERS.length} callers`);
  return { route, call, expect: Object.fromEntries(CALLERS.map((c, i) => [c, statuses[i]])) as Record<Who, number> };
}

/** Runs one row for every caller; returns caller → status so a failure shows the whole row. */
export async function runRow(t: TestApp, world: World, r: MatrixRow): Promise<Record<Who, number>> {
  const out = {} as Record<Who, number>;
  for (const who of CALLERS) {
    const call = await r.call(who);
    let req = request(t.http)[call.method](call.path);
    if (who !== 'anon') req = req.set('Authorization', `Bearer ${world.users[who].token}`);
    const res = call.body ? await req.send(call.body) : await req;
    if (res.status >= 500) throw new Error(`${r.route} as ${who}: ${res.status} ${JSON.stringify(res.body)}`);
    out[who] = res.status;
  }
  return out;
}
