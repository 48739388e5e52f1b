import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ConfigError, loadConfig } from './config';

const dir = () => mkdtempSync(join(tmpdir(), 'convoca-config-'));
const SECRET = 'a-production-secret-of-enough-length-42';

describe('loadConfig', () => {
  it('has working defaults for development', () => {
    const c = loadConfig({ CONVOCA_DATA_DIR: dir() });
    expect(c).toMatchObject({ env: 'development', port: 3000, databaseUrl: null, runMigrations: true, bodyLimitBytes: 1048576 });
  });

  it.each([
    ['PORT', 'abc'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['DATABASE_URL', 'not a url'],
    ['RUN_MIGRATIONS', 'maybe'],
    ['LOG_LEVEL', 'loud'],
    ['NODE_ENV', 'staging'],
    ['CORS_ORIGINS', 'example.org'],
    ['SMTP_URL', 'http://mail'],
    ['CONVOCA_ADMIN_EMAIL', 'not-an-email'],
    ['WEBHOOK_ALLOW_PRIVATE_HOSTS', 'http://127.0.0.1'],
    ['WEBHOOK_TIMEOUT_MS', '10'],
  ])('names the variable when %s=%s is bad', (name, value) => {
    expect(() => loadConfig({ CONVOCA_DATA_DIR: dir(), JWT_SECRET: SECRET, [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ CONVOCA_DATA_DIR: dir(), JWT_SECRET: SECRET, [name]: value })).toThrow(new RegExp(`^Invalid configuration: ${name} `));
  });

  it('never echoes a bad value (it may be a secret)', () => {
    expect(() => loadConfig({ CONVOCA_DATA_DIR: dir(), DATABASE_URL: 'mysql://user:hunter2@db/x' })).toThrow(/^((?!hunter2).)*$/);
  });

  it('refuses to start in production without a strong JWT secret', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', CONVOCA_DATA_DIR: dir() })).toThrow(/JWT_SECRET is required/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short' })).toThrow(/JWT_SECRET must be at least 32/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'changeme-changeme-changeme-changeme' })).toThrow(/placeholder/);
    expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET }).jwtSecret).toBe(SECRET);
  });

  it('generates a development secret once and keeps it in the data directory', () => {
    const d = dir();
    const first = loadConfig({ CONVOCA_DATA_DIR: d }).jwtSecret;
    expect(first.length).toBeGreaterThanOrEqual(32);
    expect(loadConfig({ CONVOCA_DATA_DIR: d }).jwtSecret).toBe(first);
    expect(readFileSync(join(d, 'jwt-secret'), 'utf8').trim()).toBe(first);
    expect(statSync(join(d, 'jwt-secret')).mode & 0o777).toBe(0o600);
  });

  it('takes webhook hosts allowed to be private outside production only', () => {
    expect(loadConfig({ CONVOCA_DATA_DIR: dir(), WEBHOOK_ALLOW_PRIVATE_HOSTS: ' 127.0.0.1:8443, Hooks.Local ,[::1]:9000' }).webhookAllowPrivateHosts).toEqual([
      '127.0.0.1:8443',
      'hooks.local',
      '[::1]:9000',
    ]);
    expect(loadConfig({ CONVOCA_DATA_DIR: dir() }).webhookAllowPrivateHosts).toEqual([]);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, WEBHOOK_ALLOW_PRIVATE_HOSTS: '127.0.0.1' })).toThrow(
      /^Invalid configuration: WEBHOOK_ALLOW_PRIVATE_HOSTS must not be set in production/,
    );
  });

  it('requires the admin password together with the admin e-mail', () => {
    expect(() => loadConfig({ CONVOCA_DATA_DIR: dir(), CONVOCA_ADMIN_EMAIL: 'a@b.pe' })).toThrow(/CONVOCA_ADMIN_PASSWORD/);
  });
});
