-- Locks the tenant's head row (creating it at genesis) and hands back what the next event chains
-- onto. A transaction scoped to another tenant gets its scope back and nothing locked: the caller
-- (audit.repository.ts) treats that as the programming error it is.
CREATE OR REPLACE FUNCTION audit_claim_head(p_tenant uuid)
RETURNS TABLE (scope text, seq bigint, hash text, at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  scope := current_setting('app.tenant_id', true);
  IF p_tenant IS NULL OR app_tenant_id() IS DISTINCT FROM p_tenant THEN
    RETURN NEXT;
    RETURN;
  END IF;
  INSERT INTO audit_head (tenant_id, seq, hash) VALUES (p_tenant, 0, repeat('0', 64))
    ON CONFLICT (tenant_id) DO NOTHING;
  SELECT h.seq, h.hash INTO seq, hash FROM audit_head h WHERE h.tenant_id = p_tenant FOR UPDATE;
  -- Read after the lock, so times never run backwards along the chain (on one clock).
  at := date_trunc('milliseconds', clock_timestamp());
  RETURN NEXT;
END $$;
