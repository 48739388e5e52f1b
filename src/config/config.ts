import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * The whole runtime configuration, built once from environment variables and
 * validated at boot. Nothing else in the code base reads `process.env`.
 */
export interface AppConfig {
  env: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Null: start the embedded PostgreSQL in `dataDir`. */
  databaseUrl: string | null;
  dataDir: string;
  embeddedPgPort: number;
  /** shared_buffers of the embedded PostgreSQL, MiB. */
  embeddedPgSharedBuffersMb: number;
  runMigrations: boolean;
  dbPoolSize: number;
  dbStatementTimeoutMs: number;
  jwtSecret: string;
  adminEmail: string | null;
  adminPassword: string | null;
  smtpUrl: string | null;
  corsOrigins: string[];
  bodyLimitBytes: number;
  /** Largest CSV file accepted by a member import (multipart uploads are not covered by bodyLimitBytes). */
  importMaxBytes: number;
  /** A running import whose runner has not written for this long is presumed dead: requeued and resumed. */
  importStaleSeconds: number;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  logPretty: boolean;
  requestLogging: boolean;
  trustProxy: boolean;
  /** Base URL people reach the service at, for links in e-mails. */
  publicUrl: string;
  mailFrom: string;
  outboxWorker: boolean;
  outboxPollMs: number;
  outboxMaxAttempts: number;
  outboxRetryBaseMs: number;
  /** Hours after an event's end during which its check-in manifest is served and door check-ins are taken. */
  checkinManifestHours: number;
  /** Webhook hosts (`host` or `host:port`, lower case) that may be private, loopback or link-local addresses: development and tests only. */
  webhookAllowPrivateHosts: string[];
  /** A webhook delivery attempt is cut off after this long. */
  webhookTimeoutMs: number;
  /** First retry delay of a failed webhook delivery; doubles each attempt (capped at an hour). */
  webhookRetryBaseMs: number;
}

/** One documented variable: parsing, default and whether it is a secret. */
interface VarSpec<T> {
  name: string;
  parse: (raw: string) => T;
  fallback: T;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`Invalid configuration: ${variable} ${reason}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const MIN_JWT_SECRET_LENGTH = 32;

function integer(min: number, max: number) {
  return (raw: string): number => {
    if (!/^\d+$/.test(raw.trim())) throw new Error(`must be a whole number from ${min} to ${max}`);
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`must be a whole number from ${min} to ${max}`);
    return value;
  };
}

function boolean(raw: string): boolean {
  const v = raw.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new Error('must be true or false');
}

function postgresUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be a URL like postgres://user:password@host:5432/database');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new Error('must start with postgres:// or postgresql://');
  }
  return raw;
}

function smtpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be a URL like smtp://user:password@host:587');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('must start with smtp:// or smtps://');
  return raw;
}

/** `host` or `host:port` entries, comma-separated (`127.0.0.1:8443,hooks.local`); an IPv6 host in brackets (`[::1]:8443`). */
function hostList(raw: string): string[] {
  return raw
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean)
    .map((entry) => {
      if (!/^(\[[0-9a-f:.]+\]|[a-z0-9.-]+)(:\d{1,5})?$/.test(entry)) throw new Error('must be a comma-separated list of host names or host:port, such as 127.0.0.1:8443');
      return entry;
    });
}

function email(raw: string): string {
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(raw)) throw new Error('must be an e-mail address');
  return raw.trim().toLowerCase();
}

function read<T>(env: NodeJS.ProcessEnv, spec: VarSpec<T>): T {
  const raw = env[spec.name];
  if (raw === undefined || raw === '') return spec.fallback;
  try {
    return spec.parse(raw);
  } catch (err) {
    // The message names the variable, never its value: it may be a secret.
    throw new ConfigError(spec.name, (err as Error).message);
  }
}

/**
 * A quarter of this machine's memory, between PostgreSQL's own 128 MiB and
 * 1 GiB: the usual guidance for a dedicated server, capped because the
 * embedded one shares the machine with the service. At 128 MiB a directory
 * of a million members no longer fits, and every search page and import
 * batch reads its index pages back from the operating system.
 */
export function defaultSharedBuffersMb(): number {
  return Math.min(1024, Math.max(128, Math.floor(totalmem() / 4 / 2 ** 20)));
}

/**
 * Builds the configuration from `env`. Throws `ConfigError` naming the first
 * bad variable. In development a JWT secret is generated once and kept in the
 * data directory so tokens survive restarts; production must supply one.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const nodeEnv = read<AppConfig['env']>(env, {
    name: 'NODE_ENV',
    fallback: 'development',
    parse: (raw) => {
      if (raw !== 'development' && raw !== 'production' && raw !== 'test') {
        throw new Error('must be development, production or test');
      }
      return raw;
    },
  });
  const dataDir = resolve(read(env, { name: 'CONVOCA_DATA_DIR', fallback: '.convoca', parse: (raw) => raw }));
  const adminEmail = read<string | null>(env, { name: 'CONVOCA_ADMIN_EMAIL', fallback: null, parse: email });
  const adminPassword = read<string | null>(env, {
    name: 'CONVOCA_ADMIN_PASSWORD',
    fallback: null,
    parse: (raw) => {
      if (raw.length < 12) throw new Error('must be at least 12 characters long');
      return raw;
    },
  });
  if (adminEmail && !adminPassword) throw new ConfigError('CONVOCA_ADMIN_PASSWORD', 'must be set when CONVOCA_ADMIN_EMAIL is');

  const config: AppConfig = {
    env: nodeEnv,
    port: read(env, { name: 'PORT', fallback: 3000, parse: integer(0, 65535) }),
    host: read(env, { name: 'HOST', fallback: '0.0.0.0', parse: (raw) => raw }),
    databaseUrl: read<string | null>(env, { name: 'DATABASE_URL', fallback: null, parse: postgresUrl }),
    dataDir,
    embeddedPgPort: read(env, { name: 'CONVOCA_PG_PORT', fallback: 54329, parse: integer(1024, 65535) }),
    embeddedPgSharedBuffersMb: read(env, { name: 'CONVOCA_PG_SHARED_BUFFERS_MB', fallback: defaultSharedBuffersMb(), parse: integer(16, 65536) }),
    runMigrations: read(env, { name: 'RUN_MIGRATIONS', fallback: true, parse: boolean }),
    dbPoolSize: read(env, { name: 'DB_POOL_SIZE', fallback: 10, parse: integer(1, 200) }),
    dbStatementTimeoutMs: read(env, { name: 'DB_STATEMENT_TIMEOUT_MS', fallback: 15000, parse: integer(100, 600000) }),
    jwtSecret: '',
    adminEmail,
    adminPassword,
    smtpUrl: read<string | null>(env, { name: 'SMTP_URL', fallback: null, parse: smtpUrl }),
    corsOrigins: read(env, {
      name: 'CORS_ORIGINS',
      fallback: [] as string[],
      parse: (raw) =>
        raw
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
          .map((origin) => {
            if (!/^https?:\/\/[^/\s]+$/.test(origin)) throw new Error('must be a comma-separated list of origins like https://app.example.org');
            return origin;
          }),
    }),
    bodyLimitBytes: read(env, { name: 'BODY_LIMIT_BYTES', fallback: 1_048_576, parse: integer(1024, 104_857_600) }),
    importMaxBytes: read(env, { name: 'IMPORT_MAX_BYTES', fallback: 52_428_800, parse: integer(1024, 1_073_741_824) }),
    importStaleSeconds: read(env, { name: 'IMPORT_STALE_SECONDS', fallback: 120, parse: integer(1, 86_400) }),
    logLevel: read(env, {
      name: 'LOG_LEVEL',
      fallback: nodeEnv === 'test' ? 'silent' : 'info',
      parse: (raw) => {
        if (!(LOG_LEVELS as readonly string[]).includes(raw)) throw new Error(`must be one of ${LOG_LEVELS.join(', ')}`);
        return raw as AppConfig['logLevel'];
      },
    }),
    logPretty: read(env, { name: 'LOG_PRETTY', fallback: nodeEnv === 'development', parse: boolean }),
    requestLogging: read(env, { name: 'REQUEST_LOGGING', fallback: true, parse: boolean }),
    trustProxy: read(env, { name: 'TRUST_PROXY', fallback: false, parse: boolean }),
    publicUrl: read(env, {
      name: 'PUBLIC_URL',
      fallback: 'http://localhost:3000',
      parse: (raw) => {
        if (!/^https?:\/\/[^\s]+$/.test(raw)) throw new Error('must be an http(s) URL such as https://convoca.example.org');
        return raw.replace(/\/+$/, '');
      },
    }),
    mailFrom: read(env, { name: 'MAIL_FROM', fallback: 'Convoca <no-reply@convoca.invalid>', parse: (raw) => raw }),
    outboxWorker: read(env, { name: 'OUTBOX_WORKER', fallback: true, parse: boolean }),
    outboxPollMs: read(env, { name: 'OUTBOX_POLL_MS', fallback: 1000, parse: integer(10, 600_000) }),
    outboxMaxAttempts: read(env, { name: 'OUTBOX_MAX_ATTEMPTS', fallback: 6, parse: integer(1, 100) }),
    outboxRetryBaseMs: read(env, { name: 'OUTBOX_RETRY_BASE_MS', fallback: 30_000, parse: integer(1, 3_600_000) }),
    checkinManifestHours: read(env, { name: 'CHECKIN_MANIFEST_HOURS', fallback: 12, parse: integer(0, 720) }),
    webhookAllowPrivateHosts: read(env, { name: 'WEBHOOK_ALLOW_PRIVATE_HOSTS', fallback: [] as string[], parse: hostList }),
    webhookTimeoutMs: read(env, { name: 'WEBHOOK_TIMEOUT_MS', fallback: 10_000, parse: integer(100, 60_000) }),
    webhookRetryBaseMs: read(env, { name: 'WEBHOOK_RETRY_BASE_MS', fallback: 30_000, parse: integer(1, 3_600_000) }),
  };
  // Production webhooks reach public addresses only (SSRF): no exceptions there.
  if (config.env === 'production' && config.webhookAllowPrivateHosts.length) throw new ConfigError('WEBHOOK_ALLOW_PRIVATE_HOSTS', 'must not be set in production');
  config.jwtSecret = resolveJwtSecret(env.JWT_SECRET, config);
  return config;
}

function resolveJwtSecret(raw: string | undefined, config: AppConfig): string {
  if (raw !== undefined && raw !== '') {
    if (raw.length < MIN_JWT_SECRET_LENGTH) {
      throw new ConfigError('JWT_SECRET', `must be at least ${MIN_JWT_SECRET_LENGTH} characters long`);
    }
    if (/^(changeme|secret|change-me|default)/i.test(raw)) throw new ConfigError('JWT_SECRET', 'must not be a placeholder value');
    return raw;
  }
  // Production never invents a secret: several replicas would disagree and
  // every restart would log everybody out.
  if (config.env === 'production') throw new ConfigError('JWT_SECRET', `is required in production (at least ${MIN_JWT_SECRET_LENGTH} characters)`);
  const file = join(config.dataDir, 'jwt-secret');
  if (existsSync(file)) {
    const stored = readFileSync(file, 'utf8').trim();
    if (stored.length >= MIN_JWT_SECRET_LENGTH) return stored;
  }
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  chmodSync(file, 0o600);
  return secret;
}

/**
 * The environment of `npm run demo`: the embedded PostgreSQL, always, in
 * CONVOCA_DEMO_DATA_DIR (never the service's data directory or a
 * DATABASE_URL: the demo wipes its database at every start), and quiet logs
 * unless LOG_LEVEL says otherwise, so that its printed tour stays readable.
 */
export function demoEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return {
    ...env,
    DATABASE_URL: '',
    CONVOCA_DATA_DIR: env.CONVOCA_DEMO_DATA_DIR || '.convoca-demo',
    LOG_LEVEL: env.LOG_LEVEL || 'warn',
    // The links in the demo's pages and e-mails point at the demo itself.
    PUBLIC_URL: env.PUBLIC_URL || `http://localhost:${env.PORT || 3000}`,
  };
}

/** Every variable the service reads; `readme.spec.ts` checks that the README documents each. */
export const CONFIG_VARIABLES = [
  'NODE_ENV',
  'PORT',
  'HOST',
  'DATABASE_URL',
  'CONVOCA_DATA_DIR',
  'CONVOCA_DEMO_DATA_DIR',
  'CONVOCA_PG_PORT',
  'CONVOCA_PG_SHARED_BUFFERS_MB',
  'RUN_MIGRATIONS',
  'DB_POOL_SIZE',
  'DB_STATEMENT_TIMEOUT_MS',
  'JWT_SECRET',
  'CONVOCA_ADMIN_EMAIL',
  'CONVOCA_ADMIN_PASSWORD',
  'SMTP_URL',
  'CORS_ORIGINS',
  'BODY_LIMIT_BYTES',
  'IMPORT_MAX_BYTES',
  'IMPORT_STALE_SECONDS',
  'LOG_LEVEL',
  'LOG_PRETTY',
  'REQUEST_LOGGING',
  'TRUST_PROXY',
  'PUBLIC_URL',
  'MAIL_FROM',
  'OUTBOX_WORKER',
  'OUTBOX_POLL_MS',
  'OUTBOX_MAX_ATTEMPTS',
  'OUTBOX_RETRY_BASE_MS',
  'CHECKIN_MANIFEST_HOURS',
  'WEBHOOK_ALLOW_PRIVATE_HOSTS',
  'WEBHOOK_TIMEOUT_MS',
  'WEBHOOK_RETRY_BASE_MS',
] as const;
