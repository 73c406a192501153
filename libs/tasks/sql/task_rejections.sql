-- Rejections made in [p_since, p_until], with the task's assignee and who completed it (for the
-- rejection mail, libs/reminders). Inlined into the caller's query; RLS as for the caller.
CREATE OR REPLACE FUNCTION task_rejections(p_since timestamptz, p_until timestamptz)
RETURNS TABLE (
  tenant_id uuid, review_id uuid, task_id uuid, task_status text, reviewer_id uuid, comment text,
  created_at timestamptz, is_latest boolean, assignee_id uuid, completed_by uuid
)
LANGUAGE sql STABLE AS $$
  SELECT r.tenant_id, r.id, r.task_id, t.status, r.reviewer_id, r.comment, r.created_at,
         NOT EXISTS (SELECT 1 FROM review l
                      WHERE l.tenant_id = r.tenant_id AND l.task_id = r.task_id
                        AND (l.created_at, l.id) > (r.created_at, r.id)),
         t.assignee_id, t.completed_by
    FROM review r
    JOIN task t ON t.id = r.task_id AND t.tenant_id = r.tenant_id
   WHERE r.decision = 'reject' AND r.created_at > p_since AND r.created_at <= p_until
$$;
