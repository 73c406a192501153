-- Bytes of evidence files stored, across tenants, for the metrics scrape
-- (dutybook_evidence_bytes, apps/runtime/metrics.ts). The committed rows are the truth of what is
-- stored (a file is never changed or deleted by the product; a tenant's removal deletes its rows),
-- so the sum is right on every replica and after every restart, which a counter kept by one
-- process would not be. This definer function turns on the `evidence` definer scope, which only
-- the policy via_evidence_read on evidence honours (read), and answers one number.
CREATE OR REPLACE FUNCTION evidence_bytes_stored()
RETURNS TABLE (files bigint, bytes bigint)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM set_config('app.scope', 'evidence', true);
  RETURN QUERY SELECT count(*), coalesce(sum(e.size), 0)::bigint FROM evidence e WHERE e.kind = 'file';
  PERFORM set_config('app.scope', '', true);
END $$;
