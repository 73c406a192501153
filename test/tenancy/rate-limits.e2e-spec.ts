import { bootTestApp, type TestApp } from '../harness/app';
import { PASSWORD, signup, uniqueEmail } from '../harness/api';
import { query } from '../harness/database';

let t: TestApp;
beforeAll(async () => {
  t = await bootTestApp({
    RATE_LIMIT_SIGNUP: '2/1h',
    RATE_LIMIT_LOGIN_IP: '3/15m',
    RATE_LIMIT_LOGIN_ACCOUNT: '100/15m',
    RATE_LIMIT_REFRESH: '2/1m',
    RATE_LIMIT_INVITATION_ACCEPT: '2/1h',
  });
});
afterAll(async () => t.close());

const post = (url: string, payload: object, ip: string): ReturnType<TestApp['app']['inject']> =>
  t.app.inject({ method: 'POST', url, payload, remoteAddress: ip });

function expectLimited(res: Awaited<ReturnType<typeof post>>, maxSeconds: number): void {
  expect(res.statusCode).toBe(429);
  expect(res.json()).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED', details: { retryAfterSeconds: expect.any(Number) } });
  const retry = Number(res.headers['retry-after']);
  expect(retry).toBeGreaterThan(0);
  expect(retry).toBeLessThanOrEqual(maxSeconds);
}

describe('rate limits (configured small here)', () => {
  it('sign-ups per IP', async () => {
    const ip = '198.51.100.1';
    const body = (): object => ({ email: uniqueEmail(), password: PASSWORD, name: 'N', organization: 'O' });
    expect((await post('/api/v1/auth/signup', body(), ip)).statusCode).toBe(201);
    expect((await post('/api/v1/auth/signup', body(), ip)).statusCode).toBe(201);
    const email = uniqueEmail();
    expectLimited(await post('/api/v1/auth/signup', { ...(body() as Record<string, string>), email }, ip), 3600);
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM app_user WHERE email = $1', [email])).toHaveLength(0);
    // Another address is not affected.
    expect((await post('/api/v1/auth/signup', body(), '198.51.100.2')).statusCode).toBe(201);
  });

  it('failed logins per IP, across accounts', async () => {
    const ip = '198.51.100.3';
    for (let i = 0; i < 3; i++)
      expect((await post('/api/v1/auth/login', { email: uniqueEmail(), password: 'wrong-password-x' }, ip)).statusCode).toBe(401);
    expectLimited(await post('/api/v1/auth/login', { email: uniqueEmail(), password: 'wrong-password-x' }, ip), 900);
  });

  it('refreshes per IP', async () => {
    const a = await signup(t.app, { remoteAddress: '198.51.100.4' });
    const ip = '198.51.100.5';
    const first = await post('/api/v1/auth/refresh', { refreshToken: a.refreshToken }, ip);
    expect(first.statusCode).toBe(200);
    expect((await post('/api/v1/auth/refresh', { refreshToken: first.json<{ refreshToken: string }>().refreshToken }, ip)).statusCode).toBe(
      200,
    );
    expectLimited(await post('/api/v1/auth/refresh', { refreshToken: 'whatever' }, ip), 60);
  });

  it('invitation accepts per IP', async () => {
    const ip = '198.51.100.6';
    for (let i = 0; i < 2; i++) expect((await post('/api/v1/invitations/accept', { token: 'not-a-token' }, ip)).statusCode).toBe(410);
    expectLimited(await post('/api/v1/invitations/accept', { token: 'not-a-token' }, ip), 3600);
  });

  it('counters live in Postgres, shared by every api process', async () => {
    const rows = await query<{ bucket: string }>(
      t.db.adminUrl,
      "SELECT DISTINCT bucket FROM rate_limit_hit WHERE key LIKE '198.51.100.%' ORDER BY bucket",
    );
    expect(rows.map((r) => r.bucket)).toEqual(['invitation-accept', 'login-ip', 'refresh', 'signup']);
  });
});
