import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Schemas } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { TrendChart } from '../components/TrendChart';
import { useI18n } from '../i18n/i18n';
import { useTenantId } from '../tenant';

type Summary = Schemas['TaskSummaryDto'];
type Counts = Schemas['SummaryCountsDto'];
type ShortTask = Schemas['SummaryTaskDto'];

const addDays = (day: string, days: number): string =>
  new Date(Date.parse(`${day}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** Each status and its field in the summary's counts (withdrawn ones are apart, below the table). */
const STATUS_COUNTS = [
  ['todo', 'todo'],
  ['in_progress', 'inProgress'],
  ['done', 'awaitingReview'],
  ['approved', 'approved'],
  ['rejected', 'rejected'],
  ['not_applicable', 'notApplicable'],
] as const satisfies readonly (readonly [Schemas['TaskDto']['status'], keyof Counts])[];

/** One group's row: open, overdue, awaiting review, approved, and done-or-approved over the total. */
function CountsRow({ label, counts }: { label: string; counts: Counts }): ReactNode {
  const { formatNumber } = useI18n();
  const done = counts.awaitingReview + counts.approved;
  return (
    <tr>
      <th scope="row">{label}</th>
      <td className="num">{formatNumber(counts.open)}</td>
      <td className="num">{formatNumber(counts.overdue)}</td>
      <td className="num">{formatNumber(counts.awaitingReview)}</td>
      <td className="num">{formatNumber(counts.approved)}</td>
      <td className="num">
        {formatNumber(done)} / {formatNumber(counts.total)}{' '}
        <progress
          max={Math.max(counts.total, 1)}
          value={done}
          aria-label={`${label}: ${formatNumber(done)} / ${formatNumber(counts.total)}`}
        />
      </td>
    </tr>
  );
}

function CountsTable({ caption, rows }: { caption: string; rows: { key: string; label: string; counts: Counts }[] }): ReactNode {
  const { t } = useI18n();
  return (
    <div className="table-wrap" tabIndex={0} role="region" aria-label={caption}>
      <table>
        <caption>{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{t('dashboard.columnGroup')}</th>
            <th scope="col" className="num">
              {t('dashboard.columnOpen')}
            </th>
            <th scope="col" className="num">
              {t('dashboard.columnOverdue')}
            </th>
            <th scope="col" className="num">
              {t('dashboard.columnAwaiting')}
            </th>
            <th scope="col" className="num">
              {t('dashboard.columnApproved')}
            </th>
            <th scope="col" className="num">
              {t('dashboard.columnProgress')}
            </th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <CountsRow key={r.key} label={r.label} counts={r.counts} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function TaskLinks({ tasks, tenantId }: { tasks: ShortTask[]; tenantId: string }): ReactNode {
  const { t, formatDay } = useI18n();
  return (
    <ul className="task-links">
      {tasks.map((task) => (
        <li key={task.id}>
          <Link to={`/tenants/${tenantId}/tasks/${task.id}`}>
            {task.activityKey} {task.title}
          </Link>{' '}
          <span className="hint">
            {formatDay(task.dueDate)} · <span className={`status status-${task.status}`}>{t(`status.${task.status}`)}</span>
          </span>
        </li>
      ))}
    </ul>
  );
}

function DueList({ title, due, link, tenantId }: { title: string; due: Summary['dueIn7Days']; link: string; tenantId: string }): ReactNode {
  const { t, formatNumber } = useI18n();
  return (
    <section>
      <h2>
        {title}: {formatNumber(due.count)}
      </h2>
      {due.count === 0 ? <p className="empty">{t('dashboard.nothingDue')}</p> : <TaskLinks tasks={due.tasks} tenantId={tenantId} />}
      {due.count > due.tasks.length ? <Link to={link}>{t('dashboard.more', { count: formatNumber(due.count) })}</Link> : null}
    </section>
  );
}

/** The tenant's dashboard, from one call: GET /tenants/:tenantId/summary. */
export function Dashboard(): ReactNode {
  const tenantId = useTenantId();
  const { t, formatNumber, formatDay, formatInstant } = useI18n();
  const summary = useQuery({
    queryKey: ['summary', tenantId],
    queryFn: () => unwrap(api.GET('/api/v1/tenants/{tenantId}/summary', { params: { path: { tenantId } } })),
  });
  if (summary.isPending) return <p className="loading">{t('common.loading')}</p>;
  if (summary.isError) return <ErrorMessage error={summary.error} />;
  const s = summary.data;
  const base = `/tenants/${tenantId}/tasks`;
  if (s.totals.total === 0 && s.totals.withdrawn === 0)
    return (
      <>
        <h1>{t('dashboard.title')}</h1>
        <p className="empty">
          <Link to={`/tenants/${tenantId}/catalogs`}>{t('dashboard.empty')}</Link>
        </p>
      </>
    );
  const cards: {
    key: 'dashboard.overdue' | 'dashboard.dueSoon' | 'dashboard.due30' | 'dashboard.rejected' | 'dashboard.awaiting';
    count: number;
    link: string;
  }[] = [
    { key: 'dashboard.overdue', count: s.totals.overdue, link: `${base}?overdue=true` },
    {
      key: 'dashboard.dueSoon',
      count: s.dueIn7Days.count,
      link: `${base}?status=todo,in_progress,rejected&dueBefore=${addDays(s.today, 7)}`,
    },
    {
      key: 'dashboard.due30',
      count: s.dueIn30Days.count,
      link: `${base}?status=todo,in_progress,rejected&dueBefore=${addDays(s.today, 30)}`,
    },
    { key: 'dashboard.rejected', count: s.rejected.count, link: `${base}?status=rejected` },
    { key: 'dashboard.awaiting', count: s.totals.awaitingReview, link: `${base}?status=done` },
  ];
  return (
    <>
      <h1>{t('dashboard.title')}</h1>
      <ul className="cards">
        {cards.map((c) => (
          <li key={c.key}>
            <Link to={c.link}>
              <span className="count">{formatNumber(c.count)}</span> {t(c.key)}
            </Link>
          </li>
        ))}
      </ul>
      <CountsTable
        caption={t('dashboard.byPhase')}
        rows={[
          ...s.byPhase.map((p) => ({ key: p.phase, label: t(`phase.${p.phase}`), counts: p.counts })),
          { key: 'total', label: t('dashboard.total'), counts: s.totals },
        ]}
      />
      <section>
        <h2>{t('dashboard.byStatus')}</h2>
        <table>
          <tbody>
            {STATUS_COUNTS.map(([status, field]) => (
              <tr key={status}>
                <th scope="row">
                  <span className={`status status-${status}`}>{t(`status.${status}`)}</span>
                </th>
                <td className="num">{formatNumber(s.totals[field])}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">{t('dashboard.total')}</th>
              <td className="num">{formatNumber(s.totals.total)}</td>
            </tr>
          </tbody>
        </table>
      </section>
      {s.totals.withdrawn > 0 ? <p className="hint">{t('dashboard.withdrawn', { count: formatNumber(s.totals.withdrawn) })}</p> : null}
      <div className="columns">
        <DueList
          title={t('dashboard.dueSoon')}
          due={s.dueIn7Days}
          link={`${base}?status=todo,in_progress,rejected&dueBefore=${addDays(s.today, 7)}`}
          tenantId={tenantId}
        />
        <DueList
          title={t('dashboard.due30')}
          due={s.dueIn30Days}
          link={`${base}?status=todo,in_progress,rejected&dueBefore=${addDays(s.today, 30)}`}
          tenantId={tenantId}
        />
      </div>
      <section>
        <h2>
          {t('dashboard.rejected')}: {formatNumber(s.rejected.count)}
        </h2>
        {s.rejected.count === 0 ? (
          <p className="empty">{t('dashboard.nothingRejected')}</p>
        ) : (
          <ul className="task-links">
            {s.rejected.tasks.map((r) => (
              <li key={r.task.id}>
                <Link to={`/tenants/${tenantId}/tasks/${r.task.id}`}>
                  {r.task.activityKey} {r.task.title}
                </Link>{' '}
                <span className="hint">
                  {formatDay(r.task.dueDate)}
                  {r.rejectedAt ? ` · ${t('dashboard.rejectedOn', { date: formatInstant(r.rejectedAt) })}` : null}
                </span>
                {r.comment ? <blockquote>{r.comment}</blockquote> : null}
              </li>
            ))}
          </ul>
        )}
        {s.rejected.count > s.rejected.tasks.length ? (
          <Link to={`${base}?status=rejected`}>{t('dashboard.more', { count: formatNumber(s.rejected.count) })}</Link>
        ) : null}
      </section>
      <TrendChart weeks={s.weeks} timezone={s.timezone} />
      <CountsTable
        caption={t('dashboard.bySection')}
        rows={s.bySection.map((g) => ({ key: g.section, label: g.section, counts: g.counts }))}
      />
    </>
  );
}
