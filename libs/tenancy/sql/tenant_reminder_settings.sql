-- Each tenant's name and reminder settings (columns of `tenant`, owned by libs/tenancy) for the
-- reminder sweep and sender. Inlined into the caller's query; RLS as for the caller.
CREATE OR REPLACE FUNCTION tenant_reminder_settings()
RETURNS TABLE (tenant_id uuid, name text, reminder_days integer[], escalation_days integer)
LANGUAGE sql STABLE AS $$
  SELECT te.id, te.name, te.reminder_days, te.escalation_days FROM tenant te
$$;
