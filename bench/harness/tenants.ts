import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Client } from 'pg';
import type { BenchDatabase } from './scenario';

/**
 * Many-tenant data sets for the scenarios that check "cost follows the page, not the table"
 * (tasks, summary): tenants made in bulk with SQL behind the app's back, tokens signed with the
 * run's secret, and the plan of a tenant query as the app runs it. Each scenario adds its own
 * tasks to the tenants made here (`seed`'s callback), in the same transaction.
 */

/** What the tasks and summary scenarios hand to their requests and baselines. */
export interface TenantState {
  readonly [key: string]: string | number;
  tenantId: string;
  userId: string;
  token: string;
  tenants: number;
}

/** The run's signing secret, given to the app child as BENCH_JWT_SECRET (set on import). */
const secret = randomBytes(48).toString('base64url');
process.env.BENCH_JWT_SECRET = secret;

/**
 * An access token as the api issues them. One hour, the longest the api accepts
 * (ACCESS_TOKEN_TTL_SECONDS <= 3600, set by the bench server): each scale signs its own.
 */
export function accessToken(userId: string): string {
  return jwt.sign({ typ: 'access' }, secret, {
    subject: userId,
    issuer: 'dutybook',
    audience: 'dutybook-api',
    algorithm: 'HS256',
    expiresIn: 3600,
  });
}

/** Runs fn on a superuser connection to the bench database, then closes it. */
export async function withAdmin<T>(db: BenchDatabase, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: db.adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** The latest version of the Private Exchange catalog, which every bench subscription follows. */
export interface BenchCatalog {
  readonly id: string;
  readonly catalog_id: string;
}

export interface TenantSeed {
  /** The subscriptions' start, and the start of every phase up to `operations`. */
  readonly startsOn: string;
  readonly timezone: string;
  /**
   * Adds the scenario's rows, in the same transaction, once the temporary table `bench_tenant`
   * (i, tenant_id, user_id, subscription_id) holds this batch's tenants.
   */
  readonly addRows: (client: Client, version: BenchCatalog) => Promise<void>;
}

/**
 * Tenants [from, to): user `user<i>@bench.test`, an admin membership and a subscription in the
 * operations phase each, then the scenario's rows; committed, then ANALYZE.
 */
export async function seedTenants(db: BenchDatabase, from: number, to: number, seed: TenantSeed): Promise<void> {
  await withAdmin(db, async (client) => {
    const [version] = (
      await client.query<BenchCatalog>(
        "SELECT v.id, v.catalog_id FROM catalog_version v JOIN catalog c ON c.id = v.catalog_id WHERE c.key = 'ovhcloud-private-exchange' ORDER BY v.published_on DESC, v.version LIMIT 1",
      )
    ).rows;
    if (!version) throw new Error('catalog not seeded');
    const started = { before_subscription: seed.startsOn, setup: seed.startsOn, operations: seed.startsOn };
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE bench_tenant ON COMMIT DROP AS
         SELECT i, gen_random_uuid() AS tenant_id, gen_random_uuid() AS user_id, gen_random_uuid() AS subscription_id
           FROM generate_series($1::int, $2::int - 1) AS i`,
      [from, to],
    );
    await client.query(
      "INSERT INTO app_user (id, email, name, password_hash) SELECT user_id, 'user' || i || '@bench.test', 'User ' || i, 'not-a-hash' FROM bench_tenant",
    );
    await client.query("INSERT INTO tenant (id, name, created_by) SELECT tenant_id, 'Tenant ' || i, user_id FROM bench_tenant");
    await client.query("INSERT INTO membership (tenant_id, user_id, role) SELECT tenant_id, user_id, 'admin' FROM bench_tenant");
    await client.query(
      `INSERT INTO subscription (id, tenant_id, catalog_id, catalog_version_id, phase, starts_on, timezone, phase_started_on, created_by)
       SELECT subscription_id, tenant_id, $1, $2, 'operations', $3, $4, $5, user_id FROM bench_tenant`,
      [version.catalog_id, version.id, seed.startsOn, seed.timezone, JSON.stringify(started)],
    );
    await seed.addRows(client, version);
    await client.query('COMMIT');
    await client.query('ANALYZE');
  });
}

/** Grows the data set from `from` to `to` tenants in batches of 2,000; returns the seconds taken. */
export async function growTenants(db: BenchDatabase, from: number, to: number, seed: TenantSeed): Promise<number> {
  const started = Date.now();
  for (let batch = from; batch < to; batch += 2000) await seedTenants(db, batch, Math.min(to, batch + 2000), seed);
  return (Date.now() - started) / 1000;
}

/** Tenant 0 (the measured one): its ids, a fresh token, and how many tasks it has. */
export async function firstTenant(db: BenchDatabase, tenants: number): Promise<{ state: TenantState; tasks: number }> {
  const row = await withAdmin(db, async (client) => {
    const [found] = (
      await client.query<{ tenant_id: string; user_id: string; n: string }>(
        `SELECT m.tenant_id, m.user_id, (SELECT count(*) FROM task t WHERE t.tenant_id = m.tenant_id) AS n
           FROM membership m JOIN app_user u ON u.id = m.user_id WHERE u.email = 'user0@bench.test'`,
      )
    ).rows;
    if (!found) throw new Error('tenant 0 missing');
    return found;
  });
  return { state: { tenantId: row.tenant_id, userId: row.user_id, token: accessToken(row.user_id), tenants }, tasks: Number(row.n) };
}

/** The plan of a tenant query as the app runs it: app role, row-level-security scope set. */
export async function explainAsApp(db: BenchDatabase, state: TenantState, query: { sql: string; params: unknown[] }): Promise<string> {
  const client = new Client({ connectionString: db.appUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)", [state.tenantId, state.userId]);
    const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${query.sql}`, query.params);
    await client.query('COMMIT');
    return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

/** Counts of a few tables, for the seed report line. */
export async function countRows(db: BenchDatabase, tables: readonly ('task' | 'review')[]): Promise<Record<string, number>> {
  return withAdmin(db, async (client) => {
    const counts: Record<string, number> = {};
    for (const table of tables)
      counts[table] = Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`)).rows[0]?.n);
    return counts;
  });
}
