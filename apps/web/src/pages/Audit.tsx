import { useMutation, useQuery } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { ErrorMessage } from '../components/ErrorMessage';
import { useI18n } from '../i18n/i18n';
import { useTenantId } from '../tenant';
import { useMembers } from './Members';

/** The tenant's hash-chained audit trail, paged (cursor in the URL), with chain verification. */
export function Audit(): ReactNode {
  const tenantId = useTenantId();
  const { t, formatInstant } = useI18n();
  const [params, setParams] = useSearchParams();
  const cursor = params.get('cursor') ?? undefined;
  const members = useMembers(tenantId);
  const events = useQuery({
    queryKey: ['audit', tenantId, cursor],
    queryFn: () =>
      unwrap(
        api.GET('/api/v1/tenants/{tenantId}/audit-events', {
          params: { path: { tenantId }, query: { limit: 50, ...(cursor ? { cursor } : {}) } },
        }),
      ),
  });
  const verify = useMutation({
    mutationFn: () => unwrap(api.GET('/api/v1/tenants/{tenantId}/audit-events/verify', { params: { path: { tenantId } } })),
  });
  const [copied, setCopied] = useState(false);
  const nameOf = (id: string | null): string =>
    id ? (members.data?.find((m) => m.userId === id)?.name ?? id.slice(0, 8)) : t('common.none');
  const result = verify.data;
  return (
    <>
      <h1>{t('audit.title')}</h1>
      <div className="toolbar">
        <button type="button" onClick={() => verify.mutate()} disabled={verify.isPending}>
          {t('audit.verify')}
        </button>
      </div>
      <ErrorMessage error={verify.error ?? events.error} />
      {result ? (
        <div role="status" className={result.valid ? 'ok' : 'error'}>
          <p>
            {result.valid
              ? t('audit.valid', { count: result.count })
              : t('audit.invalid', { seq: result.firstBrokenSeq ?? '?', reason: result.reason ?? '' })}
          </p>
          <p>
            {t('audit.head')}: <code data-testid="head-hash">{result.headHash}</code>{' '}
            <button
              type="button"
              className="secondary"
              onClick={() => {
                void navigator.clipboard.writeText(result.headHash).then(() => setCopied(true));
              }}
            >
              {copied ? t('audit.copied') : t('audit.copy')}
            </button>
          </p>
        </div>
      ) : null}
      {events.data ? (
        <div className="table-wrap" tabIndex={0}>
          <table className="grid">
            <thead>
              <tr>
                <th scope="col" className="num">
                  {t('audit.col.seq')}
                </th>
                <th scope="col">{t('audit.col.at')}</th>
                <th scope="col">{t('audit.col.action')}</th>
                <th scope="col">{t('audit.col.entity')}</th>
                <th scope="col">{t('audit.col.actor')}</th>
              </tr>
            </thead>
            <tbody>
              {events.data.items.map((e) => (
                <tr key={e.seq}>
                  <td className="num">{e.seq}</td>
                  <td>{formatInstant(e.at)}</td>
                  <td>
                    <code>{e.action}</code>
                  </td>
                  <td>{e.entity.type}</td>
                  <td>{nameOf(e.actorId)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <nav className="pager" aria-label={t('audit.title')}>
        {cursor ? (
          <button type="button" className="secondary" onClick={() => setParams({})}>
            {t('common.first')}
          </button>
        ) : null}
        {events.data?.nextCursor ? (
          <button type="button" className="secondary" onClick={() => setParams({ cursor: events.data.nextCursor ?? '' })}>
            {t('common.next')}
          </button>
        ) : null}
      </nav>
    </>
  );
}
