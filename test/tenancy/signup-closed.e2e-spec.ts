import { bootTestApp, type TestApp } from '../harness/app';
import { PASSWORD, uniqueEmail } from '../harness/api';
import { query } from '../harness/database';

// Passport strategies are process-wide: one app per test file, so this config gets its own file.
let t: TestApp;
beforeAll(async () => {
  t = await bootTestApp({ SIGNUP: 'closed' });
});
afterAll(async () => t.close());

it('SIGNUP=closed: 403 SIGNUP_CLOSED and no account', async () => {
  const email = uniqueEmail();
  const res = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/signup',
    payload: { email, password: PASSWORD, name: 'X', organization: 'O' },
  });
  expect(res.statusCode).toBe(403);
  expect(res.json<{ code: string }>().code).toBe('SIGNUP_CLOSED');
  expect(await query(t.db.adminUrl, 'SELECT 1 FROM app_user WHERE email = $1', [email])).toHaveLength(0);
});
