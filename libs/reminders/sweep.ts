import type { DataSource, EntityManager } from 'typeorm';
import { inTransaction, type PgBoss } from '../db';
import { NOTIFICATION_KINDS, type MailJobData, type NotificationKind } from './reminder.types';

export interface SweepOptions {
  /** The mail-send queue. */
  readonly queue: string;
  /** The sweep's "now" (tests pin it); defaults to the current time. */
  readonly now?: Date;
  /** Which kinds to write; default all of them. */
  readonly kinds?: readonly NotificationKind[];
  /** A queued notification without a live job for this long is queued again. */
  readonly requeueAfterMinutes?: number;
}

export interface SweepResult {
  /**
   * Mails queued by this sweep: a notification of its own, or the lead of a summary (the other
   * rows of a summary, and overdue rows covered by an escalation, are written but not counted).
   */
  readonly queued: number;
  /** Older queued notifications whose job was gone, queued again. */
  readonly requeued: number;
}

// pg-boss takes jobs as one JSON parameter: keep each statement's payload reasonable.
const JOBS_PER_INSERT = 1000;

/** Writes jobs into pg-boss inside the caller's transaction: they exist if and only if it commits. */
export async function queueMailJobs(
  boss: PgBoss,
  em: EntityManager,
  queue: string,
  jobs: readonly { jobId: string; data: MailJobData; startAfter?: Date }[],
): Promise<void> {
  for (let i = 0; i < jobs.length; i += JOBS_PER_INSERT) {
    const chunk = jobs
      .slice(i, i + JOBS_PER_INSERT)
      .map((j) => ({ id: j.jobId, name: queue, data: j.data, ...(j.startAfter ? { startAfter: j.startAfter } : {}) }));
    await boss.insert(chunk, { db: inTransaction(em) });
  }
}

/**
 * The sweep's task-reminder selection as plain statements, for bench/reminders.bench.ts's baseline
 * (run bare, as the superuser): the bound the sweep computes, then the candidates it inserts.
 * `reminder_candidates` is LANGUAGE sql and inlined by Postgres, so this is the hand-written query.
 */
export const REMINDER_SELECTION_SQL = {
  /** $1: now. */
  bound: `SELECT (($1::timestamptz AT TIME ZONE 'UTC')::date + 1 + coalesce(max(d), 0))::text AS bound
            FROM (SELECT DISTINCT te.reminder_days FROM tenant_reminder_settings() te) r, unnest(r.reminder_days) d`,
  /** $1: now, $2: kinds, $3: the bound. */
  candidates:
    'SELECT tenant_id, recipient_id, task_id, kind, win, due_date, assignee_id, covered, rank_in_mail, mail_items FROM reminder_candidates($1::timestamptz, $2::text[], $3::date)',
} as const;

/** A job the sweep or the requeue pass gave rows to, and how many mails it names. */
interface JobRow {
  job_id: string;
  mails: number;
}

const jobsOf = (rows: readonly JobRow[]): { jobId: string; data: MailJobData }[] =>
  rows.map((r) => ({ jobId: r.job_id, data: { mails: r.mails } }));

const mailsOf = (rows: readonly JobRow[]): number => rows.reduce((sum, r) => sum + r.mails, 0);

/**
 * One sweep, one transaction. First, queued notifications whose job is gone get a new one
 * (`requeue_reminder_jobs`; it looks only at rows older than `requeueAfterMinutes`, so it goes
 * before the sweep's own rows, which it would never take). Then `sweep_reminder_jobs()` writes
 * every due notification across all tenants (set-based, ON CONFLICT DO NOTHING on the idempotency
 * key) and gives the rows job ids, one per chunk of 25 mails; the mail-send jobs, which carry only
 * their id, are written in the same transaction. Two sweeps at once, or one run twice, write each
 * row once; a crash before commit leaves neither rows nor jobs, after commit both.
 */
export async function sweepReminders(ds: DataSource, boss: PgBoss, options: SweepOptions): Promise<SweepResult> {
  const now = options.now ?? new Date();
  const kinds = options.kinds ?? NOTIFICATION_KINDS;
  return ds.transaction(async (em) => {
    const orphans = await em.query<JobRow[]>('SELECT job_id, mails FROM requeue_reminder_jobs($1, $2, make_interval(mins => $3))', [
      now.toISOString(),
      options.queue,
      options.requeueAfterMinutes ?? 10,
    ]);
    await queueMailJobs(boss, em, options.queue, jobsOf(orphans));
    const written = await em.query<JobRow[]>('SELECT job_id, mails FROM sweep_reminder_jobs($1, $2)', [now.toISOString(), kinds]);
    await queueMailJobs(boss, em, options.queue, jobsOf(written));
    return { queued: mailsOf(written), requeued: mailsOf(orphans) };
  });
}
