import type { MigrationInterface, QueryRunner } from 'typeorm';
import { applyFunctionSource } from './function-source';
import { grantToApp } from './grants';

const NEW_FUNCTIONS = [
  'sweep_reminder_jobs(timestamptz, text[])',
  'requeue_reminder_jobs(timestamptz, text, interval)',
  'reminder_job_mails(uuid)',
] as const;
const OLD_FUNCTIONS = ['sweep_reminders(timestamptz, text[])', 'requeue_reminders(timestamptz, text, interval)'] as const;

/**
 * A mail-send job carries only its id (docs/reminders.md, "Exactly once"; bench:reminders).
 *
 * Before, each job listed its 25 `{tenantId, notificationId}` pairs in its JSON data, although
 * every row already carries the id of the job meant to deliver it (`notification.job_id`). A
 * 10,000-mail sweep wrote 10,000 ids into pg-boss and read 10,000 rows back from the database to
 * build them. Now:
 *
 * - `sweep_reminder_jobs` and `requeue_reminder_jobs` replace `sweep_reminders` and
 *   `requeue_reminders`: the same statements, answering one row per job with the number of mails
 *   it names. The result type changes, and CREATE OR REPLACE cannot change it; new names keep the
 *   older migrations, which apply the `sql/` files as they are now, valid on a fresh database (they
 *   no longer apply the two old files, which are gone; this migration drops those functions).
 * - `reminder_job_mails(job)` gives the sender a job's mails: its queued rows that are a mail of
 *   their own or the lead of a summary. Jobs written before this migration are delivered the same
 *   way: their rows carry their id.
 * - The partial index of queued rows is keyed on `job_id` instead of `created_at`: the sender's
 *   lookup needs it; the requeue pass reads every queued row anyway (they are few).
 */
export class ReminderJobsById1764001700000 implements MigrationInterface {
  name = 'ReminderJobsById1764001700000';

  async up(q: QueryRunner): Promise<void> {
    for (const fn of ['sweep_reminder_jobs', 'requeue_reminder_jobs', 'reminder_job_mails']) await applyFunctionSource(q, 'reminders', fn);
    for (const fn of NEW_FUNCTIONS) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await grantToApp(q, 'EXECUTE', `FUNCTION ${fn}`);
    }
    for (const fn of OLD_FUNCTIONS) await q.query(`DROP FUNCTION IF EXISTS ${fn}`);
    await q.query('DROP INDEX IF EXISTS notification_queued_idx');
    await q.query(`CREATE INDEX notification_queued_job_idx ON notification (job_id) WHERE status = 'queued'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX IF EXISTS notification_queued_job_idx');
    await q.query(`CREATE INDEX notification_queued_idx ON notification (created_at) WHERE status = 'queued'`);
    // The two functions as they were (their files' last content), for the code before this change.
    // Jobs queued since name no items: that code's sender fails them, and once pg-boss gives up,
    // its requeue pass gives their rows new jobs that list them.
    await q.query(SWEEP_REMINDERS);
    await q.query(REQUEUE_REMINDERS);
    for (const fn of OLD_FUNCTIONS) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await grantToApp(q, 'EXECUTE', `FUNCTION ${fn}`);
    }
    for (const fn of NEW_FUNCTIONS) await q.query(`DROP FUNCTION IF EXISTS ${fn}`);
  }
}

const SWEEP_REMINDERS = `
-- One sweep: inserts every due notification across all tenants (set-based, ON CONFLICT DO NOTHING
-- on the idempotency key notification_once) and gives each row a job id, one per chunk of 25
-- (NOTIFICATIONS_PER_JOB in reminder.types.ts); the caller queues those jobs in the same
-- transaction. It must read every tenant at once, so it runs as the owner and turns on the
-- \`reminders\` definer scope for its own statements (docs/reminders.md, row-level security).
-- Who gets what is decided by reminder_candidates (task reminders) and the two statements below.
CREATE OR REPLACE FUNCTION sweep_reminders(p_now timestamptz, p_kinds text[])
RETURNS TABLE (notification_id uuid, tenant_id uuid, job_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
-- Closed tasks are mostly in the past, so the planner overestimates the open tasks due by the
-- bound and, given workers, picks a parallel scan of every task over the index range.
SET max_parallel_workers_per_gather = 0 AS $fn$
#variable_conflict use_column
DECLARE
  v_kinds text[] := coalesce(p_kinds, ARRAY['digest', 'review_rejected', 'escalation', 'overdue', 'due_soon']);
  v_bound date;
  -- Job ids of this call: unique across calls, shared by the rows of one chunk.
  v_batch text := gen_random_uuid()::text;
BEGIN
  IF session_user = current_user THEN
    RAISE EXCEPTION 'sweep_reminders must be called by the app role, not by the schema owner (%)', current_user
      USING HINT = 'Connect the api and worker as a role that owns nothing (DATABASE_URL) and run migrations as the owner (DATABASE_OWNER_URL).';
  END IF;
  IF p_now IS NULL THEN
    RAISE EXCEPTION 'sweep_reminders needs p_now';
  END IF;
  PERFORM set_config('app.scope', 'reminders', true);
  -- Digests first: the due-soon rule reads the digests of the week.
  IF 'digest' = ANY (v_kinds) THEN
    RETURN QUERY
    WITH who AS (
      SELECT m.tenant_id, m.user_id, m.role, to_char(l.local_now, 'IYYY-"W"IW') AS week
        FROM active_memberships(p_now) m
        JOIN tenant_time_zones() tz ON tz.tenant_id = m.tenant_id
        LEFT JOIN notification_preference p ON p.user_id = m.user_id
        CROSS JOIN LATERAL (SELECT p_now AT TIME ZONE coalesce(p.timezone, tz.timezone) AS local_now) l
       WHERE m.role IN ('admin', 'member') AND coalesce(p.digest, true)
         -- Monday 08:00 local, with a day to catch up on a missed run.
         AND l.local_now >= date_trunc('week', l.local_now) + interval '8 hours'
         AND l.local_now < date_trunc('week', l.local_now) + interval '32 hours'
    ), owned AS (
      SELECT t.tenant_id, t.task_id, t.due_date, t.owner_id
        FROM reminder_tasks(p_now) t
       WHERE t.is_open AND t.due_date IS NOT NULL
         AND t.tenant_id IN (SELECT w.tenant_id FROM who w)
    ), lists AS (
      SELECT w.tenant_id, w.user_id, w.week, jsonb_agg(o.task_id ORDER BY o.due_date, o.task_id) AS task_ids
        FROM who w
        JOIN owned o ON o.tenant_id = w.tenant_id AND (o.owner_id = w.user_id OR (o.owner_id IS NULL AND w.role = 'admin'))
       GROUP BY w.tenant_id, w.user_id, w.week
    ), ins AS (
      INSERT INTO notification (tenant_id, recipient_id, task_id, kind, "window", data, created_at, job_id)
      SELECT tenant_id, user_id, NULL, 'digest', week, jsonb_build_object('taskIds', task_ids), p_now,
             md5(v_batch || ':digest:' || (row_number() OVER () - 1) / 25)::uuid
        FROM lists
      ON CONFLICT DO NOTHING
      RETURNING id, tenant_id, job_id
    )
    SELECT id, tenant_id, job_id FROM ins;
  END IF;

  IF 'review_rejected' = ANY (v_kinds) THEN
    RETURN QUERY
    WITH ins AS (
      INSERT INTO notification (tenant_id, recipient_id, task_id, kind, "window", data, created_at, job_id)
      SELECT r.tenant_id, who.user_id, r.task_id, 'review_rejected', r.review_id::text, jsonb_build_object('reviewId', r.review_id), p_now,
             md5(v_batch || ':review:' || (row_number() OVER () - 1) / 25)::uuid
        FROM task_rejections(p_now - interval '7 days', p_now) r
        -- The assignee, else whoever completed the task; never the reviewer themselves.
        CROSS JOIN LATERAL (
          SELECT m.user_id FROM active_memberships(p_now) m
           WHERE m.tenant_id = r.tenant_id AND m.user_id IN (r.assignee_id, r.completed_by)
             AND m.role IN ('admin', 'member')
           ORDER BY (m.user_id = r.assignee_id) IS TRUE DESC LIMIT 1
        ) who
        LEFT JOIN notification_preference p ON p.user_id = who.user_id
       WHERE who.user_id <> r.reviewer_id AND coalesce(p.review_rejected, true)
      ON CONFLICT DO NOTHING
      RETURNING id, tenant_id, job_id
    )
    SELECT id, tenant_id, job_id FROM ins;
  END IF;

  IF v_kinds && ARRAY['due_soon', 'overdue', 'escalation'] THEN
    -- Overdue needs due dates up to today (UTC + 1 covers the zones ahead); due-soon reaches as
    -- far as the largest offset of any tenant.
    SELECT (p_now AT TIME ZONE 'UTC')::date + 1
           + CASE WHEN 'due_soon' = ANY (v_kinds) THEN coalesce(max(d), 0) ELSE 0 END
      INTO v_bound
      FROM (SELECT DISTINCT te.reminder_days FROM tenant_reminder_settings() te) r, unnest(r.reminder_days) d;
    RETURN QUERY
    WITH c AS MATERIALIZED (
      SELECT w.*, gen_random_uuid() AS id FROM reminder_candidates(p_now, v_kinds, v_bound) w
    ), x AS (
      -- One mail per (tenant, recipient): several items are one summary, whose rows point at
      -- their lead (summary_id); jobs carry 25 mails, so a summary's rows share its lead's job.
      SELECT c.*,
             CASE WHEN NOT c.covered AND c.mail_items > 1 THEN first_value(c.id) OVER (
               PARTITION BY c.covered, c.tenant_id, c.recipient_id ORDER BY c.rank_in_mail) END AS summary_id,
             (dense_rank() OVER (ORDER BY c.covered, c.tenant_id, c.recipient_id) - 1) / 25 AS job_no
        FROM c
    ), ins AS (
      INSERT INTO notification (id, tenant_id, recipient_id, task_id, kind, "window", data, created_at, job_id, status, last_error, summary_id)
      SELECT x.id, x.tenant_id, x.recipient_id, x.task_id, x.kind, x.win,
             CASE WHEN x.kind = 'escalation' THEN jsonb_build_object('dueDate', x.due_date, 'assigneeId', x.assignee_id)
                  ELSE jsonb_build_object('dueDate', x.due_date) END,
             p_now, md5(v_batch || ':tasks:' || x.job_no)::uuid,
             CASE WHEN x.covered THEN 'skipped' ELSE 'queued' END,
             CASE WHEN x.covered THEN 'covered by the escalation of the same sweep' END,
             x.summary_id
        FROM x
      ON CONFLICT DO NOTHING
      RETURNING id, tenant_id, job_id, status, summary_id
    )
    -- The rows a job names: single mails and the leads of summaries.
    SELECT id, tenant_id, job_id FROM ins WHERE status = 'queued' AND (summary_id IS NULL OR summary_id = id);
  END IF;

  PERFORM set_config('app.scope', '', true);
  RETURN;
END $fn$;
`;

const REQUEUE_REMINDERS = `
-- Queued notifications whose delivery job is gone (retries exhausted by crashes, removed by hand):
-- they get new job ids (chunked like the sweep's), which the caller queues in the same transaction.
CREATE OR REPLACE FUNCTION requeue_reminders(p_now timestamptz, p_queue text, p_older_than interval)
RETURNS TABLE (notification_id uuid, tenant_id uuid, job_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
#variable_conflict use_column
DECLARE
  v_batch text := gen_random_uuid()::text;
BEGIN
  IF session_user = current_user THEN
    RAISE EXCEPTION 'requeue_reminders must be called by the app role, not by the schema owner (%)', current_user;
  END IF;
  PERFORM set_config('app.scope', 'reminders', true);
  RETURN QUERY
  WITH orphan AS (
    SELECT n.id FROM notification n
     WHERE n.status = 'queued' AND n.created_at < p_now - p_older_than
       -- A row of a summary goes with its lead while the lead is queued (the lead's job names it).
       AND NOT (n.summary_id IS NOT NULL AND n.summary_id <> n.id
                AND EXISTS (SELECT 1 FROM notification l WHERE l.id = n.summary_id AND l.status = 'queued'))
       AND NOT EXISTS (
         SELECT 1 FROM pgboss.job j
          WHERE j.name = p_queue AND j.id = n.job_id AND j.state IN ('created', 'retry', 'active'))
     -- A row a sender holds is being delivered right now.
     FOR UPDATE OF n SKIP LOCKED
  ), numbered AS (
    -- Chunks of 25 notifications per job (NOTIFICATIONS_PER_JOB in reminder.types.ts).
    SELECT o.id, md5(v_batch || ':requeue:' || (row_number() OVER () - 1) / 25)::uuid AS job_id FROM orphan o
  ), upd AS (
    -- A row whose lead is gone or settled goes on its own.
    UPDATE notification n SET job_id = x.job_id, summary_id = CASE WHEN n.summary_id = n.id THEN n.id END
      FROM numbered x WHERE n.id = x.id
    RETURNING n.id, n.tenant_id, n.job_id
  )
  SELECT id, tenant_id, job_id FROM upd;
  PERFORM set_config('app.scope', '', true);
  RETURN;
END $fn$;
`;
