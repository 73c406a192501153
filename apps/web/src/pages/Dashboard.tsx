import { useQuery } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { api, unwrap, type Task } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { PHASES, STATUSES } from '../components/TaskFilters';
import { useI18n } from '../i18n/i18n';
import { useTenantId } from '../tenant';

/** Every task of the tenant, page after page (the dashboard counts them all). */
export async function allTasks(tenantId: string): Promise<Task[]> {
  const items: Task[] = [];
  let cursor: string | undefined;
  do {
    const page = await unwrap(
      api.GET('/api/v1/tenants/{tenantId}/tasks', { params: { path: { tenantId }, query: { limit: 200, ...(cursor ? { cursor } : {}) } } }),
    );
    items.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return items;
}

const isDone = (task: Task): boolean => task.status === 'done' || task.status === 'approved';
const addDays = (days: number): string => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);

function Progress({ label, done, total }: { label: string; done: number; total: number }): ReactNode {
  const { formatNumber } = useI18n();
  return (
    <tr>
      <th scope="row">{label}</th>
      <td className="num">
        {formatNumber(done)} / {formatNumber(total)}
      </td>
      <td>
        <progress max={Math.max(total, 1)} value={done} aria-label={label} />
      </td>
    </tr>
  );
}

export function Dashboard(): ReactNode {
  const tenantId = useTenantId();
  const { t, formatNumber } = useI18n();
  const tasks = useQuery({ queryKey: ['tasks', tenantId, 'all'], queryFn: () => allTasks(tenantId) });
  if (tasks.isPending) return <p className="loading">{t('common.loading')}</p>;
  if (tasks.isError) return <ErrorMessage error={tasks.error} />;
  const items = tasks.data;
  const base = `/tenants/${tenantId}/tasks`;
  if (items.length === 0)
    return (
      <>
        <h1>{t('dashboard.title')}</h1>
        <p className="empty">
          <Link to={`/tenants/${tenantId}/catalogs`}>{t('dashboard.empty')}</Link>
        </p>
      </>
    );
  const today = addDays(0);
  const open = items.filter((i) => ['todo', 'in_progress', 'rejected'].includes(i.status));
  const cards: {
    key: 'dashboard.overdue' | 'dashboard.dueSoon' | 'dashboard.due30' | 'dashboard.rejected' | 'dashboard.awaiting';
    count: number;
    link: string;
  }[] = [
    { key: 'dashboard.overdue', count: items.filter((i) => i.overdue).length, link: `${base}?overdue=true` },
    {
      key: 'dashboard.dueSoon',
      count: open.filter((i) => i.dueDate && i.dueDate >= today && i.dueDate <= addDays(7)).length,
      link: `${base}?dueBefore=${addDays(8)}`,
    },
    {
      key: 'dashboard.due30',
      count: open.filter((i) => i.dueDate && i.dueDate >= today && i.dueDate <= addDays(30)).length,
      link: `${base}?dueBefore=${addDays(31)}`,
    },
    { key: 'dashboard.rejected', count: items.filter((i) => i.status === 'rejected').length, link: `${base}?status=rejected` },
    { key: 'dashboard.awaiting', count: items.filter((i) => i.status === 'done').length, link: `${base}?status=done` },
  ];
  const sections = [...new Set(items.map((i) => i.section))].sort();
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
      <div className="columns">
        <section>
          <h2>{t('dashboard.byStatus')}</h2>
          <table>
            <tbody>
              {STATUSES.map((s) => (
                <tr key={s}>
                  <th scope="row">
                    <span className={`status status-${s}`}>{t(`status.${s}`)}</span>
                  </th>
                  <td className="num">{formatNumber(items.filter((i) => i.status === s).length)}</td>
                </tr>
              ))}
              <tr>
                <th scope="row">{t('dashboard.total')}</th>
                <td className="num">{formatNumber(items.length)}</td>
              </tr>
            </tbody>
          </table>
        </section>
        <section>
          <h2>{t('dashboard.byPhase')}</h2>
          <table>
            <tbody>
              {PHASES.map((p) => {
                const inPhase = items.filter((i) => i.phase === p);
                return inPhase.length === 0 ? null : (
                  <Progress key={p} label={t(`phase.${p}`)} done={inPhase.filter(isDone).length} total={inPhase.length} />
                );
              })}
            </tbody>
          </table>
        </section>
      </div>
      <section>
        <h2>{t('dashboard.bySection')}</h2>
        <table>
          <tbody>
            {sections.map((s) => {
              const inSection = items.filter((i) => i.section === s);
              return <Progress key={s} label={s} done={inSection.filter(isDone).length} total={inSection.length} />;
            })}
          </tbody>
        </table>
      </section>
    </>
  );
}
