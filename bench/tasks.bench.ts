import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Client } from 'pg';
import { firstTask, occurrence, taskListQuery } from '../libs/tasks';
import type { Cadence, Phase } from '../libs/catalog';
import { runBench } from './harness/runner';
import type { BenchDatabase, ProbeResponse, Scenario } from './harness/scenario';

const secret = randomBytes(48).toString('base64url');
process.env.BENCH_JWT_SECRET = secret;

const SMALL = Number(process.env.BENCH_TENANTS_SMALL ?? 10);
const LARGE = Number(process.env.BENCH_TENANTS ?? 10_000);
const STARTS_ON = '2025-11-01';

interface TasksState {
  readonly [key: string]: string | number;
  tenantId: string;
  userId: string;
  token: string;
  tenants: number;
}

interface Duty {
  activity_id: string;
  key: string;
  phase: Phase;
  cadence: Cadence;
}

/** Tenants [from, to): a user, an admin membership, a subscription, 20 duties and a year of monthly occurrences each. */
async function seedTenants(db: BenchDatabase, from: number, to: number): Promise<void> {
  const client = new Client({ connectionString: db.adminUrl });
  await client.connect();
  try {
    const [version] = (
      await client.query<{ id: string; catalog_id: string }>(
        "SELECT v.id, v.catalog_id FROM catalog_version v JOIN catalog c ON c.id = v.catalog_id WHERE c.key = 'ovhcloud-private-exchange'",
      )
    ).rows;
    if (!version) throw new Error('catalog not seeded');
    const duties = (
      await client.query<Duty>(
        'SELECT id AS activity_id, key, phase, cadence FROM activity WHERE version_id = $1 AND customer_duty ORDER BY position',
        [version.id],
      )
    ).rows;
    const started: Partial<Record<Phase, string>> = { before_subscription: STARTS_ON, setup: STARTS_ON, operations: STARTS_ON };
    // Every task of one tenant: the first of each duty, plus 11 more months of monthly ones.
    const rows: { activity: string; start: string; end: string | null; due: string | null }[] = [];
    for (const d of duties) {
      const first = firstTask(d, 'operations', started, STARTS_ON);
      rows.push({ activity: d.activity_id, start: first.periodStart, end: first.periodEnd, due: first.dueDate });
      if (d.cadence === 'P1M') {
        for (let k = 1; k < 12; k++) {
          const o = occurrence(d.cadence, STARTS_ON, k);
          rows.push({ activity: d.activity_id, start: o.periodStart, end: o.periodEnd, due: o.dueDate });
        }
      }
    }
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
       SELECT subscription_id, tenant_id, $1, $2, 'operations', $3, 'UTC', $4, user_id FROM bench_tenant`,
      [version.catalog_id, version.id, STARTS_ON, JSON.stringify(started)],
    );
    // A realistic mix: about a third of the tasks already approved.
    await client.query(
      `INSERT INTO task (tenant_id, subscription_id, activity_id, period_start, period_end, due_date, status)
       SELECT b.tenant_id, b.subscription_id, r.activity, r.start, r.end_, r.due, CASE WHEN random() < 0.33 THEN 'approved' ELSE 'todo' END
         FROM bench_tenant b CROSS JOIN unnest($1::uuid[], $2::date[], $3::date[], $4::date[]) AS r(activity, start, end_, due)`,
      [rows.map((r) => r.activity), rows.map((r) => r.start), rows.map((r) => r.end), rows.map((r) => r.due)],
    );
    await client.query('COMMIT');
    await client.query('ANALYZE');
  } finally {
    await client.end();
  }
}

async function firstTenant(db: BenchDatabase, tenants: number): Promise<TasksState> {
  const client = new Client({ connectionString: db.adminUrl });
  await client.connect();
  try {
    const [row] = (
      await client.query<{ tenant_id: string; user_id: string }>(
        "SELECT m.tenant_id, m.user_id FROM membership m JOIN app_user u ON u.id = m.user_id WHERE u.email = 'user0@bench.test'",
      )
    ).rows;
    if (!row) throw new Error('tenant 0 missing');
    const token = jwt.sign({ typ: 'access' }, secret, {
      subject: row.user_id,
      issuer: 'dutybook',
      audience: 'dutybook-api',
      algorithm: 'HS256',
      expiresIn: 3600,
    });
    return { tenantId: row.tenant_id, userId: row.user_id, token, tenants };
  } finally {
    await client.end();
  }
}

/** The plan of the list query as the app runs it: app role, row-level security scope set. */
async function explain(db: BenchDatabase, state: TasksState): Promise<string> {
  const q = taskListQuery(state.tenantId, { overdue: true, limit: 50 });
  const client = new Client({ connectionString: db.appUrl });
  await client.connect();
  try {
    await client.query('BEGIN');
    await client.query("SELECT set_config('app.tenant_id', $1, true)", [state.tenantId]);
    const plan = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${q.sql}`, q.params);
    await client.query('COMMIT');
    return plan.rows.map((r) => r['QUERY PLAN']).join('\n');
  } finally {
    await client.end();
  }
}

const idsOf = (r: ProbeResponse): string[] => {
  const body = r.body as { items?: { id: string }[] } | null;
  return body?.items?.map((i) => i.id) ?? [];
};

export const tasksScenario: Scenario<TasksState> = {
  name: 'tasks (overdue list, page of 50)',
  targetRatio: 0.5,
  baselineModule: require.resolve('./tasks.baseline'),
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
      const count = (await client.query<{ n: string }>('SELECT count(*) AS n FROM task')).rows[0]?.n;
      await client.end();
      process.stdout.write(`[seed] ${LARGE} tenants, ${count} tasks in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
      const grown = { ...state, tenants: LARGE };
      process.stdout.write(`[plan] ${LARGE} tenants:\n${await explain(db, grown)}\n`);
      return grown;
    },
  },
  requests: (state) => {
    if (!state) throw new Error('tasks bench needs its setup state');
    return [
      {
        method: 'GET',
        path: `/api/v1/tenants/${state.tenantId}/tasks?overdue=true&limit=50`,
        headers: { authorization: `Bearer ${state.token}`, accept: 'application/json' },
      },
    ];
  },
  compare: (app, baseline) => {
    const a = idsOf(app);
    const b = idsOf(baseline);
    const problems: string[] = [];
    if (a.length === 0) problems.push('the app listed no overdue task');
    if (a.join() !== b.join()) problems.push(`item ids differ (app ${a.length}, baseline ${b.length})`);
    return problems;
  },
};

if (require.main === module) runBench(tasksScenario);
