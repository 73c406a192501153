-- The mail log by status (queued, sent, failed, skipped), across tenants, for the metrics scrape
-- (dutybook_notifications, apps/runtime/metrics.ts). Row-level security shows the app role no
-- notification outside a tenant scope; this definer function turns on the `reminders` definer
-- scope (docs/reminders.md) for its one statement and answers counts only, never a row.
CREATE OR REPLACE FUNCTION reminders_notification_counts()
RETURNS TABLE (status text, n bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM set_config('app.scope', 'reminders', true);
  RETURN QUERY SELECT x.status, count(*) FROM notification x GROUP BY x.status;
  PERFORM set_config('app.scope', '', true);
END $$;
