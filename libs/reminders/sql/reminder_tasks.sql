-- Each task with its owner: the assignee while they are an active admin or member of the tenant,
-- else nobody (the task is then the tenant admins'). The one definition of "whose reminder it is",
-- used by the sweep (sweep_reminder_jobs) and by the sender when it checks a mail is still true.
-- Inlined into the caller's query (LANGUAGE sql, STABLE, no SET clause); RLS as for the caller.
CREATE OR REPLACE FUNCTION reminder_tasks(p_now timestamptz)
RETURNS TABLE (
  tenant_id uuid, task_id uuid, status text, is_open boolean, due_date date, days_left integer,
  assignee_id uuid, completed_by uuid, activity_id uuid, timezone text, owner_id uuid
)
LANGUAGE sql STABLE AS $$
  SELECT t.tenant_id, t.task_id, t.status, t.is_open, t.due_date, t.days_left,
         t.assignee_id, t.completed_by, t.activity_id, t.timezone, am.user_id
    FROM task_due_facts(p_now) t
    LEFT JOIN active_memberships(p_now) am
      ON am.tenant_id = t.tenant_id AND am.user_id = t.assignee_id AND am.role IN ('admin', 'member')
$$;
