import { createHash } from 'node:crypto';

import { canonicalJson, CheckInCodes, normaliseCode } from './check-in-codes';

const codes = new CheckInCodes({ jwtSecret: 'a-test-secret-that-is-long-enough-0123456789' });
const other = new CheckInCodes({ jwtSecret: 'another-test-secret-that-is-long-enough-012345' });
const ID = '6f1a4d7c-0b3e-4a6f-9c2b-5e8d1a4c7f0b';
const sha = (v: string) => createHash('sha256').update(v).digest('hex');

describe('CheckInCodes', () => {
  it('derives a 22-character token (128 bits and more) and a 10-character Crockford code, the same every time', () => {
    expect(codes.tokenFor(ID)).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(codes.shortCodeFor(ID)).toMatch(/^[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}$/);
    expect(codes.tokenFor(ID)).toBe(codes.tokenFor(ID));
    expect(codes.shortCodeFor(ID)).toBe(codes.shortCodeFor(ID));
  });

  it('gives each signup its own codes, and other codes under another secret', () => {
    const ids = Array.from({ length: 2000 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    expect(new Set(ids.map((id) => codes.tokenFor(id))).size).toBe(ids.length);
    expect(new Set(ids.map((id) => codes.shortCodeFor(id))).size).toBe(ids.length);
    expect(other.tokenFor(ID)).not.toBe(codes.tokenFor(ID));
    expect(other.shortCodeFor(ID)).not.toBe(codes.shortCodeFor(ID));
  });

  it('stores sha256 of the token and of the code without its hyphen', () => {
    const { tokenHash, codeHash } = codes.hashesFor(ID);
    expect(tokenHash).toBe(sha(codes.tokenFor(ID)));
    expect(codeHash).toBe(sha(codes.shortCodeFor(ID).replace('-', '')));
    expect(codes.hash({ token: codes.tokenFor(ID) })).toBe(tokenHash);
  });

  it('finds a code however it is typed or read out: case, spaces, hyphen, O for 0, I or L for 1', () => {
    const code = codes.shortCodeFor(ID);
    const { codeHash } = codes.hashesFor(ID);
    expect(codes.hash({ code: code.toLowerCase() })).toBe(codeHash);
    expect(codes.hash({ code: ` ${code.replace('-', ' ')} ` })).toBe(codeHash);
    expect(codes.hash({ code: code.replace('-', '').replace(/0/g, 'o').replace(/1/g, 'l') })).toBe(codeHash);
    expect(normaliseCode('ABCDE-FGHJ')).toBeNull(); // nine characters
    expect(normaliseCode('ABCDE-FGHJU')).toBeNull(); // U is not in the alphabet
    expect(codes.hash({ code: 'too short' })).toBeNull();
  });

  it('signs a manifest digest, and refuses a forged or altered one', () => {
    const manifest = { eventId: ID, entries: [{ signupId: ID, name: 'Rosa Quispe' }], counts: { going: 1, attended: 0 } };
    const digest = sha(canonicalJson(manifest));
    const signature = codes.signDigest(digest);
    expect(codes.verifyDigest(digest, signature)).toBe(true);
    expect(codes.verifyDigest(sha(canonicalJson({ ...manifest, counts: { going: 1, attended: 1 } })), signature)).toBe(false);
    expect(codes.verifyDigest(digest, other.signDigest(digest))).toBe(false);
    expect(codes.verifyDigest(digest, 'forged')).toBe(false);
  });
});

describe('canonicalJson', () => {
  it('writes one text for one value: keys sorted at every level, arrays in order, no whitespace', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }, 2], e: undefined })).toBe('{"a":[{"c":"x","d":null},2],"b":1}');
    expect(canonicalJson({ a: 1, b: { y: 2, x: 1 } })).toBe(canonicalJson({ b: { x: 1, y: 2 }, a: 1 }));
    expect(canonicalJson('Ñaña "x"')).toBe(JSON.stringify('Ñaña "x"'));
  });
});
