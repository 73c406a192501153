import { revertLastMigration } from '../libs/db';
import { migrate } from '../apps/runtime/prepare-database';
import { SCHEMA } from '../apps/runtime/schema';
import { insertTenant, insertUser } from '../test/factories/tenancy';
import { createTestDatabase, query, quietLogger, type TestDatabase } from '../test/harness/database';
import { TenantTimeZone1764001500000 } from './1764001500000-tenant-time-zone';

// Migration TenantTimeZone on a database that already has tenants: each takes its first
// subscription's zone (the rule of tenant_time_zones()), UTC without one.
let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase({ fresh: true });
});
afterAll(async () => db.drop());

it("backfills each tenant's zone from its first subscription, UTC without one, and leaves row-level security forced", async () => {
  const settings = { url: db.ownerUrl, poolSize: 2, applicationName: 'test', appRole: db.appRole };
  const name = new TenantTimeZone1764001500000().name;
  for (;;) {
    const reverted = await revertLastMigration(settings, SCHEMA, quietLogger());
    if (reverted === name) break;
    if (!reverted) throw new Error(`${name} was never applied`);
  }
  const user = await insertUser(db.adminUrl);
  type Version = { catalog_id: string; version_id: string };
  const [seeded] = await query<Version>(
    db.adminUrl,
    'SELECT c.id AS catalog_id, v.id AS version_id FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id ORDER BY v.seq LIMIT 1',
  );
  // A second catalog: one subscription per catalog per tenant, and a tenant here needs two.
  const [second] = await query<Version>(
    db.adminUrl,
    `WITH c AS (INSERT INTO catalog (key, name, provider) VALUES ('zone-test', 'Zone test', 'Test') RETURNING id)
     INSERT INTO catalog_version (catalog_id, version, seq, published_on, source_title, content_hash, parties)
     SELECT c.id, '1', 1, '2026-01-01', 'test', repeat('0', 64), ARRAY['customer'] FROM c RETURNING catalog_id, id AS version_id`,
  );
  const subscribe = async (tenantId: string, catalog: Version, timezone: string, createdAt: string): Promise<void> => {
    await query(
      db.adminUrl,
      `INSERT INTO subscription (tenant_id, catalog_id, catalog_version_id, phase, starts_on, timezone, phase_started_on, created_by, created_at)
       VALUES ($1, $2, $3, 'operations', '2026-01-01', $4, '{}'::jsonb, $5, $6)`,
      [tenantId, catalog.catalog_id, catalog.version_id, timezone, user.id, createdAt],
    );
  };
  const none = await insertTenant(db.adminUrl, user.id, 'No subscription');
  const paris = await insertTenant(db.adminUrl, user.id, 'Paris');
  await subscribe(paris, seeded!, 'Europe/Paris', '2026-01-01T00:00:00Z');
  // Two subscriptions, the later one inserted first: the first by creation time wins.
  const tokyo = await insertTenant(db.adminUrl, user.id, 'Tokyo first');
  await subscribe(tokyo, second!, 'America/Lima', '2026-02-01T00:00:00Z');
  await subscribe(tokyo, seeded!, 'Asia/Tokyo', '2026-01-01T00:00:00Z');

  expect(await migrate(db, quietLogger())).toContain(name);
  const zones = await query<{ id: string; time_zone: string }>(db.adminUrl, 'SELECT id, time_zone FROM tenant WHERE id = ANY($1)', [
    [none, paris, tokyo],
  ]);
  expect(Object.fromEntries(zones.map((z) => [z.id, z.time_zone]))).toEqual({
    [none]: 'UTC',
    [paris]: 'Europe/Paris',
    [tokyo]: 'Asia/Tokyo',
  });
  const forced = await query<{ relname: string; relforcerowsecurity: boolean }>(
    db.adminUrl,
    "SELECT relname, relforcerowsecurity FROM pg_class WHERE relnamespace = 'public'::regnamespace AND relname IN ('tenant', 'subscription') ORDER BY relname",
  );
  expect(forced).toEqual([
    { relname: 'subscription', relforcerowsecurity: true },
    { relname: 'tenant', relforcerowsecurity: true },
  ]);
});
