import { Injectable } from '@nestjs/common';
import type { Phase } from '../catalog';
import { iso, type TenantContext } from '../core';
import { TenantDb } from '../db';
import { NO_DUE, TASK_COLUMNS, TASK_FROM, toTaskView, type TaskCard } from './task.repository';
import type { TaskStatus } from './task-status';
import type { ReviewView, TaskView } from './tasks.views';

/** What an export (evidence pack, status report) selects: the task list's filters, a period, ids. */
export interface TaskExportFilter {
  subscriptionId?: string;
  phase?: Phase;
  section?: string;
  status?: TaskStatus[];
  /** Occurrences whose period overlaps [periodFrom, periodTo] (YYYY-MM-DD, inclusive). */
  periodFrom?: string;
  periodTo?: string;
  taskIds?: string[];
  /** Calendar feeds: tasks of one assignee. */
  assigneeId?: string;
}

/** A task with its subscription's time zone (catalog and version: SubscriptionsService.list). */
export interface ExportTask extends TaskView {
  timezone: string;
}

/** Where a page of the export order (phase, section, due date, id) ends. */
export type ExportTaskCursor = readonly [phaseRank: number, section: string, due: string, id: string];

/** The task list's read model plus what the report order and the time zone need. */
interface Row extends TaskCard {
  phase_rank: number;
  sort_due: string;
  timezone: string;
}

const PHASE_ORDER = `array_position(ARRAY['before_subscription', 'setup', 'operations', 'reversibility', 'end_of_service'], a.phase)`;

/**
 * Read-only queries the exports (libs/exports) page through: tasks in report order with their
 * catalog, reviews of a batch of tasks, counts per status. Each call is one unit of work of its own
 * (or joins the caller's), so a long export holds no transaction open between pages.
 */
@Injectable()
export class TaskExportReader {
  constructor(private readonly db: TenantDb) {}

  /** One page in report order: phase (catalog order), section, due date (none last), id. */
  async page(
    ctx: TenantContext,
    f: TaskExportFilter,
    after: ExportTaskCursor | null,
    limit: number,
  ): Promise<{ items: ExportTask[]; next: ExportTaskCursor | null }> {
    const { where, params } = conditions(ctx.tenantId, f);
    if (after) {
      params.push(after[0], after[1], after[2], after[3]);
      const n = params.length;
      where.push(
        `(${PHASE_ORDER}, a.section, coalesce(t.due_date, '${NO_DUE}'::date), t.id) > ($${n - 3}::int, $${n - 2}::text, $${n - 1}::date, $${n}::uuid)`,
      );
    }
    params.push(limit + 1);
    const rows = await this.db.run(ctx, () =>
      this.db.em.query<Row[]>(
        `SELECT ${TASK_COLUMNS}, ${PHASE_ORDER} AS phase_rank, coalesce(t.due_date, '${NO_DUE}'::date)::text AS sort_due, s.timezone
         ${TASK_FROM}
          WHERE ${where.join(' AND ')}
          ORDER BY ${PHASE_ORDER}, a.section, coalesce(t.due_date, '${NO_DUE}'::date), t.id
          LIMIT $${params.length}`,
        params,
      ),
    );
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toExportTask),
      next: rows.length > limit && last ? [last.phase_rank, last.section, last.sort_due, last.id] : null,
    };
  }

  /** Tasks per status for the filter (the report's cover). */
  async countByStatus(ctx: TenantContext, f: TaskExportFilter): Promise<Record<string, number>> {
    const { where, params } = conditions(ctx.tenantId, f);
    const rows = await this.db.run(ctx, () =>
      this.db.em.query<{ status: string; n: number }[]>(
        `SELECT t.status, count(*)::int AS n
         ${TASK_FROM}
          WHERE ${where.join(' AND ')}
          GROUP BY t.status ORDER BY t.status`,
        params,
      ),
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  /** The reviews of some tasks, oldest first per task. */
  async reviews(ctx: TenantContext, taskIds: readonly string[]): Promise<Map<string, ReviewView[]>> {
    const map = new Map<string, ReviewView[]>();
    if (taskIds.length === 0) return map;
    const rows = await this.db.run(ctx, () =>
      this.db.em.query<
        { id: string; task_id: string; reviewer_id: string; decision: 'approve' | 'reject'; comment: string | null; created_at: Date }[]
      >(
        `SELECT id, task_id, reviewer_id, decision, comment, created_at FROM review
          WHERE tenant_id = $1 AND task_id = ANY($2::uuid[]) ORDER BY task_id, created_at, id`,
        [ctx.tenantId, taskIds],
      ),
    );
    for (const r of rows) {
      const list = map.get(r.task_id) ?? [];
      list.push({ id: r.id, reviewerId: r.reviewer_id, decision: r.decision, comment: r.comment, createdAt: iso(r.created_at) });
      map.set(r.task_id, list);
    }
    return map;
  }
}

function conditions(tenantId: string, f: TaskExportFilter): { where: string[]; params: unknown[] } {
  const where = ['t.tenant_id = $1'];
  const params: unknown[] = [tenantId];
  const add = (sql: (n: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (f.subscriptionId) add((n) => `t.subscription_id = ${n}::uuid`, f.subscriptionId);
  if (f.phase) add((n) => `a.phase = ${n}`, f.phase);
  if (f.section) add((n) => `a.section = ${n}`, f.section);
  if (f.status?.length) add((n) => `t.status = ANY(${n}::text[])`, f.status);
  if (f.periodFrom) add((n) => `coalesce(t.period_end, t.period_start) >= ${n}::date`, f.periodFrom);
  if (f.periodTo) add((n) => `t.period_start <= ${n}::date`, f.periodTo);
  if (f.taskIds?.length) add((n) => `t.id = ANY(${n}::uuid[])`, f.taskIds);
  if (f.assigneeId) add((n) => `t.assignee_id = ${n}::uuid`, f.assigneeId);
  return { where, params };
}

function toExportTask(r: Row): ExportTask {
  return { ...toTaskView(r), timezone: r.timezone };
}
