import { bootTestApp, type TestApp } from './harness/app';
import { query } from './harness/database';

let t: TestApp;
beforeAll(async () => {
  t = await bootTestApp({ BODY_LIMIT_BYTES: '2048' });
});
afterAll(async () => t.close());

describe('request ids', () => {
  it('gives every response an x-request-id, and the same id in error bodies', async () => {
    const ok = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(ok.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const missing = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(missing.json<{ requestId: string }>().requestId).toBe(missing.headers['x-request-id']);
  });

  // The request id is always the server's (it goes into the audit trail); a caller's plain id is
  // kept apart and echoed, an unsafe one dropped.
  it("keeps a caller's plain request id apart, drops one that is unsafe", async () => {
    const kept = await t.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'trace-1234-abcd' } });
    expect(kept.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(kept.headers['x-client-request-id']).toBe('trace-1234-abcd');
    const replaced = await t.app.inject({ method: 'GET', url: '/health/live', headers: { 'x-request-id': 'bad id\n<script>' } });
    expect(replaced.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(replaced.headers['x-client-request-id']).toBeUndefined();
  });
});

describe('error shape', () => {
  it('an unknown route: 404 ROUTE_NOT_FOUND in the common body', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(res.statusCode).toBe(404);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.json()).toEqual({
      statusCode: 404,
      code: 'ROUTE_NOT_FOUND',
      message: expect.stringContaining('/docs'),
      requestId: expect.any(String),
    });
  });

  it('malformed JSON: 400 MALFORMED_JSON, no parser internals', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/catalogs',
      headers: { 'content-type': 'application/json' },
      payload: '{"a":',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      statusCode: 400,
      code: 'MALFORMED_JSON',
      message: expect.stringContaining('not valid JSON'),
      requestId: expect.any(String),
    });
  });

  it('prototype poisoning in JSON is refused', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/catalogs',
      headers: { 'content-type': 'application/json' },
      payload: '{"__proto__":{"admin":true}}',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ code: string }>().code).toBe('MALFORMED_JSON');
  });

  it('a body over BODY_LIMIT_BYTES: 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/v1/catalogs',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ x: 'y'.repeat(5000) }),
    });
    expect(res.statusCode).toBe(413);
    expect(res.json<{ code: string }>().code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('a database failure: 500 INTERNAL_ERROR naming the request id, leaking no SQL', async () => {
    // Behind the app's back: the catalog tables disappear (as the owner).
    await query(t.db.ownerUrl, 'ALTER TABLE catalog RENAME TO catalog_gone');
    try {
      const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalogs' });
      expect(res.statusCode).toBe(500);
      const body = res.json<{ code: string; message: string; requestId: string }>();
      expect(body.code).toBe('INTERNAL_ERROR');
      expect(body.message).toContain(body.requestId);
      expect(res.body).not.toMatch(/catalog_gone|relation|SELECT|at .*\.ts/);
    } finally {
      await query(t.db.ownerUrl, 'ALTER TABLE catalog_gone RENAME TO catalog');
    }
  });
});

describe('security headers', () => {
  it('sets helmet headers on API answers', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/api/v1/catalogs' });
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(res.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    // HSTS only when PUBLIC_URL is https (test/hardening/http-hardening.e2e-spec.ts).
    expect(res.headers['strict-transport-security']).toBeUndefined();
    expect(res.headers['x-powered-by']).toBeUndefined();
  });
});

describe('OpenAPI', () => {
  it('serves the document generated from the code at /docs/json', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/json' });
    expect(res.statusCode).toBe(200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/catalogs', '/api/v1/catalogs/{key}/versions/{version}', '/health/ready']),
    );
  });

  it('serves the UI at /docs', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('swagger');
  });
});
