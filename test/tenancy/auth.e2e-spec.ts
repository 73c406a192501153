import fs from 'node:fs';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import { bootTestApp, type TestApp } from '../harness/app';
import { caller, login, PASSWORD, signup, uniqueEmail, type Caller } from '../harness/api';
import { query } from '../harness/database';

let t: TestApp;
let call: Caller;
beforeAll(async () => {
  t = await bootTestApp({ RATE_LIMIT_SIGNUP: '1000/1h', RATE_LIMIT_LOGIN_IP: '1000/15m' });
  call = caller(t.app);
});
afterAll(async () => t.close());

const secret = (): string => fs.readFileSync(path.join(t.config.dataDir, 'jwt.secret'), 'utf8').trim();

describe('POST /auth/signup', () => {
  it('creates the user and a tenant where the user is admin, and logs in', async () => {
    const email = uniqueEmail('Ada');
    const res = await call({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email, password: PASSWORD, name: 'Ada', organization: 'Engines Ltd' },
    });
    expect(res.statusCode).toBe(201);
    const body = res.json<{
      accessToken: string;
      refreshToken: string;
      tokenType: string;
      expiresIn: number;
      user: Record<string, unknown>;
      tenant: Record<string, unknown>;
    }>();
    expect(body).toMatchObject({
      tokenType: 'Bearer',
      expiresIn: 900,
      user: { email: email.toLowerCase(), name: 'Ada' },
      tenant: { name: 'Engines Ltd', role: 'admin' },
    });
    expect(JSON.stringify(body)).not.toContain(PASSWORD);
    expect(body.user).not.toHaveProperty('passwordHash');
    const me = await call({ method: 'GET', url: '/api/v1/me', token: body.accessToken });
    expect(me.json()).toMatchObject({
      user: { email: email.toLowerCase() },
      memberships: [{ tenantId: body.tenant.id, tenantName: 'Engines Ltd', role: 'admin', expiresAt: null }],
    });
    const [stored] = await query<{ password_hash: string }>(t.db.adminUrl, 'SELECT password_hash FROM app_user WHERE email = $1', [
      email.toLowerCase(),
    ]);
    expect(stored?.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('emails are case-insensitive and unique: 409 EMAIL_TAKEN', async () => {
    const email = uniqueEmail('bob');
    await signup(t.app, { email });
    const res = await call({
      method: 'POST',
      url: '/api/v1/auth/signup',
      payload: { email: email.toUpperCase(), password: PASSWORD, name: 'B', organization: 'O' },
    });
    expect(res.statusCode).toBe(409);
    expect(res.json<{ code: string }>().code).toBe('EMAIL_TAKEN');
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM app_user WHERE email = $1', [email.toLowerCase()])).toHaveLength(1);
  });

  it.each([
    ['too short', 'short-pw-1', 'VALIDATION_FAILED'],
    ['a common password', 'password1234', 'WEAK_PASSWORD'],
    ['one made of the email', 'zebracorn-zebracorn', 'WEAK_PASSWORD'],
  ])('refuses %s', async (_what, password, code) => {
    const email = `zebracorn@${Date.now()}.example.test`;
    const res = await call({ method: 'POST', url: '/api/v1/auth/signup', payload: { email, password, name: 'Z', organization: 'O' } });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ code: string }>().code).toBe(code);
    expect(await query(t.db.adminUrl, 'SELECT 1 FROM app_user WHERE email = $1', [email])).toHaveLength(0);
  });
});

describe('POST /auth/login', () => {
  it('answers tokens and the user', async () => {
    const a = await signup(t.app);
    const res = await call({ method: 'POST', url: '/api/v1/auth/login', payload: { email: a.email.toUpperCase(), password: PASSWORD } });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ accessToken: expect.any(String), refreshToken: expect.any(String), user: { id: a.userId } });
  });

  it('unknown email and wrong password: the same 401, in about the same time', async () => {
    const a = await signup(t.app);
    const time = async (email: string, password: string): Promise<{ ms: number; body: unknown; status: number }> => {
      const started = process.hrtime.bigint();
      const res = await call({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
      const body = res.json<Record<string, unknown>>();
      delete body.requestId;
      return { ms: Number(process.hrtime.bigint() - started) / 1e6, body, status: res.statusCode };
    };
    const wrong = [await time(a.email, 'not-the-password-1'), await time(a.email, 'not-the-password-2')];
    const unknown = [await time(uniqueEmail('nobody'), 'not-the-password-1'), await time(uniqueEmail('nobody'), 'not-the-password-2')];
    for (const r of [...wrong, ...unknown]) {
      expect(r.status).toBe(401);
      expect(r.body).toEqual({ statusCode: 401, code: 'INVALID_CREDENTIALS', message: 'Email or password is wrong.' });
    }
    const avg = (xs: { ms: number }[]): number => xs.reduce((s, x) => s + x.ms, 0) / xs.length;
    // Both verify an argon2id hash; without the dummy hash an unknown email would answer in ~1 ms.
    expect(avg(unknown)).toBeGreaterThan(avg(wrong) * 0.4);
  });

  it('failed logins: after 5 from one address, that address waits (429 with Retry-After); the owner elsewhere does not', async () => {
    const a = await signup(t.app);
    const stranger = '198.51.100.77';
    for (let i = 0; i < 5; i++) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: a.email, password: `wrong-password-${i}` },
        remoteAddress: stranger,
      });
      expect(res.statusCode).toBe(401);
    }
    const blocked = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: a.email, password: PASSWORD },
      remoteAddress: stranger,
    });
    expect(blocked.statusCode).toBe(429);
    expect(blocked.json<{ code: string }>().code).toBe('RATE_LIMITED');
    expect(Number(blocked.headers['retry-after'])).toBe(1);
    // The owner from their own address is not blocked.
    expect((await call({ method: 'POST', url: '/api/v1/auth/login', payload: { email: a.email, password: PASSWORD } })).statusCode).toBe(
      200,
    );
  }, 30000);
});

describe('refresh tokens', () => {
  it('rotate: each refresh spends the token and returns a new pair', async () => {
    const a = await signup(t.app);
    const first = await call({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: a.refreshToken } });
    expect(first.statusCode).toBe(200);
    const pair = first.json<{ accessToken: string; refreshToken: string }>();
    expect(pair.refreshToken).not.toBe(a.refreshToken);
    expect((await call({ method: 'GET', url: '/api/v1/me', token: pair.accessToken })).statusCode).toBe(200);
    const second = await call({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: pair.refreshToken } });
    expect(second.statusCode).toBe(200);
  });

  it('reusing a spent token answers 401 and revokes the whole family', async () => {
    const a = await signup(t.app);
    const rotated = (await call({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: a.refreshToken } })).json<{
      refreshToken: string;
    }>();
    const reuse = await call({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: a.refreshToken } });
    expect(reuse.statusCode).toBe(401);
    expect(reuse.json<{ code: string }>().code).toBe('REFRESH_TOKEN_REUSED');
    // The legitimate newer token dies with its family.
    const after = await call({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: rotated.refreshToken } });
    expect(after.statusCode).toBe(401);
    // Another login (another family) is untouched.
    const other = await login(t.app, a.email);
    expect((await call({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: other.refreshToken } })).statusCode).toBe(
      200,
    );
  });

  it('two refreshes of one token at once: exactly one wins', async () => {
    const a = await signup(t.app);
    const results = await Promise.all(
      [1, 2].map(() => call({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: a.refreshToken } })),
    );
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401]);
  });

  it('stores only hashes', async () => {
    const a = await signup(t.app);
    const [id, secretPart] = a.refreshToken.split('.') as [string, string];
    const [row] = await query<{ token_hash: string }>(t.db.adminUrl, 'SELECT token_hash FROM refresh_token WHERE id = $1', [id]);
    expect(row?.token_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(row?.token_hash).not.toContain(secretPart);
  });

  it('logout revokes the family; logout again is still 204', async () => {
    const a = await signup(t.app);
    expect((await call({ method: 'POST', url: '/api/v1/auth/logout', payload: { refreshToken: a.refreshToken } })).statusCode).toBe(204);
    expect((await call({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: a.refreshToken } })).statusCode).toBe(401);
    expect((await call({ method: 'POST', url: '/api/v1/auth/logout', payload: { refreshToken: a.refreshToken } })).statusCode).toBe(204);
  });

  it.each([
    ['garbage', 'not-a-token'],
    ['a well-formed unknown token', `${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}.${'A'.repeat(43)}`],
  ])('refuses %s with 401 REFRESH_TOKEN_INVALID', async (_w, token) => {
    const res = await call({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: token } });
    expect(res.statusCode).toBe(401);
    expect(res.json<{ code: string }>().code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('an expired refresh token is refused', async () => {
    const a = await signup(t.app);
    await query(t.db.adminUrl, "UPDATE refresh_token SET expires_at = now() - interval '1 second' WHERE id = $1", [
      a.refreshToken.split('.')[0],
    ]);
    expect((await call({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: a.refreshToken } })).statusCode).toBe(401);
  });
});

describe('access tokens', () => {
  const sign = (payload: object, options: jwt.SignOptions, key = secret()): string => jwt.sign(payload, key, options);
  const base = (userId: string): jwt.SignOptions => ({
    subject: userId,
    issuer: 'dutybook',
    audience: 'dutybook-api',
    expiresIn: 60,
    algorithm: 'HS256',
  });

  it('a well-formed token of ours is accepted (control)', async () => {
    const a = await signup(t.app);
    expect((await call({ method: 'GET', url: '/api/v1/me', token: sign({ typ: 'access' }, base(a.userId)) })).statusCode).toBe(200);
  });

  it('expired: 401 TOKEN_EXPIRED', async () => {
    const a = await signup(t.app);
    const token = sign(
      { typ: 'access', exp: Math.floor(Date.now() / 1000) - 10 },
      { subject: a.userId, issuer: 'dutybook', audience: 'dutybook-api', algorithm: 'HS256' },
    );
    const res = await call({ method: 'GET', url: '/api/v1/me', token });
    expect(res.statusCode).toBe(401);
    expect(res.json<{ code: string }>().code).toBe('TOKEN_EXPIRED');
  });

  it.each([
    ['a wrong signature', (id: string): string => jwt.sign({ typ: 'access' }, 'another-secret-that-is-long-enough-1234', base(id))],
    [
      'alg none',
      (id: string): string =>
        `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify({ sub: id, typ: 'access', iss: 'dutybook', aud: 'dutybook-api', exp: Math.floor(Date.now() / 1000) + 60 })).toString('base64url')}.`,
    ],
    ['a wrong audience', (id: string): string => jwt.sign({ typ: 'access' }, secret(), { ...base(id), audience: 'other-api' })],
    ['a wrong issuer', (id: string): string => jwt.sign({ typ: 'access' }, secret(), { ...base(id), issuer: 'evil' })],
    [
      'HS512 instead of the pinned HS256',
      (id: string): string => jwt.sign({ typ: 'access' }, secret(), { ...base(id), algorithm: 'HS512' }),
    ],
    ['not an access token', (id: string): string => jwt.sign({ typ: 'refresh' }, secret(), base(id))],
    ['a refresh token sent as bearer', (): string => 'x.y'],
  ])('%s: 401 UNAUTHENTICATED', async (_what, make) => {
    const a = await signup(t.app);
    const res = await call({ method: 'GET', url: '/api/v1/me', token: make(a.userId) });
    expect(res.statusCode).toBe(401);
    expect(res.json<{ code: string }>().code).toBe('UNAUTHENTICATED');
  });

  describe('claims this server never issues: 401 TOKEN_CLAIMS_INVALID with WWW-Authenticate', () => {
    const now = (): number => Math.floor(Date.now() / 1000);
    const claims = { issuer: 'dutybook', audience: 'dutybook-api', algorithm: 'HS256' } as const;
    it.each([
      // jsonwebtoken accepts a token without exp: it would never expire.
      ['no exp', (id: string): string => sign({ typ: 'access' }, { ...claims, subject: id })],
      [
        'iat ten minutes in the future',
        (id: string): string => sign({ typ: 'access', iat: now() + 600, exp: now() + 660 }, { ...claims, subject: id }),
      ],
      ['no iat', (id: string): string => sign({ typ: 'access', exp: now() + 60 }, { ...claims, subject: id, noTimestamp: true })],
      ['a lifetime of a year', (id: string): string => sign({ typ: 'access' }, { ...claims, subject: id, expiresIn: '365d' })],
      [
        'a lifetime one second over the configured 900 s',
        (id: string): string => sign({ typ: 'access', iat: now() - 1, exp: now() + 900 }, { ...claims, subject: id }),
      ],
      // Used to reach Postgres as a uuid parameter: 500.
      ['a subject that is not a uuid', (): string => sign({ typ: 'access' }, { ...base('not-a-uuid'), subject: 'not-a-uuid' })],
      ['an upper-case uuid subject', (id: string): string => sign({ typ: 'access' }, base(id.toUpperCase()))],
      ['a numeric subject', (): string => sign({ typ: 'access', sub: 42 }, { ...claims, expiresIn: 60 })],
    ])('%s', async (_what, make) => {
      const a = await signup(t.app);
      for (const url of ['/api/v1/me', `/api/v1/tenants/${a.tenantId}`]) {
        const res = await call({ method: 'GET', url, token: make(a.userId) });
        expect(res.statusCode).toBe(401);
        expect(res.json<{ code: string }>().code).toBe('TOKEN_CLAIMS_INVALID');
        expect(res.headers['www-authenticate']).toMatch(/^Bearer /);
      }
    });

    it('an iat a few seconds ahead (clock skew between machines) is still accepted', async () => {
      const a = await signup(t.app);
      const token = sign({ typ: 'access', iat: now() + 10, exp: now() + 600 }, { ...claims, subject: a.userId });
      expect((await call({ method: 'GET', url: '/api/v1/me', token })).statusCode).toBe(200);
    });

    it('the tokens the server issues pass (exactly the configured lifetime)', async () => {
      const a = await signup(t.app);
      const decoded = jwt.decode(a.accessToken) as { iat: number; exp: number };
      expect(decoded.exp - decoded.iat).toBe(900);
      expect((await call({ method: 'GET', url: '/api/v1/me', token: a.accessToken })).statusCode).toBe(200);
    });
  });

  it('no token on a protected route: 401 UNAUTHENTICATED', async () => {
    const res = await call({ method: 'GET', url: '/api/v1/tenants' });
    expect(res.statusCode).toBe(401);
    expect(res.json<{ code: string; message: string }>()).toMatchObject({
      code: 'UNAUTHENTICATED',
      message: expect.stringContaining('Bearer'),
    });
  });

  it('the generated JWT secret is kept under DATA_DIR with mode 600', () => {
    expect(fs.statSync(path.join(t.config.dataDir, 'jwt.secret')).mode & 0o777).toBe(0o600);
  });
});
