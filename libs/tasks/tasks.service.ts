import { Inject, Injectable } from '@nestjs/common';
import { catalogIdsMatching } from '../catalog';
import {
  DOMAIN_EVENT_SINK,
  ForbiddenRoleError,
  isUuid,
  type DomainEventSink,
  type Role,
  type TenantContext,
  type UserContext,
} from '../core';
import { TenantDb } from '../db';
import { MEMBER_ROLES, type MemberRoles } from './member-roles';
import { TENANT_TIME_ZONES, type TenantTimeZones } from './tenant-time-zones';
import {
  canTransition,
  patchAction,
  type Actor,
  type PatchableStatus,
  type TaskAction,
  type TaskStatus,
  type TransitionFacts,
} from './task-status';
import { taskPage, toTaskView, TaskRepository, type TaskCard, type TaskFilter } from './task.repository';
import {
  AssigneeNotMemberError,
  EvidenceRequiredError,
  InvalidTransitionError,
  NotEventDrivenError,
  NotOptionalError,
  ReasonRequiredError,
  SelfReviewError,
  TaskNotFoundError,
} from './tasks.errors';
import type { ReviewQueueItemView, ReviewView, TaskEventView, TaskSummaryView, TaskView } from './tasks.views';

/** The task list's filters as clients give them. */
export type TaskListFilter = Omit<TaskFilter, 'catalogIds'> & { catalogKey?: string; provider?: string };

export interface TaskChange {
  assigneeId?: string | null;
  dueDate?: string | null;
  status?: PatchableStatus;
  reason?: string;
}

/** A task with its duty's reading, its reviews and its logged events (the detail view). */
export type TaskDetail = TaskView & {
  reviews: ReviewView[];
  events: TaskEventView[];
  activity: { key: string; raw: string; certain: boolean; note: string | null };
};

/** The roles that carry out duties (an assignee must hold one). */
const ASSIGNABLE: readonly Role[] = ['admin', 'member'];

/** The hint an INVALID_TRANSITION carries, per action. */
const HINTS: Partial<Record<TaskAction, (from: TaskStatus) => string>> = {
  complete: (from) => (from === 'done' ? 'It is waiting for review.' : 'A closed task cannot be completed again.'),
  approve: () => 'Only a done task (completed, waiting for review) can be reviewed.',
  reject: () => 'Only a done task (completed, waiting for review) can be reviewed.',
  mark_not_applicable: () => 'Only an open task can be marked not applicable.',
};
const DEFAULT_HINT = 'Use POST .../complete to finish a task and POST .../reviews to review one.';

/** What each action is called in a 403's message. */
const WHAT: Record<TaskAction, string> = {
  start: 'start a task',
  stop: 'stop a task',
  complete: 'complete a task',
  approve: 'review a task',
  reject: 'review a task',
  mark_not_applicable: 'mark a duty not applicable',
  reinstate: 'bring back a duty marked not applicable',
  add_evidence: 'add evidence',
  withdraw: 'withdraw a task',
};

/**
 * Asks the status machine, and turns a refusal into the error clients know. Returns the status
 * the task moves to.
 */
export function transition(task: TaskCard, action: TaskAction, actor: Actor, facts: TransitionFacts, wanted?: TaskStatus): TaskStatus {
  const check = canTransition(task.status, action, actor, facts);
  if (check.ok) {
    if (wanted !== undefined && check.to !== wanted) throw new InvalidTransitionError(task.status, wanted, DEFAULT_HINT);
    return check.to;
  }
  switch (check.refusal) {
    case 'forbidden':
      throw new ForbiddenRoleError(
        actor === 'system' ? 'viewer' : actor,
        check.allowed.filter((r): r is Role => r !== 'system'),
        WHAT[action],
      );
    case 'invalid': {
      const to = wanted ?? targetOf(action);
      throw new InvalidTransitionError(task.status, to, (HINTS[action] ?? (() => DEFAULT_HINT))(task.status));
    }
    case 'precondition':
      switch (check.failed) {
        case 'evidence':
          throw new EvidenceRequiredError(false);
        case 'new_evidence_since_rejection':
          throw new EvidenceRequiredError(true);
        case 'not_self_review':
          throw new SelfReviewError();
        case 'comment':
          throw new ReasonRequiredError('Rejecting a task');
        case 'optional_duty':
          throw new NotOptionalError();
        case 'reason':
          throw new ReasonRequiredError('Marking a duty not applicable');
      }
  }
}

/** The status an action leads to from anywhere (for the message of a refused one). */
function targetOf(action: TaskAction): string {
  const to: Record<TaskAction, string> = {
    start: 'in_progress',
    stop: 'todo',
    complete: 'done',
    approve: 'approved',
    reject: 'rejected',
    mark_not_applicable: 'not_applicable',
    reinstate: 'todo',
    add_evidence: 'in_progress',
    withdraw: 'withdrawn',
  };
  return to[action];
}

@Injectable()
export class TasksService {
  constructor(
    private readonly db: TenantDb,
    private readonly tasks: TaskRepository,
    @Inject(DOMAIN_EVENT_SINK) private readonly events: DomainEventSink,
    @Inject(MEMBER_ROLES) private readonly members: MemberRoles,
    @Inject(TENANT_TIME_ZONES) private readonly zones: TenantTimeZones,
  ) {}

  /** Sorted by due date (none last), then id; the cursor is the last row's (due date, id). */
  /**
   * A page of the task list. `catalogKey` and `provider` (a tenant may subscribe to several
   * catalogs, from several providers) are resolved to catalog ids through libs/catalog first.
   */
  async list(ctx: TenantContext, f: TaskListFilter): Promise<{ items: TaskView[]; nextCursor: string | null }> {
    return this.db.run(ctx, async () => {
      const { catalogKey, provider, ...rest } = f;
      const filter: TaskFilter = rest;
      if (catalogKey !== undefined || provider !== undefined)
        filter.catalogIds = await catalogIdsMatching(this.db.em, {
          ...(catalogKey !== undefined ? { key: catalogKey } : {}),
          ...(provider !== undefined ? { provider } : {}),
        });
      return taskPage(await this.tasks.list(ctx.tenantId, filter), f.limit);
    });
  }

  /** The detail. Called inside the caller's unit of work when there is one (the API's detail read joins it). */
  /**
   * The dashboard's summary of the tenant (all roles): one statement in the tenant's unit of work,
   * its weekly trend in the tenant's time zone (read first, in the same unit of work).
   */
  async summary(ctx: TenantContext): Promise<TaskSummaryView> {
    return this.db.run(ctx, async () => this.tasks.summary(ctx.tenantId, await this.zones.zoneOf(ctx)));
  }

  /**
   * The tasks waiting for the user's review in every tenant where the user is an active auditor or
   * admin. The unit of work is scoped to the user alone (no tenant): the definer function behind
   * it reads the user from that scope.
   */
  async reviewQueue(
    user: UserContext,
    page: { limit: number; cursor?: string },
  ): Promise<{ items: ReviewQueueItemView[]; nextCursor: string | null }> {
    return this.db.run({ tenantId: null, userId: user.userId }, () => this.tasks.reviewQueue(page));
  }

  async get(ctx: TenantContext, taskId: string): Promise<TaskDetail> {
    return this.db.run(ctx, async () => {
      const task = await this.load(ctx, taskId);
      const reviews = await this.tasks.reviews(ctx.tenantId, taskId);
      const events = await this.tasks.events(ctx.tenantId, taskId);
      return {
        ...toTaskView(task),
        activity: { key: task.activity_key, raw: task.activity_raw, certain: task.activity_certain, note: task.activity_note },
        reviews,
        events,
      };
    });
  }

  async update(ctx: TenantContext, taskId: string, change: TaskChange): Promise<TaskView> {
    // Checked before the unit of work: the membership is read through libs/tenancy on its own
    // connection, which a request must not wait for while holding a transaction.
    if (change.assigneeId !== undefined && change.assigneeId !== null) await this.assertAssignable(ctx.tenantId, change.assigneeId);
    return this.db.run(ctx, async () => {
      const before = await this.load(ctx, taskId, true);
      const set: Parameters<TaskRepository['update']>[2] = {};
      if (change.assigneeId !== undefined) set.assigneeId = change.assigneeId;
      if (change.dueDate !== undefined) set.dueDate = change.dueDate;
      if (change.status !== undefined && change.status !== before.status) {
        const action = patchAction(before.status, change.status);
        set.status = transition(before, action, ctx.role, { optional: before.optional, reason: change.reason ?? null }, change.status);
        set.notApplicableReason = set.status === 'not_applicable' ? (change.reason ?? '').trim() : null;
      }
      if (Object.keys(set).length === 0) return toTaskView(before);
      await this.tasks.update(ctx.tenantId, taskId, set);
      const after = await this.load(ctx, taskId);
      await this.publish(ctx, 'task.updated', taskId, { from: pick(before, change), to: pick(after, change) });
      return toTaskView(after);
    });
  }

  /** Marks the task done: needs evidence (new evidence after a rejection). */
  async complete(ctx: TenantContext, taskId: string, comment?: string): Promise<TaskView> {
    return this.db.run(ctx, async () => {
      const task = await this.load(ctx, taskId, true);
      const status = transition(task, 'complete', ctx.role, {
        evidenceCount: task.evidence_count,
        evidenceSinceReview: task.last_evidence_at !== null && task.reviewed_at !== null && task.last_evidence_at > task.reviewed_at,
      });
      await this.tasks.update(ctx.tenantId, taskId, { status, completedAt: () => 'now()', completedBy: ctx.userId });
      await this.publish(ctx, 'task.completed', taskId, {
        from: task.status,
        comment: comment ?? null,
        evidenceCount: task.evidence_count,
      });
      return toTaskView(await this.load(ctx, taskId));
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
    // A missing comment is bad input whatever the task's state: answered before reading it.
    if (decision === 'reject' && !text) throw new ReasonRequiredError('Rejecting a task');
    return this.db.run(ctx, async () => {
      const task = await this.load(ctx, taskId, true);
      const status = transition(task, decision, ctx.role, { completedBySelf: task.completed_by === ctx.userId, comment: text });
      const review = await this.tasks.addReview(ctx.tenantId, taskId, ctx.userId, decision, text);
      await this.tasks.update(ctx.tenantId, taskId, { status, reviewedAt: () => 'clock_timestamp()' });
      await this.publish(ctx, `task.${status}`, taskId, { reviewId: review.id, decision, comment: text });
      return { ...toTaskView(await this.load(ctx, taskId)), review };
    });
  }

  /** Logs one occurrence of an event-driven duty (an incident notified, ...). */
  async logEvent(ctx: TenantContext, taskId: string, occurredOn: string, description: string): Promise<TaskEventView> {
    return this.db.run(ctx, async () => {
      const task = await this.load(ctx, taskId, true);
      if (task.cadence !== 'on_event') throw new NotEventDrivenError();
      const event = await this.tasks.addEvent(ctx.tenantId, taskId, occurredOn, description.trim(), ctx.userId);
      await this.publish(ctx, 'task.event_logged', taskId, { eventId: event.id, occurredOn });
      return event;
    });
  }

  private async assertAssignable(tenantId: string, userId: string): Promise<void> {
    if (!isUuid(userId)) throw new AssigneeNotMemberError();
    const role = await this.members.activeRole(tenantId, userId);
    if (role === null || !ASSIGNABLE.includes(role)) throw new AssigneeNotMemberError();
  }

  private async load(ctx: TenantContext, taskId: string, lock = false): Promise<TaskCard> {
    if (!isUuid(taskId)) throw new TaskNotFoundError();
    const row = await this.tasks.card(ctx.tenantId, taskId, lock);
    if (!row) throw new TaskNotFoundError();
    return row;
  }

  private async publish(ctx: TenantContext, action: string, taskId: string, data: Record<string, unknown>): Promise<void> {
    await this.events.publish(this.db.em, {
      action,
      tenantId: ctx.tenantId,
      actorId: ctx.userId,
      entity: { type: 'task', id: taskId },
      data,
      requestId: ctx.requestId,
    });
  }
}

function pick(row: TaskCard, change: TaskChange): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (change.assigneeId !== undefined) out.assigneeId = row.assignee_id;
  if (change.dueDate !== undefined) out.dueDate = row.due_date;
  if (change.status !== undefined) {
    out.status = row.status;
    out.reason = row.not_applicable_reason;
  }
  return out;
}
