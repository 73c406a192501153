-- Tenants' names for set-based readers of other libs (the review queue of libs/tasks). Inlined
-- into the caller's query (LANGUAGE sql, STABLE, no SET clause); row-level security applies as to
-- the caller (a user sees the tenants it belongs to).
CREATE OR REPLACE FUNCTION tenant_names()
RETURNS TABLE (tenant_id uuid, name text)
LANGUAGE sql STABLE AS $$
  SELECT t.id, t.name FROM tenant t
$$;
