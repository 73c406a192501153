-- The mails a mail-send job names: the queued rows carrying its id that are a mail of their own or
-- the lead of a summary (the lead's delivery takes the summary's other rows). A job carries only
-- its id, not a list: the rows already say which job is meant to deliver them (the sweep's chunk,
-- a requeue, or one mail's retry), so a row moved to a newer job is no longer named by the older.
-- It reads across tenants, so it runs as the owner under the `reminders` definer scope; the sender
-- then delivers each mail in its tenant's own scope.
CREATE OR REPLACE FUNCTION reminder_job_mails(p_job_id uuid)
RETURNS TABLE (tenant_id uuid, notification_id uuid)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
#variable_conflict use_column
BEGIN
  IF session_user = current_user THEN
    RAISE EXCEPTION 'reminder_job_mails must be called by the app role, not by the schema owner (%)', current_user;
  END IF;
  PERFORM set_config('app.scope', 'reminders', true);
  RETURN QUERY
  SELECT n.tenant_id, n.id FROM notification n
   WHERE n.job_id = p_job_id AND n.status = 'queued' AND (n.summary_id IS NULL OR n.summary_id = n.id)
   ORDER BY n.tenant_id, n.id;
  PERFORM set_config('app.scope', '', true);
  RETURN;
END $fn$;
