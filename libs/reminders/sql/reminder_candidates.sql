-- The reminder selection rules (docs/reminders.md), once: who should be told about which open task
-- at p_now, one row per (recipient, task, kind, window), preferences and the digest rule applied.
-- sweep_reminder_jobs inserts exactly these rows; bench/reminders.bench.ts runs it bare (as the
-- superuser) as its baseline. p_bound is the last due date any tenant's largest reminder offset
-- can reach, so the scan stays on the open-task index range. Tables of other libs are read through
-- their functions (reminder_tasks -> task_due_facts, active_memberships; tenant_reminder_settings;
-- tenant_time_zones), which Postgres inlines: the plan is the one a single hand-written query gets.
--
-- Only rows not written yet come out (the idempotency key notification_once), and they say how
-- they reach the recipient, so that one sweep never buries anyone (docs/reminders.md, "one mail
-- per person per sweep"): `covered` marks an overdue row whose escalation to the same person for
-- the same task is new in the same sweep (the escalation wins; the row is written as skipped so
-- it is not sent later either); `mail_items` counts the rows that reach one (tenant, recipient)
-- in this sweep, and `rank_in_mail` orders them (escalations, overdue, due soon; then due date):
-- more than one item is one summary mail, led by rank 1.
CREATE OR REPLACE FUNCTION reminder_candidates(p_now timestamptz, p_kinds text[], p_bound date)
RETURNS TABLE (tenant_id uuid, recipient_id uuid, task_id uuid, kind text, win text, due_date date, assignee_id uuid,
               covered boolean, rank_in_mail int, mail_items int)
LANGUAGE sql STABLE AS $$
  WITH cand AS MATERIALIZED (
    SELECT t.tenant_id, t.task_id, t.due_date, t.assignee_id, t.owner_id, t.days_left,
           te.reminder_days, te.escalation_days
      FROM reminder_tasks(p_now) t
      JOIN tenant_reminder_settings() te ON te.tenant_id = t.tenant_id
     WHERE t.is_open AND t.due_date <= p_bound
  ), kinds AS (
    SELECT c.*, 'due_soon'::text AS kind, 'd' || (SELECT min(o) FROM unnest(c.reminder_days) o WHERE o >= c.days_left) AS win
      FROM cand c WHERE 'due_soon' = ANY (p_kinds) AND c.days_left >= 0
    UNION ALL
    SELECT c.*, 'overdue', 'w' || ((-c.days_left - 1) / 7)
      FROM cand c WHERE 'overdue' = ANY (p_kinds) AND c.days_left < 0
    UNION ALL
    SELECT c.*, 'escalation', 'esc'
      FROM cand c WHERE 'escalation' = ANY (p_kinds) AND -c.days_left >= c.escalation_days
  ), rcpt AS (
    -- The owner; escalations, and tasks nobody owns, go to every active admin.
    SELECT k.tenant_id, k.task_id, k.kind, k.win, k.due_date, k.assignee_id, k.owner_id AS recipient_id
      FROM kinds k WHERE k.win IS NOT NULL AND k.kind <> 'escalation' AND k.owner_id IS NOT NULL
    UNION ALL
    SELECT k.tenant_id, k.task_id, k.kind, k.win, k.due_date, k.assignee_id, a.user_id
      FROM kinds k
      JOIN active_memberships(p_now) a ON a.tenant_id = k.tenant_id AND a.role = 'admin'
     WHERE k.win IS NOT NULL AND (k.kind = 'escalation' OR k.owner_id IS NULL)
  ), who AS MATERIALIZED (
    -- Preferences applied; for due-soon rows, the recipient's local time for the digest week
    -- (their time zone, else the tenant's).
    SELECT x.*, coalesce(p.digest, true) AS wants_digest,
           CASE WHEN x.kind = 'due_soon' THEN p_now AT TIME ZONE coalesce(p.timezone, (
             SELECT tz.timezone FROM tenant_time_zones() tz WHERE tz.tenant_id = x.tenant_id)) END AS local_now
      FROM rcpt x
      LEFT JOIN notification_preference p ON p.user_id = x.recipient_id
     WHERE CASE x.kind
             WHEN 'due_soon' THEN coalesce(p.due_soon, true)
             WHEN 'overdue' THEN coalesce(p.overdue, true)
             ELSE coalesce(p.escalation, true)
           END
  ), digests AS MATERIALIZED (
    -- The digests of the last 8 days, read once, before anything is inserted.
    SELECT d.tenant_id, d.recipient_id, d."window", d.data -> 'taskIds' AS task_ids
      FROM notification d
     WHERE d.kind = 'digest' AND d.created_at > p_now - interval '8 days' AND d.created_at <= p_now
  ), fresh AS (
    SELECT w.tenant_id, w.recipient_id, w.task_id, w.kind, w.win, w.due_date, w.assignee_id
      FROM who w
      LEFT JOIN digests d ON w.kind = 'due_soon' AND d.tenant_id = w.tenant_id AND d.recipient_id = w.recipient_id
       AND d."window" = to_char(w.local_now, 'IYYY-"W"IW')
     WHERE (w.kind <> 'due_soon'
      -- No separate due-soon mail for a task this week's digest lists ...
      OR (d.tenant_id IS NOT NULL AND NOT d.task_ids ? w.task_id::text)
      -- ... and none while that digest is due but not written yet: held for it, not lost.
      OR (d.tenant_id IS NULL AND NOT (w.wants_digest
            AND w.local_now >= date_trunc('week', w.local_now) + interval '8 hours'
            AND w.local_now < date_trunc('week', w.local_now) + interval '32 hours')))
     -- Written already (an earlier sweep): not news, and not part of this sweep's mail.
     AND NOT EXISTS (
       SELECT 1 FROM notification n
        WHERE n.tenant_id = w.tenant_id AND n.recipient_id = w.recipient_id AND n.task_key = w.task_id
          AND n.kind = w.kind AND n."window" = w.win)
  ), marked AS (
    SELECT f.*, f.kind = 'overdue' AND bool_or(f.kind = 'escalation') OVER (PARTITION BY f.tenant_id, f.recipient_id, f.task_id) AS covered
      FROM fresh f
  )
  SELECT m.tenant_id, m.recipient_id, m.task_id, m.kind, m.win, m.due_date, m.assignee_id, m.covered,
         CASE WHEN NOT m.covered THEN row_number() OVER (
           PARTITION BY m.tenant_id, m.recipient_id, m.covered
           ORDER BY CASE m.kind WHEN 'escalation' THEN 0 WHEN 'overdue' THEN 1 ELSE 2 END, m.due_date, m.task_id) END::int,
         (count(*) FILTER (WHERE NOT m.covered) OVER (PARTITION BY m.tenant_id, m.recipient_id))::int
    FROM marked m
$$;
