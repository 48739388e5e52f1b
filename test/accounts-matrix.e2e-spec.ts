import { bootTestApp, type TestApp } from './support/app';
import { row, runRow, type MatrixRow } from './support/matrix';
import { buildWorld, makeMember, unique, type World } from './support/world';

/** Who may use the e-mail and self-service account routes (issue 5). Same table style as access-matrix. */
describe('permission matrix: outbox and self-service accounts', () => {
  let t: TestApp;
  let w: World;
  beforeAll(async () => {
    t = await bootTestApp();
    w = await buildWorld(t);
  });
  afterAll(() => t.close());

  const BAD_TOKEN = 'x'.repeat(43);
  const memberOfA = async () => (await makeMember(t, [w.A])).id;

  // prettier-ignore
  const MATRIX: MatrixRow[] = [
    //                                                                                                                     anon plain orgA admA admP admB coord plat
    row('GET /outbox',                           () => ({ method: 'get', path: '/api/v1/outbox' }),                                  401, 403, 403, 403, 403, 403, 403, 200),
    row('POST /auth/password-reset',             () => ({ method: 'post', path: '/api/v1/auth/password-reset', body: { email: `${unique('who')}@example.org` } }),
                                                                                                                                     202, 202, 202, 202, 202, 202, 202, 202),
    row('POST /auth/password-reset/confirm',     () => ({ method: 'post', path: '/api/v1/auth/password-reset/confirm', body: { token: BAD_TOKEN, password: 'a long new passphrase' } }),
                                                                                                                                     400, 400, 400, 400, 400, 400, 400, 400),
    row('POST /auth/register',                   () => ({ method: 'post', path: '/api/v1/auth/register', body: { email: 'someone@example.org' } }),
                                                                                                                                     202, 202, 202, 202, 202, 202, 202, 202),
    row('POST /auth/accept-invitation',          () => ({ method: 'post', path: '/api/v1/auth/accept-invitation', body: { token: BAD_TOKEN, password: 'a long new passphrase' } }),
                                                                                                                                     400, 400, 400, 400, 400, 400, 400, 400),
    row('POST /auth/verify-email',               () => ({ method: 'post', path: '/api/v1/auth/verify-email', body: { token: BAD_TOKEN } }),
                                                                                                                                     400, 400, 400, 400, 400, 400, 400, 400),
    row('POST /members/:id/invitation (of A)',   async () => ({ method: 'post', path: `/api/v1/members/${await memberOfA()}/invitation` }),
                                                                                                                                     401, 403, 403, 202, 202, 404, 403, 202),
  ];

  it.each(MATRIX.map((r) => [r.route, r] as const))('%s', async (_route, r) => {
    expect(await runRow(t, w, r)).toEqual(r.expect);
  });
});
