-- Which tenant subscribes to a catalog, on which version (for the mail that tells tenant admins a
-- newer version was published, libs/reminders). Inlined into the caller's query (LANGUAGE sql,
-- STABLE, no SET clause); RLS as for the caller.
CREATE OR REPLACE FUNCTION catalog_subscriptions(p_catalog_id uuid)
RETURNS TABLE (tenant_id uuid, subscription_id uuid, catalog_version_id uuid, created_at timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT s.tenant_id, s.id, s.catalog_version_id, s.created_at FROM subscription s WHERE s.catalog_id = p_catalog_id
$$;
