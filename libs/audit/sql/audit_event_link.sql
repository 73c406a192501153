-- Row trigger on audit_event: every new row must extend the chain exactly where the head is
-- (seq + 1, prev_hash = head hash); the head then moves to it.
CREATE OR REPLACE FUNCTION audit_event_link() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  head_seq bigint;
  head_hash text;
BEGIN
  SELECT h.seq, h.hash INTO head_seq, head_hash FROM audit_head h WHERE h.tenant_id = NEW.tenant_id FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'audit_event for tenant % has no claimed head: call audit_claim_head() first', NEW.tenant_id
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  IF NEW.seq <> head_seq + 1 OR NEW.prev_hash <> head_hash THEN
    RAISE EXCEPTION 'audit_event % of tenant % does not extend the chain (head is % %)', NEW.seq, NEW.tenant_id, head_seq, head_hash
      USING ERRCODE = 'integrity_constraint_violation';
  END IF;
  UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE tenant_id = NEW.tenant_id;
  RETURN NEW;
END $$;
