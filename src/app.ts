import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import multipart from '@fastify/multipart';
import { RequestMethod, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { Logger } from 'pino';
import type { DataSource } from 'typeorm';

import { AppModule } from './app.module';
import { createLogger, PinoNestLogger } from './common/logger';
import { ProblemDetails } from './common/problem';
import { assertWellFormedInput } from './common/request-input';
import { securityHeaders } from './common/security-headers';
import type { AppConfig } from './config/config';
import { runMigrations } from './database/migrations';
import { completeOpenApiDocument } from './openapi/openapi';
import { listRoutes } from './openapi/routes';
import { isPagePath, LEGACY_EVENT_PATH, PAGE_PATHS } from './pages/page-paths';

export const API_PREFIX = 'api/v1';

/** A request id from the caller is kept only when it is short and plain. */
const REQUEST_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** The path as logged: a page's secret token (manage, invitation, reset links) never reaches a log line. */
function loggedPath(url: string, params: unknown): string {
  const path = url.split('?')[0];
  const token = (params as Record<string, unknown> | undefined)?.token;
  return typeof token === 'string' && token ? path.split(token).join('[token]') : path;
}

/** A form post's fields (pages only): the last value of a repeated name wins. */
function parseForm(body: string): Record<string, string> {
  return Object.fromEntries(new URLSearchParams(body));
}

function requestId(req: IncomingMessage): string {
  const header = req.headers['x-request-id'];
  return typeof header === 'string' && REQUEST_ID_PATTERN.test(header) ? header : randomUUID();
}

export interface CreateAppOptions {
  /** Extra modules (tests add probe controllers this way). */
  extraModules?: Type[];
  logger?: Logger;
  /**
   * Keeps the OpenAPI document between applications built from the same code
   * and modules (the tests boot dozens): it depends on nothing else, so it is
   * built once and then reused as it is.
   */
  openApiCache?: OpenApiCache;
}

export interface OpenApiCache {
  get(): OpenAPIObject | undefined;
  set(document: OpenAPIObject): void;
}

/** The OpenAPI document of the application's routes, served at /api/docs-json. */
function buildOpenApiDocument(app: NestFastifyApplication): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Convoca API')
      .setDescription(
        'Membership and campaign manager for political organisations and their coalitions. ' +
          'Errors are RFC 9457 problem details (application/problem+json). Lists are keyset-paginated: `limit` (max 200) and an opaque `cursor`.',
      )
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      // The door link (issue 21): accepted instead of a login by the check-in routes that say so; also as `Authorization: DoorLink <secret>`.
      .addApiKey({ type: 'apiKey', in: 'header', name: 'X-Door-Link', description: 'A door link’s secret (POST /events/{id}/door-links)' }, 'DoorLink')
      .build(),
    { extraModels: [ProblemDetails] },
  );
  // Error answers, examples: added from the routes' own metadata, in one place.
  completeOpenApiDocument(document, listRoutes(app, API_PREFIX));
  return document;
}

/**
 * Builds the whole application (not yet listening): the one place where the
 * HTTP pipeline is assembled, shared by `main.ts`, the tests and the
 * benchmark, so what is tested is what runs.
 */
export async function createApp(config: AppConfig & { databaseUrl: string }, options: CreateAppOptions = {}): Promise<NestFastifyApplication> {
  const logger = options.logger ?? createLogger(config);
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    logger: false,
    requestIdHeader: false,
    genReqId: requestId,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.extraModules ?? []), adapter, {
    logger: new PinoNestLogger(logger),
    bufferLogs: false,
    // The raw bytes of JSON bodies (req.rawBody): the text providers sign them (issue 24).
    rawBody: true,
  });

  const fastify = app.getHttpAdapter().getInstance();
  const headers = {
    ...securityHeaders(),
    // API answers may carry personal data: no shared or browser cache keeps
    // them unless a route says otherwise (public calendar feeds do).
    'cache-control': 'no-store',
  };
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(headers).header('x-request-id', request.id);
    done();
  });
  // Before guards and validators: a lone surrogate or a NUL is refused as a 400, never a 500.
  fastify.addHook('preValidation', (request, _reply, done) => {
    try {
      assertWellFormedInput(request.body, request.query);
      done();
    } catch (err) {
      done(err as Error);
    }
  });
  if (config.requestLogging) {
    // One line per request: no bodies, no query strings (they can hold
    // search terms, i.e. personal data), no headers.
    fastify.addHook('onResponse', async (request, reply) => {
      logger.info(
        {
          requestId: request.id,
          method: request.method,
          path: loggedPath(request.url, request.params),
          route: request.routeOptions.url,
          status: reply.statusCode,
          ms: Math.round(reply.elapsedTime * 10) / 10,
        },
        'request',
      );
    });
  }

  // Links that e-mails and calendar files carried before the pages: the event page now lives at /e/{id}.
  fastify.get(LEGACY_EVENT_PATH, (request, reply) => {
    const { id } = request.params as { id: string };
    void reply.redirect(`/e/${encodeURIComponent(id)}`, 301);
  });

  // Multipart (CSV imports) is not covered by bodyLimit: its own limits. A
  // file over the limit is truncated, not thrown, so that the handler can
  // answer 413 after draining it and before keeping anything of it.
  await app.register(multipart, {
    throwFileSizeLimit: false,
    limits: { fileSize: config.importMaxBytes, files: 1, fields: 10, parts: 11, fieldSize: 1024, headerPairs: 100 },
  });
  app.enableCors({ origin: config.corsOrigins.length ? config.corsOrigins : false, credentials: false });
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [{ path: 'health/live', method: RequestMethod.GET }, { path: 'health/ready', method: RequestMethod.GET }, ...PAGE_PATHS],
  });

  let document = options.openApiCache?.get();
  if (!document) {
    document = buildOpenApiDocument(app);
    options.openApiCache?.set(document);
  }
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs-json' });

  if (config.runMigrations) {
    await runMigrations(app.get<DataSource>(getDataSourceToken()), { jwtSecret: config.jwtSecret });
  }
  await app.init();
  // Forms (the pages') post url-encoded bodies. The API takes JSON only: Nest's own parser for them (registered by
  // app.init), which let any route read a form post, is replaced by one that answers 415 outside the pages.
  fastify.removeContentTypeParser('application/x-www-form-urlencoded');
  fastify.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 64 * 1024 }, (request, body, done) => {
    if (!isPagePath(request.url)) {
      done(Object.assign(new Error(`Unsupported Media Type: application/x-www-form-urlencoded`), { statusCode: 415 }), undefined);
      return;
    }
    done(null, parseForm(String(body)));
  });
  await fastify.ready();
  return app;
}
