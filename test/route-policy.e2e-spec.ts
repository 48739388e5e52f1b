import { Controller, Get, Module } from '@nestjs/common';
import request from 'supertest';

import { bootTestApp, type TestApp } from './support/app';
import { listRoutes } from './support/routes';
import { makeUser } from './support/world';

/** A route that forgot to declare its policy: it must be refused to everyone. */
@Controller('forgotten')
class ForgottenController {
  @Get()
  leak(): string {
    return 'member list';
  }
}
@Module({ controllers: [ForgottenController] })
class ForgottenModule {}

describe('route policies (ACCESS.md rule 1)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await bootTestApp();
  });
  afterAll(() => t.close());

  it('every route of the application declares @Public() or a permission', () => {
    const routes = listRoutes(t.app);
    expect(routes.length).toBeGreaterThan(20);
    expect(routes.filter((r) => r.policy === null).map((r) => `${r.method} ${r.path}`)).toEqual([]);
  });

  // The pages' paths leave the /api/v1 prefix (src/pages/page-paths.ts): an API route under one of them would silently move.
  it('keeps the API prefix on every API route: only the pages’ own controllers answer outside it', () => {
    const outside = listRoutes(t.app).filter((r) => r.page);
    expect(outside.length).toBeGreaterThan(3);
    expect(outside.filter((r) => !/^(\w+Pages|Assets)Controller$/.test(r.controller)).map((r) => `${r.controller} ${r.method} ${r.path}`)).toEqual([]);
  });

  // A change in who can reach what shows up here, to be reviewed as such.
  it('matches the reviewed list of routes and policies', () => {
    expect(listRoutes(t.app).map((r) => `${r.method.padEnd(6)} ${r.path.padEnd(52)} ${r.policy}`)).toMatchSnapshot();
  });

  it('lets no anonymous caller through a route that needs a permission', async () => {
    for (const r of listRoutes(t.app).filter((x) => x.policy !== 'public')) {
      const path = r.path.replace(/:[A-Za-z]+/g, '00000000-0000-4000-8000-000000000000');
      const res = await request(t.http)[r.method.toLowerCase() as 'get'](path).send({});
      expect(`${r.method} ${r.path} -> ${res.status}`).toBe(`${r.method} ${r.path} -> 401`);
    }
  });

  it('flags an undeclared route, and the guard refuses it even to a platform admin', async () => {
    const other = await bootTestApp({ extraModules: [ForgottenModule], database: t.database });
    try {
      const undeclared = listRoutes(other.app).filter((r) => r.policy === null);
      expect(undeclared.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v1/forgotten']);
      const admin = await makeUser(other, [], { isPlatformAdmin: true });
      const res = await request(other.http).get('/api/v1/forgotten').set(admin.auth);
      expect(res.status).toBe(403);
      expect(res.text).not.toContain('member list');
      expect((await request(other.http).get('/api/v1/forgotten')).status).toBe(403);
    } finally {
      await other.close();
    }
  });
});
