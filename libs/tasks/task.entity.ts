import { Check, Column, Entity, ForeignKey, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { ActivityChanges } from '../catalog';
import { openStatusSql, sqlList, TASK_STATUSES, type TaskStatus } from './task-status';

/** One occurrence of one customer duty for one tenant (the task aggregate: with its reviews and logged events). */
@Entity('task')
@Unique('task_occurrence_unique', ['tenantId', 'subscriptionId', 'activityId', 'periodStart'])
@ForeignKey('subscription', ['tenantId', 'subscriptionId'], ['tenantId', 'id'], { name: 'task_subscription_fk', onDelete: 'CASCADE' })
// Built from the declaration: the database refuses a status the machine does not know.
@Check('task_status', `status IN ${sqlList(TASK_STATUSES)}`)
@Check('task_na_reason', "status <> 'not_applicable' OR not_applicable_reason IS NOT NULL")
@Check('task_period', 'period_end IS NULL OR period_end >= period_start')
// The task list: a tenant's tasks by due date (the open one serves the overdue filter).
@Index('task_tenant_due_idx', ['tenantId', 'dueDate', 'id'])
@Index('task_tenant_open_due_idx', ['tenantId', 'dueDate', 'id'], { where: openStatusSql('status') })
@Index('task_tenant_assignee_idx', ['tenantId', 'assigneeId', 'dueDate'])
// The summary's weekly completions and the review queue's waiting tasks, per tenant
// (migrations/1764001200000-summary-review-queue.ts).
@Index('task_tenant_completed_idx', ['tenantId', 'completedAt'], { where: 'completed_at IS NOT NULL' })
@Index('task_tenant_waiting_idx', ['tenantId', 'completedAt', 'id'], { where: "status = 'done'" })
// The reminder sweep's index-only walk over open tasks by due date: (due_date) INCLUDE (tenant_id,
// subscription_id, assignee_id) WHERE open AND due_date IS NOT NULL. TypeORM cannot express
// INCLUDE, so the entity names it without managing it (migrations/1764000005000-reminders.ts).
@Index('task_open_due_idx', { synchronize: false })
export class TaskEntity {
  // First column of the primary key: the distribution column on Citus (docs/scaling.md#citus).
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'task_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'task_pkey' })
  id!: string;

  @Column('uuid')
  subscriptionId!: string;

  @Column('uuid')
  @ForeignKey('activity', { name: 'task_activity_id_fkey' })
  activityId!: string;

  @Column('date')
  periodStart!: string;

  @Column('date', { nullable: true })
  periodEnd!: string | null;

  @Column('date', { nullable: true })
  dueDate!: string | null;

  @Column('text', { default: 'todo' })
  status!: TaskStatus;

  @Column('uuid', { nullable: true })
  @ForeignKey('app_user', { name: 'task_assignee_id_fkey' })
  assigneeId!: string | null;

  @Column('text', { nullable: true })
  notApplicableReason!: string | null;

  @Column('int', { default: 0 })
  evidenceCount!: number;

  @Column('timestamptz', { nullable: true })
  lastEvidenceAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  reviewedAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  completedAt!: Date | null;

  @Column('uuid', { nullable: true })
  @ForeignKey('app_user', { name: 'task_completed_by_fkey' })
  completedBy!: string | null;

  /**
   * What a catalog upgrade changed in the duty of this kept task (title, letters: before and
   * after), null when nothing did. Written by the upgrade only (catalog-upgrade.service.ts).
   */
  @Column('jsonb', { nullable: true })
  catalogChange!: CatalogChange | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { default: () => 'now()' })
  updatedAt!: Date;
}

/** The flag a catalog upgrade leaves on a kept task whose duty changed. */
export interface CatalogChange {
  readonly fromVersion: string;
  readonly toVersion: string;
  /** When the upgrade ran (ISO-8601 UTC). */
  readonly at: string;
  /** Each changed field's before and after, as `diffCatalogs` reports them. */
  readonly changes: ActivityChanges;
}

export const REVIEW_DECISIONS = ['approve', 'reject'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** A reviewer's decision on a done task. A fact: never changed through the app. */
@Entity('review')
@ForeignKey('task', ['tenantId', 'taskId'], ['tenantId', 'id'], { name: 'review_task_fk', onDelete: 'CASCADE' })
@Check('review_decision', `decision IN ${sqlList(REVIEW_DECISIONS)}`)
@Check('review_reject_comment', "decision <> 'reject' OR length(trim(comment)) > 0")
@Index('review_task_idx', ['tenantId', 'taskId', 'createdAt'])
// The summary's weekly approvals and rejections of a tenant.
@Index('review_tenant_decided_idx', ['tenantId', 'createdAt'])
// The reminder sweep's recent rejections (migrations/1764000005000-reminders.ts).
@Index('review_rejected_recent_idx', ['createdAt'], { where: "decision = 'reject'" })
export class ReviewEntity {
  // First column of the primary key: the distribution column on Citus (docs/scaling.md#citus).
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'review_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'review_pkey' })
  id!: string;

  @Column('uuid')
  taskId!: string;

  @Column('uuid')
  @ForeignKey('app_user', { name: 'review_reviewer_id_fkey' })
  reviewerId!: string;

  @Column('text')
  decision!: ReviewDecision;

  @Column('text', { nullable: true })
  comment!: string | null;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;
}

/** One logged occurrence of an event-driven duty. A fact: never changed through the app. */
@Entity('task_event')
@ForeignKey('task', ['tenantId', 'taskId'], ['tenantId', 'id'], { name: 'task_event_task_fk', onDelete: 'CASCADE' })
@Index('task_event_task_idx', ['tenantId', 'taskId', 'occurredOn'])
export class TaskEventEntity {
  // First column of the primary key: the distribution column on Citus (docs/scaling.md#citus).
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'task_event_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'task_event_pkey' })
  id!: string;

  @Column('uuid')
  taskId!: string;

  @Column('date')
  occurredOn!: string;

  @Column('text')
  description!: string;

  @Column('uuid')
  @ForeignKey('app_user', { name: 'task_event_created_by_fkey' })
  createdBy!: string;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;
}
