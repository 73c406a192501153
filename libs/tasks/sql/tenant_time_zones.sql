-- A tenant's time zone where nothing more precise applies (digests): its first subscription's.
-- Inlined into the caller's query (LANGUAGE sql, STABLE, no SET clause); RLS as for the caller.
CREATE OR REPLACE FUNCTION tenant_time_zones()
RETURNS TABLE (tenant_id uuid, timezone text)
LANGUAGE sql STABLE AS $$
  SELECT DISTINCT ON (s.tenant_id) s.tenant_id, s.timezone
    FROM subscription s
   ORDER BY s.tenant_id, s.created_at, s.id
$$;
