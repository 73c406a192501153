-- Packs past their expiry (ready or failed), across tenants, for the worker's expiry sweep. Row-level
-- security shows a connection only its scope's tenant and binds the owner too (FORCE): like the
-- reminders sweep (docs/reminders.md), this definer function turns on the `exports` definer scope
-- for its one statement, which only the policy `via_exports_read` on evidence_pack honours (read).
-- It answers ids and tenants, nothing else; the sweep then expires each pack in its own tenant scope.
CREATE OR REPLACE FUNCTION exports_expired_packs(p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM set_config('app.scope', 'exports', true);
  RETURN QUERY
    SELECT p.tenant_id, p.id FROM evidence_pack p
     WHERE p.state IN ('ready', 'failed') AND p.expires_at <= now()
     ORDER BY p.expires_at
     LIMIT least(greatest(p_limit, 0), 1000);
  PERFORM set_config('app.scope', '', true);
END $$;
