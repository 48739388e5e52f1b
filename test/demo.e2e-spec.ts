import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { freePort, startService, type ServiceProcess } from './support/process';

// Each run initialises a PostgreSQL cluster, migrates and seeds: slow on a busy machine.
jest.setTimeout(240_000);

const READY = 'Ctrl-C stops the demo.';

async function startDemo(dataDir: string): Promise<{ demo: ServiceProcess; port: number }> {
  const port = await freePort();
  const demo = startService({ PORT: String(port), CONVOCA_PG_PORT: String(await freePort()), CONVOCA_DEMO_DATA_DIR: dataDir }, 'src/demo.ts');
  const started = Date.now();
  while (!demo.output().includes(READY)) {
    if (demo.child.exitCode !== null) throw new Error(`the demo exited early:\n${demo.output()}`);
    if (Date.now() - started > 180_000) throw new Error(`the demo did not get ready:\n${demo.output()}`);
    await sleep(50);
  }
  return { demo, port };
}

async function stop(demo: ServiceProcess): Promise<number | null> {
  demo.child.kill('SIGTERM');
  return demo.exited;
}

/** The printed tour: each "# n. title" line is followed by its one-line command. */
function tour(output: string): { title: string; command: string }[] {
  const lines = output.split('\n');
  return lines.flatMap((line, i) => (/^# \d+\. /.test(line) ? [{ title: line, command: lines[i + 1] }] : []));
}

/**
 * Runs the commands as a person pasting them in order into one POSIX shell
 * (later ones use the variables earlier ones set); returns each one's output.
 */
function runInOneShell(commands: string[]): string[] {
  const script = commands.map((c, i) => `${c}\necho "@@step ${i} exit $?"`).join('\n');
  const run = spawnSync('sh', ['-c', script], { encoding: 'utf8', cwd: tmpdir(), env: { PATH: process.env.PATH ?? '', HOME: tmpdir() }, timeout: 60_000 });
  const outputs: string[] = [];
  let rest = run.stdout;
  for (let i = 0; i < commands.length; i++) {
    const marker = `@@step ${i} exit `;
    const at = rest.indexOf(marker);
    if (at === -1) throw new Error(`step ${i + 1} did not finish:\n${run.stdout}\n${run.stderr}`);
    const end = rest.indexOf('\n', at);
    expect({ step: i + 1, exit: rest.slice(at + marker.length, end) }).toEqual({ step: i + 1, exit: '0' });
    outputs.push(rest.slice(0, at).trim());
    rest = rest.slice(end + 1);
  }
  return outputs;
}

describe('npm run demo', () => {
  const dataDir = join(mkdtempSync(join(tmpdir(), 'convoca-demo-')), 'demo');

  it('seeds the reference scenario, prints the logins, and the five printed curl commands tell the story as printed', async () => {
    const { demo, port } = await startDemo(dataDir);
    try {
      const out = demo.output();
      const url = `http://localhost:${port}`;
      expect(out).toContain(`API docs:   ${url}/api/docs`);
      const docs = await fetch(`${url}/api/docs-json`);
      expect(docs.status).toBe(200);

      // One login per role, each printed with its role, all working with the printed password.
      const password = /password for all: (\S+)\)/.exec(out)![1];
      const logins = [...out.matchAll(/^ {2}(\S+@\S+) {2,}(.+)$/gm)].map((m) => ({ email: m[1], role: m[2] }));
      expect(logins.map((l) => l.role.split(' ')[0])).toEqual(['platform', 'coordinator', 'org_admin', 'org_admin', 'organiser', 'member']);
      for (const { email } of logins) {
        const res = await fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
        expect({ email, status: res.status }).toEqual({ email, status: 200 });
      }

      // The scenario's public face: the coalition's five demands are adopted and endorsed by both partners.
      const coalition = (await (await fetch(`${url}/api/v1/coalitions/venceremos`)).json()) as { id: string };
      const demands = (await (await fetch(`${url}/api/v1/demands?coalition=${coalition.id}`)).json()) as { items: { code: string; status: string }[] };
      expect(demands.items.map((d) => `${d.code}:${d.status}`)).toEqual(['D1:adopted', 'D2:adopted', 'D3:adopted', 'D4:adopted', 'D5:adopted']);
      const published = (await (await fetch(`${url}/api/v1/events?coalition=${coalition.id}`)).json()) as { items: { title: string; kind: string }[] };
      expect(published.items.map((e) => e.title)).toContain('March in defence of the popular vote — Lima');

      // The public pages it prints open, in a browser's language, as HTML.
      const pages = [...out.matchAll(/^ {2}(Event|Organisation|Join form|Coalition|Log in): +(\S+)$/gm)].map((m) => m[2]);
      expect(pages).toHaveLength(5);
      for (const page of pages) {
        const res = await fetch(page, { headers: { 'accept-language': 'es-PE' } });
        expect({ page, status: res.status, type: res.headers.get('content-type') }).toEqual({ page, status: 200, type: 'text/html; charset=utf-8' });
      }
      expect(await (await fetch(pages[0])).text()).toContain('March in defence of the popular vote — Lima');

      const steps = tour(out);
      expect(steps).toHaveLength(5);
      const [login, stats, publish, signup, checkIn] = runInOneShell(steps.map((s) => s.command));

      expect(login).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);

      const partnerStats = JSON.parse(stats) as { partners: { organisation: { slug: string }; total: number; byRegion: { region: string }[] }[] };
      expect(partnerStats.partners.map((p) => p.organisation.slug).sort()).toEqual(['nuevo-peru', 'voces-del-pueblo']);
      for (const p of partnerStats.partners) {
        expect(p.total).toBeGreaterThan(100);
        expect(p.byRegion.map((r) => r.region)).toEqual(expect.arrayContaining(['Lima', 'Arequipa', 'Cusco', 'Piura']));
      }
      expect(stats).not.toMatch(/@|email|givenName/); // aggregates only, never a person

      expect(JSON.parse(publish)).toMatchObject({ title: 'Rally for the popular vote — Piura', status: 'published', region: 'Piura' });
      const answer = JSON.parse(signup) as { id: string; status: string; manageToken: string };
      expect(answer).toMatchObject({ status: 'going', manageToken: expect.any(String) });
      expect(JSON.parse(checkIn)).toMatchObject({ id: answer.id, status: 'attended', name: 'Lucia Quispe', checkedInAt: expect.any(String) });
    } finally {
      expect(await stop(demo)).toBe(0);
    }
  });

  it('starts again from scratch on its existing folder, and never wipes a folder it did not create', async () => {
    const { demo, port } = await startDemo(dataDir);
    try {
      // Seeded afresh: the rally the first run published is a draft again, and the tour can be replayed.
      const [step3] = tour(demo.output()).slice(2);
      expect(step3.title).toContain('(still a draft)');
      const eventId = /events\/([0-9a-f-]{36})\/publish/.exec(step3.command)![1];
      expect((await fetch(`http://localhost:${port}/api/v1/events/${eventId}`)).status).toBe(404); // a draft: not public
    } finally {
      expect(await stop(demo)).toBe(0);
    }

    const foreign = mkdtempSync(join(tmpdir(), 'convoca-not-demo-'));
    mkdirSync(join(foreign, 'pgdata'));
    const refused = startService({ PORT: String(await freePort()), CONVOCA_DEMO_DATA_DIR: foreign }, 'src/demo.ts');
    expect(await refused.exited).toBe(1);
    expect(refused.output().trim()).toMatch(/^convoca: the demo failed: .*holds a database the demo did not create; it is left alone\. Set CONVOCA_DEMO_DATA_DIR/);
  });
});
