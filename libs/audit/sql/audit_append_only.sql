-- Statement trigger on audit_event: the trail is never updated, deleted or truncated, by any role
-- (the owner included) until someone with the power to do so disables or drops the trigger.
CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_event is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege',
          HINT = 'The audit trail is never changed; record a new event instead.';
END $$;
