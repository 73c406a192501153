-- libs/tasks' door for set-based readers of tasks (the reminder sweep and sender, libs/reminders):
-- each task with what its due date means today. "Open" (todo, in_progress, rejected) and "today"
-- (the date in the subscription's time zone) are the tasks lib's rules, written here once for SQL.
-- LANGUAGE sql, STABLE, SECURITY INVOKER and no SET clause, so Postgres inlines it into the
-- caller's query (the open-task index still serves `is_open AND due_date <= bound`), and row-level
-- security applies as to the caller.
CREATE OR REPLACE FUNCTION task_due_facts(p_now timestamptz)
RETURNS TABLE (
  tenant_id uuid, task_id uuid, status text, is_open boolean, due_date date, days_left integer,
  assignee_id uuid, completed_by uuid, activity_id uuid, timezone text
)
LANGUAGE sql STABLE AS $$
  SELECT t.tenant_id, t.id, t.status, t.status IN ('todo', 'in_progress', 'rejected'), t.due_date,
         t.due_date - (p_now AT TIME ZONE s.timezone)::date,
         t.assignee_id, t.completed_by, t.activity_id, s.timezone
    FROM task t
    JOIN subscription s ON s.id = t.subscription_id AND s.tenant_id = t.tenant_id
$$;
