import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Client } from 'pg';
import { summaryQuery } from '../libs/tasks';
import { runBench } from './harness/runner';
import type { BenchDatabase, ProbeResponse, Scenario } from './harness/scenario';

const secret = randomBytes(48).toString('base64url');
process.env.BENCH_JWT_SECRET = secret;

const SMALL = Number(process.env.BENCH_TENANTS_SMALL ?? 10);
const LARGE = Number(process.env.BENCH_TENANTS ?? 10_000);
/** The measured tenant's tasks (tenant 0), and every other tenant's. */
const BIG_TENANT_TASKS = Number(process.env.BENCH_SUMMARY_TASKS ?? 2000);
const OTHER_TENANT_TASKS = 50;

interface SummaryState {
  readonly [key: string]: string | number;
  tenantId: string;
  userId: string;
  token: string;
  tenants: number;
}

/**
 * Tenants [from, to): a user, an admin membership, a subscription, and tasks over the customer
 * duties (tenant 0: BIG_TENANT_TASKS, the others OTHER_TENANT_TASKS), one period a month, in a
 * realistic mix of statuses: due dates from 200 days back to 200 ahead, completions and reviews
 * spread over the last 16 weeks, so every part of the summary has rows to count.
 */
async function seedTenants(db: BenchDatabase, from: number, to: number): Promise<void> {
  const client = new Client({ connectionString: db.adminUrl });
  await client.connect();
  try {
    const [version] = (
      await client.query<{ id: string; catalog_id: string }>(
        "SELECT v.id, v.catalog_id FROM catalog_version v JOIN catalog c ON c.id = v.catalog_id WHERE c.key = 'ovhcloud-private-exchange' ORDER BY v.published_on DESC, v.version LIMIT 1",
      )
    ).rows;
    if (!version) throw new Error('catalog not seeded');
    await client.query('BEGIN');
    await client.query(
      `CREATE TEMP TABLE bench_tenant ON COMMIT DROP AS
         SELECT i, gen_random_uuid() AS tenant_id, gen_random_uuid() AS user_id, gen_random_uuid() AS subscription_id,
                CASE WHEN i = 0 THEN $3::int ELSE $4::int END AS tasks
           FROM generate_series($1::int, $2::int - 1) AS i`,
      [from, to, BIG_TENANT_TASKS, OTHER_TENANT_TASKS],
    );
    await client.query(
      "INSERT INTO app_user (id, email, name, password_hash) SELECT user_id, 'user' || i || '@bench.test', 'User ' || i, 'not-a-hash' FROM bench_tenant",
    );
    await client.query("INSERT INTO tenant (id, name, created_by) SELECT tenant_id, 'Tenant ' || i, user_id FROM bench_tenant");
    await client.query("INSERT INTO membership (tenant_id, user_id, role) SELECT tenant_id, user_id, 'admin' FROM bench_tenant");
    await client.query(
      `INSERT INTO subscription (id, tenant_id, catalog_id, catalog_version_id, phase, starts_on, timezone, phase_started_on, created_by)
       SELECT subscription_id, tenant_id, $1, $2, 'operations', date '2020-01-01', 'Europe/Paris', '{"before_subscription":"2020-01-01","setup":"2020-01-01","operations":"2020-01-01"}', user_id
         FROM bench_tenant`,
      [version.catalog_id, version.id],
    );
    // Task n of a tenant: duty n % duties, period n / duties months after 2020-01-01 (unique per duty).
    await client.query(
      `CREATE TEMP TABLE bench_task ON COMMIT DROP AS
       SELECT b.tenant_id, b.subscription_id, b.user_id, d.id AS activity_id, (date '2020-01-01' + make_interval(months => (n / d.duties)::int))::date AS period_start,
              current_date - 200 + (random() * 400)::int AS due_date, random() AS r, now() - random() * interval '112 days' AS at_
         FROM bench_tenant b
        CROSS JOIN LATERAL generate_series(0, b.tasks - 1) AS n
         JOIN (SELECT id, row_number() OVER (ORDER BY position) - 1 AS k, count(*) OVER () AS duties FROM activity WHERE version_id = $1 AND customer_duty) d
           ON d.k = n % d.duties`,
      [version.id],
    );
    await client.query(
      `INSERT INTO task (tenant_id, subscription_id, activity_id, period_start, period_end, due_date, status, not_applicable_reason, evidence_count, completed_at, completed_by)
       SELECT tenant_id, subscription_id, activity_id, period_start, period_start + 27, due_date,
              s.status, CASE WHEN s.status = 'not_applicable' THEN 'bench' END, CASE WHEN s.status IN ('done', 'approved', 'rejected') THEN 1 ELSE 0 END,
              CASE WHEN s.status IN ('done', 'approved', 'rejected') THEN at_ END,
              CASE WHEN s.status IN ('done', 'approved', 'rejected') THEN user_id END
         FROM bench_task,
              LATERAL (SELECT CASE WHEN r < 0.40 THEN 'todo' WHEN r < 0.50 THEN 'in_progress' WHEN r < 0.60 THEN 'done'
                                   WHEN r < 0.90 THEN 'approved' WHEN r < 0.95 THEN 'rejected' ELSE 'not_applicable' END AS status) s`,
    );
    await client.query(
      `INSERT INTO review (tenant_id, task_id, reviewer_id, decision, comment, created_at)
       SELECT t.tenant_id, t.id, b.user_id, CASE WHEN t.status = 'approved' THEN 'approve' ELSE 'reject' END,
              CASE WHEN t.status = 'rejected' THEN 'Missing the signed copy.' END, t.completed_at + interval '1 day'
         FROM task t JOIN bench_tenant b ON b.tenant_id = t.tenant_id
        WHERE t.status IN ('approved', 'rejected')`,
    );
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

/** An access token as the api issues them (15 minutes at most: the api refuses longer ones), so each scale signs its own. */
const accessToken = (userId: string): string =>
  jwt.sign({ typ: 'access' }, secret, {
    subject: userId,
    issuer: 'dutybook',
    audience: 'dutybook-api',
    algorithm: 'HS256',
    expiresIn: 900,
  });

async function firstTenant(db: BenchDatabase, tenants: number): Promise<SummaryState> {
  const client = new Client({ connectionString: db.adminUrl });
  await client.connect();
  try {
    const [row] = (
      await client.query<{ tenant_id: string; user_id: string; n: string }>(
        `SELECT m.tenant_id, m.user_id, (SELECT count(*) FROM task t WHERE t.tenant_id = m.tenant_id) AS n
           FROM membership m JOIN app_user u ON u.id = m.user_id WHERE u.email = 'user0@bench.test'`,
      )
    ).rows;
    if (!row) throw new Error('tenant 0 missing');
    process.stdout.write(`[seed] the measured tenant has ${row.n} tasks\n`);
    return { tenantId: row.tenant_id, userId: row.user_id, token: accessToken(row.user_id), tenants };
  } finally {
    await client.end();
  }
}

/** The plan of the summary as the app runs it: app role, row-level security scope set. */
async function explain(db: BenchDatabase, state: SummaryState): Promise<string> {
  const q = summaryQuery(state.tenantId);
  const client = new Client({ connectionString: db.appUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('app.tenant_id', $1, true), set_config('app.user_id', $2, true)", [state.tenantId, state.userId]);
    const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${q.sql}`, q.params);
    await client.query('COMMIT');
    return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

const bodyOf = (r: ProbeResponse): { totals?: { total: number } } | null => r.body as { totals?: { total: number } } | null;

export const summaryScenario: Scenario<SummaryState> = {
  name: `summary (a tenant with ${BIG_TENANT_TASKS} tasks)`,
  targetRatio: 0.5,
  baselineModule: require.resolve('./summary.baseline'),
  setup: async (db) => {
    await seedTenants(db, 0, SMALL);
    const state = await firstTenant(db, SMALL);
    process.stdout.write(`[plan] ${SMALL} tenants:\n${await explain(db, state)}\n`);
    return state;
  },
  scale: {
    smallLabel: `${SMALL} tenants`,
    largeLabel: `${LARGE} tenants`,
    maxP50Ratio: 1.2,
    grow: async (db, state) => {
      const started = Date.now();
      for (let from = SMALL; from < LARGE; from += 2000) await seedTenants(db, from, Math.min(LARGE, from + 2000));
      if (!state) throw new Error('no state');
      const client = new Client({ connectionString: db.adminUrl });
      await client.connect();
      const counts = (
        await client.query<{ tasks: string; reviews: string }>(
          'SELECT (SELECT count(*) FROM task) AS tasks, (SELECT count(*) FROM review) AS reviews',
        )
      ).rows[0];
      await client.end();
      process.stdout.write(
        `[seed] ${LARGE} tenants, ${counts?.tasks} tasks, ${counts?.reviews} reviews in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
      );
      const grown = { ...state, tenants: LARGE, token: accessToken(state.userId) };
      process.stdout.write(`[plan] ${LARGE} tenants:\n${await explain(db, grown)}\n`);
      return grown;
    },
  },
  requests: (state) => {
    if (!state) throw new Error('summary bench needs its setup state');
    return [
      {
        method: 'GET',
        path: `/api/v1/tenants/${state.tenantId}/summary`,
        headers: { authorization: `Bearer ${state.token}`, accept: 'application/json' },
      },
    ];
  },
  compare: (app, baseline) => {
    const a = bodyOf(app);
    const b = bodyOf(baseline);
    const problems: string[] = [];
    if (!a?.totals || a.totals.total < BIG_TENANT_TASKS * 0.9) problems.push(`the app counted ${a?.totals?.total ?? 'no'} tasks`);
    if (JSON.stringify(a) !== JSON.stringify(b)) problems.push('the app and the baseline answered different summaries');
    return problems;
  },
};

if (require.main === module) runBench(summaryScenario);
