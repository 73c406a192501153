import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useSearchParams } from 'react-router';
import { api, unwrap, type Task } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { filtersFromParams, paramsFromFilters, TaskFilters, type Filters } from '../components/TaskFilters';
import { useI18n } from '../i18n/i18n';
import { canEdit, useRole, useTenantId } from '../tenant';
import { useMembers } from './Members';
import { Field } from '../components/Field';

const SORTS = ['due', 'title', 'status'] as const;
type Sort = (typeof SORTS)[number];
const compare: Record<Sort, (a: Task, b: Task) => number> = {
  due: (a, b) => (a.dueDate ?? '9999').localeCompare(b.dueDate ?? '9999') || a.title.localeCompare(b.title),
  title: (a, b) => a.title.localeCompare(b.title),
  status: (a, b) => a.status.localeCompare(b.status) || a.title.localeCompare(b.title),
};

/** The duty list: filters, sort and page in the URL (shareable), bulk assignment for admins and members. */
export function Duties(): ReactNode {
  const tenantId = useTenantId();
  const { t, formatDay, formatNumber } = useI18n();
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const cursor = params.get('cursor') ?? undefined;
  const sort: Sort = SORTS.find((s) => s === params.get('sort')) ?? 'due';
  const members = useMembers(tenantId);
  const role = useRole();
  const client = useQueryClient();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [assignee, setAssignee] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const query = {
    limit: 50,
    ...(cursor ? { cursor } : {}),
    ...(filters.q ? { q: filters.q } : {}),
    ...(filters.status ? { status: filters.status } : {}),
    ...(filters.phase ? { phase: filters.phase as Task['phase'] } : {}),
    ...(filters.section ? { section: filters.section } : {}),
    ...(filters.assigneeId ? { assigneeId: filters.assigneeId } : {}),
    ...(filters.overdue ? { overdue: filters.overdue === 'true' } : {}),
    ...(filters.dueBefore ? { dueBefore: filters.dueBefore } : {}),
  };
  const tasks = useQuery({
    queryKey: ['tasks', tenantId, query],
    queryFn: () => unwrap(api.GET('/api/v1/tenants/{tenantId}/tasks', { params: { path: { tenantId }, query } })),
  });
  const sections = useQuery({
    queryKey: ['sections', tenantId],
    queryFn: async () => {
      const page = await unwrap(api.GET('/api/v1/tenants/{tenantId}/tasks', { params: { path: { tenantId }, query: { limit: 200 } } }));
      return [...new Set(page.items.map((i) => i.section))].sort();
    },
  });
  const memberList = members.data ?? [];
  const nameOf = (id: string | null): string => memberList.find((m) => m.userId === id)?.name ?? t('common.none');

  const apply = (next: Filters): void => {
    const p = paramsFromFilters(next);
    if (sort !== 'due') p.set('sort', sort);
    setParams(p);
    setSelected(new Set());
  };
  const setSort = (next: Sort): void => {
    const p = new URLSearchParams(params);
    if (next === 'due') p.delete('sort');
    else p.set('sort', next);
    setParams(p);
  };
  const page = (nextCursor: string | null): void => {
    const p = new URLSearchParams(params);
    if (nextCursor) p.set('cursor', nextCursor);
    else p.delete('cursor');
    setParams(p);
  };
  const bulkAssign = async (): Promise<void> => {
    setError(null);
    setMessage(null);
    try {
      for (const taskId of selected)
        await unwrap(
          api.PATCH('/api/v1/tenants/{tenantId}/tasks/{taskId}', {
            params: { path: { tenantId, taskId } },
            body: { assigneeId: assignee || null },
          }),
        );
      setMessage(t('duties.assigned', { count: selected.size }));
      setSelected(new Set());
    } catch (e) {
      setError(e);
    } finally {
      await client.invalidateQueries({ queryKey: ['tasks', tenantId] });
    }
  };

  const items = [...(tasks.data?.items ?? [])].sort(compare[sort]);
  const editable = canEdit(role);
  return (
    <>
      <h1>{t('duties.title')}</h1>
      <TaskFilters key={params.toString()} value={filters} members={memberList} sections={sections.data ?? []} onChange={apply} />
      <div className="toolbar">
        <Field label={t('duties.sort')}>
          {(id) => (
            <select id={id} value={sort} onChange={(e) => setSort(e.target.value as Sort)}>
              {SORTS.map((s) => (
                <option key={s} value={s}>
                  {t(`duties.sort.${s}`)}
                </option>
              ))}
            </select>
          )}
        </Field>
        {editable && selected.size > 0 ? (
          <form
            className="bulk"
            onSubmit={(e) => {
              e.preventDefault();
              void bulkAssign();
            }}
          >
            <Field label={t('duties.bulkAssign')}>
              {(id) => (
                <select id={id} value={assignee} onChange={(e) => setAssignee(e.target.value)}>
                  <option value="">{t('task.unassigned')}</option>
                  {memberList.map((m) => (
                    <option key={m.userId} value={m.userId}>
                      {m.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
            <button type="submit">{t('duties.assign')}</button>
          </form>
        ) : null}
      </div>
      {message ? (
        <p role="status" className="ok">
          {message}
        </p>
      ) : null}
      <ErrorMessage error={error ?? tasks.error} />
      {tasks.isPending ? <p className="loading">{t('common.loading')}</p> : null}
      {tasks.data && items.length === 0 ? <p className="empty">{t('duties.empty')}</p> : null}
      {items.length > 0 ? (
        <div className="table-wrap" tabIndex={0}>
          <table className="grid">
            <thead>
              <tr>
                {editable ? (
                  <th scope="col">
                    <input
                      type="checkbox"
                      aria-label={t('duties.selectAll')}
                      checked={selected.size === items.length}
                      onChange={(e) => setSelected(e.target.checked ? new Set(items.map((i) => i.id)) : new Set())}
                    />
                  </th>
                ) : null}
                <th scope="col">{t('duties.col.title')}</th>
                <th scope="col">{t('duties.col.section')}</th>
                <th scope="col">{t('duties.col.status')}</th>
                <th scope="col">{t('duties.col.due')}</th>
                <th scope="col">{t('duties.col.assignee')}</th>
                <th scope="col" className="num">
                  {t('duties.col.evidence')}
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((task) => (
                <tr key={task.id}>
                  {editable ? (
                    <td>
                      <input
                        type="checkbox"
                        aria-label={t('duties.select', { title: task.title })}
                        checked={selected.has(task.id)}
                        onChange={(e) => {
                          const next = new Set(selected);
                          if (e.target.checked) next.add(task.id);
                          else next.delete(task.id);
                          setSelected(next);
                        }}
                      />
                    </td>
                  ) : null}
                  <td>
                    <Link to={`/tenants/${tenantId}/tasks/${task.id}`}>{task.title}</Link>
                  </td>
                  <td>{task.section}</td>
                  <td>
                    <span className={`status status-${task.status}`}>{t(`status.${task.status}`)}</span>
                  </td>
                  <td>
                    {formatDay(task.dueDate)}
                    {task.overdue ? <span className="badge overdue"> {t('duties.overdue')}</span> : null}
                  </td>
                  <td>{nameOf(task.assigneeId)}</td>
                  <td className="num">{formatNumber(task.evidenceCount)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <nav className="pager" aria-label={t('duties.title')}>
        {cursor ? (
          <button type="button" className="secondary" onClick={() => page(null)}>
            {t('common.first')}
          </button>
        ) : null}
        {tasks.data?.nextCursor ? (
          <button type="button" className="secondary" onClick={() => page(tasks.data.nextCursor)}>
            {t('common.next')}
          </button>
        ) : null}
      </nav>
    </>
  );
}
