import { createHash } from 'node:crypto';
import { PHASES } from '../catalog';
import type { NamedStatement } from '../db';
import { openStatusSql } from './task-status';
import type { SummaryCounts, SummaryTaskView, TaskSummaryView } from './tasks.views';

/** How many tasks each short list of the summary carries (the counts are complete). */
export const SUMMARY_LIST_SIZE = 5;
/** Weeks of the trend, the current one last. */
export const SUMMARY_WEEKS = 12;

const OPEN = openStatusSql('f.status');

/**
 * The counts of one set of `tally` rows (tasks grouped by phase, section, status and overdue), as
 * JSON. `total` leaves withdrawn tasks out (a catalog upgrade took the duty away from the
 * customer): they are counted apart, never as progress.
 */
const n = (filter: string): string => `coalesce(sum(g.n) FILTER (WHERE ${filter}), 0)`;
const COUNTS = `json_build_object(
  'total', ${n("g.status <> 'withdrawn'")},
  'open', ${n(openStatusSql('g.status'))},
  'overdue', ${n('g.overdue')},
  'todo', ${n("g.status = 'todo'")},
  'inProgress', ${n("g.status = 'in_progress'")},
  'awaitingReview', ${n("g.status = 'done'")},
  'approved', ${n("g.status = 'approved'")},
  'rejected', ${n("g.status = 'rejected'")},
  'notApplicable', ${n("g.status = 'not_applicable'")},
  'withdrawn', ${n("g.status = 'withdrawn'")})`;

const SHORT_TASK = `json_build_object('id', f.id, 'activityKey', f.activity_key, 'title', f.title, 'section', f.section,
  'phase', f.phase, 'status', f.status, 'dueDate', f.due_date::text, 'overdue', f.overdue, 'assigneeId', f.assignee_id)`;

/** Open tasks due in [today, today + days) in their subscription's time zone. */
const dueWithin = (days: number): string => `json_build_object(
  'count', (SELECT count(*) FROM facts f WHERE ${OPEN} AND f.due_date >= f.today AND f.due_date < f.today + ${days}),
  'tasks', coalesce((SELECT json_agg(${SHORT_TASK} ORDER BY f.due_date, f.id) FROM (
      SELECT * FROM facts f WHERE ${OPEN} AND f.due_date >= f.today AND f.due_date < f.today + ${days}
       ORDER BY f.due_date, f.id LIMIT ${SUMMARY_LIST_SIZE}) f), '[]'::json))`;

/**
 * The dashboard's summary of one tenant in one statement (the benchmark's baseline runs the same
 * text). Every read is by tenant: the tenant's tasks through an index led by tenant_id (the
 * aggregates need them all, one pass, materialised once), the trend's completions and approvals
 * through `task_tenant_completed_idx` and `review_tenant_decided_idx`, the latest rejection of
 * the few tasks listed through `review_task_idx`. Catalog rows (a few dozen per version) are
 * joined through `activity_card`. So the plan's cost follows the tenant's task count, whatever the
 * table holds (docs/benchmarks.md, summary scenario).
 *
 * Time: "today" and "overdue" are each task's subscription's (as in the task list); the weekly
 * trend uses the tenant's time zone (`tenant.time_zone`, read by the caller through
 * TenantTimeZones: libs/tasks may not read `tenant`); weeks start on Monday.
 */
/** The statement's name follows its text: a connection that prepared an older text never mixes them up. */
const names = new Map<string, string>();
function statementName(sql: string): string {
  let name = names.get(sql);
  if (name === undefined) {
    name = `task_summary_${createHash('sha256').update(sql).digest('hex').slice(0, 12)}`;
    names.set(sql, name);
  }
  return name;
}

export function summaryQuery(tenantId: string, timeZone: string): NamedStatement {
  const sql = `
WITH zone AS (
  SELECT $3::text AS tz
), facts AS MATERIALIZED (
  SELECT t.id, t.status, t.due_date, t.assignee_id, a.key AS activity_key, a.title, a.section, a.phase,
         (now() AT TIME ZONE s.timezone)::date AS today,
         (${openStatusSql('t.status')} AND t.due_date < (now() AT TIME ZONE s.timezone)::date) AS overdue
    FROM task t
    JOIN subscription s ON s.tenant_id = t.tenant_id AND s.id = t.subscription_id
    JOIN activity_card a ON a.id = t.activity_id
   WHERE t.tenant_id = $1
), tally AS MATERIALIZED (
  -- One pass over the tenant's tasks; the totals, phases and sections add these few rows up.
  SELECT f.phase, f.section, f.status, f.overdue, count(*) AS n FROM facts f GROUP BY f.phase, f.section, f.status, f.overdue
), weeks AS (
  SELECT w::date AS week_start, (w::timestamp AT TIME ZONE zone.tz) AS from_at, ((w + interval '7 days')::timestamp AT TIME ZONE zone.tz) AS to_at
    FROM zone, generate_series(date_trunc('week', now() AT TIME ZONE zone.tz) - interval '${(SUMMARY_WEEKS - 1) * 7} days',
                               date_trunc('week', now() AT TIME ZONE zone.tz), interval '7 days') AS w
), completions AS (
  SELECT w.week_start, count(*) AS n
    FROM task t JOIN weeks w ON t.completed_at >= w.from_at AND t.completed_at < w.to_at
   WHERE t.tenant_id = $1 AND t.completed_at >= (SELECT min(from_at) FROM weeks)
   GROUP BY w.week_start
), approvals AS (
  SELECT w.week_start, count(*) FILTER (WHERE r.decision = 'approve') AS approved, count(*) FILTER (WHERE r.decision = 'reject') AS rejected
    FROM review r JOIN weeks w ON r.created_at >= w.from_at AND r.created_at < w.to_at
   WHERE r.tenant_id = $1 AND r.created_at >= (SELECT min(from_at) FROM weeks)
   GROUP BY w.week_start
)
SELECT
  (SELECT tz FROM zone) AS timezone,
  (now() AT TIME ZONE (SELECT tz FROM zone))::date::text AS today,
  (SELECT ${COUNTS} FROM tally g) AS totals,
  coalesce((SELECT json_agg(json_build_object('phase', g.phase, 'counts', g.counts) ORDER BY array_position($2::text[], g.phase))
              FROM (SELECT g.phase, ${COUNTS} AS counts FROM tally g GROUP BY g.phase) g), '[]'::json) AS by_phase,
  coalesce((SELECT json_agg(json_build_object('section', g.section, 'counts', g.counts) ORDER BY g.section)
              FROM (SELECT g.section, ${COUNTS} AS counts FROM tally g GROUP BY g.section) g), '[]'::json) AS by_section,
  ${dueWithin(7)} AS due7,
  ${dueWithin(30)} AS due30,
  json_build_object(
    'count', (SELECT coalesce(sum(g.n), 0) FROM tally g WHERE g.status = 'rejected'),
    'tasks', coalesce((SELECT json_agg(json_build_object('task', ${SHORT_TASK}, 'comment', f.comment, 'rejectedAt', f.rejected_at, 'reviewerId', f.reviewer_id)
                                       ORDER BY f.rejected_at DESC NULLS LAST, f.id)
        FROM (SELECT f.*, r.comment, r.created_at AS rejected_at, r.reviewer_id
                FROM facts f
                LEFT JOIN LATERAL (SELECT r.comment, r.created_at, r.reviewer_id FROM review r
                                    WHERE r.tenant_id = $1 AND r.task_id = f.id
                                    ORDER BY r.created_at DESC, r.id DESC LIMIT 1) r ON true
               WHERE f.status = 'rejected'
               ORDER BY r.created_at DESC NULLS LAST, f.id LIMIT ${SUMMARY_LIST_SIZE}) f), '[]'::json)) AS rejected,
  (SELECT json_agg(json_build_object('weekStart', w.week_start::text, 'completed', coalesce(c.n, 0),
                                     'approved', coalesce(a.approved, 0), 'rejected', coalesce(a.rejected, 0)) ORDER BY w.week_start)
     FROM weeks w LEFT JOIN completions c ON c.week_start = w.week_start LEFT JOIN approvals a ON a.week_start = w.week_start) AS weeks`;
  // Named: its planning (10-25 ms) costs as much as running it, so each connection plans it once.
  return { name: statementName(sql), sql, params: [tenantId, PHASES, timeZone] };
}

/** The one row of summaryQuery. */
export interface SummaryRow {
  timezone: string;
  today: string;
  totals: SummaryCounts;
  by_phase: TaskSummaryView['byPhase'];
  by_section: TaskSummaryView['bySection'];
  due7: TaskSummaryView['dueIn7Days'];
  due30: TaskSummaryView['dueIn30Days'];
  rejected: {
    count: number;
    tasks: { task: SummaryTaskView; comment: string | null; rejectedAt: string | null; reviewerId: string | null }[];
  };
  weeks: TaskSummaryView['weeks'];
}

/** The view of summaryQuery's row: JSON instants (Postgres' text) as ISO-8601 UTC. */
export function toSummaryView(row: SummaryRow): TaskSummaryView {
  return {
    timezone: row.timezone,
    today: row.today,
    totals: row.totals,
    byPhase: row.by_phase,
    bySection: row.by_section,
    dueIn7Days: row.due7,
    dueIn30Days: row.due30,
    rejected: {
      count: row.rejected.count,
      tasks: row.rejected.tasks.map((r) => ({ ...r, rejectedAt: r.rejectedAt === null ? null : new Date(r.rejectedAt).toISOString() })),
    },
    weeks: row.weeks,
  };
}
