import type { TaskStatus } from '../../libs/tasks';
import type { TestApp } from '../harness/app';
import { query } from '../harness/database';

export type { TaskStatus } from '../../libs/tasks';

let periods = 0;

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
  const [version] = await query<{ catalog_id: string; version_id: string }>(
    t.db.adminUrl,
    `SELECT c.id AS catalog_id, v.id AS version_id FROM catalog c JOIN catalog_version v ON v.catalog_id = c.id
      WHERE c.key = 'ovhcloud-private-exchange' ORDER BY v.published_on DESC LIMIT 1`,
  );
  if (!version) throw new Error('the ovhcloud-private-exchange catalog is not seeded');
  const [subscription] = await query<{ id: string }>(
    t.db.adminUrl,
    `INSERT INTO subscription (tenant_id, catalog_id, catalog_version_id, phase, starts_on, timezone, phase_started_on, created_by)
     VALUES ($1, $2, $3, 'operations', '2026-01-01', 'UTC', '{}'::jsonb, $4)
     ON CONFLICT (tenant_id, catalog_id) DO UPDATE SET updated_at = now() RETURNING id`,
    [tenantId, version.catalog_id, version.version_id, createdBy],
  );
  const [activity] = await query<{ id: string }>(t.db.adminUrl, 'SELECT id FROM activity WHERE version_id = $1 AND key = $2', [
    version.version_id,
    options.activityKey ?? 'PX-11',
  ]);
  if (!subscription || !activity) throw new Error('could not set up a subscription and an activity');
  const periodStart = new Date(Date.UTC(2026, 0, 1) + ++periods * 86_400_000).toISOString().slice(0, 10);
  const status = options.status ?? 'todo';
  const [task] = await query<{ id: string }>(
    t.db.adminUrl,
    `INSERT INTO task (tenant_id, subscription_id, activity_id, period_start, status, not_applicable_reason)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [tenantId, subscription.id, activity.id, periodStart, status, status === 'not_applicable' ? 'not used here' : null],
  );
  if (!task) throw new Error('could not create a task');
  return task.id;
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
