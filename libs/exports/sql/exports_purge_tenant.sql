-- Deletes a deleted tenant's evidence packs and calendar feeds, in the deleting transaction
-- (docs/tenancy-admin.md); the pack files share the evidence storage prefix `<tenantId>/` and go
-- with the evidence files. Only the transaction's own tenant (row-level security, forced, still
-- applies), only once tenancy has tombstoned it (tenant_deleted). Answers the packs removed.
CREATE OR REPLACE FUNCTION exports_purge_tenant(p_tenant uuid)
RETURNS integer
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  removed integer;
BEGIN
  IF p_tenant IS DISTINCT FROM app_tenant_id() OR NOT tenant_deleted(p_tenant) THEN
    RAISE EXCEPTION 'exports_purge_tenant: tenant % is not the scope''s deleted tenant', p_tenant;
  END IF;
  DELETE FROM evidence_pack WHERE tenant_id = p_tenant;
  GET DIAGNOSTICS removed = ROW_COUNT;
  DELETE FROM calendar_feed WHERE tenant_id = p_tenant;
  RETURN removed;
END $$;
