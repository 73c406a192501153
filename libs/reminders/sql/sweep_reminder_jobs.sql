-- One sweep: inserts every due notification across all tenants (set-based, ON CONFLICT DO NOTHING
-- on the idempotency key notification_once) and gives each row a job id, one per chunk of 25 mails
-- (the rows of a summary share their lead's); it answers one row per job with the mails it names,
-- and the caller queues those jobs in the same transaction. A job carries only its id: the sender
-- finds its mails with reminder_job_mails. It must read every tenant at once, so it runs as the
-- owner and turns on the `reminders` definer scope for its own statements (docs/reminders.md,
-- row-level security).
-- Who gets what is decided by reminder_candidates (task reminders) and the two statements below.
CREATE OR REPLACE FUNCTION sweep_reminder_jobs(p_now timestamptz, p_kinds text[])
RETURNS TABLE (job_id uuid, mails integer)
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
    RAISE EXCEPTION 'sweep_reminder_jobs must be called by the app role, not by the schema owner (%)', current_user
      USING HINT = 'Connect the api and worker as a role that owns nothing (DATABASE_URL) and run migrations as the owner (DATABASE_OWNER_URL).';
  END IF;
  IF p_now IS NULL THEN
    RAISE EXCEPTION 'sweep_reminder_jobs needs p_now';
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
      RETURNING job_id
    )
    SELECT ins.job_id, count(*)::int FROM ins GROUP BY ins.job_id;
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
      RETURNING job_id
    )
    SELECT ins.job_id, count(*)::int FROM ins GROUP BY ins.job_id;
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
      -- their lead (summary_id); a job names 25 mails, and a summary's rows share its lead's job.
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
      RETURNING id, job_id, status, summary_id
    )
    -- The mails a job names: single mails and the leads of summaries (reminder_job_mails).
    SELECT ins.job_id, count(*)::int FROM ins
     WHERE ins.status = 'queued' AND (ins.summary_id IS NULL OR ins.summary_id = ins.id)
     GROUP BY ins.job_id;
  END IF;

  PERFORM set_config('app.scope', '', true);
  RETURN;
END $fn$;
