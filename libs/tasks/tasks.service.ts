import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { Phase, RaciMap } from '../catalog';
import {
  decodeCursor,
  DomainError,
  DOMAIN_EVENT_SINK,
  encodeCursor,
  isUuid,
  type DomainEventSink,
  type Role,
  type TenantContext,
} from '../core';
import { inScope } from '../db';
import type { TaskStatus } from './task-evidence';
import {
  AssigneeNotMemberError,
  ConcurrentChangeError,
  EvidenceRequiredError,
  InvalidTransitionError,
  NotOptionalError,
  ReasonRequiredError,
  SelfReviewError,
  TaskNotFoundError,
} from './tasks.errors';
import { iso, isoOrNull, type ReviewView, type TaskEventView, type TaskView } from './tasks.views';

export const OPEN_STATUSES: readonly TaskStatus[] = ['todo', 'in_progress', 'rejected'];

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
  limit: number;
  cursor?: string;
}

export interface TaskChange {
  assigneeId?: string | null;
  dueDate?: string | null;
  status?: 'todo' | 'in_progress' | 'not_applicable';
  reason?: string;
}

export interface TaskRow {
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
}

const TASK_COLUMNS = `
  t.id, t.subscription_id, a.key AS activity_key, a.title, sec.key AS section, a.phase, a.cadence, a.optional, a.raci,
  t.status, t.due_date::text AS due_date, t.period_start::text AS period_start, t.period_end::text AS period_end,
  (t.status IN ('todo', 'in_progress', 'rejected') AND t.due_date < (now() AT TIME ZONE s.timezone)::date) AS overdue,
  t.assignee_id, t.not_applicable_reason, t.evidence_count, t.completed_at, t.completed_by, t.created_at, t.updated_at,
  t.last_evidence_at, t.reviewed_at, a.raw AS activity_raw, a.certain AS activity_certain, a.note AS activity_note`;

const TASK_FROM = `
  FROM task t
  JOIN subscription s ON s.tenant_id = t.tenant_id AND s.id = t.subscription_id
  JOIN activity a ON a.id = t.activity_id
  JOIN catalog_section sec ON sec.id = a.section_id`;

export const toTaskView = (r: TaskRow): TaskView => ({
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
});

// Tasks without a due date sort last.
const NO_DUE = '9999-12-31';

/** The task-list SQL for a filter (shared with the benchmark's raw baseline, so both run the same). */
export function taskListQuery(tenantId: string, f: TaskFilter): { sql: string; params: unknown[] } {
  const where = ['t.tenant_id = $1'];
  const params: unknown[] = [tenantId];
  const add = (sql: (n: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (f.status?.length) add((n) => `t.status = ANY(${n}::text[])`, f.status);
  if (f.phase) add((n) => `a.phase = ${n}`, f.phase);
  if (f.section) add((n) => `sec.key = ${n}`, f.section);
  if (f.subscriptionId) add((n) => `t.subscription_id = ${n}::uuid`, f.subscriptionId);
  if (f.assigneeId === null) where.push('t.assignee_id IS NULL');
  else if (f.assigneeId) add((n) => `t.assignee_id = ${n}::uuid`, f.assigneeId);
  if (f.overdue === true)
    where.push("t.status IN ('todo', 'in_progress', 'rejected') AND t.due_date < (now() AT TIME ZONE s.timezone)::date");
  if (f.overdue === false)
    where.push(
      "NOT (t.status IN ('todo', 'in_progress', 'rejected') AND t.due_date IS NOT NULL AND t.due_date < (now() AT TIME ZONE s.timezone)::date)",
    );
  if (f.dueBefore) add((n) => `t.due_date < ${n}::date`, f.dueBefore);
  if (f.q) add((n) => `to_tsvector('english', a.title) @@ websearch_to_tsquery('english', ${n})`, f.q);
  if (f.cursor) {
    const [due, id] = decodeCursor(f.cursor, ['date', 'uuid']) as [string, string];
    params.push(due, id);
    where.push(`(coalesce(t.due_date, '${NO_DUE}'::date), t.id) > ($${params.length - 1}::date, $${params.length}::uuid)`);
  }
  params.push(f.limit + 1);
  return {
    sql: `SELECT ${TASK_COLUMNS} ${TASK_FROM} WHERE ${where.join(' AND ')} ORDER BY coalesce(t.due_date, '${NO_DUE}'::date), t.id LIMIT $${params.length}`,
    params,
  };
}

/** One page from the rows of taskListQuery (which asks for one row more than the page). */
export function taskPage(rows: TaskRow[], limit: number): { items: TaskView[]; nextCursor: string | null } {
  const items = rows.slice(0, limit).map(toTaskView);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor([last.dueDate ?? NO_DUE, last.id]) : null };
}

@Injectable()
export class TasksService {
  constructor(
    @InjectDataSource() private readonly ds: DataSource,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
  ) {}

  /** Sorted by due date (none last), then id; the cursor is the last row's (due date, id). */
  async list(ctx: TenantContext, f: TaskFilter): Promise<{ items: TaskView[]; nextCursor: string | null }> {
    const query = taskListQuery(ctx.tenantId, f);
    const rows = await inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, (em) =>
      em.query<TaskRow[]>(query.sql, query.params),
    );
    return taskPage(rows, f.limit);
  }

  async get(
    ctx: TenantContext,
    taskId: string,
  ): Promise<
    TaskView & {
      reviews: ReviewView[];
      events: TaskEventView[];
      activity: { key: string; raw: string; certain: boolean; note: string | null };
    }
  > {
    return inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => {
      const task = await this.load(em, ctx, taskId);
      const reviews = await em.query<
        { id: string; reviewer_id: string; decision: 'approve' | 'reject'; comment: string | null; created_at: Date }[]
      >('SELECT id, reviewer_id, decision, comment, created_at FROM review WHERE tenant_id = $1 AND task_id = $2 ORDER BY created_at, id', [
        ctx.tenantId,
        taskId,
      ]);
      const events = await em.query<{ id: string; occurred_on: string; description: string; created_by: string; created_at: Date }[]>(
        'SELECT id, occurred_on::text AS occurred_on, description, created_by, created_at FROM task_event WHERE tenant_id = $1 AND task_id = $2 ORDER BY occurred_on, created_at',
        [ctx.tenantId, taskId],
      );
      return {
        ...toTaskView(task),
        activity: { key: task.activity_key, raw: task.activity_raw, certain: task.activity_certain, note: task.activity_note },
        reviews: reviews.map((r) => ({
          id: r.id,
          reviewerId: r.reviewer_id,
          decision: r.decision,
          comment: r.comment,
          createdAt: iso(r.created_at),
        })),
        events: events.map((e) => ({
          id: e.id,
          occurredOn: e.occurred_on,
          description: e.description,
          createdBy: e.created_by,
          createdAt: iso(e.created_at),
        })),
      };
    });
  }

  async update(ctx: TenantContext, taskId: string, change: TaskChange): Promise<TaskView> {
    return inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => {
      const before = await this.load(em, ctx, taskId, true);
      const set: string[] = [];
      const params: unknown[] = [ctx.tenantId, taskId];
      const put = (column: string, value: unknown): void => {
        params.push(value);
        set.push(`${column} = $${params.length}`);
      };
      if (change.assigneeId !== undefined) {
        if (change.assigneeId !== null) await this.assertAssignable(em, ctx.tenantId, change.assigneeId);
        put('assignee_id', change.assigneeId);
      }
      if (change.dueDate !== undefined) put('due_date', change.dueDate);
      if (change.status !== undefined && change.status !== before.status) {
        this.assertStatusChange(ctx.role, before, change);
        put('status', change.status);
        put('not_applicable_reason', change.status === 'not_applicable' ? (change.reason ?? '').trim() : null);
      }
      if (set.length === 0) return toTaskView(before);
      await em.query(`UPDATE task SET ${set.join(', ')}, updated_at = now() WHERE tenant_id = $1 AND id = $2`, params);
      const after = await this.load(em, ctx, taskId);
      await this.publish(em, ctx, 'task.updated', taskId, { from: pick(before, change), to: pick(after, change) });
      return toTaskView(after);
    });
  }

  /** Marks the task done: needs evidence (new evidence after a rejection). */
  async complete(ctx: TenantContext, taskId: string, comment?: string): Promise<TaskView> {
    return inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => {
      const task = await this.load(em, ctx, taskId, true);
      if (!OPEN_STATUSES.includes(task.status)) {
        throw new InvalidTransitionError(
          task.status,
          'done',
          task.status === 'done' ? 'It is waiting for review.' : 'A closed task cannot be completed again.',
        );
      }
      if (task.evidence_count === 0) throw new EvidenceRequiredError(false);
      if (
        task.status === 'rejected' &&
        (task.last_evidence_at === null || task.reviewed_at === null || task.last_evidence_at <= task.reviewed_at)
      )
        throw new EvidenceRequiredError(true);
      await em.query(
        "UPDATE task SET status = 'done', completed_at = now(), completed_by = $3, updated_at = now() WHERE tenant_id = $1 AND id = $2",
        [ctx.tenantId, taskId, ctx.userId],
      );
      await this.publish(em, ctx, 'task.completed', taskId, {
        from: task.status,
        comment: comment ?? null,
        evidenceCount: task.evidence_count,
      });
      return toTaskView(await this.load(em, ctx, taskId));
    });
  }

  /**
   * An auditor's (or another admin's) decision on a done task. The task row is locked, so of two
   * reviews at once exactly one finds it `done`; the other gets 409 INVALID_TRANSITION.
   */
  async review(
    ctx: TenantContext,
    taskId: string,
    decision: 'approve' | 'reject',
    comment?: string,
  ): Promise<TaskView & { review: ReviewView }> {
    const text = comment?.trim() ? comment.trim() : null;
    if (decision === 'reject' && !text) throw new ReasonRequiredError('Rejecting a task');
    return inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => {
      const task = await this.load(em, ctx, taskId, true);
      if (task.status !== 'done')
        throw new InvalidTransitionError(
          task.status,
          decision === 'approve' ? 'approved' : 'rejected',
          'Only a done task (completed, waiting for review) can be reviewed.',
        );
      if (ctx.role === 'admin' && task.completed_by === ctx.userId) throw new SelfReviewError();
      const status = decision === 'approve' ? 'approved' : 'rejected';
      const [review] = await em.query<{ id: string; created_at: Date }[]>(
        'INSERT INTO review (tenant_id, task_id, reviewer_id, decision, comment) VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at',
        [ctx.tenantId, taskId, ctx.userId, decision, text],
      );
      if (!review) throw new ConcurrentChangeError();
      await em.query('UPDATE task SET status = $3, reviewed_at = clock_timestamp(), updated_at = now() WHERE tenant_id = $1 AND id = $2', [
        ctx.tenantId,
        taskId,
        status,
      ]);
      await this.publish(em, ctx, `task.${status}`, taskId, { reviewId: review.id, decision, comment: text });
      return {
        ...toTaskView(await this.load(em, ctx, taskId)),
        review: { id: review.id, reviewerId: ctx.userId, decision, comment: text, createdAt: iso(review.created_at) },
      };
    });
  }

  /** Logs one occurrence of an event-driven duty (an incident notified, ...). */
  async logEvent(ctx: TenantContext, taskId: string, occurredOn: string, description: string): Promise<TaskEventView> {
    return inScope(this.ds, { tenantId: ctx.tenantId, userId: ctx.userId }, async (em) => {
      const task = await this.load(em, ctx, taskId, true);
      if (task.cadence !== 'on_event')
        throw new DomainError(
          'NOT_EVENT_DRIVEN',
          'Only an event-driven duty (cadence on_event) logs occurrences; complete this task instead.',
          409,
        );
      const [row] = await em.query<{ id: string; created_at: Date }[]>(
        'INSERT INTO task_event (tenant_id, task_id, occurred_on, description, created_by) VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at',
        [ctx.tenantId, taskId, occurredOn, description.trim(), ctx.userId],
      );
      if (!row) throw new ConcurrentChangeError();
      await this.publish(em, ctx, 'task.event_logged', taskId, { eventId: row.id, occurredOn });
      return { id: row.id, occurredOn, description: description.trim(), createdBy: ctx.userId, createdAt: iso(row.created_at) };
    });
  }

  private assertStatusChange(role: Role, before: TaskRow, change: TaskChange): void {
    const to = change.status;
    if (to === 'not_applicable') {
      if (role !== 'admin')
        throw new DomainError('FORBIDDEN', 'Only an admin can mark a duty not applicable.', 403, { role, allowed: ['admin'] });
      if (!before.optional) throw new NotOptionalError();
      if (!change.reason?.trim()) throw new ReasonRequiredError('Marking a duty not applicable');
      if (!OPEN_STATUSES.includes(before.status))
        throw new InvalidTransitionError(before.status, to, 'Only an open task can be marked not applicable.');
      return;
    }
    if (before.status === 'not_applicable') {
      if (role !== 'admin')
        throw new DomainError('FORBIDDEN', 'Only an admin can bring back a duty marked not applicable.', 403, { role, allowed: ['admin'] });
      if (to === 'todo') return;
    }
    if (
      (before.status === 'todo' && to === 'in_progress') ||
      (before.status === 'in_progress' && to === 'todo') ||
      (before.status === 'rejected' && to === 'in_progress')
    )
      return;
    throw new InvalidTransitionError(
      before.status,
      to ?? before.status,
      'Use POST .../complete to finish a task and POST .../reviews to review one.',
    );
  }

  private async assertAssignable(em: EntityManager, tenantId: string, userId: string): Promise<void> {
    if (!isUuid(userId)) throw new AssigneeNotMemberError();
    const rows = await em.query<unknown[]>(
      "SELECT 1 FROM membership WHERE tenant_id = $1 AND user_id = $2 AND role IN ('admin', 'member') AND (expires_at IS NULL OR expires_at > now())",
      [tenantId, userId],
    );
    if (rows.length === 0) throw new AssigneeNotMemberError();
  }

  private async load(em: EntityManager, ctx: TenantContext, taskId: string, lock = false): Promise<TaskRow> {
    if (!isUuid(taskId)) throw new TaskNotFoundError();
    const [row] = await em.query<TaskRow[]>(
      `SELECT ${TASK_COLUMNS} ${TASK_FROM} WHERE t.tenant_id = $1 AND t.id = $2${lock ? ' FOR UPDATE OF t' : ''}`,
      [ctx.tenantId, taskId],
    );
    if (!row) throw new TaskNotFoundError();
    return row;
  }

  private async publish(
    em: EntityManager,
    ctx: TenantContext,
    action: string,
    taskId: string,
    data: Record<string, unknown>,
  ): Promise<void> {
    await this.events.publish(em, {
      action,
      tenantId: ctx.tenantId,
      actorId: ctx.userId,
      entity: { type: 'task', id: taskId },
      data,
      requestId: ctx.requestId,
    });
  }
}

function pick(row: TaskRow, change: TaskChange): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (change.assigneeId !== undefined) out.assigneeId = row.assignee_id;
  if (change.dueDate !== undefined) out.dueDate = row.due_date;
  if (change.status !== undefined) {
    out.status = row.status;
    out.reason = row.not_applicable_reason;
  }
  return out;
}
