import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { TenantDb } from '../db';
import type { NotificationKind, NotificationStatus } from './reminder.types';

/**
 * All SQL of the mail log (`notification`) and of the reads the sender makes when a mail's turn
 * comes. Every method works on the current unit of work (`db.em`, inside `TenantDb.run`). Tables
 * of other libs are read only through their functions (user_contacts, active_memberships,
 * tenant_reminder_settings, tenant_time_zones, task_rejections, activity_labels) and through
 * reminder_tasks, the reminder rules' own view of tasks (libs/reminders/sql).
 */

/** A notification as the sender needs it, locked for delivery. */
export interface DeliveryRow {
  id: string;
  tenant_id: string;
  recipient_id: string;
  task_id: string | null;
  kind: NotificationKind;
  window: string;
  status: NotificationStatus;
  attempts: number;
  data: { dueDate?: string; taskIds?: string[]; reviewId?: string };
  created_at: Date;
  /** The lead of the summary mail this row is part of (its own id for the lead), else null. */
  summary_id: string | null;
  /** Null when the account is gone (the log has no foreign keys). */
  email: string | null;
  name: string | null;
  tenant_name: string | null;
  /** The recipient's role while an active admin or member, else null. */
  member_role: 'admin' | 'member' | null;
}

/** A task as the reminder rules see it (reminder_tasks), with its labels. */
export interface ReminderTaskRow {
  id: string;
  status: string;
  /** The tasks lib's "open" rule (task_due_facts). */
  is_open: boolean;
  due_date: string | null;
  /** Days from today in the subscription's time zone to the due date (negative: overdue). */
  days_left: number | null;
  assignee_id: string | null;
  /** Whose reminder it is: the assignee while an active admin or member, else null (the admins'). */
  owner_id: string | null;
  title: string;
  key: string;
  timezone: string;
  assignee_name: string | null;
  assignee_email: string | null;
}

export interface RejectionRow {
  id: string;
  comment: string | null;
  created_at: Date;
  reviewer: string;
  /** No later review of the task. */
  is_latest: boolean;
}

/** One row of the admins' mail log. */
export interface LogRow {
  id: string;
  recipient_id: string;
  recipient_email: string | null;
  task_id: string | null;
  kind: NotificationKind;
  window: string;
  status: NotificationStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  /** created_at to the microsecond, for the cursor (a JS Date keeps milliseconds only). */
  created_key: string;
  sent_at: Date | null;
  failed_at: Date | null;
}

export interface LogFilter {
  readonly status?: NotificationStatus;
  readonly kind?: NotificationKind;
  /** The last row of the previous page: created_at (microseconds) and id. */
  readonly after?: readonly [string, string];
  readonly limit: number;
}

// The same rule functions the sweep uses (reminder_tasks, active_memberships, ...): what was true
// when the sweep wrote the row is checked again by the same definitions, not a copy.
const TASK_SQL = `
  SELECT t.task_id AS id, t.status, t.is_open, t.due_date::text AS due_date, t.days_left, t.assignee_id, t.owner_id,
         a.title, a.key, t.timezone, u.name AS assignee_name, u.email AS assignee_email
    FROM reminder_tasks($3::timestamptz) t
    JOIN activity_labels() a ON a.activity_id = t.activity_id
    LEFT JOIN user_contacts() u ON u.user_id = t.assignee_id
   WHERE t.tenant_id = $1 AND t.task_id = ANY ($2::uuid[])`;

@Injectable()
export class NotificationRepository {
  constructor(private readonly db: TenantDb) {}

  private get em(): EntityManager {
    return this.db.em;
  }

  /**
   * The mails a mail-send job names (`reminder_job_mails`: its queued rows, single mails and the
   * leads of summaries), across tenants: a definer function, called outside any unit of work.
   */
  async jobMails(jobId: string): Promise<{ tenantId: string; notificationId: string }[]> {
    const rows = await this.em.query<{ tenant_id: string; notification_id: string }[]>(
      'SELECT tenant_id, notification_id FROM reminder_job_mails($1)',
      [jobId],
    );
    return rows.map((r) => ({ tenantId: r.tenant_id, notificationId: r.notification_id }));
  }

  /** A deleted tenant's mail log, through the owner-run function (the app role may not DELETE it). */
  async purgeTenant(tenantId: string): Promise<number> {
    const [row] = await this.em.query<{ removed: number }[]>('SELECT reminders_purge_tenant($1) AS removed', [tenantId]);
    return row?.removed ?? 0;
  }

  /**
   * The row, locked (FOR UPDATE SKIP LOCKED); undefined when missing or held by another sender.
   * The same statement makes the transaction act as the row's recipient (`app.user_id`), so that
   * their own preference row is visible next (its policy is per user): one round trip fewer per
   * mail than a separate set_config (bench:reminders). It is one row, so no other row's recipient
   * can be set instead; the notification's own policy is per tenant and does not read it.
   */
  async lockForDelivery(tenantId: string, id: string, now: Date): Promise<DeliveryRow | undefined> {
    const [row] = await this.lockRows(tenantId, 'n.id = $2', id, now, true);
    return row;
  }

  /** The other queued rows of the summary `leadId` leads, locked like the lead. */
  lockSummaryRows(tenantId: string, leadId: string, now: Date): Promise<DeliveryRow[]> {
    return this.lockRows(tenantId, "n.summary_id = $2 AND n.id <> $2 AND n.status = 'queued'", leadId, now);
  }

  private lockRows(tenantId: string, where: string, id: string, now: Date, actAsRecipient = false): Promise<DeliveryRow[]> {
    return this.em.query<DeliveryRow[]>(
      `SELECT n.id, n.tenant_id, n.recipient_id, n.task_id, n.kind, n."window" AS window, n.status, n.attempts, n.data, n.created_at,
              n.summary_id, u.email, u.name, te.name AS tenant_name, m.role AS member_role${
                actAsRecipient ? ", set_config('app.user_id', n.recipient_id::text, true) AS acting_as" : ''
              }
         FROM notification n
         LEFT JOIN user_contacts() u ON u.user_id = n.recipient_id
         LEFT JOIN tenant_reminder_settings() te ON te.tenant_id = n.tenant_id
         LEFT JOIN active_memberships($3::timestamptz) m ON m.tenant_id = n.tenant_id AND m.user_id = n.recipient_id AND m.role IN ('admin', 'member')
        WHERE n.tenant_id = $1 AND ${where}
        ORDER BY n.id
        FOR UPDATE OF n SKIP LOCKED`,
      [tenantId, id, now.toISOString()],
    );
  }

  async exists(tenantId: string, id: string): Promise<boolean> {
    const [row] = await this.em.query<{ id: string }[]>('SELECT id FROM notification WHERE tenant_id = $1 AND id = $2', [tenantId, id]);
    return row !== undefined;
  }

  async settle(
    row: Pick<DeliveryRow, 'tenant_id' | 'id'>,
    status: 'sent' | 'failed' | 'skipped',
    attempts: number,
    now: Date,
    extra: { messageId?: string; reason?: string },
  ): Promise<void> {
    await this.em.query(
      `UPDATE notification
          SET status = $3, attempts = $4, message_id = $5, last_error = $6,
              sent_at = CASE WHEN $3 = 'sent' THEN $7::timestamptz END,
              failed_at = CASE WHEN $3 = 'failed' THEN $7::timestamptz END
        WHERE tenant_id = $1 AND id = $2`,
      [row.tenant_id, row.id, status, attempts, extra.messageId ?? null, extra.reason ?? null, now.toISOString()],
    );
  }

  /** A temporary failure: counted, with the reason and the retry's job. */
  async retryLater(row: Pick<DeliveryRow, 'tenant_id' | 'id'>, attempts: number, reason: string, jobId: string): Promise<void> {
    await this.em.query('UPDATE notification SET attempts = $3, last_error = $4, job_id = $5 WHERE tenant_id = $1 AND id = $2', [
      row.tenant_id,
      row.id,
      attempts,
      reason,
      jobId,
    ]);
  }

  tasks(tenantId: string, taskIds: readonly string[], now: Date): Promise<ReminderTaskRow[]> {
    return this.em.query<ReminderTaskRow[]>(TASK_SQL, [tenantId, taskIds, now.toISOString()]);
  }

  async rejection(tenantId: string, reviewId: string): Promise<RejectionRow | undefined> {
    const [row] = await this.em.query<RejectionRow[]>(
      `SELECT r.review_id AS id, r.comment, r.created_at, u.name AS reviewer, r.is_latest
         FROM task_rejections('-infinity', 'infinity') r JOIN user_contacts() u ON u.user_id = r.reviewer_id
        WHERE r.tenant_id = $1 AND r.review_id = $2`,
      [tenantId, reviewId],
    );
    return row;
  }

  /** The tenant's due-soon offsets and its time zone (`tenant.time_zone`, through libs/tenancy's function). */
  async digestTenant(tenantId: string): Promise<{ reminder_days: number[]; timezone: string | null } | undefined> {
    const [row] = await this.em.query<{ reminder_days: number[]; timezone: string | null }[]>(
      `SELECT te.reminder_days, (SELECT tz.timezone FROM tenant_time_zones() tz WHERE tz.tenant_id = te.tenant_id) AS timezone
         FROM tenant_reminder_settings() te WHERE te.tenant_id = $1`,
      [tenantId],
    );
    return row;
  }

  /** The tenant's mail log, newest first. */
  log(tenantId: string, filter: LogFilter): Promise<LogRow[]> {
    const params: unknown[] = [tenantId];
    const where = ['n.tenant_id = $1'];
    if (filter.status) where.push(`n.status = $${params.push(filter.status)}`);
    if (filter.kind) where.push(`n.kind = $${params.push(filter.kind)}`);
    if (filter.after)
      where.push(`(n.created_at, n.id) < ($${params.push(filter.after[0])}::timestamptz, $${params.push(filter.after[1])}::uuid)`);
    return this.em.query<LogRow[]>(
      `SELECT n.id, n.recipient_id, u.email AS recipient_email, n.task_id, n.kind, n."window" AS window, n.status, n.attempts, n.last_error,
              n.created_at, to_char(n.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS created_key, n.sent_at, n.failed_at
         FROM notification n LEFT JOIN user_contacts() u ON u.user_id = n.recipient_id
        WHERE ${where.join(' AND ')}
        ORDER BY n.created_at DESC, n.id DESC
        LIMIT $${params.push(filter.limit)}`,
      params,
    );
  }
}
