-- Deletes a deleted tenant's mail logs (notification, catalog_update_mail: no foreign keys, so
-- nothing cascades),
-- in the deleting transaction (docs/tenancy-admin.md). Only the transaction's own tenant
-- (row-level security, forced, still applies), only once tenancy has tombstoned it
-- (tenant_deleted). Answers the notifications removed.
CREATE OR REPLACE FUNCTION reminders_purge_tenant(p_tenant uuid)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  removed integer;
BEGIN
  IF p_tenant IS DISTINCT FROM app_tenant_id() OR NOT tenant_deleted(p_tenant) THEN
    RAISE EXCEPTION 'reminders_purge_tenant: tenant % is not the scope''s deleted tenant', p_tenant;
  END IF;
  DELETE FROM notification WHERE tenant_id = p_tenant;
  GET DIAGNOSTICS removed = ROW_COUNT;
  DELETE FROM catalog_update_mail WHERE tenant_id = p_tenant;
  RETURN removed;
END $$;
