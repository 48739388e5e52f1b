import type { ExecutionContext } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';

import { badRequest, type FieldError } from './problem';
import { validationProblem } from './validation';

/** A lone UTF-16 surrogate (not text: validators and encoders choke on it) or NUL (PostgreSQL text cannot hold it). */
// eslint-disable-next-line no-control-regex -- finding NUL is the point
const NOT_TEXT = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]|\u0000/;

/** Field paths (`a.b[0]`) of strings, keys included, that are not storable text. */
export function illFormedText(value: unknown, path = ''): string[] {
  if (typeof value === 'string') return NOT_TEXT.test(value) ? [path || '(body)'] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => illFormedText(v, `${path}[${i}]`));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, v]) => {
      const field = path ? `${path}.${key}` : key;
      return NOT_TEXT.test(key) ? [field] : illFormedText(v, field);
    });
  }
  return [];
}

/**
 * Refuses input that is not text before anything reads it (guards and
 * validators included: `isEmail` throws on a lone surrogate). Runs as a
 * Fastify hook on the parsed body and query.
 */
export function assertWellFormedInput(body: unknown, query: unknown): void {
  const fields = [...illFormedText(query), ...illFormedText(body)];
  if (fields.length) {
    const errors: FieldError[] = fields.map((field) => ({ field, message: `${field} contains a character that is not valid text (NUL or a lone surrogate)` }));
    throw badRequest('invalid-text', 'The request contains characters that are not valid text.', errors);
  }
}

/** Parameter kinds that read the body: `@Body()`, and `@Req()` (multipart uploads, the login guard). */
const BODY_READERS = [RouteParamtypes.BODY, RouteParamtypes.REQUEST, RouteParamtypes.RAW_BODY].map(String);

const isEmptyBody = (body: unknown) => body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && Object.keys(body).length === 0);

/** Whether each route handler reads the body, worked out once per handler. */
const takesBody = new WeakMap<object, boolean>();

/**
 * A route that takes no body (publish, check-in, erase…) refuses one that
 * is not empty, as the validation pipe refuses unknown fields elsewhere: a
 * caller sending `{"status": "cancelled"}` to such a route learns it was
 * not accepted instead of seeing it silently ignored. Called by the global
 * guard once the caller is known (so a stranger still gets 401 first); not an
 * interceptor, since any global interceptor puts every request of the API
 * through an rxjs pipeline (measured: the public event list at 0.79× instead
 * of 0.47× of a bare server without one, bench/REPORT.md).
 */
export function refuseUnreadBody(context: ExecutionContext): void {
  if (context.getType() !== 'http') return;
  const handler = context.getHandler();
  let takes = takesBody.get(handler);
  if (takes === undefined) {
    const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ?? {}) as Record<string, unknown>;
    takes = Object.keys(args).some((key) => BODY_READERS.includes(key.split(':')[0]));
    takesBody.set(handler, takes);
  }
  const body = context.switchToHttp().getRequest<{ body?: unknown }>().body;
  if (!takes && !isEmptyBody(body)) {
    const fields = typeof body === 'object' && body !== null && !Array.isArray(body) ? Object.keys(body) : ['(body)'];
    throw validationProblem(fields.map((field) => ({ field, message: `${field} is not an accepted field (this request takes no body)` })));
  }
}
