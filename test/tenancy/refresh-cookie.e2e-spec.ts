import { bootTestApp, type TestApp } from '../harness/app';
import { caller, PASSWORD, signup, uniqueEmail, type Caller } from '../harness/api';
import { startSmtpSink, type SmtpSink } from '../harness/smtp-sink';

// The console's session: refresh token in an HttpOnly cookie, chosen per request with
// X-Refresh-Cookie: 1; the JSON flow of API clients unchanged.
const ORIGIN = 'https://duty.example.test';
let t: TestApp;
let call: Caller;
let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
  t = await bootTestApp(
    { PUBLIC_URL: ORIGIN, SMTP_URL: sink.url, RATE_LIMIT_SIGNUP: '1000/1h', RATE_LIMIT_LOGIN_IP: '1000/15m' },
    undefined,
    { withWorker: true },
  );
  call = caller(t.app);
});
afterAll(async () => {
  await t.close();
  await sink.close();
});

const COOKIE = { 'x-refresh-cookie': '1' };

function setCookies(headers: Record<string, unknown>): string[] {
  const value = headers['set-cookie'];
  return value === undefined ? [] : Array.isArray(value) ? (value as string[]) : [value as string];
}

/** The token the cookies carry, as a browser would send it back. */
function cookieHeader(headers: Record<string, unknown>): string {
  const first = setCookies(headers)[0];
  if (!first) throw new Error('no set-cookie');
  return first.split(';')[0]!;
}

async function cookieLogin(email: string): Promise<{ cookie: string; body: Record<string, unknown>; headers: Record<string, unknown> }> {
  const res = await call({ method: 'POST', url: '/api/v1/auth/login', headers: COOKIE, payload: { email, password: PASSWORD } });
  expect(res.statusCode).toBe(200);
  return { cookie: cookieHeader(res.headers), body: res.json(), headers: res.headers };
}

const refresh = (headers: Record<string, string>, payload: object = {}) =>
  call({ method: 'POST', url: '/api/v1/auth/refresh', headers, payload });

describe('cookie flow', () => {
  it('login sets an HttpOnly, SameSite=Strict, Secure cookie on the refresh and logout paths, and keeps the token out of the body', async () => {
    const a = await signup(t.app);
    const { body, headers } = await cookieLogin(a.email);
    expect(body.accessToken).toEqual(expect.any(String));
    expect(body.refreshToken).toBeUndefined();
    const cookies = setCookies(headers);
    expect(cookies.map((c) => /Path=([^;]+)/.exec(c)?.[1]).sort()).toEqual(['/api/v1/auth/logout', '/api/v1/auth/refresh']);
    for (const c of cookies) {
      expect(c).toMatch(/^dutybook_refresh=[^;]{20,};/);
      expect(c).toContain('HttpOnly');
      expect(c).toContain('SameSite=Strict');
      expect(c).toContain('Secure');
      expect(c).toMatch(/Max-Age=\d{5,}/);
    }
  });

  it('signup in the cookie flow too', async () => {
    const res = await call({
      method: 'POST',
      url: '/api/v1/auth/signup',
      headers: COOKIE,
      payload: { email: uniqueEmail(), password: PASSWORD, name: 'C', organization: 'Cookie Org' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json<Record<string, unknown>>().refreshToken).toBeUndefined();
    expect(setCookies(res.headers)).toHaveLength(2);
  });

  it('refresh from our own origin rotates the cookie; the spent one is refused and revokes the family', async () => {
    const a = await signup(t.app);
    const { cookie } = await cookieLogin(a.email);
    const first = await refresh({ ...COOKIE, cookie, origin: ORIGIN });
    expect(first.statusCode).toBe(200);
    expect(first.json<Record<string, unknown>>().refreshToken).toBeUndefined();
    const next = cookieHeader(first.headers);
    expect(next).not.toBe(cookie);
    const reused = await refresh({ ...COOKIE, cookie, origin: ORIGIN });
    expect(reused.statusCode).toBe(401);
    expect(reused.json<{ code: string }>().code).toBe('REFRESH_TOKEN_REUSED');
    expect((await refresh({ ...COOKIE, cookie: next, origin: ORIGIN })).statusCode).toBe(401);
  });

  it.each([
    ['no Origin', {}],
    ['another site', { origin: 'https://evil.example' }],
    ['a sibling origin', { origin: 'https://other.duty.example.test' }],
    ['http instead of https', { origin: 'http://duty.example.test' }],
  ])(
    'refuses a cookie refresh from %s (403 ORIGIN_NOT_ALLOWED) without spending the token',
    async (_what, origin: Record<string, string>) => {
      const a = await signup(t.app);
      const { cookie } = await cookieLogin(a.email);
      const refused = await refresh({ ...COOKIE, cookie, ...origin });
      expect(refused.statusCode).toBe(403);
      expect(refused.json<{ code: string }>().code).toBe('ORIGIN_NOT_ALLOWED');
      expect((await refresh({ ...COOKIE, cookie, origin: ORIGIN })).statusCode).toBe(200);
    },
  );

  it('without a token in the body or a cookie: 401 REFRESH_TOKEN_MISSING', async () => {
    const res = await refresh({ origin: ORIGIN });
    expect(res.statusCode).toBe(401);
    expect(res.json<{ code: string }>().code).toBe('REFRESH_TOKEN_MISSING');
  });

  it('logout revokes the session and clears the cookie; logout without a session is a no-op 204', async () => {
    const a = await signup(t.app);
    const { cookie } = await cookieLogin(a.email);
    const out = await call({ method: 'POST', url: '/api/v1/auth/logout', headers: { ...COOKIE, cookie, origin: ORIGIN }, payload: {} });
    expect(out.statusCode).toBe(204);
    expect(setCookies(out.headers).every((c) => c.startsWith('dutybook_refresh=;') && c.includes('Max-Age=0'))).toBe(true);
    expect((await refresh({ ...COOKIE, cookie, origin: ORIGIN })).statusCode).toBe(401);
    expect((await call({ method: 'POST', url: '/api/v1/auth/logout', payload: {} })).statusCode).toBe(204);
    const foreign = await call({
      method: 'POST',
      url: '/api/v1/auth/logout',
      headers: { cookie, origin: 'https://evil.example' },
      payload: {},
    });
    expect(foreign.statusCode).toBe(403);
  });

  it('an accepted invitation that creates the account signs it in with the cookie', async () => {
    const admin = await signup(t.app);
    const email = uniqueEmail('invitee');
    const before = sink.messages.length;
    await call({
      method: 'POST',
      url: `/api/v1/tenants/${admin.tenantId}/invitations`,
      token: admin.accessToken,
      payload: { email, role: 'member' },
    });
    const mail = (await sink.waitFor(before + 1))[before]!;
    const token = decodeURIComponent(/accept\?token=([^\s"<]+)/.exec(mail.parsed.text ?? '')![1]!);
    const res = await call({
      method: 'POST',
      url: '/api/v1/invitations/accept',
      headers: COOKIE,
      payload: { token, name: 'New', password: PASSWORD },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ tokens: Record<string, unknown> }>();
    expect(body.tokens.accessToken).toEqual(expect.any(String));
    expect(body.tokens.refreshToken).toBeUndefined();
    expect((await refresh({ ...COOKIE, cookie: cookieHeader(res.headers), origin: ORIGIN })).statusCode).toBe(200);
  });
});

describe('JSON flow (API clients)', () => {
  it('is unchanged: the token in the body, no cookie, no Origin needed', async () => {
    const a = await signup(t.app);
    const login = await call({ method: 'POST', url: '/api/v1/auth/login', payload: { email: a.email, password: PASSWORD } });
    expect(setCookies(login.headers)).toEqual([]);
    const { refreshToken } = login.json<{ refreshToken: string }>();
    const res = await refresh({}, { refreshToken });
    expect(res.statusCode).toBe(200);
    expect(res.json<{ refreshToken: string }>().refreshToken).toEqual(expect.any(String));
    expect(setCookies(res.headers)).toEqual([]);
  });

  it.each([[{ refreshToken: 12 }], [{ refreshToken: '' }], [{ refreshToken: 'x'.repeat(201) }], [{ refreshToken: 'a', extra: 1 }]])(
    'bad input %j: 400, never 5xx',
    async (payload) => {
      const res = await refresh({}, payload);
      expect(res.statusCode).toBe(400);
    },
  );
});

describe('on plain-http localhost', () => {
  it('the cookie is not Secure (a browser would drop it)', async () => {
    const local = await bootTestApp({ PUBLIC_URL: 'http://localhost:3000' });
    try {
      const a = await signup(local.app);
      const res = await local.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        headers: COOKIE,
        payload: { email: a.email, password: PASSWORD },
      });
      expect(setCookies(res.headers)).toHaveLength(2);
      for (const c of setCookies(res.headers)) expect(c).not.toContain('Secure');
    } finally {
      await local.close();
    }
  });
});
