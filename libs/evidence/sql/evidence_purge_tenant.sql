-- Deletes a deleted tenant's evidence rows, in the deleting transaction (docs/tenancy-admin.md);
-- the files go afterwards, by the worker's job queued in the same transaction. Evidence is
-- otherwise never deleted (the app role has SELECT and INSERT only): this owner-run function
-- deletes only the transaction's own tenant's rows (row-level security, forced, still applies) and
-- only once tenancy has tombstoned it (tenant_deleted). Answers the number of rows removed.
CREATE OR REPLACE FUNCTION evidence_purge_tenant(p_tenant uuid)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  removed integer;
BEGIN
  IF p_tenant IS DISTINCT FROM app_tenant_id() OR NOT tenant_deleted(p_tenant) THEN
    RAISE EXCEPTION 'evidence_purge_tenant: tenant % is not the scope''s deleted tenant', p_tenant;
  END IF;
  DELETE FROM evidence WHERE tenant_id = p_tenant;
  GET DIAGNOSTICS removed = ROW_COUNT;
  RETURN removed;
END $$;
