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

  describe('text providers (issue 24)', () => {
    const SMS = { SMS_PROVIDER: 'http', SMS_GATEWAY_URL: 'https://sms.example.org/send', SMS_GATEWAY_INBOUND_SECRET: 'inbound-secret-0123456789' };
    const WHATSAPP = { WHATSAPP_TOKEN: 'token', WHATSAPP_PHONE_NUMBER_ID: '1098765432', WHATSAPP_APP_SECRET: 'app-secret-0123456789', WHATSAPP_VERIFY_TOKEN: 'verify-token-0123456789' };

    it('has none unless configured, and takes each whole', () => {
      const none = loadConfig({ CONVOCA_DATA_DIR: dir() });
      expect([none.sms, none.whatsapp, none.textMonthlySegments]).toEqual([null, null, 1000]);
      const both = loadConfig({ CONVOCA_DATA_DIR: dir(), ...SMS, ...WHATSAPP, TEXT_MONTHLY_SEGMENTS: '250' });
      expect(both.sms).toEqual({
        provider: 'http',
        gatewayUrl: 'https://sms.example.org/send',
        token: null,
        bodyTemplate: expect.stringContaining('{{text}}'),
        inboundSecret: SMS.SMS_GATEWAY_INBOUND_SECRET,
      });
      expect(both.whatsapp).toEqual({
        baseUrl: 'https://graph.facebook.com/v21.0',
        token: 'token',
        phoneNumberId: '1098765432',
        appSecret: WHATSAPP.WHATSAPP_APP_SECRET,
        verifyToken: WHATSAPP.WHATSAPP_VERIFY_TOKEN,
      });
      expect(both.textMonthlySegments).toBe(250);
    });

    it('refuses a provider half configured, an unknown one, or a body without its placeholders', () => {
      const base = { CONVOCA_DATA_DIR: dir() };
      expect(() => loadConfig({ ...base, SMS_PROVIDER: 'twilio' })).toThrow(/SMS_PROVIDER must be http/);
      expect(() => loadConfig({ ...base, ...SMS, SMS_GATEWAY_URL: '' })).toThrow(/SMS_GATEWAY_URL must be set/);
      expect(() => loadConfig({ ...base, ...SMS, SMS_GATEWAY_INBOUND_SECRET: '' })).toThrow(/SMS_GATEWAY_INBOUND_SECRET must be set/);
      expect(() => loadConfig({ ...base, ...SMS, SMS_GATEWAY_INBOUND_SECRET: 'short' })).toThrow(/SMS_GATEWAY_INBOUND_SECRET must be at least 16/);
      expect(() => loadConfig({ ...base, ...SMS, SMS_GATEWAY_BODY: '{"to":"{{to}}"}' })).toThrow(/SMS_GATEWAY_BODY must contain/);
      expect(() => loadConfig({ ...base, ...SMS, SMS_GATEWAY_BODY: '{{to}} {{text}}' })).toThrow(/SMS_GATEWAY_BODY must be JSON/);
      expect(() => loadConfig({ ...base, ...WHATSAPP, WHATSAPP_APP_SECRET: '' })).toThrow(/WHATSAPP_APP_SECRET must be set/);
      expect(() => loadConfig({ ...base, ...WHATSAPP, WHATSAPP_PHONE_NUMBER_ID: '+51 987' })).toThrow(/WHATSAPP_PHONE_NUMBER_ID/);
    });

    it('refuses plain http provider addresses in production (a local fake is fine elsewhere)', () => {
      const local = { ...SMS, SMS_GATEWAY_URL: 'http://127.0.0.1:9999/sms', WHATSAPP_API_BASE_URL: 'http://127.0.0.1:9999/graph' };
      expect(loadConfig({ CONVOCA_DATA_DIR: dir(), ...local }).sms?.gatewayUrl).toBe('http://127.0.0.1:9999/sms');
      expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, ...SMS, SMS_GATEWAY_URL: 'http://sms.example.org/send' })).toThrow(
        /^Invalid configuration: SMS_GATEWAY_URL must be an https:\/\/ URL in production/,
      );
      expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, WHATSAPP_API_BASE_URL: 'http://127.0.0.1:9999/graph' })).toThrow(
        /^Invalid configuration: WHATSAPP_API_BASE_URL must be an https:\/\/ URL in production/,
      );
      expect(loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, ...SMS, ...WHATSAPP }).sms?.gatewayUrl).toBe('https://sms.example.org/send');
    });
  });

  it('requires the admin password together with the admin e-mail', () => {
    expect(() => loadConfig({ CONVOCA_DATA_DIR: dir(), CONVOCA_ADMIN_EMAIL: 'a@b.pe' })).toThrow(/CONVOCA_ADMIN_PASSWORD/);
  });
});
