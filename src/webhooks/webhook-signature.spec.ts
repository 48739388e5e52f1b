import { Webhook } from 'standardwebhooks';

import { newSecret, SECRET_PREFIX, signature, signedHeaders } from './webhook-signature';

describe('webhook signatures (Standard Webhooks)', () => {
  const body = JSON.stringify({ type: 'signup.created', timestamp: '2026-06-08T21:00:00.000Z', data: { signupId: 'd4c3b2a1-f6e5-4d7c-8b9a-0f1e2d3c4b5a' } });
  const now = () => Math.floor(Date.now() / 1000);

  it('makes whsec_ secrets of 32 random bytes', () => {
    const secret = newSecret();
    expect(secret.startsWith(SECRET_PREFIX)).toBe(true);
    expect(Buffer.from(secret.slice(SECRET_PREFIX.length), 'base64')).toHaveLength(32);
    expect(newSecret()).not.toBe(secret);
  });

  it('signs as the reference library verifies', () => {
    const secret = newSecret();
    const headers = signedHeaders([secret], 'msg-1', now(), body);
    expect(new Webhook(secret).verify(body, headers)).toEqual(JSON.parse(body));
    // The library's own signature is ours.
    const ts = now();
    expect(new Webhook(secret).sign('msg-1', new Date(ts * 1000), body)).toBe(signature(secret, 'msg-1', ts, body));
  });

  it('carries one signature per secret during a rotation: either secret verifies', () => {
    const [fresh, old] = [newSecret(), newSecret()];
    const headers = signedHeaders([fresh, old], 'msg-2', now(), body);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(fresh).verify(body, headers)).toBeTruthy();
    expect(new Webhook(old).verify(body, headers)).toBeTruthy();
    expect(() => new Webhook(newSecret()).verify(body, headers)).toThrow();
  });

  it('is refused for another body, id or timestamp', () => {
    const secret = newSecret();
    const headers = signedHeaders([secret], 'msg-3', now(), body);
    expect(() => new Webhook(secret).verify(body.replace('signup', 'event'), headers)).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-id': 'msg-4' })).toThrow();
    expect(() => new Webhook(secret).verify(body, { ...headers, 'webhook-timestamp': String(now() - 3600) })).toThrow();
  });
});
