import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../libs/core';
import { bootTestApp, type TestApp } from '../harness/app';

// How the api serves the console: a console build of the test's own (an entry and a hashed
// asset), so these checks do not depend on `vite build` having run.
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-console-'));
fs.mkdirSync(path.join(dir, 'assets'));
fs.writeFileSync(
  path.join(dir, 'index.html'),
  '<!doctype html><title>Dutybook</title><script type="module" src="/assets/index-AbCd1234.js"></script>',
);
fs.writeFileSync(path.join(dir, 'assets', 'index-AbCd1234.js'), 'console.log("console");');
fs.writeFileSync(path.join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');

let t: TestApp;
beforeAll(async () => {
  t = await bootTestApp({}, undefined, { consoleDir: dir });
});
afterAll(async () => {
  await t.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const get = (url: string, method: 'GET' | 'HEAD' | 'POST' = 'GET') => t.app.inject({ method, url });

describe('the console at /', () => {
  it('serves the HTML entry with no-cache and a CSP without inline scripts', async () => {
    const res = await get('/');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.headers['cache-control']).toBe('no-cache');
    expect(res.body).toContain('/assets/index-AbCd1234.js');
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).not.toMatch(/script-src[^;]*unsafe-inline/);
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it.each([
    '/tenants/0b6e7c1e-3f0a-4f55-9c39-2a4d1b9a0c11/tasks/5d1f/?status=todo',
    '/invitations/accept?token=abc',
    '/signin',
    '/tenants',
  ])('answers the client route %s with the entry (SPA fallback)', async (url) => {
    const res = await get(url);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<title>Dutybook</title>');
    expect(res.headers['cache-control']).toBe('no-cache');
  });

  it('serves hashed assets with a year-long immutable cache, other files for an hour', async () => {
    const asset = await get('/assets/index-AbCd1234.js');
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const icon = await get('/favicon.svg');
    expect(icon.headers['cache-control']).toBe('public, max-age=3600');
  });

  it('answers HEAD like GET', async () => {
    const res = await get('/tenants/x', 'HEAD');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
  });

  it('never answers API, docs or health paths, a missing asset or a POST with the entry', async () => {
    for (const url of ['/api/v1/nothing-here', '/api', '/health/nothing', '/metrics', '/assets/gone-ZZZZ9999.js']) {
      const res = await get(url);
      expect([url, res.statusCode]).toEqual([url, 404]);
      expect(res.body).not.toContain('<title>Dutybook</title>');
    }
    // Swagger UI's own routes answer under /docs (405 for a path it does not have), never the console.
    const docs = await get('/docs/nothing');
    expect(docs.statusCode).toBeGreaterThanOrEqual(400);
    expect(docs.body).not.toContain('<title>Dutybook</title>');
    expect((await get('/api/v1/nothing-here')).json<{ code: string }>().code).toBe('ROUTE_NOT_FOUND');
    const post = await get('/tenants/x', 'POST');
    expect(post.statusCode).toBe(404);
    expect(post.json<{ code: string }>().code).toBe('ROUTE_NOT_FOUND');
    // The API's own routes and the docs are untouched.
    expect((await get('/health/live')).statusCode).toBe(200);
    expect((await get('/docs/json')).json<{ openapi: string }>().openapi).toMatch(/^3\./);
    expect((await get('/api/v1/me')).statusCode).toBe(401);
  });
});

describe('without a console build', () => {
  it('still serves the API, and / is a plain 404', async () => {
    const bare = await bootTestApp({}, undefined, { consoleDir: path.join(dir, 'absent') });
    try {
      expect((await bare.app.inject({ method: 'GET', url: '/' })).statusCode).toBe(404);
      expect((await bare.app.inject({ method: 'GET', url: '/health/live' })).statusCode).toBe(200);
    } finally {
      await bare.close();
    }
  });
});

describe('CORS', () => {
  const preflight = (app: TestApp, origin: string) =>
    app.app.inject({
      method: 'OPTIONS',
      url: '/api/v1/me',
      headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
    });

  it('is off by default: no Access-Control-Allow-Origin for any origin', async () => {
    const res = await preflight(t, 'https://elsewhere.example');
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const simple = await t.app.inject({ method: 'GET', url: '/health/live', headers: { origin: 'https://elsewhere.example' } });
    expect(simple.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('allows exactly the configured origins, and unknown paths stay 404', async () => {
    const app = await bootTestApp({ CORS_ORIGINS: 'https://app.example.test, http://localhost:5173' }, undefined, { consoleDir: dir });
    try {
      const allowed = await preflight(app, 'https://app.example.test');
      expect(allowed.statusCode).toBe(204);
      expect(allowed.headers['access-control-allow-origin']).toBe('https://app.example.test');
      expect(String(allowed.headers['access-control-allow-headers'])).toContain('authorization');
      expect((await preflight(app, 'http://localhost:5173')).headers['access-control-allow-origin']).toBe('http://localhost:5173');
      expect((await preflight(app, 'https://evil.example')).headers['access-control-allow-origin']).toBeUndefined();
      const missing = await app.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
      expect(missing.statusCode).toBe(404);
      expect(missing.json<{ code: string }>().code).toBe('ROUTE_NOT_FOUND');
    } finally {
      await app.close();
    }
  });

  it('refuses a CORS_ORIGINS value that is not a list of origins, naming the variable', () => {
    for (const bad of ['*', 'app.example.test', 'https://app.example.test/path', 'ftp://x.example'])
      expect(() => loadConfig({ NODE_ENV: 'test', CORS_ORIGINS: bad })).toThrow(/CORS_ORIGINS/);
    expect(loadConfig({ NODE_ENV: 'test', CORS_ORIGINS: 'https://a.example:8443,http://b.example' }).corsOrigins).toEqual([
      'https://a.example:8443',
      'http://b.example',
    ]);
  });
});
