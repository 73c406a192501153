-- Queued notifications whose delivery job is gone (retries exhausted by crashes, removed by hand):
-- they get new job ids (chunked like the sweep's); it answers one row per job with the mails it
-- names, and the caller queues those jobs in the same transaction.
CREATE OR REPLACE FUNCTION requeue_reminder_jobs(p_now timestamptz, p_queue text, p_older_than interval)
RETURNS TABLE (job_id uuid, mails integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
#variable_conflict use_column
DECLARE
  v_batch text := gen_random_uuid()::text;
BEGIN
  IF session_user = current_user THEN
    RAISE EXCEPTION 'requeue_reminder_jobs must be called by the app role, not by the schema owner (%)', current_user;
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
    -- Chunks of 25 mails per job, as the sweep writes them.
    SELECT o.id, md5(v_batch || ':requeue:' || (row_number() OVER () - 1) / 25)::uuid AS job_id FROM orphan o
  ), upd AS (
    -- A row whose lead is gone or settled goes on its own.
    UPDATE notification n SET job_id = x.job_id, summary_id = CASE WHEN n.summary_id = n.id THEN n.id END
      FROM numbered x WHERE n.id = x.id
    RETURNING n.job_id
  )
  -- Every row it moved is named by its new job: a lead, or a row that now goes on its own.
  SELECT upd.job_id, count(*)::int FROM upd GROUP BY upd.job_id;
  PERFORM set_config('app.scope', '', true);
  RETURN;
END $fn$;
