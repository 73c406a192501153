import type { Client } from 'pg';
import { firstTask, occurrence, taskListQuery } from '../libs/tasks';
import type { Cadence, Phase } from '../libs/catalog';
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
const STARTS_ON = '2025-11-01';

interface Duty {
  activity_id: string;
  key: string;
  phase: Phase;
  cadence: Cadence;
}

/** Each tenant's tasks: the first of each of the 20 duties, plus 11 more months of the monthly ones. */
async function addTasks(client: Client, version: BenchCatalog): Promise<void> {
  const duties = (
    await client.query<Duty>(
      'SELECT id AS activity_id, key, phase, cadence FROM activity WHERE version_id = $1 AND customer_duty ORDER BY position',
      [version.id],
    )
  ).rows;
  const started: Partial<Record<Phase, string>> = { before_subscription: STARTS_ON, setup: STARTS_ON, operations: STARTS_ON };
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
  // A realistic mix: about a third of the tasks already approved.
  await client.query(
    `INSERT INTO task (tenant_id, subscription_id, activity_id, period_start, period_end, due_date, status)
     SELECT b.tenant_id, b.subscription_id, r.activity, r.start, r.end_, r.due, CASE WHEN random() < 0.33 THEN 'approved' ELSE 'todo' END
       FROM bench_tenant b CROSS JOIN unnest($1::uuid[], $2::date[], $3::date[], $4::date[]) AS r(activity, start, end_, due)`,
    [rows.map((r) => r.activity), rows.map((r) => r.start), rows.map((r) => r.end), rows.map((r) => r.due)],
  );
}

const SEED: TenantSeed = { startsOn: STARTS_ON, timezone: 'UTC', addRows: addTasks };

/** The plan of the list query as the app runs it: app role, row-level security scope set. */
const explain = (db: Parameters<typeof explainAsApp>[0], state: TenantState): Promise<string> =>
  explainAsApp(db, state, taskListQuery(state.tenantId, { overdue: true, limit: 50 }));

const idsOf = (r: ProbeResponse): string[] => {
  const body = r.body as { items?: { id: string }[] } | null;
  return body?.items?.map((i) => i.id) ?? [];
};

export const tasksScenario: Scenario<TenantState> = {
  name: 'tasks (overdue list, page of 50)',
  targetRatio: 0.5,
  baselineModule: require.resolve('./tasks.baseline'),
  setup: async (db) => {
    await seedTenants(db, 0, SMALL, SEED);
    const { state } = await firstTenant(db, SMALL);
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
      const { task } = await countRows(db, ['task']);
      process.stdout.write(`[seed] ${LARGE} tenants, ${task} tasks in ${seconds.toFixed(1)} s\n`);
      // A fresh token: seeding 10,000 tenants may take a good part of the first one's hour.
      const grown = { ...(await firstTenant(db, LARGE)).state };
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
