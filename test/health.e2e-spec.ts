import { bootTestApp, type TestApp } from './harness/app';
import { query } from './harness/database';

let t: TestApp;
beforeAll(async () => {
  t = await bootTestApp();
});
afterAll(async () => t.close());

describe('health', () => {
  it('live answers ok without touching the database', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/live' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok' });
  });

  it('ready answers ok when the database answers and every migration is applied', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', checks: { database: 'ok', migrations: 'ok' } });
  });

  it('ready answers 503 while a migration is pending', async () => {
    const [last] = await query<{ id: number; timestamp: string; name: string }>(
      t.db.adminUrl,
      'DELETE FROM schema_migration WHERE id = (SELECT max(id) FROM schema_migration) RETURNING id, timestamp, name',
    );
    try {
      const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'unavailable', checks: { database: 'ok', migrations: 'pending' } });
    } finally {
      await query(t.db.adminUrl, 'INSERT INTO schema_migration (id, timestamp, name) VALUES ($1, $2, $3)', [
        last!.id,
        last!.timestamp,
        last!.name,
      ]);
    }
  });

  it('ready answers 503 when the database is unreachable', async () => {
    // The app role loses the right to connect and its sessions are ended.
    await query(t.db.adminUrl, `REVOKE CONNECT ON DATABASE ${t.db.name} FROM ${t.db.appRole}`);
    await query(t.db.adminUrl, 'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND usename = $2', [
      t.db.name,
      t.db.appRole,
    ]);
    try {
      const res = await t.app.inject({ method: 'GET', url: '/health/ready' });
      expect(res.statusCode).toBe(503);
      expect(res.json()).toEqual({ status: 'unavailable', checks: { database: 'unreachable', migrations: 'unknown' } });
    } finally {
      await query(t.db.adminUrl, `GRANT CONNECT ON DATABASE ${t.db.name} TO ${t.db.appRole}`);
    }
    const back = await t.app.inject({ method: 'GET', url: '/health/ready' });
    expect(back.statusCode).toBe(200);
  });
});
