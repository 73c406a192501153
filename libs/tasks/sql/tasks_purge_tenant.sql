-- Deletes a deleted tenant's subscriptions, tasks, reviews, task events and roll-over schedule, in
-- the deleting transaction (docs/tenancy-admin.md). The app role may not DELETE these tables; this
-- owner-run function may, only for the transaction's own tenant (row-level security, forced, still
-- applies) and only once tenancy has tombstoned it (tenant_deleted). Evidence rows must be gone
-- first (their foreign key to the task). Answers the number of tasks removed.
CREATE OR REPLACE FUNCTION tasks_purge_tenant(p_tenant uuid)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  removed integer;
BEGIN
  IF p_tenant IS DISTINCT FROM app_tenant_id() OR NOT tenant_deleted(p_tenant) THEN
    RAISE EXCEPTION 'tasks_purge_tenant: tenant % is not the scope''s deleted tenant', p_tenant;
  END IF;
  DELETE FROM review WHERE tenant_id = p_tenant;
  DELETE FROM task_event WHERE tenant_id = p_tenant;
  DELETE FROM task WHERE tenant_id = p_tenant;
  GET DIAGNOSTICS removed = ROW_COUNT;
  DELETE FROM occurrence_schedule WHERE tenant_id = p_tenant;
  DELETE FROM subscription WHERE tenant_id = p_tenant;
  RETURN removed;
END $$;
