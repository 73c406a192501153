-- Each tenant's time zone (`tenant.time_zone`, owned by libs/tenancy; docs/tenancy-admin.md,
-- "Time zone"), for the reminder sweep's digests and due-soon weeks when the recipient set none.
-- Inlined into the caller's query (LANGUAGE sql, STABLE, no SET clause); RLS as for the caller.
CREATE OR REPLACE FUNCTION tenant_time_zones()
RETURNS TABLE (tenant_id uuid, timezone text)
LANGUAGE sql STABLE AS $$
  SELECT te.id, te.time_zone FROM tenant te
$$;
