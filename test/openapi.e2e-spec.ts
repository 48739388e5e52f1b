import { existsSync } from 'node:fs';
import type { Type } from '@nestjs/common';
import type { MediaTypeObject, OpenAPIObject, OperationObject, ReferenceObject, RequestBodyObject, ResponseObject, SchemaObject } from '@nestjs/swagger';
import request from 'supertest';

import { LoginDto } from '../src/auth/dto/auth.dto';
import { AppError } from '../src/common/problem';
import { createValidationPipe } from '../src/common/validation';
import { assembleExample, openApiPath, PROBLEM_MEDIA_TYPE } from '../src/openapi/openapi';
import { bootTestApp, type TestApp } from './support/app';
import { TEST_ENV } from './support/database';
import { listRoutes, type RouteInfo } from './support/routes';

/** Routes whose services count uses (RateLimitService) and answer 429 with Retry-After. */
const RATE_LIMITED = [
  'POST /api/v1/auth/login',
  'POST /api/v1/auth/password',
  'POST /api/v1/auth/password-reset',
  'POST /api/v1/auth/refresh',
  'POST /api/v1/auth/register',
  'POST /api/v1/events/:id/signups',
  'POST /api/v1/me/erase',
  'POST /api/v1/organisations/:id/applications',
  'POST /api/v1/signups/cancel',
  'POST /api/v1/signups/lookup',
];

/** Bodies validated elsewhere than by a `@Body()` parameter (login: by its guard). */
const BODY_VALIDATED_BY_GUARD: Record<string, Type> = { 'AuthController.login': LoginDto };

interface Operation {
  name: string;
  route: RouteInfo;
  op: OperationObject;
}

const responsesOf = (op: OperationObject) => op.responses as Record<string, ResponseObject>;
const jsonBodyOf = (op: OperationObject): MediaTypeObject | undefined => (op.requestBody as RequestBodyObject | undefined)?.content['application/json'];

describe('OpenAPI document', () => {
  let t: TestApp;
  let doc: OpenAPIObject;
  let schemas: Record<string, SchemaObject>;
  let operations: Operation[];

  beforeAll(async () => {
    // Built by this app, not read from the run's cache that the other test files reuse.
    t = await bootTestApp({ freshOpenApi: true });
    const res = await request(t.http).get('/api/docs-json');
    expect(res.status).toBe(200);
    doc = res.body as OpenAPIObject;
    schemas = doc.components!.schemas as Record<string, SchemaObject>;
    // The API's routes; the pages (HTML) are not part of its document.
    operations = listRoutes(t.app)
      .filter((route) => !route.page)
      .map((route) => ({
        name: `${route.method} ${route.path}`,
        route,
        op: doc.paths[openApiPath(route.path)]?.[route.method.toLowerCase() as 'get'] as OperationObject,
      }));
  });
  afterAll(() => t.close());

  /** An example for a JSON media type: its own, or assembled from the schema's properties. */
  const exampleOf = (media: MediaTypeObject) => (media.example !== undefined ? { value: media.example as unknown, missing: [] } : assembleExample(media.schema!, schemas));

  it('is served the same by the apps of other test files, which reuse the document of the run', async () => {
    // The first app booted with the cache empty builds the document and keeps it; the next one reads it back.
    const cached = () => existsSync(process.env[TEST_ENV.openApiFile]!);
    for (let boots = 0; boots < 2; boots++) {
      const builds = !cached();
      const other = await bootTestApp({ database: t.database });
      try {
        if (!builds) {
          expect((await request(other.http).get('/api/docs-json')).body).toEqual(doc);
          return;
        }
      } finally {
        await other.close();
      }
    }
    throw new Error('the OpenAPI document was not cached');
  });

  it('documents every route of the application', () => {
    expect(operations.length).toBeGreaterThan(80);
    expect(operations.filter((o) => !o.op).map((o) => o.name)).toEqual([]);
    expect(operations.filter((o) => !o.op.summary?.trim()).map((o) => o.name)).toEqual([]);
  });

  it('documents a success answer for every route, with an example for every JSON body', () => {
    const problems: string[] = [];
    for (const { name, op } of operations) {
      const successes = Object.entries(responsesOf(op)).filter(([status]) => /^2/.test(status));
      if (successes.length === 0) problems.push(`${name}: no 2xx answer`);
      for (const [status, response] of successes) {
        if (status === '204') continue;
        const media = Object.entries(response.content ?? {});
        if (media.length === 0) problems.push(`${name} ${status}: no content`);
        for (const [type, body] of media) {
          if (!body.schema && body.example === undefined) problems.push(`${name} ${status} ${type}: neither schema nor example`);
          if (type !== 'application/json') continue;
          const { value, missing } = exampleOf(body);
          if (value === undefined) problems.push(`${name} ${status}: no example`);
          if (missing.length) problems.push(`${name} ${status}: no example for ${missing.join(', ')}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('gives every request body an example, and every example passes the route’s own validation', async () => {
    const pipe = createValidationPipe();
    const problems: string[] = [];
    let checked = 0;
    for (const { name, route, op } of operations) {
      const body = op.requestBody as RequestBodyObject | undefined;
      if (!body) {
        if (route.body) problems.push(`${name}: takes a body the document does not show`);
        continue;
      }
      const json = jsonBodyOf(op);
      if (!json) {
        // The CSV upload: a multipart file, described by its columns.
        if (!body.content['multipart/form-data']?.schema || !body.description) problems.push(`${name}: non-JSON body without schema and description`);
        continue;
      }
      if (json.example === undefined) problems.push(`${name}: no request example`);
      const { missing } = assembleExample(json.schema!, schemas);
      if (missing.length) problems.push(`${name}: no example for ${missing.join(', ')}`);
      const dto = route.body ?? BODY_VALIDATED_BY_GUARD[`${route.controller}.${route.handler}`];
      if (!dto) {
        problems.push(`${name}: no DTO to check the example against`);
        continue;
      }
      try {
        await pipe.transform(json.example, { type: 'body', metatype: dto, data: '' });
        checked++;
      } catch (err) {
        problems.push(`${name}: example rejected: ${err instanceof AppError ? JSON.stringify(err.errors) : String(err)}`);
      }
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('documents the error answers each route can give, from its policy and inputs, as problem+json', () => {
    const problems: string[] = [];
    for (const { name, route, op } of operations) {
      const responses = responsesOf(op);
      const documented = new Set(Object.keys(responses).map(Number));
      const hasBody = op.requestBody !== undefined;
      const expected: [number, boolean, string][] = [
        [400, hasBody || route.query || route.validatedParams.length > 0, 'validated input'],
        [401, !route.isPublic, 'not public'],
        [403, route.permissions.length > 0 && !route.permissions.includes('self'), `needs ${route.permissions.join(' or ')}`],
        [404, route.path.includes(':'), 'path parameters'],
        [413, hasBody, 'a request body'],
      ];
      for (const [status, applies, why] of expected) {
        if (applies && !documented.has(status)) problems.push(`${name}: no ${status} (${why})`);
      }
      if (documented.has(429) !== RATE_LIMITED.includes(name)) problems.push(`${name}: 429 ${documented.has(429) ? 'documented but not rate limited' : 'missing'}`);
      if (route.isPublic && documented.has(403)) problems.push(`${name}: public, yet 403 documented`);
      for (const status of documented) {
        if (status < 400) continue;
        const problem = responses[status].content?.[PROBLEM_MEDIA_TYPE];
        const example = problem?.example as { status?: number; type?: string } | undefined;
        if ((problem?.schema as ReferenceObject | undefined)?.$ref !== '#/components/schemas/Problem') problems.push(`${name} ${status}: not a Problem`);
        if (example?.status !== status || !example.type?.startsWith('urn:convoca:problem:')) problems.push(`${name} ${status}: no matching example`);
        if (!responses[status].description) problems.push(`${name} ${status}: no description`);
      }
      if (documented.has(429) && !responses[429].headers?.['Retry-After']) problems.push(`${name}: 429 without Retry-After`);
    }
    expect(problems).toEqual([]);
  });

  it('describes the problem details the API really answers', async () => {
    const res = await request(t.http).post('/api/v1/auth/password-reset').send({ email: 'rosa.quispe@example.org', nickname: 'Rosa' });
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = schemas.Problem;
    expect(Object.keys(problem.properties!)).toEqual(expect.arrayContaining(Object.keys(res.body as object)));
    expect(Object.keys(res.body as object)).toEqual(expect.arrayContaining(problem.required!));
    // The documented 400 example is the answer this request gets, but for the ids.
    const documented = responsesOf(doc.paths['/api/v1/auth/password-reset'].post!)[400].content![PROBLEM_MEDIA_TYPE].example as Record<string, unknown>;
    expect({ ...(res.body as object), requestId: documented.requestId }).toEqual({ ...documented, instance: '/api/v1/auth/password-reset' });
  });

  it('documents the status of every answer to an anonymous, malformed request', async () => {
    const undocumented: string[] = [];
    for (const { name, route, op } of operations) {
      const path = route.path.replace(/:[A-Za-z]+/g, 'not-an-id');
      let req = request(t.http)[route.method.toLowerCase() as 'get'](path);
      if (op.requestBody && jsonBodyOf(op)) req = req.send({ nickname: 'Rosa' });
      const res = await req;
      if (!(String(res.status) in responsesOf(op))) undocumented.push(`${name} -> ${res.status}`);
    }
    expect(undocumented).toEqual([]);
  });
});
