import request from 'supertest';

import { bootTestApp, type TestApp } from './support/app';
import { ProbeModule } from './support/probe.module';

describe('HTTP pipeline', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await bootTestApp({ extraModules: [ProbeModule], env: { BODY_LIMIT_BYTES: '2048', DB_STATEMENT_TIMEOUT_MS: '500' } });
  });
  afterAll(() => t.close());

  const expectProblem = (res: request.Response, status: number) => {
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ status, type: expect.any(String), title: expect.any(String), detail: expect.any(String) });
    expect(res.body.requestId).toBe(res.headers['x-request-id']);
  };

  it('accepts a valid body', async () => {
    const res = await request(t.http).post('/api/v1/probe/echo').send({ name: 'Rosa', age: 30 });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({ name: 'Rosa', age: 30 });
  });

  it('answers a validation error with a 400 problem listing each field', async () => {
    const res = await request(t.http).post('/api/v1/probe/echo').send({ name: '', age: 'old' });
    expectProblem(res, 400);
    expect(res.body.code).toBe('validation-failed');
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['name', 'age']));
  });

  it('rejects an unknown field instead of dropping it', async () => {
    const res = await request(t.http).post('/api/v1/probe/echo').send({ name: 'Rosa', age: 3, isPlatformAdmin: true });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ field: 'isPlatformAdmin', message: 'isPlatformAdmin is not an accepted field' }]);
  });

  it('refuses a body on a route that takes none instead of ignoring it', async () => {
    expect((await request(t.http).post('/api/v1/probe/noop')).status).toBe(204);
    expect((await request(t.http).post('/api/v1/probe/noop').send({})).status).toBe(204);
    const res = await request(t.http).post('/api/v1/probe/noop').send({ status: 'cancelled' });
    expectProblem(res, 400);
    expect(res.body.errors).toEqual([{ field: 'status', message: 'status is not an accepted field (this request takes no body)' }]);
  });

  it.each([
    ['a lone surrogate', '{"name": "x\\udfffy", "age": 1}', 'name'],
    ['a NUL character', '{"name": "a\\u0000b", "age": 1}', 'name'],
    ['a lone surrogate in a key', '{"name": "Rosa", "age": 1, "\\ud800": 1}', '\ud800'],
  ])('answers text with %s as a 400 naming the field, before any validator sees it', async (_name, json, field) => {
    const res = await request(t.http).post('/api/v1/probe/echo').set('content-type', 'application/json').send(json);
    expectProblem(res, 400);
    expect(res.body.code).toBe('invalid-text');
    expect(res.body.errors.map((e: { field: string }) => e.field)).toEqual([field]);
  });

  it('cancels a query that runs past DB_STATEMENT_TIMEOUT_MS and answers 503, and the pool keeps working', async () => {
    const res = await request(t.http).get('/api/v1/probe/sleep?seconds=5');
    expectProblem(res, 503);
    expect(res.body.code).toBe('timeout');
    // PostgreSQL cancelled the statement (not a client-side timer): the connection went back to the pool healthy.
    expect((await request(t.http).get('/api/v1/probe/sleep?seconds=0')).body).toEqual({ slept: 0 });
    expect((await request(t.http).get('/health/ready')).status).toBe(200);
  });

  it('answers malformed JSON with a 400 problem', async () => {
    const res = await request(t.http).post('/api/v1/probe/echo').set('content-type', 'application/json').send('{"name": "Rosa",');
    expectProblem(res, 400);
  });

  it('answers an unsupported content type with a 415 problem', async () => {
    const res = await request(t.http).post('/api/v1/probe/echo').set('content-type', 'application/x-yaml').send('name: x');
    expectProblem(res, 415);
  });

  it('answers a body over the limit with a 413 problem', async () => {
    const res = await request(t.http)
      .post('/api/v1/probe/echo')
      .send({ name: 'x'.repeat(5000), age: 1 });
    expectProblem(res, 413);
  });

  it('answers an unknown route with a 404 problem', async () => {
    const res = await request(t.http).get('/api/v1/no-such-thing');
    expectProblem(res, 404);
  });

  it('answers an unexpected error with a bare 500 that leaks nothing', async () => {
    const res = await request(t.http).get('/api/v1/probe/boom');
    expectProblem(res, 500);
    expect(JSON.stringify(res.body)).not.toMatch(/secret|postgres|stack|at /);
    expect(res.body.detail).toContain(res.body.requestId);
  });

  it('echoes a caller-supplied request id and invents one otherwise', async () => {
    const mine = await request(t.http).get('/health/live').set('x-request-id', 'abc-123');
    expect(mine.headers['x-request-id']).toBe('abc-123');
    const hostile = await request(t.http).get('/health/live').set('x-request-id', 'bad id\nwith newline'.replace('\n', ' '));
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const none = await request(t.http).get('/health/live');
    expect(none.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('reports health', async () => {
    expect((await request(t.http).get('/health/live')).body).toEqual({ status: 'ok' });
    const ready = await request(t.http).get('/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({ status: 'ok', pendingMigrations: 0 });
  });

  it('sends security headers', async () => {
    const res = await request(t.http).get('/health/live');
    expect(res.headers['cache-control']).toBe('no-store');
    // ...unless a route opts in: public calendar feeds may be cached briefly.
    const feed = await request(t.http).get('/api/v1/calendar.ics');
    expect([feed.status, feed.headers['cache-control']]).toEqual([200, 'public, max-age=300']);
    // The same set on every answer, errors included.
    for (const answer of [res, await request(t.http).get('/api/v1/no-such-thing'), await request(t.http).get('/api/v1/events?limit=1')]) {
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
      expect(answer.headers['content-security-policy']).toContain("style-src 'self' 'unsafe-inline'");
      expect(answer.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(answer.headers['strict-transport-security']).toMatch(/^max-age=\d+/);
      expect(answer.headers['cross-origin-opener-policy']).toBe('same-origin');
      expect(answer.headers['x-powered-by']).toBeUndefined();
      expect(answer.headers['cache-control']).toBe('no-store');
    }
  });

  it('serves a valid OpenAPI 3 document and the Swagger UI', async () => {
    const doc = await request(t.http).get('/api/docs-json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect(doc.body.info.title).toBe('Convoca API');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/health/ready', '/api/v1/probe/echo']));
    const ui = await request(t.http).get('/api/docs');
    expect(ui.status).toBe(200);
    expect(ui.text).toContain('swagger-ui');
  });
});
