-- The head moves only from the link trigger (nested, depth 2); no one rewinds or removes it.
CREATE OR REPLACE FUNCTION audit_head_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN
    RETURN NULL;
  END IF;
  RAISE EXCEPTION 'audit_head moves only when an audit_event is appended: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;
