import { bootTestApp, type TestApp } from '../harness/app';
import { addMember, caller, login, PASSWORD, signup, type Account, type Caller } from '../harness/api';
import { query } from '../harness/database';

// PATCH /api/v1/me (issue 10): one's own name and password. Not tenant-scoped: every signed-in
// account may, whatever its roles (or none), and only for itself.

const NEW_PASSWORD = 'copper-meadow-signal-58';
let t: TestApp;
let call: Caller;
beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '1000/1h', RATE_LIMIT_LOGIN_ACCOUNT_SOURCE: '3/15m' });
  call = caller(t.app);
});
afterAll(async () => t.close());

type Res = Awaited<ReturnType<Caller>>;
const patchMe = (token: string | undefined, payload: unknown, remoteAddress = '203.0.113.20'): Promise<Res> =>
  call({ method: 'PATCH', url: '/api/v1/me', payload: payload as object, remoteAddress, ...(token ? { token } : {}) });
const refresh = (refreshToken: string): Promise<Res> =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken } });

let account: Account;
beforeEach(async () => {
  account = await signup(t.app, { name: 'Profile Owner' });
});

describe('name', () => {
  it('changes the name (trimmed), answers the account view, and GET /me shows it', async () => {
    const res = await patchMe(account.accessToken, { name: '  Ada King  ' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: account.userId, email: account.email, name: 'Ada King', createdAt: expect.any(String) as string });
    const me = await call({ method: 'GET', url: '/api/v1/me', token: account.accessToken });
    expect(me.json<{ user: { name: string } }>().user.name).toBe('Ada King');
  });

  it('is the same for every role, and for an account in no tenant; it changes only the caller', async () => {
    const other = await signup(t.app, { name: 'Someone Else' });
    for (const role of ['admin', 'member', 'auditor', 'viewer'] as const) {
      const person = await signup(t.app, { name: 'Role Holder' });
      await query(t.db.adminUrl, 'DELETE FROM membership WHERE user_id = $1', [person.userId]);
      await addMember(t.db.adminUrl, other.tenantId, person.userId, role);
      const res = await patchMe(person.accessToken, { name: `Renamed ${role}` });
      expect(res.statusCode).toBe(200);
      expect(res.json<{ id: string; name: string }>()).toMatchObject({ id: person.userId, name: `Renamed ${role}` });
    }
    const loner = await signup(t.app, { name: 'Loner' });
    await query(t.db.adminUrl, 'DELETE FROM membership WHERE user_id = $1', [loner.userId]);
    expect((await patchMe(loner.accessToken, { name: 'Still Me' })).statusCode).toBe(200);
    const [row] = await query<{ name: string }>(t.db.adminUrl, 'SELECT name FROM app_user WHERE id = $1', [other.userId]);
    expect(row?.name).toBe('Someone Else');
  });

  it('without a token: 401', async () => {
    const res = await patchMe(undefined, { name: 'Nobody' });
    expect(res.statusCode).toBe(401);
  });
});

describe('password', () => {
  it('changes with the current password, keeps this session and ends every other one', async () => {
    const elsewhere = await login(t.app, account.email);
    const res = await patchMe(account.accessToken, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD });
    expect(res.statusCode).toBe(200);
    expect((await refresh(elsewhere.refreshToken)).statusCode).toBe(401);
    // The session that changed it goes on (its refresh token is still good).
    expect((await refresh(account.refreshToken)).statusCode).toBe(200);
    const old = await t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: account.email, password: PASSWORD } });
    expect(old.statusCode).toBe(401);
    expect((await login(t.app, account.email, NEW_PASSWORD)).accessToken).toBeTruthy();
  });

  it('needs the current password: 400 CURRENT_PASSWORD_REQUIRED, nothing changed', async () => {
    const res = await patchMe(account.accessToken, { name: 'Not Saved', newPassword: NEW_PASSWORD });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ code: string }>().code).toBe('CURRENT_PASSWORD_REQUIRED');
    const [row] = await query<{ name: string }>(t.db.adminUrl, 'SELECT name FROM app_user WHERE id = $1', [account.userId]);
    expect(row?.name).toBe('Profile Owner');
  });

  it('a wrong current password is 403 CURRENT_PASSWORD_INVALID and counts like a failed login', async () => {
    const ip = '198.51.100.77';
    for (let i = 0; i < 3; i++) {
      const res = await patchMe(account.accessToken, { currentPassword: `wrong-password-${i}`, newPassword: NEW_PASSWORD }, ip);
      expect(res.statusCode).toBe(403);
      expect(res.json<{ code: string }>().code).toBe('CURRENT_PASSWORD_INVALID');
    }
    // The login delays of (account, address) now apply, to the right password as well.
    const delayed = await patchMe(account.accessToken, { currentPassword: PASSWORD, newPassword: NEW_PASSWORD }, ip);
    expect(delayed.statusCode).toBe(429);
    expect(delayed.json<{ code: string }>().code).toBe('RATE_LIMITED');
    expect(Number(delayed.headers['retry-after'])).toBeGreaterThan(0);
    const login = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: account.email, password: PASSWORD },
      remoteAddress: ip,
    });
    expect(login.statusCode).toBe(429);
    expect((await refresh(account.refreshToken)).statusCode).toBe(200);
  });

  it('the new password follows the sign-up policy', async () => {
    for (const newPassword of ['password1234', `${account.email.split('@')[0] ?? ''}-2024`, 'aaaaaaaaaaaaaaab']) {
      const res = await patchMe(account.accessToken, { currentPassword: PASSWORD, newPassword });
      expect(res.statusCode).toBe(400);
      expect(res.json<{ code: string }>().code).toBe('WEAK_PASSWORD');
    }
    expect((await login(t.app, account.email)).accessToken).toBeTruthy();
  });
});

describe('bad input: a clear 4xx with a code, never a 5xx, nothing written', () => {
  const cases: [string, unknown, string][] = [
    ['empty body', {}, 'NOTHING_TO_CHANGE'],
    ['only the current password', { currentPassword: PASSWORD }, 'NOTHING_TO_CHANGE'],
    ['empty name', { name: '' }, 'VALIDATION_FAILED'],
    ['blank name', { name: '   ' }, 'VALIDATION_FAILED'],
    ['name null', { name: null }, 'VALIDATION_FAILED'],
    ['name a number', { name: 42 }, 'VALIDATION_FAILED'],
    ['over-long name', { name: 'n'.repeat(201) }, 'VALIDATION_FAILED'],
    ['NUL in name', { name: 'Ada\u0000King' }, 'INVALID_CHARACTER'],
    ['NUL in password', { currentPassword: PASSWORD, newPassword: `${NEW_PASSWORD}\u0000` }, 'INVALID_CHARACTER'],
    ['short new password', { currentPassword: PASSWORD, newPassword: 'short' }, 'VALIDATION_FAILED'],
    ['over-long new password', { currentPassword: PASSWORD, newPassword: 'x'.repeat(257) }, 'VALIDATION_FAILED'],
    ['over-long current password', { currentPassword: 'x'.repeat(257), newPassword: NEW_PASSWORD }, 'VALIDATION_FAILED'],
    ['unknown field', { name: 'Ada', email: 'new@example.org' }, 'VALIDATION_FAILED'],
    ['an array', [{ name: 'Ada' }], 'VALIDATION_FAILED'],
  ];
  it.each(cases)('%s', async (_name, payload, code) => {
    const res = await patchMe(account.accessToken, payload);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expect(res.json<{ code: string }>().code).toBe(code);
    const [row] = await query<{ name: string; email: string }>(t.db.adminUrl, 'SELECT name, email FROM app_user WHERE id = $1', [
      account.userId,
    ]);
    expect(row).toEqual({ name: 'Profile Owner', email: account.email });
    expect((await login(t.app, account.email)).accessToken).toBeTruthy();
  });
});
