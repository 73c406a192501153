import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Phase, RaciMap } from '../catalog';
import { CORE_ERRORS, ValidationError, decodeCursor, encodeCursor } from '../core';
import { TenantDb, keysetClause, keysetPage, preparedQuery, updateReturning, type Keyset } from '../db';
import { summaryQuery, toSummaryView, type SummaryRow } from './task-summary';
import { openStatusSql, type TaskStatus } from './task-status';
import { ReviewEntity, TaskEntity, TaskEventEntity, type CatalogChange, type ReviewDecision } from './task.entity';
import {
  iso,
  isoOrNull,
  type ReviewQueueItemView,
  type ReviewView,
  type TaskEventView,
  type TaskSummaryView,
  type TaskView,
} from './tasks.views';

export interface TaskFilter {
  status?: TaskStatus[];
  phase?: Phase;
  section?: string;
  /** `null`: unassigned tasks. */
  assigneeId?: string | null;
  overdue?: boolean;
  dueBefore?: string;
  q?: string;
  subscriptionId?: string;
  /** Tasks of subscriptions to these catalogs (the `catalogKey` and `provider` filters, resolved by the service). */
  catalogIds?: string[];
  limit: number;
  cursor?: string;
}

/**
 * The read model of the task list and detail: a task with its duty (from the catalog's
 * `activity_card` view) and whether it is overdue in its subscription's time zone. One declared
 * row type for the one hand-written query, mapped once by toTaskView.
 */
export interface TaskCard {
  id: string;
  subscription_id: string;
  activity_key: string;
  title: string;
  section: string;
  phase: Phase;
  cadence: string | null;
  optional: boolean;
  raci: RaciMap;
  status: TaskStatus;
  due_date: string | null;
  period_start: string;
  period_end: string | null;
  overdue: boolean;
  assignee_id: string | null;
  not_applicable_reason: string | null;
  evidence_count: number;
  completed_at: Date | null;
  completed_by: string | null;
  created_at: Date;
  updated_at: Date;
  last_evidence_at: Date | null;
  reviewed_at: Date | null;
  activity_raw: string;
  activity_certain: boolean;
  activity_note: string | null;
  catalog_change: CatalogChange | null;
}

/** Overdue: open, and due before today in the subscription's time zone (the one definition). */
export const OVERDUE = `(${openStatusSql('t.status')} AND t.due_date < (now() AT TIME ZONE s.timezone)::date)`;

export const TASK_COLUMNS = `
  t.id, t.subscription_id, a.key AS activity_key, a.title, a.section, a.phase, a.cadence, a.optional, a.raci,
  t.status, t.due_date::text AS due_date, t.period_start::text AS period_start, t.period_end::text AS period_end,
  ${OVERDUE} AS overdue,
  t.assignee_id, t.not_applicable_reason, t.evidence_count, t.completed_at, t.completed_by, t.created_at, t.updated_at,
  t.last_evidence_at, t.reviewed_at, a.raw AS activity_raw, a.certain AS activity_certain, a.note AS activity_note, t.catalog_change`;

export const TASK_FROM = `
  FROM task t
  JOIN subscription s ON s.tenant_id = t.tenant_id AND s.id = t.subscription_id
  JOIN activity_card a ON a.id = t.activity_id`;

export const toTaskView = (r: TaskCard): TaskView => ({
  id: r.id,
  subscriptionId: r.subscription_id,
  activityKey: r.activity_key,
  title: r.title,
  section: r.section,
  phase: r.phase,
  cadence: r.cadence,
  optional: r.optional,
  raci: r.raci,
  status: r.status,
  dueDate: r.due_date,
  periodStart: r.period_start,
  periodEnd: r.period_end,
  overdue: r.overdue,
  assigneeId: r.assignee_id,
  notApplicableReason: r.not_applicable_reason,
  evidenceCount: r.evidence_count,
  completedAt: isoOrNull(r.completed_at),
  completedBy: r.completed_by,
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
  catalogChange: r.catalog_change,
});

// Tasks without a due date sort last.
export const NO_DUE = '9999-12-31';

/** The task list's order: due date (none last), then id; the cursor is the last row's (due date, id). */
const TASK_KEYSET: Keyset<TaskCard> = {
  columns: [`coalesce(t.due_date, '${NO_DUE}'::date)`, 't.id'],
  parts: ['date', 'uuid'],
  casts: ['date', 'uuid'],
  keyOf: (r) => [r.due_date ?? NO_DUE, r.id],
};

/** The task-list SQL for a filter (the benchmark's raw baseline runs the same statement). */
export function taskListQuery(tenantId: string, f: TaskFilter): { sql: string; params: unknown[] } {
  const where = ['t.tenant_id = $1'];
  const params: unknown[] = [tenantId];
  const add = (sql: (n: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (f.status?.length) add((n) => `t.status = ANY(${n}::text[])`, f.status);
  if (f.phase) add((n) => `a.phase = ${n}`, f.phase);
  if (f.section) add((n) => `a.section = ${n}`, f.section);
  if (f.subscriptionId) add((n) => `t.subscription_id = ${n}::uuid`, f.subscriptionId);
  if (f.catalogIds) add((n) => `s.catalog_id = ANY(${n}::uuid[])`, f.catalogIds);
  if (f.assigneeId === null) where.push('t.assignee_id IS NULL');
  else if (f.assigneeId) add((n) => `t.assignee_id = ${n}::uuid`, f.assigneeId);
  if (f.overdue === true) where.push(OVERDUE);
  if (f.overdue === false) where.push(`NOT (${OVERDUE} AND t.due_date IS NOT NULL)`);
  if (f.dueBefore) add((n) => `t.due_date < ${n}::date`, f.dueBefore);
  if (f.q) add((n) => `to_tsvector('english', a.title) @@ websearch_to_tsquery('english', ${n})`, f.q);
  const page = keysetClause(TASK_KEYSET, f.cursor, f.limit, params);
  if (page.where) where.push(page.where);
  params.push(page.limit);
  return {
    sql: `SELECT ${TASK_COLUMNS} ${TASK_FROM} WHERE ${where.join(' AND ')} ORDER BY ${page.orderBy} LIMIT $${params.length}`,
    params,
  };
}

/** One page from the rows of taskListQuery (which asks for one row more than the page). */
export function taskPage(rows: readonly TaskCard[], limit: number): { items: TaskView[]; nextCursor: string | null } {
  return keysetPage(TASK_KEYSET, rows, limit, toTaskView);
}

/** One row of the definer function tasks_review_queue, with its keyset (waiting since, in microseconds since the epoch). */
interface ReviewQueueRow {
  tenant_id: string;
  tenant_name: string;
  task_id: string;
  activity_key: string;
  title: string;
  section: string;
  phase: Phase;
  due_date: string | null;
  waiting_since: Date;
  waiting_us: string;
  completed_by: string | null;
  evidence_count: number;
}

const badCursor = (): ValidationError =>
  new ValidationError(
    'The cursor is not one this API gave out: pass nextCursor from the previous page, unchanged.',
    undefined,
    CORE_ERRORS.INVALID_CURSOR,
  );

/** The review queue's cursor: the last item's (waiting since in microseconds, task id). */
function queueAfter(cursor: string | undefined): [number, string] | null {
  if (cursor === undefined) return null;
  const [us, id] = decodeCursor(cursor, ['number', 'uuid']);
  // Microseconds since the epoch, as the query gave them: a safe integer within Postgres' range.
  if (typeof us !== 'number' || !Number.isSafeInteger(us) || us < 0 || typeof id !== 'string') throw badCursor();
  return [us, id];
}

/** A new task (one occurrence of a duty). */
export interface NewTask {
  readonly activityId: string;
  readonly periodStart: string;
  readonly periodEnd: string | null;
  readonly dueDate: string | null;
}

/** The task aggregate's SQL: tasks, their reviews and logged events. Works in the caller's unit of work. */
@Injectable()
export class TaskRepository {
  constructor(private readonly db: TenantDb) {}

  private get em(): EntityManager {
    return this.db.em;
  }

  async list(tenantId: string, f: TaskFilter): Promise<TaskCard[]> {
    const q = taskListQuery(tenantId, f);
    return this.em.query<TaskCard[]>(q.sql, q.params);
  }

  /** The dashboard's summary of the tenant: one statement (summaryQuery, shared with the benchmark's baseline). */
  async summary(tenantId: string, timeZone: string): Promise<TaskSummaryView> {
    const [row] = await preparedQuery<SummaryRow>(this.em, summaryQuery(tenantId, timeZone));
    if (!row) throw new Error('summary: the query returned no row');
    return toSummaryView(row);
  }

  /**
   * The tasks waiting for the scope's user's review across tenants (tasks_review_queue, a definer
   * function keyed by app_user_id()). Oldest waiting first; one row more than the page.
   */
  async reviewQueue(page: { limit: number; cursor?: string }): Promise<{ items: ReviewQueueItemView[]; nextCursor: string | null }> {
    const after = queueAfter(page.cursor);
    const rows = await this.em.query<ReviewQueueRow[]>(
      `SELECT q.tenant_id, q.tenant_name, q.task_id, q.activity_key, q.title, q.section, q.phase, q.due_date::text AS due_date,
              q.waiting_since, (extract(epoch FROM q.waiting_since) * 1000000)::bigint::text AS waiting_us, q.completed_by, q.evidence_count
         FROM tasks_review_queue(CASE WHEN $1::bigint IS NULL THEN NULL ELSE 'epoch'::timestamptz + $1::bigint * interval '1 microsecond' END,
                                 $2::uuid, $3) q`,
      [after?.[0] ?? null, after?.[1] ?? null, page.limit + 1],
    );
    const items = rows.slice(0, page.limit);
    const last = items[items.length - 1];
    return {
      items: items.map((r) => ({
        tenantId: r.tenant_id,
        tenantName: r.tenant_name,
        taskId: r.task_id,
        activityKey: r.activity_key,
        title: r.title,
        section: r.section,
        phase: r.phase,
        dueDate: r.due_date,
        completedAt: iso(r.waiting_since),
        completedBy: r.completed_by,
        evidenceCount: r.evidence_count,
      })),
      nextCursor: rows.length > page.limit && last ? encodeCursor([Number(last.waiting_us), last.task_id]) : null,
    };
  }

  /** A task with its duty; `lock` takes the task row for update (the status machine's writes). */
  async card(tenantId: string, taskId: string, lock = false): Promise<TaskCard | null> {
    const [row] = await this.em.query<TaskCard[]>(
      `SELECT ${TASK_COLUMNS} ${TASK_FROM} WHERE t.tenant_id = $1 AND t.id = $2${lock ? ' FOR UPDATE OF t' : ''}`,
      [tenantId, taskId],
    );
    return row ?? null;
  }

  /** The task row alone, locked for update (evidence hooks). */
  async lock(tenantId: string, taskId: string): Promise<TaskEntity | null> {
    return this.em
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .setLock('pessimistic_write')
      .where('t.tenant_id = :tenantId AND t.id = :taskId', { tenantId, taskId })
      .getOne();
  }

  async exists(tenantId: string, taskId: string): Promise<boolean> {
    return this.em.getRepository(TaskEntity).exists({ where: { tenantId, id: taskId } });
  }

  /** Changes columns of one task (updated_at follows). Values may be SQL expressions (`() => 'now()'`). */
  async update(tenantId: string, taskId: string, set: { [K in keyof TaskEntity]?: TaskEntity[K] | (() => string) }): Promise<void> {
    await this.em
      .createQueryBuilder()
      .update(TaskEntity)
      .set({ ...set, updatedAt: () => 'now()' })
      .where('tenant_id = :tenantId AND id = :taskId', { tenantId, taskId })
      .execute();
  }

  /** Counts one more evidence on the task, stamped now; `status` when it changes (add_evidence). */
  async noteEvidence(tenantId: string, taskId: string, status: TaskStatus): Promise<void> {
    await this.update(tenantId, taskId, {
      evidenceCount: () => 'evidence_count + 1',
      lastEvidenceAt: () => 'clock_timestamp()',
      status,
    });
  }

  /**
   * The one bulk insert of tasks (a subscription's first tasks, the periods the roll-over opens).
   * Existing occurrences are left alone (the unique key is the occurrence). Returns the new ids.
   */
  async insertMany(tenantId: string, subscriptionId: string, tasks: readonly NewTask[]): Promise<string[]> {
    return (await this.insertRows(tenantId, subscriptionId, tasks)).map((r) => r.id);
  }

  /** insertMany, answering the new task id by activity id (for one occurrence per activity in `tasks`). */
  async insertManyReturning(tenantId: string, subscriptionId: string, tasks: readonly NewTask[]): Promise<Map<string, string>> {
    return new Map((await this.insertRows(tenantId, subscriptionId, tasks)).map((r) => [r.activity_id, r.id]));
  }

  private async insertRows(
    tenantId: string,
    subscriptionId: string,
    tasks: readonly NewTask[],
  ): Promise<{ id: string; activity_id: string }[]> {
    if (tasks.length === 0) return [];
    const rows = await this.em.query<{ id: string; activity_id: string }[]>(
      `INSERT INTO task (tenant_id, subscription_id, activity_id, period_start, period_end, due_date)
       SELECT $1, $2, x.activity_id, x.period_start, x.period_end, x.due_date
         FROM unnest($3::uuid[], $4::date[], $5::date[], $6::date[]) AS x(activity_id, period_start, period_end, due_date)
       ON CONFLICT (tenant_id, subscription_id, activity_id, period_start) DO NOTHING
       RETURNING id, activity_id`,
      [
        tenantId,
        subscriptionId,
        tasks.map((t) => t.activityId),
        tasks.map((t) => t.periodStart),
        tasks.map((t) => t.periodEnd),
        tasks.map((t) => t.dueDate),
      ],
    );
    return rows;
  }

  /** Every task of a subscription (locked for update when applying): what a catalog upgrade works on. */
  async forUpgrade(tenantId: string, subscriptionId: string, lock: boolean): Promise<Pick<TaskEntity, 'id' | 'activityId' | 'status'>[]> {
    return this.em.query<Pick<TaskEntity, 'id' | 'activityId' | 'status'>[]>(
      `SELECT id, activity_id AS "activityId", status FROM task WHERE tenant_id = $1 AND subscription_id = $2 ORDER BY id${lock ? ' FOR UPDATE' : ''}`,
      [tenantId, subscriptionId],
    );
  }

  /**
   * A deleted tenant's subscriptions, tasks, reviews, events and schedule, through the owner-run
   * function (the app role may not DELETE them). Evidence must be gone first. Answers tasks removed.
   */
  async purgeTenant(tenantId: string): Promise<number> {
    const [row] = await this.em.query<{ removed: number }[]>('SELECT tasks_purge_tenant($1) AS removed', [tenantId]);
    return row?.removed ?? 0;
  }

  /** Sets one status on many tasks (a system transition the caller checked for each). */
  async setStatus(tenantId: string, taskIds: readonly string[], status: TaskStatus): Promise<void> {
    if (taskIds.length === 0) return;
    await this.em.query('UPDATE task SET status = $3, updated_at = now() WHERE tenant_id = $1 AND id = ANY($2::uuid[])', [
      tenantId,
      taskIds,
      status,
    ]);
  }

  /**
   * Withdraws a subscription's tasks of the given activities, those in one of `fromStatuses` (the
   * statuses the status machine lets the system withdraw): one statement, the rows it locks and
   * changes answered, so a catalog upgrade needs no read of the tasks first.
   */
  async withdrawActivities(
    tenantId: string,
    subscriptionId: string,
    activityIds: readonly string[],
    fromStatuses: readonly TaskStatus[],
  ): Promise<{ id: string; activityId: string }[]> {
    if (activityIds.length === 0 || fromStatuses.length === 0) return [];
    return updateReturning<{ id: string; activityId: string }>(
      this.em,
      `UPDATE task SET status = 'withdrawn', updated_at = now()
        WHERE tenant_id = $1 AND subscription_id = $2 AND activity_id = ANY($3::uuid[]) AND status = ANY($4::text[])
        RETURNING id, activity_id AS "activityId"`,
      [tenantId, subscriptionId, activityIds, fromStatuses],
    );
  }

  /**
   * Moves a subscription's tasks from activities of one catalog version to their counterparts in
   * another (`moves`: from activity id -> to activity id), setting `catalog_change` where given.
   * One statement for the whole subscription; answers the tasks moved, by the activity they left.
   */
  async moveToActivities(
    tenantId: string,
    subscriptionId: string,
    moves: readonly { from: string; to: string; change: CatalogChange | null }[],
  ): Promise<{ id: string; fromActivityId: string }[]> {
    if (moves.length === 0) return [];
    return updateReturning<{ id: string; fromActivityId: string }>(
      this.em,
      `UPDATE task t SET activity_id = m.to_id, catalog_change = coalesce(m.change, t.catalog_change), updated_at = now()
         FROM unnest($3::uuid[], $4::uuid[], $5::jsonb[]) AS m(from_id, to_id, change)
        WHERE t.tenant_id = $1 AND t.subscription_id = $2 AND t.activity_id = m.from_id
        RETURNING t.id, m.from_id AS "fromActivityId"`,
      [
        tenantId,
        subscriptionId,
        moves.map((m) => m.from),
        moves.map((m) => m.to),
        moves.map((m) => (m.change ? JSON.stringify(m.change) : null)),
      ],
    );
  }

  /** A subscription's tasks still waiting for their phase (no due date), except those not applicable. */
  async waitingForPhase(tenantId: string, subscriptionId: string): Promise<Pick<TaskEntity, 'id' | 'activityId'>[]> {
    return this.em
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .select(['t.id', 't.activityId'])
      .where("t.tenant_id = :tenantId AND t.subscription_id = :subscriptionId AND t.due_date IS NULL AND t.status <> 'not_applicable'", {
        tenantId,
        subscriptionId,
      })
      .getMany();
  }

  async reviews(tenantId: string, taskId: string): Promise<ReviewView[]> {
    const rows = await this.em.getRepository(ReviewEntity).find({ where: { tenantId, taskId }, order: { createdAt: 'ASC', id: 'ASC' } });
    return rows.map((r) => ({ id: r.id, reviewerId: r.reviewerId, decision: r.decision, comment: r.comment, createdAt: iso(r.createdAt) }));
  }

  async addReview(
    tenantId: string,
    taskId: string,
    reviewerId: string,
    decision: ReviewDecision,
    comment: string | null,
  ): Promise<ReviewView> {
    const [row] = await this.em.query<{ id: string; created_at: Date }[]>(
      'INSERT INTO review (tenant_id, task_id, reviewer_id, decision, comment) VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at',
      [tenantId, taskId, reviewerId, decision, comment],
    );
    if (!row) throw new Error('review: INSERT returned no row');
    return { id: row.id, reviewerId, decision, comment, createdAt: iso(row.created_at) };
  }

  async events(tenantId: string, taskId: string): Promise<TaskEventView[]> {
    const rows = await this.em
      .getRepository(TaskEventEntity)
      .find({ where: { tenantId, taskId }, order: { occurredOn: 'ASC', createdAt: 'ASC' } });
    return rows.map((e) => ({
      id: e.id,
      occurredOn: e.occurredOn,
      description: e.description,
      createdBy: e.createdBy,
      createdAt: iso(e.createdAt),
    }));
  }

  async addEvent(tenantId: string, taskId: string, occurredOn: string, description: string, createdBy: string): Promise<TaskEventView> {
    const [row] = await this.em.query<{ id: string; created_at: Date }[]>(
      'INSERT INTO task_event (tenant_id, task_id, occurred_on, description, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at',
      [tenantId, taskId, occurredOn, description, createdBy],
    );
    if (!row) throw new Error('task_event: INSERT returned no row');
    return { id: row.id, occurredOn, description, createdBy, createdAt: iso(row.created_at) };
  }
}
