import { randomUUID } from 'node:crypto';
import type { Logger } from '../core';
import { TenantDb, type PgBoss } from '../db';
import { MailDeliveryError, type Mailer } from '../notify';
import { todayIn } from '../tasks';
import { composeReminder, type DigestItem, type Person, type ReminderContent, type TaskRef, type TaskReminder } from './compose';
import { NotificationPreferenceRepository, preferenceColumnOf } from './notification-preference.repository';
import { NotificationRepository, type DeliveryRow, type ReminderTaskRow } from './notification.repository';
import type { MailItem, MailJobData } from './reminder.types';
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

type Prepared = { readonly skip: string } | { readonly timeZone: string; readonly content: ReminderContent };

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
  private readonly notifications: NotificationRepository;
  private readonly preferences: NotificationPreferenceRepository;

  constructor(
    private readonly db: TenantDb,
    private readonly boss: PgBoss,
    private readonly mailer: Mailer,
    private readonly tokens: UnsubscribeTokens,
    private readonly settings: SenderSettings,
    private readonly logger: Logger,
  ) {
    this.notifications = new NotificationRepository(db);
    this.preferences = new NotificationPreferenceRepository(db);
  }

  /**
   * A pg-boss batch. A job names its mails by its id (`reminder_job_mails`: the queued rows that
   * carry it), found when the job runs. Each mail's outcome is settled in the database, so the
   * handler returns normally (pg-boss completes the jobs); only a job whose attempt crashed
   * (database down, a bug) is failed, for pg-boss to retry it with backoff.
   */
  async deliverBatch(jobs: readonly PgBoss.Job<MailJobData>[]): Promise<void> {
    const crashed = new Map<string, string>();
    const crash = (jobId: string, error: unknown, about: Record<string, unknown>): void => {
      if (!crashed.has(jobId)) crashed.set(jobId, error instanceof Error ? error.message : String(error));
      this.logger.error({ err: error, jobId, ...about }, 'reminder delivery crashed; pg-boss will retry its job');
    };
    const items: { jobId: string; item: MailItem }[] = [];
    for (const job of jobs) {
      try {
        for (const item of await this.notifications.jobMails(job.id)) items.push({ jobId: job.id, item });
      } catch (error: unknown) {
        crash(job.id, error, {});
      }
    }
    await mapLimit(items, this.settings.concurrency ?? 8, async ({ jobId, item }) => {
      try {
        await this.deliver(item);
      } catch (error: unknown) {
        crash(jobId, error, { notificationId: item.notificationId, tenantId: item.tenantId });
      }
    });
    // The whole job again: what was delivered meanwhile is recognised and left alone.
    for (const [id, message] of crashed) await this.boss.fail(this.settings.queue, id, { message });
  }

  async deliver(job: MailItem): Promise<DeliveryOutcome> {
    const now = this.settings.now?.() ?? new Date();
    return this.db.run({ tenantId: job.tenantId, userId: null }, async () => {
      const n = await this.notifications.lockForDelivery(job.tenantId, job.notificationId, now);
      if (!n) return (await this.notifications.exists(job.tenantId, job.notificationId)) ? 'busy' : 'done';
      if (n.status !== 'queued') return 'done';
      if (n.summary_id === n.id) return this.deliverSummary(n, now);
      const prepared = n.email === null ? { skip: 'the recipient no longer exists' } : await this.prepare(n, now);
      if ('skip' in prepared) {
        await this.mark(n, 'skipped', now, { reason: prepared.skip });
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
        return this.failed(n, error, now);
      }
      await this.settings.afterAccept?.(n.id);
      await this.mark(n, 'sent', now, { messageId });
      return 'sent';
    });
  }

  /**
   * A summary (several task reminders to one person from one sweep, docs/reminders.md): the lead
   * and its rows, locked together, each checked as if it were sent alone; what is still true goes
   * out as one mail under the lead's Message-ID, and every row is settled with it (sent, failed,
   * or skipped with its reason). A temporary refusal leaves them all queued for the lead's retry,
   * so they are checked again then.
   */
  private async deliverSummary(lead: DeliveryRow, now: Date): Promise<DeliveryOutcome> {
    const rows = [lead, ...(await this.notifications.lockSummaryRows(lead.tenant_id, lead.id, now))];
    const items: { row: DeliveryRow; timeZone: string; content: TaskReminder }[] = [];
    const skips: { row: DeliveryRow; reason: string }[] = [];
    for (const row of rows) {
      const prepared: Prepared = row.email === null ? { skip: 'the recipient no longer exists' } : await this.prepare(row, now);
      if ('skip' in prepared) skips.push({ row, reason: prepared.skip });
      else if (prepared.content.kind === 'due_soon' || prepared.content.kind === 'overdue' || prepared.content.kind === 'escalation')
        items.push({ row, timeZone: prepared.timeZone, content: prepared.content });
      else skips.push({ row, reason: `a ${row.kind} mail is never part of a summary` });
    }
    const settleSkips = async (): Promise<void> => {
      for (const { row, reason } of skips) {
        await this.mark(row, 'skipped', now, { reason });
        this.logger.info({ notificationId: row.id, kind: row.kind, reason, summaryId: lead.id }, 'reminder skipped');
      }
    };
    const rank = { escalation: 0, overdue: 1, due_soon: 2 } as const;
    items.sort(
      (a, b) =>
        rank[a.content.kind] - rank[b.content.kind] ||
        a.content.task.dueDate.localeCompare(b.content.task.dueDate) ||
        a.content.task.key.localeCompare(b.content.task.key),
    );
    const [first] = items;
    if (!first) {
      await settleSkips();
      return 'skipped';
    }
    const mail = composeReminder(
      {
        notificationId: lead.id,
        tenantId: lead.tenant_id,
        tenantName: lead.tenant_name ?? '',
        recipient: { name: lead.name ?? '', email: lead.email ?? '' },
        timeZone: first.timeZone,
        publicUrl: this.settings.publicUrl,
        unsubscribeToken: this.tokens.sign(lead.recipient_id, first.row.kind),
      },
      { kind: 'summary', items: items.map((i) => i.content), unsubscribeKind: first.row.kind },
    );
    let messageId: string;
    try {
      messageId = (await this.mailer.send(mail)).messageId;
    } catch (error: unknown) {
      if (!(error instanceof MailDeliveryError)) throw error;
      const others = items.filter((i) => i.row.id !== lead.id).map((i) => i.row);
      const outcome = await this.failed(lead, error, now, others);
      if (outcome !== 'retry') await settleSkips();
      return outcome;
    }
    await this.settings.afterAccept?.(lead.id);
    for (const { row } of items) await this.mark(row, 'sent', now, { messageId });
    await settleSkips();
    return 'sent';
  }

  /**
   * A refusal: permanent at once; temporary retried with backoff until 24 hours are over. `others`:
   * the rest of a summary's rows, which fail with their lead.
   */
  private async failed(n: DeliveryRow, error: MailDeliveryError, now: Date, others: readonly DeliveryRow[] = []): Promise<DeliveryOutcome> {
    const reason = reasonOf(error);
    const attempts = n.attempts + 1;
    const next = error.permanent ? null : nextAttemptAt(new Date(n.created_at), attempts, now);
    if (next === null) {
      const why = error.permanent ? reason : `gave up after 24 hours and ${attempts} attempts; last: ${reason}`;
      await this.mark(n, 'failed', now, { reason: why });
      for (const other of others) await this.mark(other, 'failed', now, { reason: why });
      this.logger.warn({ notificationId: n.id, kind: n.kind, attempts, reason: why }, 'reminder mail failed');
      return 'failed';
    }
    const jobId = randomUUID();
    await this.notifications.retryLater(n, attempts, reason, jobId);
    // The row now names the retry's job, which names only this mail (a summary's other rows go with their lead).
    await queueMailJobs(this.boss, this.db.em, this.settings.queue, [{ jobId, data: { mails: 1 }, startAfter: next }]);
    this.logger.info(
      { notificationId: n.id, kind: n.kind, attempts, reason, nextAttemptAt: next.toISOString() },
      'reminder mail refused for now; retry scheduled',
    );
    return 'retry';
  }

  private async mark(
    n: DeliveryRow,
    status: 'sent' | 'failed' | 'skipped',
    now: Date,
    extra: { messageId?: string; reason?: string },
  ): Promise<void> {
    await this.notifications.settle(n, status, status === 'skipped' ? n.attempts : n.attempts + 1, now, extra);
  }

  /** Whether the mail is still true now, and what it says. */
  private async prepare(n: DeliveryRow, now: Date): Promise<Prepared> {
    const role = n.member_role;
    if (role === null) return { skip: 'the recipient is no longer an admin or member of the tenant' };
    if (n.kind === 'escalation' && role !== 'admin') return { skip: 'the recipient is no longer an admin of the tenant' };
    const pref = await this.preferences.find(n.recipient_id);
    if (pref && !pref[preferenceColumnOf(n.kind)]) return { skip: 'turned off by the recipient' };

    if (n.kind === 'digest') return this.prepareDigest(n, now, pref?.timezone ?? null);
    const [task] = n.task_id === null ? [] : await this.notifications.tasks(n.tenant_id, [n.task_id], now);
    if (!task) return { skip: 'the task no longer exists' };
    const ref: TaskRef = { id: task.id, title: task.title, key: task.key, dueDate: task.due_date ?? '' };
    if (n.kind === 'review_rejected') return this.prepareRejection(n, task, ref);

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

  private async prepareRejection(n: DeliveryRow, task: ReminderTaskRow, ref: TaskRef): Promise<Prepared> {
    const review = await this.notifications.rejection(n.tenant_id, n.data.reviewId ?? n.window);
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

  private async prepareDigest(n: DeliveryRow, now: Date, userZone: string | null): Promise<Prepared> {
    const tenant = await this.notifications.digestTenant(n.tenant_id);
    const timeZone = userZone ?? tenant?.timezone ?? 'UTC';
    const dueSoonDays = Math.max(0, ...(tenant?.reminder_days ?? [7]));
    const rows = await this.notifications.tasks(n.tenant_id, n.data.taskIds ?? [], now);
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
