import { randomUUID } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Logger } from '../core';
import { inScope, type PgBoss } from '../db';
import { MailDeliveryError, type Mailer } from '../notify';
import { todayIn } from '../tasks';
import { composeReminder, type DigestItem, type Person, type ReminderContent, type TaskRef } from './compose';
import type { MailItem, MailJobData, NotificationKind, NotificationStatus } from './reminder.types';
import { nextAttemptAt } from './retry';
import { queueMailJobs } from './sweep';
import type { UnsubscribeTokens } from './unsubscribe-token';

/** What one delivery attempt came to. */
export type DeliveryOutcome =
  | 'sent'
  | 'failed'
  | 'retry'
  | 'skipped'
  /** Already sent, failed or skipped: a duplicate job. */
  | 'done'
  /** Another sender holds the row right now; that one finishes it. */
  | 'busy';

export interface SenderSettings {
  readonly publicUrl: string;
  /** The mail-send queue, for retries. */
  readonly queue: string;
  /** Mails in flight at once within a batch (each holds a database connection while it is sent). */
  readonly concurrency?: number;
  /** The clock (tests pin it). */
  readonly now?: () => Date;
  /**
   * Test hook: runs after the SMTP server accepted the message and before the row is marked
   * sent; throwing there is a crash in the one window where a duplicate is possible.
   */
  readonly afterAccept?: (notificationId: string) => void | Promise<void>;
}

interface NotificationRow {
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
  /** Null when the account is gone (the log has no foreign keys). */
  email: string | null;
  name: string | null;
  tenant_name: string | null;
  /** The recipient's role while an active admin or member, else null. */
  member_role: 'admin' | 'member' | null;
}

/** A task as the reminder rules see it (reminder_tasks in libs/reminders/sql), with its labels. */
interface TaskRow {
  id: string;
  status: string;
  /** The tasks lib's "open" rule (task_due_facts). */
  is_open: boolean;
  due_date: string | null;
  /** Days from today in the subscription's time zone to the due date (negative: overdue). */
  days_left: number | null;
  assignee_id: string | null;
  /** Whose reminder it is (reminder_tasks): the assignee while an active admin or member, else null (the admins'). */
  owner_id: string | null;
  title: string;
  key: string;
  timezone: string;
  assignee_name: string | null;
  assignee_email: string | null;
}

type Prepared = { readonly skip: string } | { readonly timeZone: string; readonly content: ReminderContent };

// The same rule functions the sweep uses (reminder_tasks, active_memberships, ...): what was true
// when the sweep wrote the row is checked again here by the same definitions, not a copy.
const TASK_SQL = `
  SELECT t.task_id AS id, t.status, t.is_open, t.due_date::text AS due_date, t.days_left, t.assignee_id, t.owner_id,
         a.title, a.key, t.timezone, u.name AS assignee_name, u.email AS assignee_email
    FROM reminder_tasks($3::timestamptz) t
    JOIN activity_labels() a ON a.activity_id = t.activity_id
    LEFT JOIN user_contacts() u ON u.user_id = t.assignee_id
   WHERE t.tenant_id = $1 AND t.task_id = ANY ($2::uuid[])`;

/** The SMTP reply (or the network error), for `last_error` and the admins' list. */
function reasonOf(error: MailDeliveryError): string {
  const cause: unknown = error.cause;
  let detail = '';
  if (typeof cause === 'object' && cause !== null) {
    if ('response' in cause && typeof cause.response === 'string') detail = cause.response;
    else if ('message' in cause && typeof cause.message === 'string') detail = cause.message;
  }
  const code = error.smtpCode !== undefined ? `SMTP ${error.smtpCode}` : 'no SMTP reply';
  return `${code}: ${detail || error.message}`.replace(/\s+/g, ' ').slice(0, 500);
}

async function mapLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  });
  await Promise.all(lanes);
}

/**
 * Delivers notifications, one tenant-scoped transaction each: the row is locked (FOR UPDATE SKIP
 * LOCKED) while its mail is handed to SMTP, so two senders never send the same row, and it is
 * marked sent in the same transaction once the server accepted. Exactly once, except in one
 * window: accepted by SMTP, then the process dies before the commit. The retry sends it again
 * with the same Message-ID (`<notification-id@dutybook>`), so the duplicate is recognisable.
 */
export class ReminderSender {
  constructor(
    private readonly ds: DataSource,
    private readonly boss: PgBoss,
    private readonly mailer: Mailer,
    private readonly tokens: UnsubscribeTokens,
    private readonly settings: SenderSettings,
    private readonly logger: Logger,
  ) {}

  /**
   * A pg-boss batch. Each job's outcome is settled in the database, so the handler returns
   * normally (pg-boss completes the jobs); only a job whose attempt crashed (database down, a
   * bug) is failed, for pg-boss to retry it with backoff.
   */
  async deliverBatch(jobs: readonly PgBoss.Job<MailJobData>[]): Promise<void> {
    const crashed = new Map<string, string>();
    const items = jobs.flatMap((job) => job.data.items.map((item) => ({ jobId: job.id, item })));
    await mapLimit(items, this.settings.concurrency ?? 8, async ({ jobId, item }) => {
      try {
        await this.deliver(item);
      } catch (error: unknown) {
        if (!crashed.has(jobId)) crashed.set(jobId, error instanceof Error ? error.message : String(error));
        this.logger.error(
          { err: error, notificationId: item.notificationId, tenantId: item.tenantId },
          'reminder delivery crashed; pg-boss will retry its job',
        );
      }
    });
    // The whole job again: what was delivered meanwhile is recognised and left alone.
    for (const [id, message] of crashed) await this.boss.fail(this.settings.queue, id, { message });
  }

  async deliver(job: MailItem): Promise<DeliveryOutcome> {
    const now = this.settings.now?.() ?? new Date();
    return inScope(this.ds, { tenantId: job.tenantId, userId: null }, async (em) => {
      const [n] = await em.query<NotificationRow[]>(
        `SELECT n.id, n.tenant_id, n.recipient_id, n.task_id, n.kind, n."window" AS window, n.status, n.attempts, n.data, n.created_at,
                u.email, u.name, te.name AS tenant_name, m.role AS member_role
           FROM notification n
           LEFT JOIN user_contacts() u ON u.user_id = n.recipient_id
           LEFT JOIN tenant_reminder_settings() te ON te.tenant_id = n.tenant_id
           LEFT JOIN active_memberships($3::timestamptz) m ON m.tenant_id = n.tenant_id AND m.user_id = n.recipient_id AND m.role IN ('admin', 'member')
          WHERE n.tenant_id = $1 AND n.id = $2
          FOR UPDATE OF n SKIP LOCKED`,
        [job.tenantId, job.notificationId, now.toISOString()],
      );
      if (!n) {
        const [exists] = await em.query<{ id: string }[]>('SELECT id FROM notification WHERE tenant_id = $1 AND id = $2', [
          job.tenantId,
          job.notificationId,
        ]);
        return exists ? 'busy' : 'done';
      }
      if (n.status !== 'queued') return 'done';
      // From here on the recipient's own preference row is visible too.
      await em.query("SELECT set_config('app.user_id', $1, true)", [n.recipient_id]);
      const prepared = n.email === null ? { skip: 'the recipient no longer exists' } : await this.prepare(em, n, now);
      if ('skip' in prepared) {
        await this.mark(em, n, 'skipped', now, { reason: prepared.skip });
        this.logger.info({ notificationId: n.id, kind: n.kind, reason: prepared.skip }, 'reminder skipped');
        return 'skipped';
      }
      const mail = composeReminder(
        {
          notificationId: n.id,
          tenantId: n.tenant_id,
          tenantName: n.tenant_name ?? '',
          recipient: { name: n.name ?? '', email: n.email ?? '' },
          timeZone: prepared.timeZone,
          publicUrl: this.settings.publicUrl,
          unsubscribeToken: this.tokens.sign(n.recipient_id, n.kind),
        },
        prepared.content,
      );
      let messageId: string;
      try {
        messageId = (await this.mailer.send(mail)).messageId;
      } catch (error: unknown) {
        if (!(error instanceof MailDeliveryError)) throw error;
        return this.failed(em, n, error, now);
      }
      await this.settings.afterAccept?.(n.id);
      await this.mark(em, n, 'sent', now, { messageId });
      return 'sent';
    });
  }

  /** A refusal: permanent at once; temporary retried with backoff until 24 hours are over. */
  private async failed(em: EntityManager, n: NotificationRow, error: MailDeliveryError, now: Date): Promise<DeliveryOutcome> {
    const reason = reasonOf(error);
    const attempts = n.attempts + 1;
    const next = error.permanent ? null : nextAttemptAt(new Date(n.created_at), attempts, now);
    if (next === null) {
      const why = error.permanent ? reason : `gave up after 24 hours and ${attempts} attempts; last: ${reason}`;
      await this.mark(em, n, 'failed', now, { reason: why });
      this.logger.warn({ notificationId: n.id, kind: n.kind, attempts, reason: why }, 'reminder mail failed');
      return 'failed';
    }
    const jobId = randomUUID();
    await em.query('UPDATE notification SET attempts = $3, last_error = $4, job_id = $5 WHERE tenant_id = $1 AND id = $2', [
      n.tenant_id,
      n.id,
      attempts,
      reason,
      jobId,
    ]);
    await queueMailJobs(this.boss, em, this.settings.queue, [
      { jobId, data: { items: [{ tenantId: n.tenant_id, notificationId: n.id }] }, startAfter: next },
    ]);
    this.logger.info(
      { notificationId: n.id, kind: n.kind, attempts, reason, nextAttemptAt: next.toISOString() },
      'reminder mail refused for now; retry scheduled',
    );
    return 'retry';
  }

  private async mark(
    em: EntityManager,
    n: NotificationRow,
    status: 'sent' | 'failed' | 'skipped',
    now: Date,
    extra: { messageId?: string; reason?: string },
  ): Promise<void> {
    const attempts = status === 'skipped' ? n.attempts : n.attempts + 1;
    await em.query(
      `UPDATE notification
          SET status = $3, attempts = $4, message_id = $5, last_error = $6,
              sent_at = CASE WHEN $3 = 'sent' THEN $7::timestamptz END,
              failed_at = CASE WHEN $3 = 'failed' THEN $7::timestamptz END
        WHERE tenant_id = $1 AND id = $2`,
      [n.tenant_id, n.id, status, attempts, extra.messageId ?? null, extra.reason ?? null, now.toISOString()],
    );
  }

  /** Whether the mail is still true now, and what it says. */
  private async prepare(em: EntityManager, n: NotificationRow, now: Date): Promise<Prepared> {
    const role = n.member_role;
    if (role === null) return { skip: 'the recipient is no longer an admin or member of the tenant' };
    if (n.kind === 'escalation' && role !== 'admin') return { skip: 'the recipient is no longer an admin of the tenant' };
    const [pref] = await em.query<(Record<NotificationKind, boolean> & { timezone: string | null })[]>(
      'SELECT due_soon, overdue, escalation, digest, review_rejected, timezone FROM notification_preference WHERE user_id = $1',
      [n.recipient_id],
    );
    if (pref && !pref[n.kind]) return { skip: 'turned off by the recipient' };

    if (n.kind === 'digest') return this.prepareDigest(em, n, now, pref?.timezone ?? null);
    const [task] = await em.query<TaskRow[]>(TASK_SQL, [n.tenant_id, [n.task_id], now.toISOString()]);
    if (!task) return { skip: 'the task no longer exists' };
    const ref: TaskRef = { id: task.id, title: task.title, key: task.key, dueDate: task.due_date ?? '' };
    if (n.kind === 'review_rejected') return this.prepareRejection(em, n, task, ref);

    if (!task.is_open) return { skip: `the task is ${task.status} now` };
    if (task.due_date === null || task.days_left === null || task.due_date !== n.data.dueDate) return { skip: 'the due date changed' };
    const daysLeft = task.days_left;
    if (n.kind === 'escalation') {
      if (daysLeft >= 0) return { skip: 'the task is no longer overdue' };
      const assignee: Person | null =
        task.assignee_id && task.assignee_name && task.assignee_email ? { name: task.assignee_name, email: task.assignee_email } : null;
      return { timeZone: task.timezone, content: { kind: 'escalation', task: ref, daysOverdue: -daysLeft, assignee } };
    }
    const stillTheirs = task.owner_id === n.recipient_id || (task.owner_id === null && role === 'admin');
    if (!stillTheirs) return { skip: 'the task was reassigned' };
    if (n.kind === 'due_soon') {
      if (daysLeft < 0) return { skip: 'the task is overdue now' };
      return { timeZone: task.timezone, content: { kind: 'due_soon', task: ref, daysLeft } };
    }
    if (daysLeft >= 0) return { skip: 'the task is no longer overdue' };
    return { timeZone: task.timezone, content: { kind: 'overdue', task: ref, daysOverdue: -daysLeft } };
  }

  private async prepareRejection(em: EntityManager, n: NotificationRow, task: TaskRow, ref: TaskRef): Promise<Prepared> {
    const [review] = await em.query<{ id: string; comment: string | null; created_at: Date; reviewer: string; is_latest: boolean }[]>(
      `SELECT r.review_id AS id, r.comment, r.created_at, u.name AS reviewer, r.is_latest
         FROM task_rejections('-infinity', 'infinity') r JOIN user_contacts() u ON u.user_id = r.reviewer_id
        WHERE r.tenant_id = $1 AND r.review_id = $2`,
      [n.tenant_id, n.data.reviewId ?? n.window],
    );
    if (!review) return { skip: 'the review no longer exists' };
    if (task.status !== 'rejected' || !review.is_latest) return { skip: 'the task moved on since the rejection' };
    return {
      timeZone: task.timezone,
      content: {
        kind: 'review_rejected',
        task: ref,
        comment: review.comment ?? '',
        reviewer: review.reviewer,
        rejectedOn: todayIn(task.timezone, new Date(review.created_at)),
      },
    };
  }

  private async prepareDigest(em: EntityManager, n: NotificationRow, now: Date, userZone: string | null): Promise<Prepared> {
    const [tenant] = await em.query<{ reminder_days: number[]; timezone: string | null }[]>(
      `SELECT te.reminder_days, (SELECT tz.timezone FROM tenant_time_zones() tz WHERE tz.tenant_id = te.tenant_id) AS timezone
         FROM tenant_reminder_settings() te WHERE te.tenant_id = $1`,
      [n.tenant_id],
    );
    const timeZone = userZone ?? tenant?.timezone ?? 'UTC';
    const dueSoonDays = Math.max(0, ...(tenant?.reminder_days ?? [7]));
    const rows = await em.query<TaskRow[]>(TASK_SQL, [n.tenant_id, n.data.taskIds ?? [], now.toISOString()]);
    const items: DigestItem[] = rows
      .flatMap((t) =>
        t.is_open && t.due_date !== null && t.days_left !== null
          ? [{ id: t.id, title: t.title, key: t.key, dueDate: t.due_date, daysLeft: t.days_left }]
          : [],
      )
      .sort((a, b) => a.daysLeft - b.daysLeft || a.key.localeCompare(b.key) || a.id.localeCompare(b.id));
    if (items.length === 0) return { skip: 'nothing is open any more' };
    return {
      timeZone,
      content: {
        kind: 'digest',
        week: n.window,
        dueSoonDays,
        overdue: items.filter((i) => i.daysLeft < 0),
        dueSoon: items.filter((i) => i.daysLeft >= 0 && i.daysLeft <= dueSoonDays),
        open: items.filter((i) => i.daysLeft > dueSoonDays),
      },
    };
  }
}
