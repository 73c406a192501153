import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applyFunctionSource } from './function-source';

/**
 * Digests and due-soon weeks follow the tenant's time zone (docs/tenancy-admin.md, "Time zone"):
 * `tenant_time_zones()` now answers `tenant.time_zone` instead of the first subscription's zone,
 * and moves to libs/tenancy, which owns that table. `reminder_candidates` is applied again for its
 * comment. Grants stay (CREATE OR REPLACE keeps them).
 */
export class DigestTenantZone1764001600000 implements MigrationInterface {
  name = 'DigestTenantZone1764001600000';

  async up(q: QueryRunner): Promise<void> {
    await applyFunctionSource(q, 'tenancy', 'tenant_time_zones');
    await applyFunctionSource(q, 'reminders', 'reminder_candidates');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE OR REPLACE FUNCTION tenant_time_zones()
      RETURNS TABLE (tenant_id uuid, timezone text)
      LANGUAGE sql STABLE AS $$
        SELECT DISTINCT ON (s.tenant_id) s.tenant_id, s.timezone
          FROM subscription s
         ORDER BY s.tenant_id, s.created_at, s.id
      $$`);
  }
}
