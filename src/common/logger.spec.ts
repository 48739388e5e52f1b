import { Writable } from 'node:stream';
import { QueryFailedError } from 'typeorm';

import { createLogger } from './logger';

/** A unique-key violation as pg and TypeORM raise it, quoting the row and carrying the statement's values. */
function duplicateEmailError(): QueryFailedError {
  const driverError = Object.assign(new Error('duplicate key value violates unique constraint "uq_members_email"'), {
    code: '23505',
    severity: 'ERROR',
    constraint: 'uq_members_email',
    table: 'members',
    detail: 'Key (email)=(rosa.quispe@example.org) already exists.',
  });
  return new QueryFailedError('INSERT INTO members (email, phone) VALUES ($1, $2)', ['rosa.quispe@example.org', '+51987654321'], driverError);
}

describe('logger', () => {
  it('logs a database error by its code and constraint, never the values it carries', () => {
    let out = '';
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((out += chunk.toString()), done()) });
    createLogger({ logLevel: 'info', logPretty: false }, sink).error({ err: duplicateEmailError() }, 'unhandled error');
    const line = JSON.parse(out) as { err: Record<string, unknown> };
    expect(line.err).toMatchObject({ type: 'QueryFailedError', code: '23505', constraint: 'uq_members_email', table: 'members', query: 'INSERT INTO members (email, phone) VALUES ($1, $2)' });
    expect(out).not.toMatch(/rosa|987654321/);
  });

  it('keeps ordinary errors whole', () => {
    let out = '';
    const sink = new Writable({ write: (chunk: Buffer, _enc, done) => ((out += chunk.toString()), done()) });
    createLogger({ logLevel: 'info', logPretty: false }, sink).error({ err: new TypeError('cannot read x of undefined') }, 'boom');
    expect((JSON.parse(out) as { err: { message: string; stack: string } }).err).toMatchObject({
      type: 'TypeError',
      message: 'cannot read x of undefined',
      stack: expect.stringContaining('TypeError'),
    });
  });
});
