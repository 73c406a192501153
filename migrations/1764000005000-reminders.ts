import type { MigrationInterface, QueryRunner } from 'typeorm';
import { grantToApp } from './grants';

/** `task_key` of a notification about no task (digests): a uuid, so it can be part of the unique key. */
export const NO_TASK = '00000000-0000-0000-0000-000000000000';

const OPEN = `('todo', 'in_progress', 'rejected')`;

/** Notifications per mail-send job: one job per notification costs the sweep more than the inserts. */
export const NOTIFICATIONS_PER_JOB = 25;
/** The mail-send job of a row: chunks of NOTIFICATIONS_PER_JOB, numbered per statement of a call. */
const CHUNK_JOB = (statement: string): string =>
  `md5(v_batch || ':${statement}:' || (row_number() OVER () - 1) / ${NOTIFICATIONS_PER_JOB})::uuid`;
const ACTIVE = (m: string, now: string): string => `(${m}.expires_at IS NULL OR ${m}.expires_at > ${now})`;

/** Tables the sweep reads or writes across tenants: each gets a policy for the definer scope. */
const READ_ACROSS_TENANTS = ['tenant', 'membership', 'subscription', 'task', 'review', 'notification', 'notification_preference'] as const;

/**
 * Who should be told about which open task today: one row per (recipient, task, kind, window).
 * Shared with bench/reminders.bench.ts, which runs it bare as its baseline; the function below
 * inserts exactly these rows. `now`, `kinds` and `bound` are SQL expressions (plpgsql variables
 * in the function, parameters in the bench); `bound` is the last due date any tenant's largest
 * reminder offset can reach, so the scan stays on the open-task index range.
 */
export function taskReminderCandidates(now: string, kinds: string, bound: string): string {
  return `
    WITH cand AS MATERIALIZED (
      SELECT t.tenant_id, t.id AS task_id, t.due_date, t.assignee_id,
             t.due_date - (${now} AT TIME ZONE s.timezone)::date AS days_left,
             te.reminder_days, te.escalation_days
        FROM task t
        JOIN subscription s ON s.id = t.subscription_id
        JOIN tenant te ON te.id = t.tenant_id
       WHERE t.status IN ${OPEN} AND t.due_date <= ${bound}
    ), kinds AS (
      SELECT c.*, 'due_soon'::text AS kind, 'd' || (SELECT min(o) FROM unnest(c.reminder_days) o WHERE o >= c.days_left) AS win
        FROM cand c WHERE 'due_soon' = ANY (${kinds}) AND c.days_left >= 0
      UNION ALL
      SELECT c.*, 'overdue', 'w' || ((-c.days_left - 1) / 7)
        FROM cand c WHERE 'overdue' = ANY (${kinds}) AND c.days_left < 0
      UNION ALL
      SELECT c.*, 'escalation', 'esc'
        FROM cand c WHERE 'escalation' = ANY (${kinds}) AND -c.days_left >= c.escalation_days
    ), owned AS (
      -- The assignee while they are an active admin or member; otherwise the task is the admins'.
      SELECT k.*, am.user_id AS owner_id
        FROM kinds k
        LEFT JOIN membership am ON am.tenant_id = k.tenant_id AND am.user_id = k.assignee_id
         AND am.role IN ('admin', 'member') AND ${ACTIVE('am', now)}
       WHERE k.win IS NOT NULL
    ), rcpt AS (
      SELECT o.tenant_id, o.task_id, o.kind, o.win, o.due_date, o.assignee_id, o.owner_id AS recipient_id
        FROM owned o WHERE o.kind <> 'escalation' AND o.owner_id IS NOT NULL
      UNION ALL
      SELECT o.tenant_id, o.task_id, o.kind, o.win, o.due_date, o.assignee_id, a.user_id
        FROM owned o
        JOIN membership a ON a.tenant_id = o.tenant_id AND a.role = 'admin' AND ${ACTIVE('a', now)}
       WHERE o.kind = 'escalation' OR o.owner_id IS NULL
    ), who AS MATERIALIZED (
      -- Preferences applied; for due-soon rows, the recipient's local time for the digest week
      -- (their time zone, else the tenant's: its first subscription's).
      SELECT x.*, coalesce(p.digest, true) AS wants_digest,
             CASE WHEN x.kind = 'due_soon' THEN ${now} AT TIME ZONE coalesce(p.timezone, (
               SELECT s1.timezone FROM subscription s1 WHERE s1.tenant_id = x.tenant_id ORDER BY s1.created_at, s1.id LIMIT 1)) END AS local_now
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
       WHERE d.kind = 'digest' AND d.created_at > ${now} - interval '8 days' AND d.created_at <= ${now}
    )
    SELECT w.tenant_id, w.recipient_id, w.task_id, w.kind, w.win, w.due_date, w.assignee_id
      FROM who w
      LEFT JOIN digests d ON w.kind = 'due_soon' AND d.tenant_id = w.tenant_id AND d.recipient_id = w.recipient_id
       AND d."window" = to_char(w.local_now, 'IYYY-"W"IW')
     WHERE w.kind <> 'due_soon'
        -- No separate due-soon mail for a task this week's digest lists ...
        OR (d.tenant_id IS NOT NULL AND NOT d.task_ids ? w.task_id::text)
        -- ... and none while that digest is due but not written yet: held for it, not lost.
        OR (d.tenant_id IS NULL AND NOT (w.wants_digest
              AND w.local_now >= date_trunc('week', w.local_now) + interval '8 hours'
              AND w.local_now < date_trunc('week', w.local_now) + interval '32 hours'))`;
}

/**
 * Reminder emails: the `notification` log (its unique key is the idempotency key of every mail),
 * per-user preferences, per-tenant reminder settings, and the set-based sweep.
 *
 * Row-level security stays on. The sweep must read every tenant at once, so it is a SECURITY
 * DEFINER function that turns on the `reminders` definer scope for its own statements: each
 * table it touches has an extra permissive policy `app_definer_scope('reminders')`, which holds
 * only while `app.scope` is set *and* the statement runs inside a definer function (current_user,
 * the owner, differs from session_user, the app role). The app role setting `app.scope` itself
 * therefore sees nothing more. A caller could still carry a scope it set into *another* definer
 * function; the two that exist (audit_claim_head, audit_event_link) read only audit tables,
 * which have no definer-scope policy, and test/reminders/reminders-rls.int-spec.ts fails when a
 * new definer function appears, so it gets the same review (docs/reminders.md).
 */
export class Reminders1764000005000 implements MigrationInterface {
  name = 'Reminders1764000005000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      ALTER TABLE tenant
        ADD COLUMN reminder_days int[] NOT NULL DEFAULT '{7,1}'
          CONSTRAINT tenant_reminder_days CHECK (
            cardinality(reminder_days) <= 5 AND array_position(reminder_days, NULL) IS NULL
            AND 0 <= ALL (reminder_days) AND 60 >= ALL (reminder_days)),
        ADD COLUMN escalation_days int NOT NULL DEFAULT 7
          CONSTRAINT tenant_escalation_days CHECK (escalation_days BETWEEN 1 AND 365)`);

    await q.query(`
      CREATE TABLE notification (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        -- No foreign keys: this is the mail log, written 10,000 rows at a time by the sweep, where
        -- their row locks (FOR KEY SHARE on tenant, user and task) cost more than the rest of the
        -- insert. Tasks and users are never deleted by the api; the sender skips a row whose
        -- task or recipient is gone. Deleting a tenant (an operator procedure) must delete its rows too.
        tenant_id uuid NOT NULL,
        recipient_id uuid NOT NULL,
        task_id uuid,
        task_key uuid GENERATED ALWAYS AS (coalesce(task_id, '${NO_TASK}'::uuid)) STORED,
        kind text NOT NULL CONSTRAINT notification_kind CHECK (kind IN ('due_soon', 'overdue', 'escalation', 'digest', 'review_rejected')),
        "window" text NOT NULL CONSTRAINT notification_window CHECK (length("window") BETWEEN 1 AND 64),
        status text NOT NULL DEFAULT 'queued' CONSTRAINT notification_status CHECK (status IN ('queued', 'sent', 'failed', 'skipped')),
        attempts int NOT NULL DEFAULT 0,
        last_error text,
        message_id text,
        -- The pg-boss job meant to deliver it now (a chunk of up to NOTIFICATIONS_PER_JOB rows,
        -- or a retry of this one); the requeue pass looks it up.
        job_id uuid NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        failed_at timestamptz,
        CONSTRAINT notification_task_kind CHECK ((kind = 'digest') = (task_id IS NULL)),
        CONSTRAINT notification_once UNIQUE (tenant_id, recipient_id, task_key, kind, "window")
      )`);
    // Each index slows the sweep's inserts. GET /tenants/:id/notifications walks the tenant's rows
    // through notification_once (tenant_id first) and sorts them: a few thousand a year per tenant.
    // The requeue pass looks only at what is still queued.
    await q.query(`CREATE INDEX notification_queued_idx ON notification (created_at) WHERE status = 'queued'`);
    // The due-soon rule reads the week's digests; digests are few, so this index stays small.
    await q.query(`CREATE INDEX notification_digest_idx ON notification (created_at) WHERE kind = 'digest'`);

    await q.query(`
      CREATE TABLE notification_preference (
        user_id uuid PRIMARY KEY REFERENCES app_user (id) ON DELETE CASCADE,
        due_soon boolean NOT NULL DEFAULT true,
        overdue boolean NOT NULL DEFAULT true,
        digest boolean NOT NULL DEFAULT true,
        escalation boolean NOT NULL DEFAULT true,
        review_rejected boolean NOT NULL DEFAULT true,
        timezone text CONSTRAINT notification_preference_timezone CHECK (timezone IS NULL OR length(timezone) BETWEEN 1 AND 64),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);

    // The sweep walks open tasks by due date across tenants (the task list's indexes lead with
    // tenant_id); the included columns make it an index-only scan.
    await q.query(
      `CREATE INDEX task_open_due_idx ON task (due_date) INCLUDE (tenant_id, subscription_id, assignee_id) WHERE status IN ${OPEN} AND due_date IS NOT NULL`,
    );
    await q.query(`CREATE INDEX review_rejected_recent_idx ON review (created_at) WHERE decision = 'reject'`);

    await q.query(`
      CREATE FUNCTION app_definer_scope(p_name text) RETURNS boolean LANGUAGE sql STABLE PARALLEL SAFE
      AS $$ SELECT current_setting('app.scope', true) = p_name AND session_user <> current_user $$`);
    await grantToApp(q, 'EXECUTE', 'FUNCTION app_definer_scope(text)');

    for (const table of ['notification', 'notification_preference']) {
      await q.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await q.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    }
    await q.query(
      'CREATE POLICY notification_scope ON notification USING (tenant_id = app_tenant_id()) WITH CHECK (tenant_id = app_tenant_id())',
    );
    // Preferences belong to a user, not a tenant: the scoped user's own row only.
    await q.query(
      'CREATE POLICY notification_preference_own ON notification_preference USING (user_id = app_user_id()) WITH CHECK (user_id = app_user_id())',
    );
    // The definer scope: read everywhere it must, write only notification rows. The sub-select
    // makes the check one InitPlan per statement instead of a call per row, and the names sort
    // after the tables' other policies: Postgres ORs permissive policies in descending name order,
    // so inside the sweep this check comes first and the per-row tenant check is skipped.
    for (const table of READ_ACROSS_TENANTS) {
      await q.query(`CREATE POLICY via_reminders_read ON ${table} FOR SELECT USING ((SELECT app_definer_scope('reminders')))`);
    }
    await q.query(`CREATE POLICY via_reminders_insert ON notification FOR INSERT WITH CHECK ((SELECT app_definer_scope('reminders')))`);
    await q.query(
      `CREATE POLICY via_reminders_update ON notification FOR UPDATE USING ((SELECT app_definer_scope('reminders'))) WITH CHECK ((SELECT app_definer_scope('reminders')))`,
    );

    await q.query(`
      CREATE FUNCTION sweep_reminders(p_now timestamptz, p_kinds text[])
      RETURNS TABLE (notification_id uuid, tenant_id uuid, job_id uuid)
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
      -- Closed tasks are mostly in the past, so the planner overestimates the open tasks due by
      -- the bound and, given workers, picks a parallel scan of every task over the index range.
      SET max_parallel_workers_per_gather = 0 AS $fn$
      #variable_conflict use_column
      DECLARE
        v_kinds text[] := coalesce(p_kinds, ARRAY['digest', 'review_rejected', 'escalation', 'overdue', 'due_soon']);
        v_bound date;
        -- Job ids of this call: unique across calls, shared by the rows of one chunk.
        v_batch text := gen_random_uuid()::text;
      BEGIN
        IF session_user = current_user THEN
          RAISE EXCEPTION 'sweep_reminders must be called by the app role, not by the schema owner (%)', current_user
            USING HINT = 'Connect the api and worker as a role that owns nothing (DATABASE_URL) and run migrations as the owner (DATABASE_OWNER_URL).';
        END IF;
        IF p_now IS NULL THEN
          RAISE EXCEPTION 'sweep_reminders needs p_now';
        END IF;
        PERFORM set_config('app.scope', 'reminders', true);

        -- Digests first: the due-soon rule below looks at the digests of the week.
        IF 'digest' = ANY (v_kinds) THEN
          RETURN QUERY
          WITH tz AS (
            SELECT DISTINCT ON (s.tenant_id) s.tenant_id, s.timezone
              FROM subscription s ORDER BY s.tenant_id, s.created_at, s.id
          ), who AS (
            SELECT m.tenant_id, m.user_id, m.role, to_char(l.local_now, 'IYYY-"W"IW') AS week
              FROM membership m
              JOIN tz ON tz.tenant_id = m.tenant_id
              LEFT JOIN notification_preference p ON p.user_id = m.user_id
              CROSS JOIN LATERAL (SELECT p_now AT TIME ZONE coalesce(p.timezone, tz.timezone) AS local_now) l
             WHERE m.role IN ('admin', 'member') AND ${ACTIVE('m', 'p_now')} AND coalesce(p.digest, true)
               -- Monday 08:00 local, with a day to catch up on a missed run.
               AND l.local_now >= date_trunc('week', l.local_now) + interval '8 hours'
               AND l.local_now < date_trunc('week', l.local_now) + interval '32 hours'
          ), owned AS (
            SELECT t.tenant_id, t.id, t.due_date, am.user_id AS owner_id
              FROM task t
              LEFT JOIN membership am ON am.tenant_id = t.tenant_id AND am.user_id = t.assignee_id
               AND am.role IN ('admin', 'member') AND ${ACTIVE('am', 'p_now')}
             WHERE t.status IN ${OPEN} AND t.due_date IS NOT NULL
               AND t.tenant_id IN (SELECT w.tenant_id FROM who w)
          ), lists AS (
            SELECT w.tenant_id, w.user_id, w.week, jsonb_agg(o.id ORDER BY o.due_date, o.id) AS task_ids
              FROM who w
              JOIN owned o ON o.tenant_id = w.tenant_id AND (o.owner_id = w.user_id OR (o.owner_id IS NULL AND w.role = 'admin'))
             GROUP BY w.tenant_id, w.user_id, w.week
          ), ins AS (
            INSERT INTO notification (tenant_id, recipient_id, task_id, kind, "window", data, created_at, job_id)
            SELECT tenant_id, user_id, NULL, 'digest', week, jsonb_build_object('taskIds', task_ids), p_now, ${CHUNK_JOB('digest')} FROM lists
            ON CONFLICT DO NOTHING
            RETURNING id, tenant_id, job_id
          )
          SELECT id, tenant_id, job_id FROM ins;
        END IF;

        IF 'review_rejected' = ANY (v_kinds) THEN
          RETURN QUERY
          WITH ins AS (
            INSERT INTO notification (tenant_id, recipient_id, task_id, kind, "window", data, created_at, job_id)
            SELECT r.tenant_id, who.user_id, r.task_id, 'review_rejected', r.id::text, jsonb_build_object('reviewId', r.id), p_now, ${CHUNK_JOB('review')}
              FROM review r
              JOIN task t ON t.id = r.task_id AND t.tenant_id = r.tenant_id
              -- The assignee, else whoever completed the task; never the reviewer themselves.
              CROSS JOIN LATERAL (
                SELECT m.user_id FROM membership m
                 WHERE m.tenant_id = r.tenant_id AND m.user_id IN (t.assignee_id, t.completed_by)
                   AND m.role IN ('admin', 'member') AND ${ACTIVE('m', 'p_now')}
                 ORDER BY (m.user_id = t.assignee_id) IS TRUE DESC LIMIT 1
              ) who
              LEFT JOIN notification_preference p ON p.user_id = who.user_id
             WHERE r.decision = 'reject' AND r.created_at > p_now - interval '7 days' AND r.created_at <= p_now
               AND who.user_id <> r.reviewer_id AND coalesce(p.review_rejected, true)
            ON CONFLICT DO NOTHING
            RETURNING id, tenant_id, job_id
          )
          SELECT id, tenant_id, job_id FROM ins;
        END IF;

        IF v_kinds && ARRAY['due_soon', 'overdue', 'escalation'] THEN
          -- Overdue needs due dates up to today (UTC + 1 covers the zones ahead); due-soon reaches
          -- as far as the largest offset of any tenant.
          SELECT (p_now AT TIME ZONE 'UTC')::date + 1
                 + CASE WHEN 'due_soon' = ANY (v_kinds) THEN coalesce(max(d), 0) ELSE 0 END
            INTO v_bound
            FROM (SELECT DISTINCT te.reminder_days FROM tenant te) r, unnest(r.reminder_days) d;
          RETURN QUERY
          WITH wanted AS (${taskReminderCandidates('p_now', 'v_kinds', 'v_bound')}
          ), ins AS (
            INSERT INTO notification (tenant_id, recipient_id, task_id, kind, "window", data, created_at, job_id)
            SELECT w.tenant_id, w.recipient_id, w.task_id, w.kind, w.win,
                   CASE WHEN w.kind = 'escalation' THEN jsonb_build_object('dueDate', w.due_date, 'assigneeId', w.assignee_id)
                        ELSE jsonb_build_object('dueDate', w.due_date) END,
                   p_now, ${CHUNK_JOB('tasks')}
              FROM wanted w
            ON CONFLICT DO NOTHING
            RETURNING id, tenant_id, job_id
          )
          SELECT id, tenant_id, job_id FROM ins;
        END IF;

        PERFORM set_config('app.scope', '', true);
        RETURN;
      END $fn$`);

    // Queued notifications whose delivery job is gone (retries exhausted by crashes, removed by
    // hand): they get new job ids (chunked like the sweep's), which the caller queues in the same
    // transaction.
    await q.query(`
      CREATE FUNCTION requeue_reminders(p_now timestamptz, p_queue text, p_older_than interval)
      RETURNS TABLE (notification_id uuid, tenant_id uuid, job_id uuid)
      LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
      #variable_conflict use_column
      DECLARE
        v_batch text := gen_random_uuid()::text;
      BEGIN
        IF session_user = current_user THEN
          RAISE EXCEPTION 'requeue_reminders must be called by the app role, not by the schema owner (%)', current_user;
        END IF;
        PERFORM set_config('app.scope', 'reminders', true);
        RETURN QUERY
        WITH orphan AS (
          SELECT n.id FROM notification n
           WHERE n.status = 'queued' AND n.created_at < p_now - p_older_than
             AND NOT EXISTS (
               SELECT 1 FROM pgboss.job j
                WHERE j.name = p_queue AND j.id = n.job_id AND j.state IN ('created', 'retry', 'active'))
           -- A row a sender holds is being delivered right now.
           FOR UPDATE OF n SKIP LOCKED
        ), numbered AS (
          SELECT o.id, ${CHUNK_JOB('requeue')} AS job_id FROM orphan o
        ), upd AS (
          UPDATE notification n SET job_id = x.job_id FROM numbered x WHERE n.id = x.id
          RETURNING n.id, n.tenant_id, n.job_id
        )
        SELECT id, tenant_id, job_id FROM upd;
        PERFORM set_config('app.scope', '', true);
        RETURN;
      END $fn$`);

    for (const fn of ['sweep_reminders(timestamptz, text[])', 'requeue_reminders(timestamptz, text, interval)']) {
      await q.query(`REVOKE ALL ON FUNCTION ${fn} FROM PUBLIC`);
      await grantToApp(q, 'EXECUTE', `FUNCTION ${fn}`);
    }

    // The sender marks rows; it never inserts (only the sweep does) or deletes them.
    await grantToApp(q, 'SELECT, UPDATE', 'notification');
    await grantToApp(q, 'SELECT, INSERT, UPDATE', 'notification_preference');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION requeue_reminders(timestamptz, text, interval)');
    await q.query('DROP FUNCTION sweep_reminders(timestamptz, text[])');
    for (const table of READ_ACROSS_TENANTS) {
      if (table !== 'notification' && table !== 'notification_preference') await q.query(`DROP POLICY via_reminders_read ON ${table}`);
    }
    await q.query('DROP TABLE notification');
    await q.query('DROP TABLE notification_preference');
    await q.query('DROP FUNCTION app_definer_scope(text)');
    await q.query('DROP INDEX review_rejected_recent_idx');
    await q.query('DROP INDEX task_open_due_idx');
    await q.query('ALTER TABLE tenant DROP COLUMN reminder_days, DROP COLUMN escalation_days');
  }
}
