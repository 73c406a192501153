import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type SyntheticEvent, type ReactNode } from 'react';
import { Link, useParams } from 'react-router';
import { api, ApiError, unwrap, type Evidence } from '../api/client';
import { getAccessToken } from '../api/session';
import { ErrorMessage } from '../components/ErrorMessage';
import { ReviewForm, type Decision } from '../components/ReviewForm';
import { Uploader } from '../components/Uploader';
import { useI18n } from '../i18n/i18n';
import { canEdit, useRole, useTenantId } from '../tenant';
import { useMembers } from './Members';
import { NotFound } from './NotFound';
import { Field } from '../components/Field';

const kb = (size: number | null): string => (size === null ? '' : `${(size / 1024).toFixed(1)} KB`);

/** Downloads through fetch with the bearer token (a plain link would carry no credentials). */
async function download(tenantId: string, evidence: Evidence): Promise<void> {
  const res = await fetch(`/api/v1/tenants/${tenantId}/evidence/${evidence.id}/content`, {
    headers: { authorization: `Bearer ${getAccessToken() ?? ''}` },
  });
  if (!res.ok) throw new ApiError(res.status, `HTTP_${res.status}`, res.statusText);
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = evidence.fileName ?? 'evidence';
  a.click();
  URL.revokeObjectURL(url);
}

export function TaskDetail(): ReactNode {
  const tenantId = useTenantId();
  const { taskId = '' } = useParams();
  const { t, formatDay, formatInstant } = useI18n();
  const role = useRole();
  const editable = canEdit(role);
  const client = useQueryClient();
  const members = useMembers(tenantId);
  const key = ['task', tenantId, taskId];
  const task = useQuery({
    queryKey: key,
    retry: false,
    queryFn: () => unwrap(api.GET('/api/v1/tenants/{tenantId}/tasks/{taskId}', { params: { path: { tenantId, taskId } } })),
  });
  const refresh = async (): Promise<void> => {
    await client.invalidateQueries({ queryKey: key });
    await client.invalidateQueries({ queryKey: ['tasks', tenantId] });
    await client.invalidateQueries({ queryKey: ['summary', tenantId] });
    await client.invalidateQueries({ queryKey: ['review-queue'] });
  };
  const path = { params: { path: { tenantId, taskId } } };
  const assign = useMutation({
    mutationFn: (assigneeId: string | null) =>
      unwrap(api.PATCH('/api/v1/tenants/{tenantId}/tasks/{taskId}', { ...path, body: { assigneeId } })),
    onSettled: refresh,
  });
  const complete = useMutation({
    mutationFn: () => unwrap(api.POST('/api/v1/tenants/{tenantId}/tasks/{taskId}/complete', { ...path, body: {} })),
    onSettled: refresh,
  });
  const [link, setLink] = useState('');
  const [note, setNote] = useState('');
  const addEvidence = useMutation({
    mutationFn: (body: { kind: 'link'; url: string } | { kind: 'note'; text: string }) =>
      unwrap(api.POST('/api/v1/tenants/{tenantId}/tasks/{taskId}/evidence', { ...path, body })),
    onSuccess: (_r, body) => (body.kind === 'link' ? setLink('') : setNote('')),
    onSettled: refresh,
  });
  const [downloadError, setDownloadError] = useState<unknown>(null);
  // The form stays on screen after a decision (with its confirmation) although the task has left `done`.
  const [reviewed, setReviewed] = useState(false);

  if (task.isPending) return <p className="loading">{t('common.loading')}</p>;
  if (task.error instanceof ApiError && task.error.status === 404) return <NotFound />;
  if (task.isError) return <ErrorMessage error={task.error} />;
  const d = task.data;
  const nameOf = (id: string | null): string =>
    id ? (members.data?.find((m) => m.userId === id)?.name ?? id.slice(0, 8)) : t('common.none');
  const review = async (decision: Decision, comment: string): Promise<void> => {
    await unwrap(
      api.POST('/api/v1/tenants/{tenantId}/tasks/{taskId}/reviews', { ...path, body: { decision, ...(comment ? { comment } : {}) } }),
    );
    setReviewed(true);
    await refresh();
  };
  const submitLink = (e: SyntheticEvent): void => {
    e.preventDefault();
    addEvidence.mutate({ kind: 'link', url: link });
  };
  const submitNote = (e: SyntheticEvent): void => {
    e.preventDefault();
    addEvidence.mutate({ kind: 'note', text: note });
  };
  const canReview = (role === 'auditor' || role === 'admin') && (d.status === 'done' || reviewed);
  return (
    <>
      <p>
        <Link to={`/tenants/${tenantId}/tasks`}>{t('task.back')}</Link>
      </p>
      <h1>
        {d.activityKey} {d.title}
      </h1>
      <dl className="facts">
        <dt>{t('task.status')}</dt>
        <dd>
          <span className={`status status-${d.status}`} data-testid="task-status">
            {t(`status.${d.status}`)}
          </span>
          {d.overdue ? <span className="badge overdue"> {t('duties.overdue')}</span> : null}
        </dd>
        <dt>{t('task.due')}</dt>
        <dd>{formatDay(d.dueDate)}</dd>
        <dt>{t('task.period')}</dt>
        <dd>
          {formatDay(d.periodStart)} – {formatDay(d.periodEnd)}
        </dd>
        <dt>{t('duties.col.section')}</dt>
        <dd>
          {d.section} — {t(`phase.${d.phase}`)}
        </dd>
        <dt>
          <label htmlFor="assignee">{t('task.assignee')}</label>
        </dt>
        <dd>
          {editable ? (
            <select id="assignee" value={d.assigneeId ?? ''} onChange={(e) => assign.mutate(e.target.value || null)}>
              <option value="">{t('task.unassigned')}</option>
              {members.data?.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.name}
                </option>
              ))}
            </select>
          ) : (
            <span id="assignee">{d.assigneeId ? nameOf(d.assigneeId) : t('task.unassigned')}</span>
          )}
        </dd>
      </dl>
      <ErrorMessage error={assign.error} />
      <section aria-labelledby="activity-title">
        <h2 id="activity-title">{t('task.raci')}</h2>
        <table className="grid compact">
          <thead>
            <tr>
              <th scope="col">{t('task.party')}</th>
              <th scope="col">{t('task.letters')}</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(d.raci).map(([party, letters]) => (
              <tr key={party} className={party === 'customer' ? 'duty' : undefined}>
                <th scope="row">{party}</th>
                <td className="letters">{letters || t('common.none')}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p>
          {t('task.raw')}: <code>{d.activity.raw}</code>
          {d.activity.certain ? null : <span className="badge uncertain"> {t('task.uncertain')}</span>}
        </p>
        {d.activity.note ? (
          <p>
            {t('task.note')}: {d.activity.note}
          </p>
        ) : null}
      </section>
      <section aria-labelledby="evidence-title">
        <h2 id="evidence-title">{t('task.evidence')}</h2>
        {d.evidence.length === 0 ? <p className="empty">{t('task.noEvidence')}</p> : null}
        {d.evidence.length > 0 ? (
          <div className="table-wrap" tabIndex={0}>
            <table className="grid">
              <thead>
                <tr>
                  <th scope="col">{t('task.col.kind')}</th>
                  <th scope="col">{t('task.col.what')}</th>
                  <th scope="col" className="num">
                    {t('task.col.size')}
                  </th>
                  <th scope="col">{t('task.col.sha256')}</th>
                  <th scope="col">{t('task.col.who')}</th>
                  <th scope="col">{t('task.col.when')}</th>
                </tr>
              </thead>
              <tbody>
                {d.evidence.map((e) => (
                  <tr key={e.id}>
                    <td>{t(`task.kind.${e.kind}`)}</td>
                    <td>
                      {e.kind === 'file' ? (
                        <button type="button" className="link" onClick={() => void download(tenantId, e).catch(setDownloadError)}>
                          {t('task.download')} {e.fileName} ({e.mediaType})
                        </button>
                      ) : null}
                      {e.kind === 'link' && e.url ? (
                        <a href={e.url} rel="noopener noreferrer" target="_blank">
                          {e.url}
                        </a>
                      ) : null}
                      {e.kind === 'note' ? e.text : null}
                      {e.description ? <div className="hint">{e.description}</div> : null}
                    </td>
                    <td className="num">{kb(e.size)}</td>
                    <td>
                      <code className="hash" title={e.sha256 ?? ''}>
                        {e.sha256 ? `${e.sha256.slice(0, 12)}…` : ''}
                      </code>
                    </td>
                    <td>{nameOf(e.submittedBy)}</td>
                    <td>{formatInstant(e.submittedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        <ErrorMessage error={downloadError} />
        {editable ? (
          <div className="columns">
            <Uploader url={`/api/v1/tenants/${tenantId}/tasks/${taskId}/evidence`} onUploaded={() => void refresh()} />
            <div>
              <form className="stack" onSubmit={submitLink}>
                <h3>{t('task.addLink')}</h3>
                <Field label={t('task.url')}>
                  {(id) => <input id={id} type="url" required value={link} onChange={(e) => setLink(e.target.value)} />}
                </Field>
                <button type="submit">{t('task.add')}</button>
              </form>
              <form className="stack" onSubmit={submitNote}>
                <h3>{t('task.addNote')}</h3>
                <Field label={t('task.noteText')}>
                  {(id) => <textarea id={id} required rows={3} value={note} onChange={(e) => setNote(e.target.value)} />}
                </Field>
                <button type="submit">{t('task.add')}</button>
              </form>
              <ErrorMessage error={addEvidence.error} />
            </div>
          </div>
        ) : null}
        {editable && ['todo', 'in_progress', 'rejected'].includes(d.status) ? (
          <p>
            <button type="button" onClick={() => complete.mutate()} disabled={complete.isPending}>
              {t('task.complete')}
            </button>
          </p>
        ) : null}
        <ErrorMessage error={complete.error} />
        {complete.isSuccess ? (
          <p role="status" className="ok">
            {t('task.completed')}
          </p>
        ) : null}
      </section>
      {canReview ? <ReviewForm onSubmit={review} /> : null}
      <section aria-labelledby="reviews-title">
        <h2 id="reviews-title">{t('task.reviews')}</h2>
        {d.reviews.length === 0 ? <p className="empty">{t('task.noReviews')}</p> : null}
        <ol className="timeline">
          {d.reviews.map((r) => (
            <li key={r.id}>
              <strong>{t(`review.decision.${r.decision}`)}</strong> — {nameOf(r.reviewerId)}, {formatInstant(r.createdAt)}
              {r.comment ? <blockquote>{r.comment}</blockquote> : null}
            </li>
          ))}
        </ol>
      </section>
      <section aria-labelledby="history-title">
        <h2 id="history-title">{t('task.history')}</h2>
        <ol className="timeline">
          {d.history.map((h) => (
            <li key={h.seq}>
              <code>{h.action}</code> — {nameOf(h.actorId)}, {formatInstant(h.at)}
            </li>
          ))}
        </ol>
      </section>
    </>
  );
}
