import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApi } from '../../apps/api/create-api';
import { loadConfig } from '../../libs/core';
import { signup, type Account } from '../harness/api';
import { query, quietLogger } from '../harness/database';
import { OwnCluster } from './cluster';

// Issue 12: a bounded write load while Postgres restarts. Every write the api acknowledged (201)
// is stored, every refusal is a clean 503, and the tenant's audit chain verifies afterwards.
jest.setTimeout(120_000);

const WRITERS = 4;
const LOAD_MS = 6000;

let cluster: OwnCluster;
let app: NestFastifyApplication;
let admin: Account;
let dataDir: string;
let adminDbUrl: string;
let taskIds: string[];

beforeAll(async () => {
  cluster = await OwnCluster.start();
  const target = await cluster.database('writeload');
  adminDbUrl = urlOn(cluster.adminUrl, 'writeload');
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dutybook-writeload-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    DATA_DIR: dataDir,
    DATABASE_CONNECT_TIMEOUT_MS: '1000',
    DATABASE_STATEMENT_TIMEOUT_MS: '3000',
  });
  app = await createApi(config, target, quietLogger());
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  admin = await signup(app);
  const sub = await app.inject({
    method: 'POST',
    url: `/api/v1/tenants/${admin.tenantId}/subscriptions`,
    headers: { authorization: `Bearer ${admin.accessToken}` },
    payload: { catalogKey: 'ovhcloud-private-exchange', startsOn: '2026-01-01' },
  });
  expect(sub.statusCode).toBe(201);
  const tasks = await app.inject({
    method: 'GET',
    url: `/api/v1/tenants/${admin.tenantId}/tasks?limit=200`,
    headers: { authorization: `Bearer ${admin.accessToken}` },
  });
  taskIds = tasks
    .json<{ items: { id: string; status: string }[] }>()
    .items.filter((t) => t.status === 'todo')
    .map((t) => t.id);
  expect(taskIds.length).toBeGreaterThan(3);
});

afterAll(async () => {
  await app.close().catch(() => undefined);
  await cluster.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function urlOn(adminUrl: string, db: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${db}`;
  return u.toString();
}

it('loses no acknowledged write across a Postgres restart, and the audit chain verifies', async () => {
  const acknowledged: string[] = [];
  const statuses = new Map<number, number>();
  let n = 0;
  const stopAt = Date.now() + LOAD_MS;
  const writer = async (w: number): Promise<void> => {
    while (Date.now() < stopAt) {
      const text = `load ${w}-${++n}`;
      const res = await app.inject({
        method: 'POST',
        url: `/api/v1/tenants/${admin.tenantId}/tasks/${taskIds[n % taskIds.length]}/evidence`,
        headers: { authorization: `Bearer ${admin.accessToken}` },
        payload: { kind: 'note', text },
      });
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode === 201) acknowledged.push(res.json<{ id: string }>().id);
      else {
        expect(res.statusCode).toBe(503);
        expect(res.json<{ code: string }>().code).toBe('DATABASE_UNAVAILABLE');
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  };
  const restart = (async () => {
    await new Promise((r) => setTimeout(r, 1500));
    await cluster.down();
    await new Promise((r) => setTimeout(r, 1000));
    await cluster.up();
  })();
  await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), restart]);

  // Both sides of the restart were exercised.
  expect(statuses.get(503) ?? 0).toBeGreaterThan(0);
  expect(acknowledged.length).toBeGreaterThan(20);
  const stored = await query<{ id: string }>(adminDbUrl, 'SELECT id FROM evidence WHERE tenant_id = $1', [admin.tenantId]);
  const ids = new Set(stored.map((r) => r.id));
  expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);

  const verify = await app.inject({
    method: 'GET',
    url: `/api/v1/tenants/${admin.tenantId}/audit-events/verify`,
    headers: { authorization: `Bearer ${admin.accessToken}` },
  });
  expect(verify.statusCode).toBe(200);
  expect(verify.json()).toEqual(expect.objectContaining({ valid: true }));
  // One audit event per stored evidence (plus the earlier ones): nothing recorded without its change.
  const [events] = await query<{ n: string }>(
    adminDbUrl,
    "SELECT count(*) AS n FROM audit_event WHERE tenant_id = $1 AND action = 'evidence.added'",
    [admin.tenantId],
  );
  expect(Number(events?.n)).toBe(ids.size);
});
