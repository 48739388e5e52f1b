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
  /** The SMS provider (issue 24): a generic HTTP gateway; null: no SMS. */
  sms: SmsConfig | null;
  /** The WhatsApp Business Cloud API (issue 24); null: no WhatsApp. */
  whatsapp: WhatsAppConfig | null;
  /** Text segments an organisation's events may send per calendar month (UTC) unless it sets its own. */
  textMonthlySegments: number;
}

/** A generic HTTP SMS gateway: where to POST, with which bearer token, which JSON body; the secret its inbound calls are signed with. */
export interface SmsConfig {
  provider: 'http';
  gatewayUrl: string;
  token: string | null;
  /** JSON with the placeholders {{to}}, {{text}} and {{reference}} (JSON-escaped where they stand). */
  bodyTemplate: string;
  inboundSecret: string;
}

export interface WhatsAppConfig {
  /** The Graph API's base, version included (`https://graph.facebook.com/v21.0`). */
  baseUrl: string;
  token: string;
  phoneNumberId: string;
  /** The app secret: inbound calls carry X-Hub-Signature-256, its HMAC-SHA256 of the raw body. */
  appSecret: string;
  /** What the subscription handshake (GET with hub.verify_token) must present. */
  verifyToken: string;
}

/** The body the HTTP gateway gets unless SMS_GATEWAY_BODY says otherwise. */
export const DEFAULT_SMS_BODY = '{"to":"{{to}}","text":"{{text}}","reference":"{{reference}}"}';
export const DEFAULT_WHATSAPP_API_BASE_URL = 'https://graph.facebook.com/v21.0';
/** Inbound signing secrets and the verify token: long enough not to be guessed. */
const MIN_TEXT_SECRET_LENGTH = 16;

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

/** An http(s) base URL without a trailing slash (https only in production: checked in loadConfig). */
function httpUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be an http(s) URL such as https://sms.example.org/send');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('must start with https:// (or http:// outside production)');
  return raw.replace(/\/+$/, '');
}

function secret(raw: string): string {
  if (raw.length < MIN_TEXT_SECRET_LENGTH) throw new Error(`must be at least ${MIN_TEXT_SECRET_LENGTH} characters long`);
  return raw;
}

/** SMS_GATEWAY_BODY: JSON once its placeholders are filled, and it must carry {{to}} and {{text}}. */
function smsBodyTemplate(raw: string): string {
  if (!raw.includes('{{to}}') || !raw.includes('{{text}}')) throw new Error('must contain {{to}} and {{text}}');
  try {
    JSON.parse(raw.replace(/\{\{(to|text|reference)\}\}/g, 'x'));
  } catch {
    throw new Error('must be JSON, with {{to}}, {{text}} and {{reference}} inside its strings');
  }
  return raw;
}

/** The text providers (issue 24), each all-or-nothing: a provider half configured stops the boot. */
function textProviders(env: NodeJS.ProcessEnv, production: boolean): Pick<AppConfig, 'sms' | 'whatsapp'> {
  const required = <T>(name: string, value: T | null, because: string): T => {
    if (value === null) throw new ConfigError(name, `must be set ${because}`);
    return value;
  };
  // Operator-configured addresses, not the organisations' (unlike webhooks): no SSRF guard, but never plain http in production.
  const https = (name: string, url: string | null) => {
    if (production && url && !url.startsWith('https://')) throw new ConfigError(name, 'must be an https:// URL in production');
    return url;
  };
  const provider = read<'http' | null>(env, {
    name: 'SMS_PROVIDER',
    fallback: null,
    parse: (raw) => {
      if (raw !== 'http') throw new Error('must be http (a generic HTTP gateway), or unset for no SMS');
      return raw;
    },
  });
  const gatewayUrl = https('SMS_GATEWAY_URL', read<string | null>(env, { name: 'SMS_GATEWAY_URL', fallback: null, parse: httpUrl }));
  const sms: SmsConfig | null = provider
    ? {
        provider,
        gatewayUrl: required('SMS_GATEWAY_URL', gatewayUrl, 'when SMS_PROVIDER is http'),
        token: read<string | null>(env, { name: 'SMS_GATEWAY_TOKEN', fallback: null, parse: (raw) => raw }),
        bodyTemplate: read(env, { name: 'SMS_GATEWAY_BODY', fallback: DEFAULT_SMS_BODY, parse: smsBodyTemplate }),
        inboundSecret: required('SMS_GATEWAY_INBOUND_SECRET', read<string | null>(env, { name: 'SMS_GATEWAY_INBOUND_SECRET', fallback: null, parse: secret }), 'when SMS_PROVIDER is http'),
      }
    : null;
  const baseUrl = https('WHATSAPP_API_BASE_URL', read(env, { name: 'WHATSAPP_API_BASE_URL', fallback: DEFAULT_WHATSAPP_API_BASE_URL, parse: httpUrl }))!;
  const token = read<string | null>(env, { name: 'WHATSAPP_TOKEN', fallback: null, parse: (raw) => raw });
  const because = 'when WHATSAPP_TOKEN is';
  const whatsapp: WhatsAppConfig | null = token
    ? {
        baseUrl,
        token,
        phoneNumberId: required('WHATSAPP_PHONE_NUMBER_ID', read<string | null>(env, { name: 'WHATSAPP_PHONE_NUMBER_ID', fallback: null, parse: digits }), because),
        appSecret: required('WHATSAPP_APP_SECRET', read<string | null>(env, { name: 'WHATSAPP_APP_SECRET', fallback: null, parse: secret }), because),
        verifyToken: required('WHATSAPP_VERIFY_TOKEN', read<string | null>(env, { name: 'WHATSAPP_VERIFY_TOKEN', fallback: null, parse: secret }), because),
      }
    : null;
  return { sms, whatsapp };
}

function digits(raw: string): string {
  if (!/^\d{1,30}$/.test(raw)) throw new Error('must be the phone number id, digits only');
  return raw;
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
    ...textProviders(env, nodeEnv === 'production'),
    textMonthlySegments: read(env, { name: 'TEXT_MONTHLY_SEGMENTS', fallback: 1000, parse: integer(0, 10_000_000) }),
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
  'SMS_PROVIDER',
  'SMS_GATEWAY_URL',
  'SMS_GATEWAY_TOKEN',
  'SMS_GATEWAY_BODY',
  'SMS_GATEWAY_INBOUND_SECRET',
  'WHATSAPP_API_BASE_URL',
  'WHATSAPP_TOKEN',
  'WHATSAPP_PHONE_NUMBER_ID',
  'WHATSAPP_APP_SECRET',
  'WHATSAPP_VERIFY_TOKEN',
  'TEXT_MONTHLY_SEGMENTS',
] as const;
