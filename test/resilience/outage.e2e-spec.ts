import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApi } from '../../apps/api/create-api';
import { loadConfig } from '../../libs/core';
import { signup, type Account } from '../harness/api';
import { quietLogger } from '../harness/database';
import { OwnCluster } from './cluster';

// Issue 12 item 5: while the database is unreachable or frozen, requests answer 503
// DATABASE_UNAVAILABLE with Retry-After within a bounded time, and recover when it is back.
jest.setTimeout(120_000);

let cluster: OwnCluster;
let app: NestFastifyApplication;
let account: Account;
let dataDir: string;

beforeAll(async () => {
  cluster = await OwnCluster.start();
  const target = await cluster.database('outage');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-outage-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DATABASE_CONNECT_TIMEOUT_MS: '1000',
    DATABASE_STATEMENT_TIMEOUT_MS: '1500',
  });
  app = await createApi(config, target, quietLogger());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  account = await signup(app);
});

afterAll(async () => {
  await app.close().catch(() => undefined);
  await cluster.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const me = () => app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${account.accessToken}` } });

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const result = await fn();
  return [result, Date.now() - started];
}

async function until(fn: () => Promise<boolean>, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (await fn()) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('condition not met in time');
}

function expectUnavailable(res: { statusCode: number; headers: Record<string, unknown>; json: () => unknown }): void {
  expect(res.statusCode).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.json()).toEqual({
    statusCode: 503,
    code: 'DATABASE_UNAVAILABLE',
    message: expect.stringMatching(/retry/i),
    requestId: res.headers['x-request-id'],
  });
}

describe('database outages', () => {
  it('answers normally while the database is up', async () => {
    expect((await me()).statusCode).toBe(200);
  });

  it('a stopped database: 503 DATABASE_UNAVAILABLE with Retry-After, then recovery', async () => {
    await cluster.down();
    try {
      const [res, ms] = await timed(me);
      expectUnavailable(res);
      expect(ms).toBeLessThan(5000);
      const signupRes = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/signup',
        payload: { email: 'down@example.test', password: 'plum-orchard-lantern-42', name: 'Down', organization: 'Down' },
      });
      expectUnavailable(signupRes);
      const [ready, readyMs] = await timed(() => app.inject({ method: 'GET', url: '/health/ready' }));
      expect(ready.statusCode).toBe(503);
      expect(readyMs).toBeLessThan(4000);
    } finally {
      await cluster.up();
    }
    await until(async () => (await me()).statusCode === 200, 15_000);
  });

  it('a frozen database cannot hang a request or the readiness probe', async () => {
    cluster.freeze();
    try {
      const [res, ms] = await timed(me);
      expectUnavailable(res);
      // statement bound 1.5 s + 2 s client margin, or the 1 s connection bound.
      expect(ms).toBeLessThan(6000);
      const [ready, readyMs] = await timed(() => app.inject({ method: 'GET', url: '/health/ready' }));
      expect(ready.statusCode).toBe(503);
      expect(readyMs).toBeLessThan(4000);
    } finally {
      cluster.thaw();
    }
    await until(async () => (await me()).statusCode === 200, 15_000);
  });
});
