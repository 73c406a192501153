import { Client } from 'pg';

/**
 * Writes `tenants` tenants as the superuser, set-based, under a label (one per side and round, so
 * app and baseline get identical, disjoint data): per tenant an admin, a subscription on `version`
 * (the old Private Exchange reading) in the operations phase, and one open task per customer duty
 * of that version. Returns the subscriptions as (tenantId, subscriptionId).
 */
export async function writeTenants(
  adminUrl: string,
  label: string,
  tenants: number,
  version: { id: string; catalogId: string },
): Promise<{ tenantId: string; subscriptionId: string }[]> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('SET synchronous_commit = off');
    const p = [tenants, label];
    await client.query(
      `INSERT INTO app_user (id, email, name, password_hash)
       SELECT md5($2 || '-user-' || i)::uuid, $2 || '-user-' || i || '@bench.test', 'Bench Admin ' || i, 'not-a-hash'
         FROM generate_series(1, $1) i`,
      p,
    );
    await client.query(
      `INSERT INTO tenant (id, name, created_by)
       SELECT md5($2 || '-tenant-' || i)::uuid, 'Bench Tenant ' || i, md5($2 || '-user-' || i)::uuid FROM generate_series(1, $1) i`,
      p,
    );
    await client.query(
      `INSERT INTO membership (tenant_id, user_id, role)
       SELECT md5($2 || '-tenant-' || i)::uuid, md5($2 || '-user-' || i)::uuid, 'admin' FROM generate_series(1, $1) i`,
      p,
    );
    await client.query(
      `INSERT INTO subscription (id, tenant_id, catalog_id, catalog_version_id, phase, starts_on, timezone, phase_started_on, created_by)
       SELECT md5($2 || '-sub-' || i)::uuid, md5($2 || '-tenant-' || i)::uuid, $3, $4, 'operations', '2026-01-01', 'Europe/Paris',
              '{"before_subscription": "2026-01-01", "setup": "2026-01-01", "operations": "2026-01-01"}', md5($2 || '-user-' || i)::uuid
         FROM generate_series(1, $1) i`,
      [...p, version.catalogId, version.id],
    );
    await client.query(
      `INSERT INTO occurrence_schedule (tenant_id, subscription_id, next_period_on)
       SELECT md5($2 || '-tenant-' || i)::uuid, md5($2 || '-sub-' || i)::uuid, '2026-04-01' FROM generate_series(1, $1) i`,
      p,
    );
    await client.query(
      `INSERT INTO task (tenant_id, subscription_id, activity_id, period_start, due_date, status)
       SELECT md5($2 || '-tenant-' || i)::uuid, md5($2 || '-sub-' || i)::uuid, a.id, '2026-01-01', '2026-03-31', 'todo'
         FROM generate_series(1, $1) i CROSS JOIN activity a
        WHERE a.version_id = $3 AND a.customer_duty`,
      [...p, version.id],
    );
    await client.query('VACUUM ANALYZE app_user, tenant, membership, subscription, occurrence_schedule, task');
    const rows = await client.query<{ tenantId: string; subscriptionId: string }>(
      `SELECT md5($2 || '-tenant-' || i)::uuid::text AS "tenantId", md5($2 || '-sub-' || i)::uuid::text AS "subscriptionId"
         FROM generate_series(1, $1) i`,
      p,
    );
    return rows.rows;
  } finally {
    await client.end();
  }
}
