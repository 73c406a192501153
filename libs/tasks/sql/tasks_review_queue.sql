-- The review queue of the authenticated user (GET /me/review-queue): every task waiting for a
-- review (status done) in every tenant where that user holds an active auditor or admin
-- membership (the roles that may review, docs/tasks.md), except the tasks the user completed
-- (SELF_REVIEW), longest waiting first, with the tenant's name. Keyset: after (p_after_at,
-- p_after_id) on (waiting since, task id).
--
-- Why a definer function: row-level security shows a connection one tenant's tasks, and this
-- list spans tenants. It turns on the `tasks_review` definer scope for its one statement, which
-- only the policy `via_tasks_review_read` on task honours (read). The user is app_user_id(), set
-- by the unit of work from the access token, never a parameter: no caller can name another
-- user. Memberships and tenant names come through libs/tenancy's doors (active_memberships,
-- tenant_names), whose tables row-level security already shows to their own user only
-- (membership_own, tenant_of_member); the explicit user and role filter below is the rule.
CREATE OR REPLACE FUNCTION tasks_review_queue(p_after_at timestamptz, p_after_id uuid, p_limit integer)
RETURNS TABLE (
  tenant_id uuid, tenant_name text, task_id uuid, activity_key text, title text, section text, phase text,
  due_date date, waiting_since timestamptz, completed_by uuid, evidence_count integer
)
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_user uuid := app_user_id();
BEGIN
  IF v_user IS NULL THEN
    RETURN;
  END IF;
  PERFORM set_config('app.scope', 'tasks_review', true);
  RETURN QUERY
    SELECT t.tenant_id, n.name, t.id, a.key, a.title, a.section, a.phase,
           t.due_date, coalesce(t.completed_at, t.updated_at), t.completed_by, t.evidence_count
      FROM active_memberships(now()) m
      JOIN tenant_names() n ON n.tenant_id = m.tenant_id
      JOIN task t ON t.tenant_id = m.tenant_id AND t.status = 'done'
      JOIN activity_card a ON a.id = t.activity_id
     WHERE m.user_id = v_user AND m.role IN ('auditor', 'admin')
       AND t.completed_by IS DISTINCT FROM v_user
       AND (p_after_at IS NULL OR (coalesce(t.completed_at, t.updated_at), t.id) > (p_after_at, p_after_id))
     ORDER BY coalesce(t.completed_at, t.updated_at), t.id
     LIMIT least(greatest(p_limit, 1), 201);
  PERFORM set_config('app.scope', '', true);
END $$;
