import { bootTestApp, type TestApp } from '../harness/app';
import { PASSWORD, signup, type Account } from '../harness/api';
import { query } from '../harness/database';

// Issue 12, item 9: a stranger must not be able to lock an owner out. Limits are per (account,
// client address) with growing delays, a higher ceiling per account, sliding windows, and the
// client address comes from X-Forwarded-For only when the peer is a configured proxy.

const PROXY = '10.0.0.1';
let t: TestApp;
beforeAll(async () => {
  t = await bootTestApp({
    RATE_LIMIT_SIGNUP: '1000/1h',
    RATE_LIMIT_LOGIN_ACCOUNT_SOURCE: '3/15m',
    RATE_LIMIT_LOGIN_ACCOUNT: '8/15m',
    RATE_LIMIT_LOGIN_IP: '1000/15m',
    TRUSTED_PROXIES: PROXY,
  });
});
afterAll(async () => t.close());

type Res = Awaited<ReturnType<TestApp['app']['inject']>>;
const login = (email: string, password: string, remoteAddress: string, forwardedFor?: string): Promise<Res> =>
  t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: { email, password },
    remoteAddress,
    ...(forwardedFor ? { headers: { 'x-forwarded-for': forwardedFor } } : {}),
  });
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function expectDelayed(res: Res, seconds: number): void {
  expect(res.statusCode).toBe(429);
  expect(res.json<{ code: string }>().code).toBe('RATE_LIMITED');
  expect(Number(res.headers['retry-after'])).toBe(seconds);
}

let owner: Account;
beforeEach(async () => {
  owner = await signup(t.app);
});

describe('failed logins', () => {
  it('a stranger hammering from one address does not lock the owner out from another', async () => {
    const stranger = '198.51.100.20';
    for (let i = 0; i < 3; i++) expect((await login(owner.email, `wrong-password-${i}`, stranger)).statusCode).toBe(401);
    // From here the stranger waits between attempts; refused attempts are not counted, so 30
    // more in a row do not bring the account any closer to its ceiling.
    for (let i = 0; i < 30; i++) expectDelayed(await login(owner.email, `wrong-password-x${i}`, stranger), 1);
    // Even the right password waits, from that address.
    expectDelayed(await login(owner.email, PASSWORD, stranger), 1);
    expect((await login(owner.email, PASSWORD, '203.0.113.5')).statusCode).toBe(200);
  }, 30_000);

  it('the delays grow: 1 s after the free failures, then 2 s; a success from that address clears them', async () => {
    const here = '198.51.100.21';
    for (let i = 0; i < 3; i++) expect((await login(owner.email, `wrong-password-${i}`, here)).statusCode).toBe(401);
    expectDelayed(await login(owner.email, 'wrong-password-3', here), 1);
    await sleep(1100);
    expect((await login(owner.email, 'wrong-password-4', here)).statusCode).toBe(401);
    expectDelayed(await login(owner.email, 'wrong-password-5', here), 2);
    await sleep(2100);
    expect((await login(owner.email, PASSWORD, here)).statusCode).toBe(200);
    // Free again from this address.
    expect((await login(owner.email, 'wrong-password-6', here)).statusCode).toBe(401);
    expect((await login(owner.email, 'wrong-password-7', here)).statusCode).toBe(401);
  }, 30_000);

  it('the per-account ceiling still holds against a guess spread over many addresses', async () => {
    const sources = ['198.51.100.31', '198.51.100.32', '198.51.100.33'];
    for (const [n, source] of [3, 3, 2].map((count, i) => [count, sources[i] ?? ''] as const))
      for (let i = 0; i < n; i++) expect((await login(owner.email, `wrong-password-${i}`, source)).statusCode).toBe(401);
    const res = await login(owner.email, PASSWORD, '203.0.113.6');
    expect(res.statusCode).toBe(429);
    expect(res.json<{ code: string }>().code).toBe('RATE_LIMITED');
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(900);
  }, 30_000);
});

describe('client address', () => {
  it('behind a trusted proxy, X-Forwarded-For tells the stranger and the owner apart', async () => {
    for (let i = 0; i < 3; i++) expect((await login(owner.email, `wrong-password-${i}`, PROXY, '203.0.113.66')).statusCode).toBe(401);
    expectDelayed(await login(owner.email, PASSWORD, PROXY, '203.0.113.66'), 1);
    expect((await login(owner.email, PASSWORD, PROXY, '203.0.113.67')).statusCode).toBe(200);
    const keys = await query<{ key: string }>(
      t.db.adminUrl,
      "SELECT key FROM rate_limit_hit WHERE bucket = 'login-source' AND key LIKE $1",
      [`${owner.email} %`],
    );
    expect(keys.map((k) => k.key)).toEqual([`${owner.email} 203.0.113.66`]);
  }, 30_000);

  it('from anyone else X-Forwarded-For is ignored: a stranger cannot escape the delays by inventing addresses', async () => {
    const stranger = '198.51.100.40';
    for (let i = 0; i < 3; i++)
      expect((await login(owner.email, `wrong-password-${i}`, stranger, `203.0.113.${100 + i}`)).statusCode).toBe(401);
    expectDelayed(await login(owner.email, 'wrong-password-3', stranger, '203.0.113.200'), 1);
    const keys = await query<{ key: string }>(
      t.db.adminUrl,
      "SELECT key FROM rate_limit_hit WHERE bucket = 'login-source' AND key LIKE $1",
      [`${owner.email} %`],
    );
    expect(keys.map((k) => k.key)).toEqual([`${owner.email} ${stranger}`]);
  }, 30_000);
});
