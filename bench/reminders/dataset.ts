import { Client } from 'pg';

export interface DatasetShape {
  readonly tenants: number;
  /** Tasks per tenant: one per customer duty of the seeded catalog (20 for Private Exchange). */
  readonly tasksPerTenant: number;
  /** Tenants whose first task falls due tomorrow (in the tenant's time zone). */
  readonly dueTomorrow: number;
}

/** Time zones of the subscriptions, round-robin: both sides of UTC, DST and not, half hours. */
export const ZONES = [
  'UTC',
  'Europe/Paris',
  'America/New_York',
  'Asia/Tokyo',
  'Pacific/Kiritimati',
  'America/Adak',
  'Asia/Kolkata',
  'Australia/Sydney',
] as const;

/**
 * Writes the benchmark's tenants as the superuser, set-based: per tenant an admin and a member,
 * one subscription, one task per customer duty. Task 1 of the first `dueTomorrow` tenants is
 * open and due tomorrow (even tenants: assigned to the member; odd: unassigned, so to the admin),
 * giving exactly one due-soon notification each. Of the others, half are closed (approved,
 * due in the past) and half open but due 10 to 365 days ahead: beyond every reminder offset.
 */
export async function writeDataset(adminUrl: string, shape: DatasetShape, now: Date): Promise<{ tasks: number; openTasks: number }> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query('SET synchronous_commit = off');
    const [version] = (
      await client.query<{ id: string; catalog_id: string; duties: number }>(
        'SELECT v.id, v.catalog_id, (SELECT count(*)::int FROM activity a WHERE a.version_id = v.id AND a.customer_duty) AS duties FROM catalog_version v ORDER BY v.published_on DESC LIMIT 1',
      )
    ).rows;
    if (!version || version.duties < shape.tasksPerTenant) throw new Error('the seeded catalog has too few customer duties');
    const params = { n: shape.tenants, zones: [...ZONES] };
    await client.query(
      `INSERT INTO app_user (id, email, name, password_hash)
       SELECT md5('user-' || i)::uuid, 'user-' || i || '@bench.test', 'Bench User ' || i, 'not-a-hash'
         FROM generate_series(1, $1 * 2) i`,
      [params.n],
    );
    await client.query(
      `INSERT INTO tenant (id, name, created_by)
       SELECT md5('tenant-' || i)::uuid, 'Bench Tenant ' || i, md5('user-' || (2 * i - 1))::uuid FROM generate_series(1, $1) i`,
      [params.n],
    );
    await client.query(
      `INSERT INTO membership (tenant_id, user_id, role)
       SELECT md5('tenant-' || i)::uuid, md5('user-' || (2 * i - 1))::uuid, 'admin' FROM generate_series(1, $1) i
       UNION ALL
       SELECT md5('tenant-' || i)::uuid, md5('user-' || (2 * i))::uuid, 'member' FROM generate_series(1, $1) i`,
      [params.n],
    );
    await client.query(
      `INSERT INTO subscription (id, tenant_id, catalog_id, catalog_version_id, phase, starts_on, timezone, phase_started_on, created_by)
       SELECT md5('sub-' || i)::uuid, md5('tenant-' || i)::uuid, $2, $3, 'operations', '2026-01-01',
              ($4::text[])[1 + i % cardinality($4::text[])], '{"operations": "2026-01-01"}', md5('user-' || (2 * i - 1))::uuid
         FROM generate_series(1, $1) i`,
      [params.n, version.catalog_id, version.id, params.zones],
    );
    const inserted = await client.query(
      `WITH duty AS (
         SELECT a.id, row_number() OVER (ORDER BY a.position, a.key) AS j FROM activity a WHERE a.version_id = $2 AND a.customer_duty
       )
       INSERT INTO task (tenant_id, subscription_id, activity_id, period_start, due_date, status, assignee_id)
       SELECT md5('tenant-' || i)::uuid, md5('sub-' || i)::uuid, d.id, '2026-01-01',
              CASE
                WHEN d.j = 1 AND i <= $4 THEN (($5::timestamptz AT TIME ZONE ($6::text[])[1 + i % cardinality($6::text[])])::date + 1)
                WHEN d.j % 2 = 0 THEN ($5::timestamptz AT TIME ZONE 'UTC')::date - (1 + (i + d.j) % 300)::int
                ELSE ($5::timestamptz AT TIME ZONE 'UTC')::date + (10 + (i * 7 + d.j) % 355)::int
              END,
              CASE WHEN d.j % 2 = 0 AND NOT (d.j = 1 AND i <= $4) THEN 'approved' ELSE 'todo' END,
              CASE WHEN i % 2 = 0 THEN md5('user-' || (2 * i))::uuid END
         FROM generate_series(1, $1) i CROSS JOIN duty d
        WHERE d.j <= $3`,
      [params.n, version.id, shape.tasksPerTenant, shape.dueTomorrow, now.toISOString(), params.zones],
    );
    await client.query('VACUUM ANALYZE app_user, tenant, membership, subscription, task');
    const [open] = (
      await client.query<{ n: number }>("SELECT count(*)::int AS n FROM task WHERE status IN ('todo', 'in_progress', 'rejected')")
    ).rows;
    return { tasks: inserted.rowCount ?? 0, openTasks: open?.n ?? 0 };
  } finally {
    await client.end();
  }
}
