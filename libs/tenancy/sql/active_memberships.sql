-- The active-membership rule for set-based SQL readers (the reminder sweep and sender): a
-- membership counts until its expires_at. Inlined into the caller's query (LANGUAGE sql, STABLE,
-- no SET clause); row-level security applies as to the caller.
CREATE OR REPLACE FUNCTION active_memberships(p_now timestamptz)
RETURNS TABLE (tenant_id uuid, user_id uuid, role text)
LANGUAGE sql STABLE AS $$
  SELECT m.tenant_id, m.user_id, m.role
    FROM membership m
   WHERE m.expires_at IS NULL OR m.expires_at > p_now
$$;
