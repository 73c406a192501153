import { Check, Column, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { NO_TASK } from './reminder.types';

/**
 * The mail log: one row per (recipient, task, kind, window), the idempotency key of every mail
 * (docs/reminders.md). No foreign keys: the sweep writes 10,000 rows at a time, and the FOR KEY
 * SHARE locks of three foreign keys per row cost more than the rest of the insert. The sender
 * skips a row whose task or recipient is gone.
 */
@Entity('notification')
@Unique('notification_once', ['tenantId', 'recipientId', 'taskKey', 'kind', 'window'])
@Check('notification_kind', "kind IN ('due_soon', 'overdue', 'escalation', 'digest', 'review_rejected')")
@Check('notification_window', 'length("window") BETWEEN 1 AND 64')
@Check('notification_status', "status IN ('queued', 'sent', 'failed', 'skipped')")
@Check('notification_task_kind', "(kind = 'digest') = (task_id IS NULL)")
// A job's mails are its queued rows (reminder_job_mails); the requeue pass reads the queued rows
// too (few: they are sent within minutes). The due-soon rule reads the week's digests.
@Index('notification_queued_job_idx', ['jobId'], { where: "status = 'queued'" })
@Index('notification_digest_idx', ['createdAt'], { where: "kind = 'digest'" })
// The sender finds the rows of a summary by their lead.
@Index('notification_summary_idx', ['summaryId'], { where: 'summary_id IS NOT NULL' })
export class NotificationEntity {
  // First column of the primary key: the distribution column on Citus (docs/scaling.md#citus).
  @PrimaryColumn('uuid', { primaryKeyConstraintName: 'notification_pkey' })
  tenantId!: string;

  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'notification_pkey' })
  id!: string;

  @Column('uuid')
  recipientId!: string;

  @Column('uuid', { nullable: true })
  taskId!: string | null;

  /** The task id, or all zeros for digests: part of the unique key, which ignores nulls. */
  @Column({
    type: 'uuid',
    nullable: true,
    generatedType: 'STORED',
    asExpression: `coalesce(task_id, '${NO_TASK}'::uuid)`,
    insert: false,
    update: false,
  })
  taskKey!: string;

  @Column('text')
  kind!: string;

  @Column('text')
  window!: string;

  @Column('text', { default: 'queued' })
  status!: string;

  @Column('int', { default: 0 })
  attempts!: number;

  @Column('text', { nullable: true })
  lastError!: string | null;

  @Column('text', { nullable: true })
  messageId!: string | null;

  /** The pg-boss job meant to deliver it now (a chunk of the sweep's rows, or a retry of this one). */
  @Column('uuid')
  jobId!: string;

  /**
   * The row leading the summary mail this row is part of (itself for the lead); null for a mail
   * of its own. Written by the sweep when one recipient has several items at once.
   */
  @Column('uuid', { nullable: true })
  summaryId!: string | null;

  @Column('jsonb', { default: {} })
  data!: Record<string, unknown>;

  @Column('timestamptz', { default: () => 'now()' })
  createdAt!: Date;

  @Column('timestamptz', { nullable: true })
  sentAt!: Date | null;

  @Column('timestamptz', { nullable: true })
  failedAt!: Date | null;
}
