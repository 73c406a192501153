import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The tenant's time zone (docs/tenancy-admin.md, "Time zone"): `tenant.time_zone`, set by admins
 * through the reminder settings; every subscription of the tenant follows it. Existing tenants take
 * their first subscription's zone (the rule of `tenant_time_zones()`, which the digests used), UTC
 * without one. Both tables force row-level security on their owner too, and a migration has no
 * tenant scope: the backfill lifts FORCE for its one statement, inside this migration's
 * transaction, and puts it back.
 */
export class TenantTimeZone1764001500000 implements MigrationInterface {
  name = 'TenantTimeZone1764001500000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tenant ADD COLUMN time_zone text NOT NULL DEFAULT 'UTC'`);
    await q.query('ALTER TABLE tenant ADD CONSTRAINT tenant_time_zone CHECK (length(time_zone) BETWEEN 1 AND 64)');
    await q.query('ALTER TABLE tenant NO FORCE ROW LEVEL SECURITY');
    await q.query('ALTER TABLE subscription NO FORCE ROW LEVEL SECURITY');
    await q.query(`
      UPDATE tenant te SET time_zone = first.timezone
        FROM (SELECT DISTINCT ON (s.tenant_id) s.tenant_id, s.timezone
                FROM subscription s
               ORDER BY s.tenant_id, s.created_at, s.id) first
       WHERE first.tenant_id = te.id AND length(first.timezone) BETWEEN 1 AND 64`);
    await q.query('ALTER TABLE subscription FORCE ROW LEVEL SECURITY');
    await q.query('ALTER TABLE tenant FORCE ROW LEVEL SECURITY');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE tenant DROP CONSTRAINT tenant_time_zone');
    await q.query('ALTER TABLE tenant DROP COLUMN time_zone');
  }
}
