import { Writable } from 'node:stream';
import { createLogger } from '../../libs/core';
import { bootTestApp, type TestApp } from '../harness/app';
import { caller, signup, uniqueEmail, PASSWORD, type Account, type Caller } from '../harness/api';

// Issue 12, items 7 (NUL bytes), 12 (headers) and 13 (logs), against the real api.
const lines: string[] = [];
const sink = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    done();
  },
});

let t: TestApp;
let call: Caller;
let admin: Account;
beforeAll(async () => {
  t = await bootTestApp({}, createLogger('info', 'test', sink));
  call = caller(t.app);
  admin = await signup(t.app);
});
afterAll(async () => t.close());

describe('NUL bytes answer 400 INVALID_CHARACTER, never 500', () => {
  const expectInvalid = (res: { statusCode: number; json: () => unknown }) => {
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual(expect.objectContaining({ code: 'INVALID_CHARACTER', requestId: expect.any(String) }));
  };

  it.each([
    ['signup name', '/api/v1/auth/signup', () => ({ email: uniqueEmail(), password: PASSWORD, name: 'Ada\u0000', organization: 'Org' })],
    [
      'signup organization',
      '/api/v1/auth/signup',
      () => ({ email: uniqueEmail(), password: PASSWORD, name: 'Ada', organization: 'O\u0000rg' }),
    ],
    [
      'signup email',
      '/api/v1/auth/signup',
      () => ({ email: `a\u0000${uniqueEmail()}`, password: PASSWORD, name: 'Ada', organization: 'Org' }),
    ],
    ['login password', '/api/v1/auth/login', () => ({ email: admin.email, password: `${PASSWORD}\u0000` })],
    ['refresh token', '/api/v1/auth/refresh', () => ({ refreshToken: 'abc\u0000def' })],
    ['a key', '/api/v1/auth/login', () => ({ 'email\u0000': 'x' })],
  ])('in a JSON body (%s)', async (_name, url, payload) => {
    expectInvalid(await call({ method: 'POST', url, payload: payload() }));
  });

  it('in a tenant-scoped JSON body', async () => {
    expectInvalid(await call({ method: 'POST', url: '/api/v1/tenants', token: admin.accessToken, payload: { name: 'Te\u0000nant' } }));
  });

  it.each([
    ['a query value', `/api/v1/tenants/TENANT/tasks?q=a%00b`],
    ['a query name', `/api/v1/tenants/TENANT/tasks?q%00=1`],
    ['a path parameter', `/api/v1/tenants/TENANT/tasks/%00`],
  ])('in the URL (%s)', async (_name, url) => {
    expectInvalid(await call({ method: 'GET', url: url.replace('TENANT', admin.tenantId), token: admin.accessToken }));
  });
});

describe('headers', () => {
  it('Cache-Control: no-store on responses carrying tokens and on authenticated JSON', async () => {
    const login = await call({ method: 'POST', url: '/api/v1/auth/login', payload: { email: admin.email, password: PASSWORD } });
    expect(login.statusCode).toBe(200);
    expect(login.headers['cache-control']).toBe('no-store');
    const me = await call({ method: 'GET', url: '/api/v1/me', token: admin.accessToken });
    expect(me.headers['cache-control']).toBe('no-store');
    // A public, immutable catalog version keeps its own caching.
    const catalog = await call({ method: 'GET', url: '/api/v1/catalogs/ovhcloud-private-exchange/versions/2024-06-26' });
    expect(catalog.headers['cache-control']).toBe('public, max-age=300');
  });

  it('401 carries WWW-Authenticate: Bearer', async () => {
    const res = await call({ method: 'GET', url: '/api/v1/me' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    const bad = await call({ method: 'GET', url: '/api/v1/me', token: 'not-a-jwt' });
    expect(bad.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('no HSTS when PUBLIC_URL is http', async () => {
    const res = await call({ method: 'GET', url: '/health/live' });
    expect(res.headers['strict-transport-security']).toBeUndefined();
  });

  it('HSTS when PUBLIC_URL is https', async () => {
    const secure = await bootTestApp({ PUBLIC_URL: 'https://duties.example.com' });
    try {
      const res = await secure.app.inject({ method: 'GET', url: '/health/live' });
      expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    } finally {
      await secure.close();
    }
  });

  it('405 with Allow for a known path asked with another method', async () => {
    const res = await call({ method: 'DELETE', url: '/api/v1/me', token: admin.accessToken });
    expect(res.statusCode).toBe(405);
    expect(res.json()).toEqual(expect.objectContaining({ code: 'METHOD_NOT_ALLOWED', requestId: res.headers['x-request-id'] }));
    expect(String(res.headers.allow).split(', ')).toEqual(expect.arrayContaining(['GET']));
    const tasks = await call({ method: 'PUT', url: `/api/v1/tenants/${admin.tenantId}/tasks`, token: admin.accessToken });
    expect(tasks.statusCode).toBe(405);
    expect(tasks.headers.allow).toContain('GET');
    // An unknown path stays 404.
    expect((await call({ method: 'DELETE', url: '/api/v1/nowhere' })).statusCode).toBe(404);
  });
});

describe('request ids', () => {
  it("the id is always the server's; a caller's id is kept apart", async () => {
    const res = await call({
      method: 'GET',
      url: '/api/v1/me',
      token: admin.accessToken,
      headers: { 'x-request-id': 'client-trace-0001' },
    });
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.headers['x-client-request-id']).toBe('client-trace-0001');
    const line = lines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.requestId === res.headers['x-request-id']);
    expect(line).toEqual(expect.objectContaining({ clientRequestId: 'client-trace-0001' }));
  });
});

describe('logs', () => {
  it('carry no token from a URL', async () => {
    await call({ method: 'POST', url: '/api/v1/notifications/unsubscribe?token=sekret-token-value-123', payload: {} });
    await call({ method: 'GET', url: '/api/v1/me?access_token=sekret-access-456', token: admin.accessToken });
    const text = lines.join('\n');
    expect(text).toContain('token=[redacted]');
    expect(text).not.toContain('sekret-token-value-123');
    expect(text).not.toContain('sekret-access-456');
  });

  it('an error logs no SQL parameter and no database client', () => {
    const errorLogger = createLogger('info', 'test', sink);
    const failed = Object.assign(new Error('duplicate key value violates unique constraint "app_user_email_unique"'), {
      query: 'INSERT INTO app_user (email, password_hash) VALUES ($1, $2)',
      parameters: ['a@example.org', '$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA'],
      code: '23505',
      client: { processID: 42, secretKey: 987654321, connectionParameters: { password: 'db-password' } },
    });
    errorLogger.error({ err: failed }, 'request failed');
    errorLogger.error(failed);
    const text = lines.slice(-2).join('\n');
    expect(text).toContain('23505');
    expect(text).toContain('INSERT INTO app_user');
    expect(text).not.toContain('argon2id');
    expect(text).not.toContain('987654321');
    expect(text).not.toContain('db-password');
  });
});
