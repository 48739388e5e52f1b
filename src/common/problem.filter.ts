import { Catch, HttpException, HttpStatus, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { QueryFailedError } from 'typeorm';

import { AppError, type FieldError, type ProblemDetails } from './problem';

const STATUS_CODES: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  406: 'not-acceptable',
  409: 'conflict',
  413: 'payload-too-large',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  429: 'rate-limited',
  503: 'unavailable',
};

export interface Mapped {
  headers?: Record<string, string>;
  status: number;
  code: string;
  detail: string;
  errors?: FieldError[];
}

/**
 * PostgreSQL errors that bad input can still provoke past validation (a
 * race on a unique key, a value out of a column's range). They are the
 * caller's fault, so they must be 4xx, never 500. Constraint names come from
 * the naming strategy and are safe to show.
 */
function mapDatabaseError(err: QueryFailedError<Error>): Mapped | null {
  const pg = err.driverError as { code?: string; constraint?: string };
  switch (pg.code) {
    case '23505':
      return { status: 409, code: 'already-exists', detail: `A record with the same unique value already exists (${pg.constraint ?? 'unique key'}).` };
    case '23503':
      return { status: 409, code: 'reference-conflict', detail: `The record refers to, or is referred to by, another record (${pg.constraint ?? 'foreign key'}).` };
    case '23514':
    case '23502':
    case '22001':
    case '22003':
    case '22007':
    case '22008':
    case '22P02':
    case '22021':
    case '22P05':
      return { status: 400, code: 'invalid-value', detail: 'A value is out of range or of the wrong form.' };
    case '40001':
    case '40P01':
      return { status: 409, code: 'concurrent-update', detail: 'The record was changed by another request at the same time; try again.' };
    case '57014':
      return { status: 503, code: 'timeout', detail: 'The request took too long and was cancelled.' };
    default:
      return null;
  }
}

function mapHttpException(err: HttpException): Mapped {
  const status = err.getStatus();
  const response = err.getResponse();
  let detail = err.message;
  if (typeof response === 'object' && response !== null && 'message' in response) {
    const message = response.message;
    detail = Array.isArray(message) ? message.join('; ') : String(message);
  }
  return { status, code: STATUS_CODES[status] ?? `http-${status}`, detail };
}

/**
 * Fastify's own errors (body too large, malformed JSON, unsupported content
 * type) reach Nest as plain errors with a `statusCode`.
 */
function mapFrameworkError(err: unknown): Mapped | null {
  const e = err as { statusCode?: unknown; code?: unknown; message?: unknown };
  if (typeof e?.statusCode !== 'number' || e.statusCode < 400 || e.statusCode >= 500) return null;
  const status = e.statusCode;
  let detail = typeof e.message === 'string' ? e.message : 'Bad request.';
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') detail = 'The request body is larger than the server accepts.';
  if (err instanceof SyntaxError || e.code === 'FST_ERR_CTP_INVALID_JSON_BODY') detail = 'The request body is not valid JSON.';
  return { status, code: STATUS_CODES[status] ?? `http-${status}`, detail };
}

/**
 * Any error as the status, code, detail and headers it answers with; an
 * unexpected one is logged (everything) and becomes a 500 that says nothing
 * internal. Shared by the API's problem+json and the pages' error page.
 */
export function mapError(exception: unknown, request: FastifyRequest, logger: Logger): Mapped {
  let mapped: Mapped | null;
  if (exception instanceof AppError) {
    mapped = { status: exception.status, code: exception.code, detail: exception.message, errors: exception.errors, headers: exception.headers };
  } else if (exception instanceof HttpException) {
    mapped = mapHttpException(exception);
  } else if (exception instanceof QueryFailedError) {
    mapped = mapDatabaseError(exception as QueryFailedError<Error>);
  } else {
    mapped = mapFrameworkError(exception);
  }
  if (!mapped) {
    // Unexpected: log everything, answer nothing internal.
    logger.error({ err: exception, requestId: request.id }, 'unhandled error');
    mapped = { status: 500, code: 'internal-error', detail: `An unexpected error occurred. Quote request id ${request.id} when reporting it.` };
  }
  return mapped;
}

@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const mapped = mapError(exception, request, this.logger);

    const body: ProblemDetails = {
      type: `urn:convoca:problem:${mapped.code}`,
      title: HttpStatus[mapped.status] ? titleOf(mapped.status) : 'Error',
      status: mapped.status,
      detail: mapped.detail,
      instance: request.url.split('?')[0],
      code: mapped.code,
      requestId: String(request.id),
      ...(mapped.errors ? { errors: mapped.errors } : {}),
    };
    for (const [name, value] of Object.entries(mapped.headers ?? {})) void reply.header(name, value);
    void reply.status(mapped.status).header('content-type', 'application/problem+json; charset=utf-8').send(body);
  }
}

/** `404` → `Not Found`: the problem title, from the status. */
export function titleOf(status: number): string {
  const name = HttpStatus[status] ?? 'ERROR';
  return name
    .toLowerCase()
    .split('_')
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}
