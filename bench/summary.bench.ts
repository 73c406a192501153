import type { Client } from 'pg';
import { summaryQuery } from '../libs/tasks';
import { runBench } from './harness/runner';
import type { ProbeResponse, Scenario } from './harness/scenario';
import {
  countRows,
  explainAsApp,
  firstTenant,
  growTenants,
  seedTenants,
  type BenchCatalog,
  type TenantSeed,
  type TenantState,
} from './harness/tenants';

const SMALL = Number(process.env.BENCH_TENANTS_SMALL ?? 10);
const LARGE = Number(process.env.BENCH_TENANTS ?? 10_000);
/** The measured tenant's tasks (tenant 0), and every other tenant's. */
const BIG_TENANT_TASKS = Number(process.env.BENCH_SUMMARY_TASKS ?? 2000);
const OTHER_TENANT_TASKS = 50;

/**
 * Each tenant's tasks over the customer duties (tenant 0: BIG_TENANT_TASKS, the others
 * OTHER_TENANT_TASKS), one period a month, in a realistic mix of statuses: due dates from 200
 * days back to 200 ahead, completions and reviews spread over the last 16 weeks, so every part
 * of the summary has rows to count.
 */
async function addTasks(client: Client, version: BenchCatalog): Promise<void> {
  // Task n of a tenant: duty n % duties, period n / duties months after 2020-01-01 (unique per duty).
  await client.query(
    `CREATE TEMP TABLE bench_task ON COMMIT DROP AS
     SELECT b.tenant_id, b.subscription_id, b.user_id, d.id AS activity_id, (date '2020-01-01' + make_interval(months => (n / d.duties)::int))::date AS period_start,
            current_date - 200 + (random() * 400)::int AS due_date, random() AS r, now() - random() * interval '112 days' AS at_
       FROM bench_tenant b
      CROSS JOIN LATERAL generate_series(0, CASE WHEN b.i = 0 THEN $2::int ELSE $3::int END - 1) AS n
       JOIN (SELECT id, row_number() OVER (ORDER BY position) - 1 AS k, count(*) OVER () AS duties FROM activity WHERE version_id = $1 AND customer_duty) d
         ON d.k = n % d.duties`,
    [version.id, BIG_TENANT_TASKS, OTHER_TENANT_TASKS],
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
}

const SEED: TenantSeed = { startsOn: '2020-01-01', timezone: 'Europe/Paris', addRows: addTasks };

/** The plan of the summary as the app runs it: app role, row-level security scope set. */
const explain = (db: Parameters<typeof explainAsApp>[0], state: TenantState): Promise<string> =>
  explainAsApp(db, state, summaryQuery(state.tenantId, SEED.timezone));

const bodyOf = (r: ProbeResponse): { totals?: { total: number } } | null => r.body as { totals?: { total: number } } | null;

export const summaryScenario: Scenario<TenantState> = {
  name: `summary (a tenant with ${BIG_TENANT_TASKS} tasks)`,
  targetRatio: 0.5,
  baselineModule: require.resolve('./summary.baseline'),
  setup: async (db) => {
    await seedTenants(db, 0, SMALL, SEED);
    const { state, tasks } = await firstTenant(db, SMALL);
    process.stdout.write(`[seed] the measured tenant has ${tasks} tasks\n`);
    process.stdout.write(`[plan] ${SMALL} tenants:\n${await explain(db, state)}\n`);
    return state;
  },
  scale: {
    smallLabel: `${SMALL} tenants`,
    largeLabel: `${LARGE} tenants`,
    maxP50Ratio: 1.2,
    grow: async (db, state) => {
      if (!state) throw new Error('no state');
      const seconds = await growTenants(db, SMALL, LARGE, SEED);
      const { task, review } = await countRows(db, ['task', 'review']);
      process.stdout.write(`[seed] ${LARGE} tenants, ${task} tasks, ${review} reviews in ${seconds.toFixed(1)} s\n`);
      // A fresh token: seeding 10,000 tenants may take a good part of the first one's hour.
      const grown = { ...(await firstTenant(db, LARGE)).state };
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
