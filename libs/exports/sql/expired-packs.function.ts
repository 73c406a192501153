/**
 * The current definition of exports_expired_packs (docs/data-access.md: one source per database
 * function; a TypeScript string rather than a .sql file so the compiled migrations carry it).
 *
 * Packs past their expiry (ready or failed), across tenants, for the worker's expiry sweep. Row-level
 * security shows a connection only its scope's tenant: this definer function lists what is due
 * (ids and tenants, nothing else); the sweep then expires each pack in that pack's tenant scope.
 */
export const EXPORTS_EXPIRED_PACKS_SQL = `
CREATE OR REPLACE FUNCTION exports_expired_packs(p_limit integer)
RETURNS TABLE (tenant_id uuid, id uuid)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT p.tenant_id, p.id FROM evidence_pack p
  WHERE p.state IN ('ready', 'failed') AND p.expires_at <= now()
  ORDER BY p.expires_at
  LIMIT p_limit
$$`;
