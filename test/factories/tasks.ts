import type { TaskStatus } from '../../libs/tasks';
import type { TestApp } from '../harness/app';
import { query } from '../harness/database';

export type { TaskStatus } from '../../libs/tasks';

let periods = 0;
/**
 * A period start no other factory call gave out, so tasks of one activity never collide: from
 * `year` on, one day per call (createTask keeps 2026; insertTask's default is far from any period a
 * real subscription opens).
 */
const freshPeriod = (year = 2040): string => new Date(Date.UTC(year, 0, 1) + ++periods * 86_400_000).toISOString().slice(0, 10);

/**
 * The tenant's subscription to the newest version of a catalog (created once per tenant and
 * catalog; later calls return it), as the database superuser.
 */
export async function insertSubscription(
  adminUrl: string,
  tenantId: string,
  createdBy: string,
  catalogKey = 'ovhcloud-private-exchange',
): Promise<{ id: string; versionId: string }> {
  const [version] = await query<{ catalog_id: string; version_id: string }>(
    adminUrl,
    `SELECT c.id AS catalog_id, v.id AS version_id FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id
      WHERE c.key = $1 ORDER BY v.published_on DESC, v.seq DESC LIMIT 1`,
    [catalogKey],
  );
  if (!version) throw new Error(`the ${catalogKey} catalog is not seeded`);
  const [subscription] = await query<{ id: string; catalog_version_id: string }>(
    adminUrl,
    `INSERT INTO subscription (tenant_id, catalog_id, catalog_version_id, phase, starts_on, timezone, phase_started_on, created_by)
     VALUES ($1, $2, $3, 'operations', '2026-01-01', 'UTC', '{}'::jsonb, $4)
     ON CONFLICT (tenant_id, catalog_id) DO UPDATE SET updated_at = now() RETURNING id, catalog_version_id`,
    [tenantId, version.catalog_id, version.version_id, createdBy],
  );
  if (!subscription) throw new Error('insertSubscription: no row');
  return { id: subscription.id, versionId: subscription.catalog_version_id };
}

export interface TaskFields {
  tenantId: string;
  subscriptionId: string;
  /** The activity of the subscription's version with this key (default PX-11). */
  activityKey?: string;
  status?: TaskStatus;
  /** Default: a period no other call used. */
  periodStart?: string;
  dueDate?: string | null;
  evidenceCount?: number;
  /** Sets completed_by and completed_at (now). */
  completedBy?: string;
}

/** One task row, as the database superuser: the state a test needs without the subscription rules. */
export async function insertTask(adminUrl: string, f: TaskFields): Promise<string> {
  const status = f.status ?? 'todo';
  const [task] = await query<{ id: string }>(
    adminUrl,
    `INSERT INTO task (tenant_id, subscription_id, activity_id, period_start, due_date, status, not_applicable_reason,
                       evidence_count, completed_by, completed_at)
     SELECT $1, s.id, a.id, $4, $5, $6, $7, $8, $9, CASE WHEN $9::uuid IS NULL THEN NULL ELSE now() END
       FROM subscription s JOIN activity a ON a.version_id = s.catalog_version_id AND a.key = $3
      WHERE s.tenant_id = $1 AND s.id = $2
     RETURNING id`,
    [
      f.tenantId,
      f.subscriptionId,
      f.activityKey ?? 'PX-11',
      f.periodStart ?? freshPeriod(),
      f.dueDate ?? null,
      status,
      status === 'not_applicable' ? 'not used here' : null,
      f.evidenceCount ?? 0,
      f.completedBy ?? null,
    ],
  );
  if (!task) throw new Error(`insertTask: no activity ${f.activityKey ?? 'PX-11'} in subscription ${f.subscriptionId}`);
  return task.id;
}

/** A review decision recorded at `at` (default now), as the database superuser. */
export async function insertReview(
  adminUrl: string,
  r: { tenantId: string; taskId: string; reviewerId: string; decision: 'approve' | 'reject'; comment?: string | null; at?: string },
): Promise<void> {
  await query(
    adminUrl,
    'INSERT INTO review (tenant_id, task_id, reviewer_id, decision, comment, created_at) VALUES ($1, $2, $3, $4, $5, coalesce($6::timestamptz, now()))',
    [r.tenantId, r.taskId, r.reviewerId, r.decision, r.comment ?? null, r.at ?? null],
  );
}

/**
 * A task of the tenant, made behind the app's back (tasks come from subscriptions, written
 * elsewhere): the tenant's Private Exchange subscription (created once) and one occurrence of an
 * activity, each call on its own period so they never collide.
 */
export async function createTask(
  t: TestApp,
  tenantId: string,
  createdBy: string,
  options: { activityKey?: string; status?: TaskStatus } = {},
): Promise<string> {
  const subscription = await insertSubscription(t.db.adminUrl, tenantId, createdBy);
  return insertTask(t.db.adminUrl, { tenantId, subscriptionId: subscription.id, periodStart: freshPeriod(2026), ...options });
}

export interface TaskRow {
  status: TaskStatus;
  evidence_count: number;
}

export async function taskRow(t: TestApp, taskId: string): Promise<TaskRow> {
  const [row] = await query<TaskRow>(t.db.adminUrl, 'SELECT status, evidence_count FROM task WHERE id = $1', [taskId]);
  if (!row) throw new Error(`no task ${taskId}`);
  return row;
}
