import type { LoggerService } from '@nestjs/common';
import pino, { type Logger } from 'pino';

import type { AppConfig } from '../config/config';

/** What is kept of a database error: the SQLSTATE and names, never the values. */
const DRIVER_ERROR_FIELDS = ['code', 'severity', 'constraint', 'table', 'column', 'schema', 'routine'] as const;

/**
 * The `err` serializer. TypeORM's QueryFailedError carries the statement's
 * `parameters` (a batch of imported e-mails, a member's phone number) and
 * PostgreSQL's `detail` quotes the offending row ("Key (email)=(…) already
 * exists"); its message may quote an input value ('invalid input syntax for
 * type uuid: "…"'). None of that may reach the logs.
 */
export function serializeError(err: unknown): unknown {
  if (!(err instanceof Error)) return err;
  const out = pino.stdSerializers.err(err) as unknown as Record<string, unknown>;
  const driver = (err as { driverError?: Record<string, unknown> }).driverError ?? ('severity' in err && 'code' in err ? (err as unknown as Record<string, unknown>) : null);
  if (!driver) return out;
  const kept: Record<string, unknown> = { type: out.type, stack: typeof out.stack === 'string' ? out.stack.split('\n').slice(1).join('\n') : undefined };
  for (const field of DRIVER_ERROR_FIELDS) if (driver[field] !== undefined) kept[field] = driver[field];
  kept.message = String(out.message)
    .replace(/"[^"]*"/g, '"…"')
    .replace(/\([^)]*\)=\([^)]*\)/g, '(…)=(…)');
  if (typeof out.query === 'string') kept.query = out.query;
  return kept;
}

/**
 * Structured JSON logs (pretty in development). Never given request bodies;
 * `redact` is a second line of defence for anything secret that slips into
 * a logged object.
 */
export function createLogger(config: Pick<AppConfig, 'logLevel' | 'logPretty'>, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level: config.logLevel,
    base: { service: 'convoca' },
    serializers: { err: serializeError },
    redact: {
      paths: [
        'password',
        '*.password',
        'token',
        '*.token',
        'refreshToken',
        '*.refreshToken',
        'authorization',
        '*.authorization',
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-door-link"]',
        'secret',
        '*.secret',
      ],
      censor: '[redacted]',
    },
    ...(config.logPretty && !destination ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Routes Nest's own log calls into the same pino logger. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  private write(level: 'info' | 'error' | 'warn' | 'debug' | 'trace', message: unknown, rest: unknown[]): void {
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    if (typeof message === 'object' && message !== null) {
      const { msg, ...fields } = message as Record<string, unknown>;
      this.logger[level]({ context, ...fields }, typeof msg === 'string' ? msg : typeof rest[0] === 'string' && rest.length > 1 ? rest[0] : '');
    } else {
      this.logger[level]({ context }, String(message));
    }
  }

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
}
